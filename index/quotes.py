"""Choosing what to quote from a note: the 1–3 consecutive sentences that best answer the question.

Sentences are scored by the question's words they carry (rarer words weigh more) and by how close
their own vector is to the question's, so a sentence that says the same thing in other words can
be quoted too. A quote is always a slice of the note text, never a paraphrase: users must be able
to trust that the words shown are the words written.
"""

from __future__ import annotations

import numpy as np

from index.analysis import terms
from index.labels import ASKER_LABEL, LEADER_LABEL, SCRIBE
from index.lexical import LexicalIndex, WordMatch
from index.notes import Note
from index.query import Query
from index.sentence_index import SentenceIndex

MAX_SENTENCES = 3
COMFORTABLE_LENGTH = 450
SHORT = 60
MEANING_WEIGHT = 0.6
"""How much the closest sentence by meaning counts against one carrying every question word (1.0)."""
EXTRA_SENTENCE_COST = 0.02
LONG_QUOTE_COST = 0.3
MIN_WORD_WEIGHT = 0.1


class QuoteSelector:
    def __init__(self, notes: list[Note], lexical: LexicalIndex, sentences: SentenceIndex) -> None:
        self.notes = notes
        self.lexical = lexical
        self.sentences = sentences

    def quote(self, position: int, query: Query, matches: list[WordMatch], query_vector: np.ndarray) -> str:
        """Words that the note's section or municipality already answer ("Knivsta", "bord 9") are
        shown in its source line; the quote is chosen for the rest."""
        note = self.notes[position]
        text = note.text
        rows = self.sentences.rows_of(position)
        spans = [tuple(int(x) for x in self.sentences.spans[row]) for row in rows]
        wanted = self._wanted(note, matches)
        if not wanted and not query.asks_for_person:
            # Everything the question names is the note's own label ("vad sa dom vid bord 15"): it
            # asks for the note as a whole, so quote as much of its opening as reads comfortably.
            first = next((i for i, (start, end) in enumerate(spans) if not LEADER_LABEL.match(text[start:end])), 0)
            return text[spans[first][0] : spans[_filled(spans, first, first)][1]]
        lexical = [self._weight(text[start:end], query, wanted) for start, end in spans]
        full = sum(wanted.values()) or 1.0  # a sentence carrying every wanted term scores 1
        meaning = _relative(self.sentences.similarities(position, query_vector))
        best: tuple[float, int, int] | None = None
        for first in range(len(spans)):
            for last in range(first, _end(spans, first)):
                words = _window_score(lexical[first : last + 1]) / full
                score = words + MEANING_WEIGHT * float(np.max(meaning[first : last + 1]))
                length = spans[last][1] - spans[first][0]
                score -= EXTRA_SENTENCE_COST * (last - first) + (LONG_QUOTE_COST if length > COMFORTABLE_LENGTH else 0)
                if best is None or score > best[0] + 1e-9:
                    best = (score, first, last)
        _, first, last = best
        if len(spans) <= MAX_SENTENCES and spans[-1][1] - spans[0][0] <= COMFORTABLE_LENGTH:
            first, last = 0, len(spans) - 1  # a short note (an agenda item, a decision) is quoted whole
        return self._extended(text, spans, first, last)

    @staticmethod
    def _extended(text: str, spans: list[tuple[int, int]], first: int, last: int) -> str:
        """The quote from sentence `first` to `last`; a lone short line ("Hitta arbetsplats/praktik.")
        gets the sentence that follows it, and a quote that ends announcing a list ("Frågeställningar
        som kom upp var:") gets as much of the list as three sentences hold."""
        if first == last and last + 1 < len(spans) and spans[last][1] - spans[last][0] < SHORT:
            last += 1
        if text[: spans[last][1]].rstrip().endswith(":") and last + 1 < _end(spans, first):
            last = _filled(spans, first, last + 1)
        return text[spans[first][0] : spans[last][1]]

    def _wanted(self, note: Note, matches: list[WordMatch]) -> dict[str, float]:
        """Index term → weight for the question words the quote should carry: rarer in general
        Swedish and in the corpus weighs more; terms the note's labels answer are left out."""
        labelled = note.municipalities[:1] if note.section[-1:] == note.municipalities[:1] else ()
        labels = set(terms(" ".join((*note.section, *labelled))))
        wanted: dict[str, float] = {}
        for match in matches:
            for term in match.variants:
                weight = max(match.weight, MIN_WORD_WEIGHT) * self.lexical.idf(term)
                wanted[term] = max(wanted.get(term, 0.0), weight)
        return {term: weight for term, weight in wanted.items() if term not in labels}

    def _weight(self, sentence: str, query: Query, wanted: dict[str, float]) -> dict[str, float]:
        """The wanted terms this sentence carries, each with its weight."""
        own = terms(sentence)
        present = set(own)
        matched = {}
        for term, weight in wanted.items():  # a word starting or ending with a term holds it as a compound part
            if term in present or any(
                len(term) >= 4 and (word.startswith(term) or word.endswith(term)) for word in own
            ):
                matched[term] = weight
        if query.asks_for_person and _person_line(sentence):
            matched["\0person"] = 2 * (sum(wanted.values()) or 1.0)  # a "vem …" question wants this line most
        return matched


def _filled(spans: list[tuple[int, int]], first: int, last: int) -> int:
    """The last sentence of a quote from `first` that takes in following sentences while it stays
    within three sentences and a comfortable length (never fewer than up to `last`)."""
    while last + 1 < _end(spans, first) and spans[last + 1][1] - spans[first][0] <= COMFORTABLE_LENGTH:
        last += 1
    return last


def _end(spans: list[tuple[int, int]], first: int) -> int:
    """One past the last sentence a quote starting at sentence `first` may take."""
    return min(first + MAX_SENTENCES, len(spans))


def _relative(similarities: np.ndarray) -> np.ndarray:
    """Similarities rescaled to 0 (the note's least close sentence) … 1 (its closest)."""
    low, high = float(np.min(similarities)), float(np.max(similarities))
    return (similarities - low) / (high - low) if high > low else np.zeros_like(similarities)


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
    """Whether the note says who led, chaired, asked, presented or wrote: what a "vem …" question
    is after. A role counts when the note's own text names the person."""
    return any(role.name in note.text for role in note.roles) or any(
        _person_line(line.strip()) for line in note.text.split("\n")
    )
