"""Indexing each piece of text once: copies of a document, or near-identical notes, collapse into one.

Two extractions of the same PDF differ in quotes, bullets and a letter here and there; notes are
compared by their words, so such copies are caught while genuinely different notes are not.
"""

from __future__ import annotations

import re
from collections import defaultdict

from index.notes import Note
from index.scopes import folder_of

SIMILAR = 0.85


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def unique_notes(notes: list[Note]) -> tuple[list[Note], dict[str, str]]:
    """The notes with near-duplicates removed (the first seen is kept), and for each removed note's
    document the document that holds the kept copy. Copies are looked for only within one scope
    (top-level folder): a note both förbund have must stay visible to each of them."""
    kept: list[Note] = []
    copies_of: dict[str, str] = {}
    buckets: dict[tuple[str | None, str], list[tuple[set[str], Note]]] = defaultdict(list)
    for note in notes:
        words = _words(note.text)
        vocabulary = set(words)
        scope = folder_of(note.doc)
        keys = {(scope, " ".join(words[:6])), (scope, " ".join(words[-6:]))}
        original = next(
            (
                other
                for key in keys
                for other_words, other in buckets[key]
                if _jaccard(vocabulary, other_words) >= SIMILAR
            ),
            None,
        )
        if original is not None:
            if original.doc != note.doc:
                copies_of[note.doc] = original.doc
            continue
        kept.append(note)
        for key in keys:
            buckets[key].append((vocabulary, note))
    return kept, copies_of
