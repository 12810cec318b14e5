"""The stored BM25 matrix answers exactly as bm25s does, and asking never imports bm25s or scipy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np
import pytest
from conftest import REPO, BuiltIndex

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


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_answering_never_imports_bm25s_or_scipy(seed_index: BuiltIndex, command: str) -> None:
    """bm25s imports scipy, a third of a second of every cold start: only a build needs it."""
    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        f"code = main([{command!r}, *(['--json', 'vad sa dom om praktik'] if {command!r} == 'ask' else [])])\n"
        "loaded = sorted(name for name in ('bm25s', 'scipy', 'wordfreq', 'rapidfuzz') if name in sys.modules)\n"
        "print('LOADED', loaded, code)\n"
    )
    settings = seed_index.settings
    env = {"SAMORDNA_CORPUS_DIR": str(settings.corpus_dir), "SAMORDNA_INDEX_DIR": str(settings.index_dir),
           "PATH": "/usr/bin:/bin", "OMP_WAIT_POLICY": "PASSIVE"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, input="", capture_output=True,
                          text=True, timeout=120)
    assert "LOADED [] 0" in done.stdout, done.stdout + done.stderr


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
