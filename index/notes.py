"""The unit of knowledge: a note is one table, group, municipality part or passage of a document."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

SECTION_SEPARATOR = " › "


@dataclass(frozen=True)
class Note:
    """A verbatim stretch of a cleaned document with what is known about where it came from.

    `text` is exactly `document_text[start:end]`, so every quote cut from it can be traced back.
    """

    text: str
    doc: str
    """The file's path inside the corpus folder, `/`-separated (`gavleborg/protokoll.txt`)."""
    title: str
    section: tuple[str, ...] = ()
    """Path of headings down to this note, e.g. ("Bord 8", "Vad är och vad gör …?")."""
    leaders: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    page: int | None = None
    start: int = 0
    end: int = 0
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Document-level facts from sources.toml (organiser, date, url)."""

    @property
    def id(self) -> str:
        """Content hash: stable across rebuilds, changes whenever the text changes."""
        return text_hash(self.text)

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("section", "leaders", "participants", "municipalities"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Note:
        data = dict(data)
        for key in ("section", "leaders", "participants", "municipalities"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
