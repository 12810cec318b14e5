"""Choosing what to quote from a note: the 1–3 consecutive sentences that best answer the question.

A quote is always a slice of the note text, never a paraphrase: users must be able to trust that
the words shown are the words written.
"""

from __future__ import annotations

import re

from index.analysis import terms
from index.lexical import LexicalIndex
from index.notes import Note
from index.query import Query
from index.sentences import sentence_spans
from index.splitting import ASKER_LABEL, LEADER_LABEL

SCRIBE = re.compile(r"^(?:Nedtecknat|Antecknat|Dokumenterat|Sammanställt|Protokollfört) av\b", re.IGNORECASE)
MAX_SENTENCES = 3
COMFORTABLE_LENGTH = 450
SHORT = 60


class QuoteSelector:
    def __init__(self, lexical: LexicalIndex) -> None:
        self.lexical = lexical

    def quote(self, note: Note, query: Query, wanted_terms: list[str]) -> str:
        """`wanted_terms` that the note's section or municipality already answer ("Knivsta",
        "bord 9") are shown in its source line; the quote is chosen for the rest."""
        labels = set(terms(" ".join((*note.section, *note.municipalities[:1]))))
        wanted_terms = [term for term in wanted_terms if term not in labels] or wanted_terms
        text = note.text
        sentences = [
            (start, end)
            for start, end in sentence_spans(text)
            if text[start:end].strip(" :#") not in note.section
        ] or [(0, len(text))]
        weights = [self._weight(text[start:end], query, wanted_terms) for start, end in sentences]
        best: tuple[float, int, int] | None = None
        for first in range(len(sentences)):
            for last in range(first, min(first + MAX_SENTENCES, len(sentences))):
                score = _window_score(weights[first : last + 1])
                if score <= 0:
                    continue
                length = sentences[last][1] - sentences[first][0]
                score -= 0.15 * (last - first) + (0.5 if length > COMFORTABLE_LENGTH else 0)
                if best is None or score > best[0] + 1e-9:
                    best = (score, first, last)
        if best is None:
            best = (0.0, *self._opening(text, sentences, query))
        _, first, last = best
        if first == last and last + 1 < len(sentences) and sentences[last][1] - sentences[last][0] < SHORT:
            last += 1  # a lone short line ("Hitta arbetsplats/praktik.") needs what follows it
        return text[sentences[first][0] : sentences[last][1]]

    def _weight(self, sentence: str, query: Query, wanted_terms: list[str]) -> dict[str, float]:
        """The query terms this sentence carries, each with its weight (rarer terms weigh more)."""
        own = terms(sentence)
        present = set(own)
        matched = {}
        for term in wanted_terms:  # a word starting or ending with a term holds it as a compound part
            if term in present or any(
                len(term) >= 4 and (word.startswith(term) or word.endswith(term)) for word in own
            ):
                matched[term] = self.lexical.idf(term)
        if query.asks_for_person and _person_line(sentence):
            matched["\0person"] = max([self.lexical.idf(t) for t in wanted_terms] or [1.0])
        return matched

    @staticmethod
    def _opening(text: str, sentences: list[tuple[int, int]], query: Query) -> tuple[int, int]:
        """Nothing matched word for word: quote how the note opens, past its labels."""
        content = [
            i for i, (start, end) in enumerate(sentences)
            if not LEADER_LABEL.match(text[start:end]) or query.asks_for_person
        ] or [0]
        return content[0], content[0]


def _window_score(weights: list[dict[str, float]]) -> float:
    """Each matched term counts fully once and half again for every further sentence that
    carries it: a passage that stays on the topic beats a sentence that merely names it."""
    seen: set[str] = set()
    score = 0.0
    for sentence in weights:
        for term, weight in sentence.items():
            score += weight / 2 if term in seen else weight
            seen.add(term)
    return score


def _person_line(sentence: str) -> bool:
    return any(label.match(sentence) for label in (LEADER_LABEL, ASKER_LABEL, SCRIBE))


def names_people(note: Note) -> bool:
    """Whether the note says who led, asked or wrote: what a "vem …" question is after."""
    return bool(note.leaders) or any(_person_line(line.strip()) for line in note.text.split("\n"))
