"""Answers over the bundled corpus: quotes are verbatim, and the bot abstains when notes are silent."""

from __future__ import annotations

import random
import re

import pytest

from index.answer import Answer, Outcome
from index.errors import EmptyQuestion
from index.quotes import MAX_SENTENCES
from index.retrieval import RANKINGS
from index.sentences import sentence_spans

SIP_DOC = "003_ef76e4c584639663.txt"

OWN_QUESTIONS = [
    "vad sades om SIP?",
    "vem ledde bord 15",
    "vem ledde bord 8?",
    "vad sa knivsta om praktik",
    "vad sa Uppsala om bostäder",
    "sommarpraktik i Sandviken",
    "hur kan kulturen bidra till social välfärd",
    "vilka föreslog en gemensam samordnare",
    "psykisk ohälsa bland unga",
    "vad är KASAM",
    "körkort som hinder för jobb",
    "Who led table 9?",
    "arbetsförmedlingen försäkringskassan samverkan",
    "SiSam-modellen",
    "hur många unga var utan arbete eller studier 2016",
    "enkoping integration",  # typed without å/ä/ö
    "aktivitetsersätning",  # typo
    "vad är social hållbarhet?",
    "Frågeställare",
    "bord 11",
    "x",
    "???",
    "vad vad vad",
    "2025",
]


def _random_questions(retriever, count: int, seed: int) -> list[str]:
    """Questions made of corpus words, with question words and punctuation around them."""
    words = sorted({w for note in retriever.stored.notes for w in re.findall(r"[A-Za-zÅÄÖåäö-]{3,}", note.text)})
    rng = random.Random(seed)
    starts = ["", "vad sades om ", "vem ", "hur ", "finns det något om ", "vad sa ", "bord 3 "]
    return [
        rng.choice(starts) + " ".join(rng.sample(words, rng.randint(1, 5))) + rng.choice(["", "?", " ?", "."])
        for _ in range(count)
    ]


def assert_quotes_hold(answer: Answer, top_k: int, baseline: bool = False) -> None:
    if answer.outcome is Outcome.NOTHING:
        assert answer.hits == ()
        return
    # The BM25 baseline may find no note sharing a word with the question; hybrid always ranks.
    assert (0 if baseline else 1) <= len(answer.hits) <= top_k
    assert [hit.rank for hit in answer.hits] == list(range(1, len(answer.hits) + 1))
    for hit in answer.hits:
        quote = hit.quote
        assert quote.strip(), "quote is not empty"
        assert quote in hit.note.text, "quote is a verbatim slice of the note"
        assert quote == quote.strip()
        assert len(sentence_spans(quote)) <= MAX_SENTENCES == 3, quote


def test_quote_property_on_the_dev_questions(seed_retriever, dev_questions):
    for item in dev_questions:
        for ranking in RANKINGS:
            answer = seed_retriever.ask(item["question"], top_k=5, ranking=ranking)
            assert_quotes_hold(answer, 5, baseline=ranking != "hybrid")


@pytest.mark.parametrize("question", OWN_QUESTIONS)
def test_quote_property_on_own_questions(seed_retriever, question):
    assert_quotes_hold(seed_retriever.ask(question, top_k=5), 5)


def test_quote_property_on_random_questions_from_corpus_words(seed_retriever):
    questions = _random_questions(seed_retriever, 200, seed=20240601)
    answered = 0
    for question in questions:
        answer = seed_retriever.ask(question, top_k=3)
        assert_quotes_hold(answer, 3)
        answered += answer.answered
    assert answered >= 150, "questions made of corpus words are mostly answerable"


def test_scores_never_increase_down_the_ranking(seed_retriever):
    for question in OWN_QUESTIONS[:12]:
        scores = [hit.score for hit in seed_retriever.ask(question, top_k=8).hits]
        assert scores == sorted(scores, reverse=True)


def test_top_k_and_offset_page_through_the_same_ranking(seed_retriever):
    question = "samverkan mellan kommun och arbetsförmedling"
    full = seed_retriever.ask(question, top_k=6)
    first, second = seed_retriever.ask(question, top_k=3), seed_retriever.ask(question, top_k=3, offset=3)
    assert len(full.hits) == 6
    assert [hit.note.id for hit in first.hits + second.hits] == [hit.note.id for hit in full.hits]
    assert [hit.rank for hit in second.hits] == [4, 5, 6]


def test_json_shape_has_quote_inside_text(seed_retriever):
    data = seed_retriever.ask("vad sades om SIP?").to_dict()
    assert data["question"] == "vad sades om SIP?" and data["answered"] is True
    for hit in data["hits"]:
        assert hit["quote"] in hit["text"]
        assert {"rank", "score", "doc", "title", "section", "page", "quote", "text"} <= set(hit)


# --- abstention -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("finns det något om barnahus?", "barnahus"),
        ("hur ska vi jobba med tolk i mötet med nyanlända", "tolk"),
        ("vad sades om spelberoende bland unga", "spelberoende"),
        ("vad sa dom i älvkarleby om bostadsbristen", "älvkarleby"),
        ("har nån snackat om cybersäkerhet", "cybersäkerhet"),
    ],
)
def test_questions_the_notes_do_not_discuss_are_not_marked_answered(seed_retriever, question, missing):
    """Related notes may be shown, but under the honest heading naming the missing word."""
    answer = seed_retriever.ask(question)
    assert answer.answered is False
    assert missing in answer.missing_terms
    data = answer.to_dict()
    assert data["answered"] is False and data["outcome"] in ("related", "nothing")
    assert missing in data["missing_terms"]


