"""Scopes: which sub-folders of the corpus a chat may see, so that one index serves several förbund.

A document's scope is the first folder of its path inside the corpus (`gavleborg/2024/protokoll.txt`
lies in `gavleborg`); documents directly in the corpus folder belong to no scope and are seen only
by chats that see everything. Folder names are compared case- and normalisation-insensitively, so
`Gävleborg` in a setting finds a `gävleborg` folder written by another operating system.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

EVERYTHING = "*"
SEPARATOR = ";"


class ScopeError(ValueError):
    """A scope written in a way that names no folder; the message is Swedish."""


def folder_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def folder_of(doc: str) -> str | None:
    """The top-level sub-folder a document lies in, or None for one directly in the corpus folder."""
    head, separator, _ = doc.partition("/")
    return head if separator else None


@dataclass(frozen=True)
class Scope:
    """The corpus sub-folders a chat may see."""

    folders: frozenset[str]
    """Folder keys (see `folder_key`)."""

    @classmethod
    def of(cls, *names: str) -> Scope:
        return cls(frozenset(folder_key(name) for name in names))

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        """`gavleborg` or `uppsala;gavleborg`; `*` means every document and gives None."""
        names = [part.strip().strip("/") for part in text.split(SEPARATOR)]
        names = [name for name in names if name]
        if not names:
            raise ScopeError("ingen mapp angiven")
        if EVERYTHING in names:
            return None
        for name in names:
            if "/" in name or "\\" in name or name.startswith("."):
                raise ScopeError(f"”{name}” är inget mappnamn (en mapp direkt i korpusmappen, t.ex. gavleborg)")
        return cls.of(*names)

    def admits(self, doc: str) -> bool:
        folder = folder_of(doc)
        return folder is not None and folder_key(folder) in self.folders

    def __str__(self) -> str:
        return SEPARATOR.join(sorted(self.folders))


def describe(scope: Scope | None) -> str:
    """The scope as stored with feedback and shown to people: folder names, or `*` for everything."""
    return EVERYTHING if scope is None else str(scope)
