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

import json
import math
from pathlib import Path

FILE = "general_swedish.json"
COMMON = 3.0
"""Zipf frequency from which a word counts as common: below it a word weighs fully (about 31 000
Swedish words are at or above it)."""
FUNCTION = 6.0
"""Zipf frequency of pure function words ("och", "vad", "om"): weight 0."""


def topic_weight(zipf: float) -> float:
    """1 for words rarer than `COMMON`, falling linearly to 0 at function-word frequency."""
    return min(1.0, max(0.0, (FUNCTION - zipf) / (FUNCTION - COMMON)))


class GeneralSwedish:
    """Zipf frequencies of the common words of general Swedish."""

    def __init__(self, zipf: dict[str, float]) -> None:
        self._zipf = zipf

    @classmethod
    def from_wordfreq(cls) -> GeneralSwedish:
        from wordfreq import get_frequency_dict

        return cls(
            {
                word: round(math.log10(frequency) + 9, 2)
                for word, frequency in get_frequency_dict("sv").items()
                if math.log10(frequency) + 9 >= COMMON and " " not in word
            }
        )

    def words(self) -> list[str]:
        return list(self._zipf)

    def zipf(self, word: str) -> float:
        return self._zipf.get(word.lower(), 0.0)

    def weight(self, word: str) -> float:
        return topic_weight(self.zipf(word))

    def save(self, folder: Path) -> None:
        (folder / FILE).write_text(json.dumps(self._zipf, ensure_ascii=False, separators=(",", ":")))

    @classmethod
    def load(cls, folder: Path) -> GeneralSwedish:
        return cls(json.loads((folder / FILE).read_text(encoding="utf-8")))