@pytest.mark.parametrize(
    "question",
    [
        "vad sa dom om praktik",
        "vad snackade dom om praktik",
        "vad tyckte folk om praktik?",
        "har nån snackat om försäkringskassan",
        "vad sa dom om skolan",
        "berätta vad dom sa om sip",
        "kolla vad dom sa om arbetsformedlingen",
        "va sa dom i knivsta om praktik typ",
    ],
)
def test_everyday_phrasing_is_answered(seed_retriever, question):
    """Frame and filler words of everyday Swedish weigh (almost) nothing: the topic decides."""
    assert seed_retriever.ask(question).outcome is Outcome.ANSWERED


def test_the_outcome_does_not_flip_when_an_unrelated_document_is_added(tmp_path, seed_retriever):
    """Word weights come from general Swedish, not from the corpus's idf."""
    from index.general_swedish import GeneralSwedish

    general = seed_retriever.stored.general
    assert isinstance(general, GeneralSwedish)
    for word in ("dom", "folk", "tyckte", "kolla"):
        assert general.weight(word) < 0.3, word
    for word in ("barnahus", "aktivitetsersättning", "samordningsförbund"):
        assert general.weight(word) == 1.0, word


def test_a_paraphrase_is_shown_as_related_notes_with_the_right_note(seed_retriever):
    answer = seed_retriever.ask("badhus med egna tider för utrikes födda kvinnor")
    assert answer.outcome is Outcome.RELATED
    assert "badhus" in answer.missing_terms
    assert answer.hits, "related notes are shown"


def test_sip_is_answered_with_the_sip_quotes(seed_retriever):
    answer = seed_retriever.ask("vad sades om SIP?")
    assert answer.answered is True
    assert answer.hits[0].note.doc == SIP_DOC
    sip_hits = [hit for hit in answer.hits if hit.note.doc == SIP_DOC and "SIP" in hit.quote]
    assert len(sip_hits) >= 3
    quotes = " ".join(hit.quote for hit in sip_hits)
    assert "SIP (samordnad individuell plan)" in quotes or "SIP- samordnad individuell plan" in quotes
    assert all(hit.note.section[0].endswith("Sjukskrivningsprocessen") for hit in sip_hits)


def test_a_question_naming_a_table_gets_that_table_and_its_leader(seed_retriever):
    answer = seed_retriever.ask("vem ledde bord 15")
    assert answer.answered
    top = answer.hits[0]
    assert top.note.section == ("Bord 15", "Vad gör vi nu?")
    assert "Hanna Höghelm" in top.quote


def test_a_question_about_a_whole_table_gets_what_was_said_there(seed_retriever):
    top = seed_retriever.ask("vad sa dom vid bord 15").hits[0]
    assert top.note.section[0] == "Bord 15"
    assert top.quote.startswith("Vid bord 15.")
    assert "Möjlighet att få tenta om de kurser" in top.quote
    assert len(top.quote) <= 450


def test_a_quote_announcing_a_list_brings_the_list(seed_retriever):
    top = seed_retriever.ask("bord 2 – vilka frågeställningar kom upp och vad betonades?").hits[0]
    assert top.note.section[0] == "Bord 2"
    assert "Frågeställningar som kom upp var:" in top.quote
    assert top.quote.endswith("Hur når vi dem vi inte har nått?")


@pytest.mark.parametrize(("question", "table"), [("bord 3", "bord 3"), ("vad sades vid bord 25?", "bord 25")])
def test_a_table_the_notes_do_not_have_is_not_answered_with_other_tables(seed_retriever, question, table):
    answer = seed_retriever.ask(question)
    assert answer.answered is False
    assert table in answer.missing_terms


def test_an_english_question_about_a_table_finds_it(seed_retriever):
    answer = seed_retriever.ask("Who led table 8?")
    assert answer.hits[0].note.section[0] == "Bord 8"
    assert answer.hits[0].quote.startswith("Samtalsledare: Per Lundgren")


def test_who_wrote_the_notes_is_quoted_from_the_scribe_line(seed_retriever):
    answer = seed_retriever.ask("vem skrev anteckningarna från workshopen med Inger Ashing")
    assert all(hit.note.doc == "004_2014a758c47f149a.txt" for hit in answer.hits[:2])
    assert "Nedtecknat av Joakim Ivarsson" in [hit.quote for hit in answer.hits[:2]]


def test_an_empty_question_is_refused_with_a_swedish_message(seed_retriever):
    for question in ("", "   ", "\n\t"):
        with pytest.raises(EmptyQuestion) as raised:
            seed_retriever.ask(question)
        assert raised.value.message.startswith("Frågan är tom.")
        assert raised.value.exit_code == 2


def test_an_unknown_ranking_is_a_programming_error(seed_retriever):
    with pytest.raises(ValueError, match="ranking"):
        seed_retriever.ask("SIP", ranking="magic")


def test_best_sentence_per_note_matches_brute_force(seed_retriever):
    """Distinct sentences are indexed once but count for every note that holds them."""
    sentences = seed_retriever.stored.sentences
    assert sentences.dense.ntotal < len(sentences), "the overlap between notes repeats sentences"
    vector = seed_retriever.embedder.embed_query("vad sades om SIP?")
    brute: dict[int, float] = {}
    similarities = sentences.vectors.astype("float32") @ vector
    for owner, similarity in zip(sentences.owners().tolist(), similarities, strict=True):
        brute[owner] = max(brute.get(owner, -1.0), float(similarity))
    found = sentences.best_per_note(vector, sentences.dense.ntotal)
    assert found.keys() == brute.keys()
    assert all(abs(found[owner] - brute[owner]) < 1e-3 for owner in found)
