"""The stored BM25 matrix answers exactly as bm25s does; words meet their forms, compounds and typos."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

from index.analysis import Decompounder, terms
from index.lexical import LexicalIndex

TEXTS = [
    "Sommarpraktik för unga i Knivsta, praktikplatser hos kommunen.",
    "Försäkringskassan och Arbetsförmedlingen berättade om samverkan kring SIP.",
    "Praktik, praktik och åter praktik: arbetsgivare behöver stöd.",
    "Budgeten för 2024 fastställdes av styrelsen.",
]


def test_stored_scores_are_the_scores_bm25s_computes(tmp_path: Path) -> None:
    lexical = LexicalIndex.build(TEXTS)
    plain = [terms(text) for text in TEXTS]
    decompounder = Decompounder({term for doc in plain for term in doc})
    reference = bm25s.BM25()
    reference.index([decompounder.expand(doc) for doc in plain], show_progress=False)
    lexical.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert lexical.doc_freq
    for term in lexical.doc_freq:
        expected = reference.get_scores([term])
        np.testing.assert_allclose(lexical.term_scores(term), expected, rtol=1e-6)
        np.testing.assert_array_equal(loaded.term_scores(term), lexical.term_scores(term))
    assert loaded.term_scores("finnsinte").tolist() == [0.0] * len(TEXTS)


@pytest.fixture(scope="module")
def seed_lexical(seed_retriever) -> LexicalIndex:
    return seed_retriever.stored.lexical


@pytest.mark.parametrize(("word", "meets"), [
    ("praktiken", "praktik"),  # definite form
    ("mentorer", "mentorskap"),  # a plural begins a corpus word: found from its light stem, not "ment"
    ("forsakringskasan", "forsakringskassan"),  # typo, typed without å/ä/ö
    ("sysselsattningen", "sysselsattning"),
])
def test_question_words_meet_their_forms_in_the_notes(seed_lexical, word, meets):
    assert meets in seed_lexical.variants(word)


@pytest.mark.parametrize("word", ["mentorer", "vräkningar", "ensamkommande", "bostadsbristen"])
def test_a_typo_never_lands_on_a_short_word(seed_lexical, word):
    """"mentorer" settles to "ment", one letter from "men": a word of three letters is no typo's target."""
    assert all(len(term) >= 4 for term in seed_lexical.variants(word))
