"""Where "close in meaning" begins, measured on the corpus itself at build time.

Absolute cosine similarities of a small embedder say little on their own (e5-small puts almost every
Swedish question at 0.8–0.9 of some sentence). What they mean for *this* corpus is measured by
asking it two kinds of question: questions made from its own sentences (their rarest words in an
everyday frame), which it can answer, and questions about common Swedish words it never uses,
which it cannot. The thresholds sit where those two distributions part.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from index import dense
from index.analysis import content_words, stem, words
from index.embedding import Embedder
from index.general_swedish import GeneralSwedish
from index.notes import Note
from index.sentence_index import SentenceIndex

QUESTIONS = 120
"""Questions of each kind; embedding them takes a couple of seconds."""
UNRELATED_ZIPF = (3.5, 5.0)
"""Everyday words, neither function words nor rarities."""
MIN_WORD = 5


@dataclass(frozen=True)
class Calibration:
    related_floor: float
    """Below this best-sentence similarity no note is close: "nothing found"."""
    meaning_answers: float
    """At or above it a sentence matches the question more closely than any unrelated question
    gets, and as closely as three in four of the corpus's own sentences match questions made from
    them."""
    own_median: float = 0.0
    unrelated_median: float = 0.0

    @classmethod
    def measure(
        cls,
        notes: list[Note],
        sentences: SentenceIndex,
        vocabulary: set[str] | dict[str, int],
        general: GeneralSwedish,
        embedder: Embedder,
    ) -> Calibration:
        own = [_best(sentences, embedder, question) for question in own_questions(notes, sentences, general)]
        unrelated = [_best(sentences, embedder, question) for question in unrelated_questions(vocabulary, general)]
        if not own or not unrelated:
            return cls(related_floor=0.0, meaning_answers=1.0)
        own_scores, unrelated_scores = np.asarray(own), np.asarray(unrelated)
        return cls(
            related_floor=round(float(np.quantile(unrelated_scores, 0.25)), 4),
            meaning_answers=round(float(max(np.max(unrelated_scores), np.quantile(own_scores, 0.75))), 4),
            own_median=round(float(np.median(own_scores)), 4),
            unrelated_median=round(float(np.median(unrelated_scores)), 4),
        )


def own_questions(notes: list[Note], sentences: SentenceIndex, general: GeneralSwedish) -> list[str]:
    """"vad sades om <its three rarest words>?" for sentences spread evenly over the corpus."""
    rows = np.linspace(0, len(sentences) - 1, num=min(QUESTIONS, len(sentences)), dtype=int)
    owners = sentences.owners()
    questions = []
    for row in dict.fromkeys(rows.tolist()):
        start, end = (int(x) for x in sentences.spans[row])
        found = [w for w in content_words(notes[owners[row]].text[start:end]) if len(w) >= MIN_WORD]
        if len(found) >= 2:
            rarest = sorted(found, key=general.zipf)[:3]
            questions.append(f"vad sades om {' '.join(rarest)}?")
    return questions


def unrelated_questions(vocabulary: set[str] | dict[str, int], general: GeneralSwedish) -> list[str]:
    """"vad sades om <two everyday words>?" for words the corpus never uses, picked by a hash so the
    same corpus always gets the same questions."""
    low, high = UNRELATED_ZIPF
    candidates = [
        word for word in general.words()
        if low <= general.zipf(word) <= high and len(word) >= MIN_WORD and words(word) == [word]
        and stem(word) not in vocabulary
    ]
    candidates.sort(key=lambda word: hashlib.sha256(word.encode()).hexdigest())
    picked = candidates[: 2 * QUESTIONS]
    return [f"vad sades om {a} {b}?" for a, b in zip(picked[::2], picked[1::2], strict=False)]


def _best(sentences: SentenceIndex, embedder: Embedder, question: str) -> float:
    scores, _ = dense.search(sentences.dense, embedder.embed_query(question), 1)
    return float(scores[0]) if len(scores) else 0.0
