"""The unit of knowledge: a note is one table, group, agenda item, municipality part or passage of a document."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

SECTION_SEPARATOR = " › "
MEETING_FACTS = ("organiser", "place", "date")
NON_LEADING_ROLES = frozenset({"sekreterare", "justerare", "antecknare", "talare", "vice ordförande"})
"""Roles that write down, check or speak at a meeting rather than lead it."""


class Role(NamedTuple):
    """Who did what at the meeting a note comes from: ("ordförande", "Anna Ek")."""

    role: str
    name: str


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
    roles: tuple[Role, ...] = ()
    """Who chaired, led, moderated, asked, presented, took or checked the minutes."""
    participants: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    page: int | None = None
    start: int = 0
    end: int = 0
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Facts about the meeting (organiser, place, date) from the document's header, overridden by
    sources.toml (which may add a url)."""

    @property
    def id(self) -> str:
        """Content hash: stable across rebuilds, changes whenever the text changes."""
        return text_hash(self.text)

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    @property
    def leaders(self) -> tuple[str, ...]:
        """The people who led the table, group or meeting (not its scribes or speakers)."""
        return tuple(dict.fromkeys(r.name for r in self.roles if r.role not in NON_LEADING_ROLES))

    @property
    def meeting(self) -> dict[str, str]:
        """Who organised the meeting the note records, where and when (those facts known)."""
        return {key: self.extra[key] for key in MEETING_FACTS if key in self.extra}

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("section", "participants", "municipalities"):
            data[key] = list(data[key])
        data["roles"] = [{"role": role.role, "name": role.name} for role in self.roles]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Note:
        data = dict(data)
        for key in ("section", "participants", "municipalities"):
            data[key] = tuple(data.get(key, ()))
        roles = [Role(item["role"], item["name"]) for item in data.get("roles", ())]
        roles += [Role("ledare", name) for name in data.pop("leaders", ())]  # indexes before roles
        data["roles"] = tuple(roles)
        return cls(**data)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
