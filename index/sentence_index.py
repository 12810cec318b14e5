"""Every sentence of every note as a vector of its own.

A long note mixes many topics, so its single vector is a blurred average: a question about one of
them finds the note only weakly. Scored by its best sentence instead, a note is found where the
question's meaning actually is, and the quote can be cut where that sentence stands.

Rows are grouped by note: the sentences of note `p` are rows `first[p]:first[p + 1]`, in text order.
FAISS holds each distinct sentence once (overlapping notes and repeated boilerplate share
sentences); `members` maps a FAISS id back to every row with that text. Row vectors are kept as
float16 (for scoring one note's sentences and for re-use by the next build), and FAISS holds them
as float16 too, so its similarities are the rows' own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import dense
from index.notes import Note
from index.sentences import sentence_spans

SPANS = "sentence_spans.npy"
FIRST = "sentence_first.npy"
VECTORS = "sentence_vectors.npy"
KEYS = "sentence_keys.json"
DENSE = "sentences.faiss"
MEMBER_FIRST = "sentence_member_first.npy"
MEMBER_ROWS = "sentence_member_rows.npy"


def note_sentences(note: Note) -> list[tuple[int, int]]:
    """The sentences of a note that carry content: its own heading lines are left to the note."""
    return [
        (start, end)
        for start, end in sentence_spans(note.text)
        if note.text[start:end].strip(" :#") not in note.section
    ] or [(0, len(note.text))]


def groups(first: np.ndarray) -> np.ndarray:
    """For offsets `first` of consecutive groups of rows, the group of every row."""
    return np.repeat(np.arange(len(first) - 1), np.diff(first))


def sentence_layout(notes: list[Note]) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each note plus the end, (rows, 2) spans) for `notes`."""
    spans: list[tuple[int, int]] = []
    first = [0]
    for note in notes:
        spans.extend(note_sentences(note))
        first.append(len(spans))
    return np.asarray(first, dtype=np.int64), np.asarray(spans, dtype=np.int32).reshape(-1, 2)


@dataclass
class SentenceIndex:
    first: np.ndarray
    spans: np.ndarray
    vectors: np.ndarray
    keys: list[str]
    """Per row, the hash its vector was computed from: lets a rebuild reuse vectors."""
    dense: dense.VectorIndex
    """One entry per distinct sentence."""
    member_first: np.ndarray
    member_rows: np.ndarray
    """The rows of FAISS id `i` are `member_rows[member_first[i]:member_first[i + 1]]`."""

    @classmethod
    def build(
        cls, first: np.ndarray, spans: np.ndarray, vectors: np.ndarray, keys: list[str], approximate_above: int
    ) -> SentenceIndex:
        _, representative, distinct = np.unique(np.asarray(keys, dtype=str), return_index=True, return_inverse=True)
        distinct = distinct.reshape(-1)
        member_rows = np.argsort(distinct, kind="stable").astype(np.int64)
        member_first = np.concatenate([[0], np.cumsum(np.bincount(distinct, minlength=len(representative)))])
        index = dense.build(vectors[representative].astype(np.float16), approximate_above, dense.SENTENCE_PROBES)
        return cls(first, spans, vectors, keys, index, member_first.astype(np.int64), member_rows)

    def __len__(self) -> int:
        return len(self.spans)

    def owners(self) -> np.ndarray:
        """The note position of every row."""
        return groups(self.first)

    def distinct_vectors(self) -> np.ndarray:
        """The vectors the search holds, in its id order (as float32)."""
        return _distinct_rows(self.vectors, self.member_first, self.member_rows).astype(np.float32)

    def rows_of(self, position: int) -> range:
        return range(int(self.first[position]), int(self.first[position + 1]))

    def similarities(self, position: int, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of the question to each sentence of one note, in text order."""
        rows = self.vectors[self.first[position] : self.first[position + 1]]
        return rows.astype(np.float32) @ query_vector

    def best_per_note(
        self,
        query_vector: np.ndarray,
        k: int,
        allowed: dense.Allowed | None = None,
        notes_allowed: np.ndarray | None = None,
    ) -> dict[int, float]:
        """Note position → its best sentence's similarity, over the `k` nearest (`allowed`) distinct
        sentences; a sentence shared with a note outside `notes_allowed` counts only for the others."""
        scores, ids = dense.search(self.dense, query_vector, k, allowed)
        best: dict[int, float] = {}
        for sentence, score in zip(ids.tolist(), scores.tolist(), strict=True):
            rows = self.member_rows[self.member_first[sentence] : self.member_first[sentence + 1]]
            for owner in (np.searchsorted(self.first, rows, side="right") - 1).tolist():
                if notes_allowed is None or notes_allowed[owner]:
                    best.setdefault(owner, score)
        return best

    def ids_of_notes(self, notes_allowed: np.ndarray) -> np.ndarray:
        """The FAISS ids of the distinct sentences that occur in at least one allowed note."""
        by_row = np.empty(len(self.member_rows), dtype=np.int64)
        by_row[self.member_rows] = groups(self.member_first)
        return np.unique(by_row[notes_allowed[self.owners()]])

    def save(self, folder: Path) -> None:
        np.save(folder / FIRST, self.first)
        np.save(folder / SPANS, self.spans)
        np.save(folder / VECTORS, self.vectors.astype(np.float16))
        (folder / KEYS).write_text(json.dumps(self.keys))
        dense.save(self.dense, folder / DENSE)
        np.save(folder / MEMBER_FIRST, self.member_first)
        np.save(folder / MEMBER_ROWS, self.member_rows)

    @classmethod
    def load(cls, folder: Path, index_kind: str) -> SentenceIndex:
        """The stored sentence index; `index_kind` (the manifest's) says whether its search is exact."""
        vectors = np.load(folder / VECTORS)
        member_first, member_rows = np.load(folder / MEMBER_FIRST), np.load(folder / MEMBER_ROWS)
        distinct = _distinct_rows(vectors, member_first, member_rows) if index_kind == dense.EXACT else vectors
        return cls(
            np.load(folder / FIRST),
            np.load(folder / SPANS),
            vectors,
            json.loads((folder / KEYS).read_text()),
            dense.load(folder / DENSE, index_kind, distinct),
            member_first,
            member_rows,
        )

    def consistent_with(self, notes: list[Note]) -> bool:
        rows = len(self.spans)
        return (
            len(self.first) == len(notes) + 1
            and int(self.first[-1]) == rows == len(self.vectors) == len(self.keys) == len(self.member_rows)
            and len(self.member_first) == self.dense.ntotal + 1
            and int(self.member_first[-1]) == rows
            and bool(np.all(np.diff(self.first) >= 0))
        )

    @staticmethod
    def stored_vectors(folder: Path) -> dict[str, np.ndarray]:
        """Vectors by key without loading the search index: what a rebuild re-uses."""
        keys = json.loads((folder / KEYS).read_text())
        vectors = np.load(folder / VECTORS)
        if len(keys) != len(vectors):
            raise ValueError("antalet meningsvektorer och nycklar stämmer inte")
        return dict(zip(keys, vectors.astype(np.float32), strict=True))


def _distinct_rows(vectors: np.ndarray, member_first: np.ndarray, member_rows: np.ndarray) -> np.ndarray:
    """The first row of every distinct sentence, in search-id order."""
    return vectors[member_rows[member_first[:-1]]]
