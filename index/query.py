"""What a question asks for, beyond its words: a table, a municipality, a person."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index import places
from index.analysis import content_words, is_english, to_swedish
from index.errors import EmptyQuestion

TABLE_REFERENCE = re.compile(
    r"\b(bord|bordet|grupp|gruppen|station|pass|workshop|dialogbord)\s*(?:nr\.?\s*|nummer\s*)?(\d{1,3})\b"
)
PERSON_QUESTION = re.compile(
    r"^\s*(vem|vilka personer|who)\b|\b(ledde|ledare|samtalsledare|höll i|frågeställare|deltog|deltagare|"
    r"presenterade|nedtecknat|antecknade|skrev|led the|presented|wrote)\b"
)

MAX_CHARS = 2000
"""A longer question is searched on its start: about e5's window of 512 tokens, beyond which
embedding costs grow with the square of the length and the model was never trained."""
MAX_TERMS = 40
"""Distinct words a question is searched on: each costs a typo lookup and a BM25 pass. Forty
covers any real question several times over. With MAX_CHARS they bound what a question costs,
whatever was pasted into it."""


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[str, ...]
    """The words that may name the topic, as typed (Swedish for an English question)."""
    table: tuple[str, str] | None
    """("bord", "9") for "vad sades vid bord 9?"."""
    municipalities: tuple[str, ...]
    asks_for_person: bool
    english: bool

    @classmethod
    def parse(cls, question: str) -> Query:
        text = " ".join(question.split(maxsplit=MAX_CHARS)[:MAX_CHARS])[:MAX_CHARS]
        if not text:
            raise EmptyQuestion()
        english = is_english(text)
        swedish = to_swedish(text) if english else text
        table = TABLE_REFERENCE.search(places.fold(swedish))
        return cls(
            text=text,
            words=tuple(content_words(swedish)[:MAX_TERMS]),
            table=(table.group(1).removesuffix("et").removesuffix("en"), table.group(2)) if table else None,
            municipalities=places.in_question(text),
            asks_for_person=bool(PERSON_QUESTION.search(text.lower())),
            english=english,
        )

    def names_table(self, key: tuple[str, str] | None) -> bool:
        """Whether a note's `table_key` is the table this question names ("bord 9" → Bord 9)."""
        return bool(self.table and key and key[0].startswith(self.table[0]) and key[1] == self.table[1])


def table_key(section: tuple[str, ...]) -> tuple[str, str] | None:
    """("bord", "9") for a note under "Bord 9"; None for a note not under a numbered heading."""
    head = places.fold(section[0]).split() if section else []
    return (head[0], head[1].strip(".:")) if len(head) >= 2 else None
