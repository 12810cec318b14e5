"""The lexical half of retrieval: BM25 (bm25s) over Swedish terms, compounds opened."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

from index.analysis import Decompounder, close_spelling, cognates, terms

DOC_FREQ_FILE = "doc_freq.json"


class LexicalIndex:
    """BM25 scores for every note, plus document frequencies for weighting quote sentences."""

    def __init__(self, bm25: bm25s.BM25, doc_freq: dict[str, int], size: int) -> None:
        self._bm25 = bm25
        self.doc_freq = doc_freq
        self.size = size

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

    def resolve(self, term: str, english: bool = False) -> str | None:
        """The term as the index knows it: itself, a known term one typo away, for an English
        question its Swedish cognate ("cultur" → "kultur"), or None."""
        for candidate in (term, *(cognates(term) if english else ())):
            if candidate in self.doc_freq:
                return candidate
        return close_spelling(term, self.doc_freq)

    def starts_a_word(self, term: str) -> bool:
        """Whether a longer corpus word begins with the term ("skuld" in "skuldrådgivning")."""
        return len(term) >= 5 and any(known.startswith(term) for known in self.doc_freq)

    def scores(self, known_terms: list[str]) -> np.ndarray:
        if not known_terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known_terms), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Rarer terms weigh more; a term the corpus lacks weighs as much as the rarest."""
        return math.log(1 + self.size / (1 + self.doc_freq.get(term, 0)))
