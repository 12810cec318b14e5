"""The lexical half of retrieval: BM25 (bm25s) over Swedish terms, compounds opened, and the
corpus vocabulary that a question's words are matched against.

bm25s computes every term's score in every note once, at build time, as a sparse term × note matrix.
The index stores that matrix, and a question reads one column per term: importing bm25s (which
imports scipy) would cost `samordna ask` a third of a second on every cold start."""

from __future__ import annotations

import bisect
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.analysis import MIN_PART, Decompounder, cognates, light_stem, stem, terms

TERMS_FILE = "terms.json"
SCORES_FILE = "term_scores.npz"
PREFIX_MIN = 5
"""A question term this long also matches the corpus words it begins ("skuld" → "skuldrådgivning")."""
MAX_VARIANTS = 4


@dataclass
class WordMatch:
    """A topic word of a question, how much it says (general-Swedish rarity, 0–1) and the index
    terms it meets (none: the notes never use it)."""

    word: str
    weight: float
    variants: tuple[str, ...]


TYPO_SIMILARITY = 85
"""rapidfuzz's normalised similarity (0–100) a typo must keep: a letter more or less in a five-letter
word, two edits in the long compounds of Swedish ("sysselsattningsplatser"), never a changed letter
in a short word ("gron" is not "gran", "kling" not "kring")."""
LONG_WORD = 10
"""From this length a typo may have two edits; shorter words one."""


@dataclass(frozen=True)
class TermScores:
    """bm25s's term × note score matrix in compressed sparse columns: the notes that use a term
    and its BM25 score in each."""

    columns: dict[str, int]
    values: np.ndarray
    notes_of: np.ndarray
    starts: np.ndarray
    """Column c's entries are values[starts[c]:starts[c + 1]]."""
    notes: int

    def column(self, term: str) -> np.ndarray:
        """The term's score in every note (zero where a note lacks it)."""
        row = np.zeros(self.notes, dtype=np.float32)
        if (column := self.columns.get(term)) is not None:
            start, end = self.starts[column], self.starts[column + 1]
            row[self.notes_of[start:end]] = self.values[start:end]
        return row

    def consistent(self) -> bool:
        """The arrays fit together: a damaged file is refused at load rather than misread."""
        return (
            len(self.starts) > 0
            and len(self.values) == len(self.notes_of) == int(self.starts[-1])
            and bool(np.all(np.diff(self.starts) >= 0))
            and all(0 <= column < len(self.starts) - 1 for column in self.columns.values())
            and bool(np.all((self.notes_of >= 0) & (self.notes_of < self.notes)))
        )


class LexicalIndex:
    """BM25 scores for every note, plus document frequencies for weighting quote sentences."""

    def __init__(self, scores: TermScores, doc_freq: dict[str, int]) -> None:
        self._scores = scores
        self.doc_freq = doc_freq
        self.size = scores.notes
        self._sorted = sorted(doc_freq)
        self._decompounder = Decompounder(doc_freq)

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        plain = [terms(text) for text in texts]
        decompounder = Decompounder({term for doc in plain for term in doc})
        documents = [decompounder.expand(doc) or [""] for doc in plain]
        bm25 = bm25s.BM25()
        bm25.index(documents, show_progress=False)
        doc_freq = Counter(term for doc in documents for term in set(doc) if term)
        scores = TermScores(
            columns={term: bm25.vocab_dict[term] for term in doc_freq},
            values=bm25.scores["data"].astype(np.float32),
            notes_of=bm25.scores["indices"].astype(np.int32),
            starts=bm25.scores["indptr"].astype(np.int64),
            notes=len(texts),
        )
        return cls(scores, dict(doc_freq))

    def save(self, folder: Path) -> None:
        np.savez(folder / SCORES_FILE, values=self._scores.values, notes_of=self._scores.notes_of,
                 starts=self._scores.starts)
        data = {"notes": self.size, "doc_freq": self.doc_freq, "columns": self._scores.columns}
        (folder / TERMS_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        data = json.loads((folder / TERMS_FILE).read_text(encoding="utf-8"))
        with np.load(folder / SCORES_FILE) as arrays:
            scores = TermScores(data["columns"], arrays["values"], arrays["notes_of"], arrays["starts"], data["notes"])
        if not scores.consistent() or set(scores.columns) != set(data["doc_freq"]):
            raise ValueError("BM25-matrisen stämmer inte med ordlistan")
        return cls(scores, data["doc_freq"])

    def variants(self, word: str, english: bool = False) -> tuple[str, ...]:
        """The index terms a question word meets: its own stem; else an English word's Swedish
        cognate ("culture" → "kultur"), the corpus words it begins, the compound parts it is made
        of, or a corpus word a typo away. Empty when the corpus never uses the word."""
        term = stem(word)
        if term in self.doc_freq:
            return (term,)
        for cognate in cognates(term) if english else ():
            if cognate in self.doc_freq:
                return (cognate,)
        found = self._starting_with(light_stem(word)) or self._starting_with(term) or self._compound_parts(term)
        if not found and "-" in word:
            parts = [self.variants(part, english) for part in word.split("-") if part]
            found = [term for variants in parts for term in variants] if all(parts) else []
        if not found and len(term) >= MIN_PART:
            from rapidfuzz import distance, fuzz, process  # only for words the corpus lacks: keeps ask's start light

            close = process.extract(
                term, self._sorted, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY, limit=MAX_VARIANTS
            )
            found = [
                candidate for candidate, _, _ in close
                if candidate[0] == term[0] and len(candidate) >= MIN_PART
                and distance.Levenshtein.distance(term, candidate) <= (2 if len(term) >= LONG_WORD else 1)
            ]
        return tuple(found[:MAX_VARIANTS])

    def _compound_parts(self, term: str) -> list[str]:
        """A compound the corpus never writes, made of words it does: its known head word, or a
        head that begins corpus words ("truckutbildning" → "truckförare", "utbildning")."""
        if parts := self._decompounder.parts(term, whole=True):
            return parts
        tail = next(iter(self._decompounder.parts(term)), None)
        if tail is None:
            return []
        head = self._starting_with(term[: len(term) - len(tail)].removesuffix("s"))
        return [tail, head[0]] if head else []

    def joined(self, first: str, second: str) -> str | None:
        """Two question words the corpus writes as one ("bas utredning" → "basutredning")."""
        term = stem(first + second)
        return term if term in self.doc_freq else None

    def _starting_with(self, term: str) -> list[str]:
        """The most common corpus terms that begin with `term`."""
        if len(term) < PREFIX_MIN:
            return []
        start = bisect.bisect_left(self._sorted, term)
        end = bisect.bisect_left(self._sorted, term + "\uffff")
        longer = self._sorted[start:end]
        return sorted(longer, key=lambda known: -self.doc_freq[known])[:MAX_VARIANTS]

    def term_scores(self, term: str) -> np.ndarray:
        """BM25 score of every note for one term."""
        return self._scores.column(term)

    def word_scores(self, variants: list[tuple[str, ...]]) -> np.ndarray:
        """(words, notes) BM25 scores: per question word the best score among its variants, so a
        word matched by several spellings counts once; zero where a note lacks the word."""
        rows = np.zeros((len(variants), self.size), dtype=np.float32)
        for row, terms_of_word in enumerate(variants):
            if terms_of_word:
                rows[row] = np.max([self.term_scores(term) for term in terms_of_word], axis=0)
        return rows

    def idf(self, term: str) -> float:
        """Rarer terms weigh more; a term the corpus lacks weighs as much as the rarest."""
        return math.log(1 + self.size / (1 + self.doc_freq.get(term, 0)))
