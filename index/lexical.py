"""The lexical half of retrieval: BM25 (bm25s) over Swedish terms, compounds opened, and the
corpus vocabulary that a question's words are matched against."""

from __future__ import annotations

import bisect
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from index.analysis import MIN_PART, Decompounder, cognates, stem, terms

DOC_FREQ_FILE = "doc_freq.json"
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


class LexicalIndex:
    """BM25 scores for every note, plus document frequencies for weighting quote sentences."""

    def __init__(self, bm25: bm25s.BM25, doc_freq: dict[str, int], size: int) -> None:
        self._bm25 = bm25
        self.doc_freq = doc_freq
        self.size = size
        self._sorted = sorted(doc_freq)
        self._decompounder = Decompounder(doc_freq)

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        plain = [terms(text) for text in texts]
        decompounder = Decompounder({term for doc in plain for term in doc})
        documents = [decompounder.expand(doc) or [""] for doc in plain]
        bm25 = bm25s.BM25()
        bm25.index(documents, show_progress=False)
        doc_freq = Counter(term for doc in documents for term in set(doc) if term)
        return cls(bm25, dict(doc_freq), len(texts))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)
        (folder / DOC_FREQ_FILE).write_text(json.dumps({"size": self.size, "doc_freq": self.doc_freq}))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(folder), show_progress=False)
        data = json.loads((folder / DOC_FREQ_FILE).read_text())
        return cls(bm25, data["doc_freq"], data["size"])

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
        found = self._starting_with(term) or self._compound_parts(term)
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
                if candidate[0] == term[0]
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
        return np.asarray(self._bm25.get_scores([term]), dtype=np.float32)

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
