"""How much a question word says about a topic, from how common it is in general Swedish.

"dom", "folk", "tyckte" and "kolla" are among the most frequent words of Swedish; "barnahus",
"Mysam" and "aktivitetsersättning" are rare. A word's Zipf frequency in general Swedish (the
`wordfreq` package, offline) therefore weighs it without any list: frame and filler words weigh
almost nothing, topic words fully. The weights do not depend on the corpus, so whether a question
is answered cannot flip because an unrelated document was added.

`wordfreq` takes ~0.3 s to load, too much for the cold start of `samordna ask`: the build writes the
frequencies of the common words into the index (every word not in that table is rare, weight 1).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from pathlib import Path

import numpy as np

WORDS_FILE = "general_swedish_words.txt"
ZIPF_FILE = "general_swedish_zipf.npy"
COMMON = 3.0
"""Zipf frequency from which a word counts as common: below it a word weighs fully (about 31 000
Swedish words are at or above it)."""
FUNCTION = 6.0
"""Zipf frequency of pure function words ("och", "vad", "om"): weight 0."""


def topic_weight(zipf: float) -> float:
    """1 for words rarer than `COMMON`, falling linearly to 0 at function-word frequency."""
    return min(1.0, max(0.0, (FUNCTION - zipf) / (FUNCTION - COMMON)))


class GeneralSwedish:
    """Zipf frequencies of the common words of general Swedish.

    Held as a sorted word list and an array beside it, searched by bisection: reading them takes a
    few milliseconds of every cold start, where a 31 000-entry JSON object took 25."""

    def __init__(self, words: list[str], zipf: np.ndarray) -> None:
        if len(words) != len(zipf) or words != sorted(words):
            raise ValueError("ordlistan och frekvenserna stämmer inte")
        self._words = words
        self._zipf = zipf

    @classmethod
    def from_wordfreq(cls) -> GeneralSwedish:
        from wordfreq import get_frequency_dict

        found = {
            word: round(math.log10(frequency) + 9, 2)
            for word, frequency in get_frequency_dict("sv").items()
            if math.log10(frequency) + 9 >= COMMON and word.split() == [word]
        }
        words = sorted(found)
        return cls(words, np.asarray([found[word] for word in words], dtype=np.float64))

    def words(self) -> list[str]:
        return list(self._words)

    def zipf(self, word: str) -> float:
        word = word.lower()
        at = bisect_left(self._words, word)
        return float(self._zipf[at]) if at < len(self._words) and self._words[at] == word else 0.0

    def weight(self, word: str) -> float:
        return topic_weight(self.zipf(word))

    def save(self, folder: Path) -> None:
        (folder / WORDS_FILE).write_text("\n".join(self._words), encoding="utf-8")
        np.save(folder / ZIPF_FILE, self._zipf)

    @classmethod
    def load(cls, folder: Path) -> GeneralSwedish:
        return cls((folder / WORDS_FILE).read_text(encoding="utf-8").split("\n"), np.load(folder / ZIPF_FILE))
