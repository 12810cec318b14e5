"""What the knowledge side hands to renderers: ranked notes with the sentences to quote."""

from __future__ import annotations

from dataclasses import dataclass

from index.notes import Note


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
    answered: bool
    """False when nothing in the notes is relevant: renderers say so instead of showing hits."""
    hits: tuple[Hit, ...]

    def to_dict(self) -> dict:
        """The `samordna ask --json` shape."""
        return {
            "question": self.question,
            "answered": self.answered,
            "hits": [
                {
                    "rank": hit.rank,
                    "score": round(hit.score, 4),
                    "doc": hit.note.doc,
                    "title": hit.note.title,
                    "section": hit.note.section_path,
                    "page": hit.note.page,
                    "leaders": list(hit.note.leaders),
                    "municipalities": list(hit.note.municipalities),
                    "quote": hit.quote,
                    "text": hit.note.text,
                    "note_id": hit.note.id,
                }
                for hit in self.hits
            ],
        }
