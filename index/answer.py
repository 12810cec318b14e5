"""What the knowledge side hands to renderers: ranked notes with the sentences to quote."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from index.notes import Note


class Outcome(StrEnum):
    """How well the notes meet a question; renderers phrase each one honestly."""

    ANSWERED = "answered"
    """The notes speak of what the question asks about."""
    RELATED = "related"
    """The notes never use some of the question's topic words, but notes close in meaning exist."""
    NOTHING = "nothing"
    """No note is close: say so instead of showing hits."""


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    note: Note
    quote: str
    """1–3 sentences of `note.text` that answer the question; always a substring of it."""


@dataclass(frozen=True)
class Answer:
    question: str
    outcome: Outcome
    hits: tuple[Hit, ...]
    missing_terms: tuple[str, ...] = ()
    """Words of the question the notes never use, as the question spelled them."""

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWERED

    @property
    def shows_hits(self) -> bool:
        """Answered or related: there are notes to show."""
        return self.outcome is not Outcome.NOTHING and bool(self.hits)

    def to_dict(self) -> dict:
        """The `samordna ask --json` shape."""
        return {
            "question": self.question,
            "answered": self.answered,
            "outcome": str(self.outcome),
            "missing_terms": list(self.missing_terms),
            "hits": [
                {
                    "rank": hit.rank,
                    "score": round(hit.score, 4),
                    "doc": hit.note.doc,
                    "title": hit.note.title,
                    "section": hit.note.section_path,
                    "page": hit.note.page,
                    "leaders": list(hit.note.leaders),
                    "roles": [{"role": role.role, "name": role.name} for role in hit.note.roles],
                    "meeting": hit.note.meeting,
                    "municipalities": list(hit.note.municipalities),
                    "quote": hit.quote,
                    "text": hit.note.text,
                    "note_id": hit.note.id,
                }
                for hit in self.hits
            ],
        }
