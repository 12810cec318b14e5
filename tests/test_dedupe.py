"""Each piece of text is indexed once: copies of a document, or near-identical notes, collapse."""

from __future__ import annotations

import pytest
from conftest import make_settings, write_corpus

from index.build import build_index
from index.dedupe import unique_notes
from index.notes import Note
from index.retrieval import Retriever

ORIGINAL = """Dialogbord om unga vuxna

Bord 1

Eftervård för unga som lämnar samhällsvård

Samtalsledare: Yvonne Berg, Högskolan

Vi pratade om behovet av eftervård för samhällsplacerade unga. Det finns en inställning hos socialtjänsten att \
de inte ska "curlas", men de unga behöver praktiskt och känslomässigt stöd efter en placering.

- Stöd med ekonomi och boende
- En kontaktperson efter 18 år

Bord 2

Sommarjobb och praktik

Samtalsledare: Per Holm

Kommunen erbjuder sommarjobb till alla gymnasieelever som söker. Arbetsgivarna i näringslivet vill gärna ta \
emot fler "praktikanter" om de får en handledare att ringa.
"""

# The same document as another extraction gives it: curly quotes, other bullets, hard-wrapped
# lines, no blank lines, and one letter wrong ("Högsolan").
COPY = """Dialogbord om unga vuxna
Bord 1
Eftervård för unga som lämnar samhällsvård
Samtalsledare: Yvonne Berg, Högsolan
Vi pratade om behovet av eftervård för samhällsplacerade unga. Det finns en
inställning hos socialtjänsten att de inte ska ”curlas”, men de unga behöver
praktiskt och känslomässigt stöd efter en placering.
• Stöd med ekonomi och boende
• En kontaktperson efter 18 år
Bord 2
Sommarjobb och praktik
Samtalsledare: Per Holm
Kommunen erbjuder sommarjobb till alla gymnasieelever som söker. Arbetsgivarna i
näringslivet vill gärna ta emot fler ”praktikanter” om de får en handledare att ringa.
"""

OTHER = """Uppföljning av sommarjobben

Kommunen erbjuder sommarjobb till alla gymnasieelever som söker, men i år kom färre ansökningar än \
väntat. Förbundet ska undersöka varför och återkomma till styrelsen i höst.
"""

QUESTIONS = [
    "eftervård för samhällsplacerade unga",
    "vad sades om curlas",
    "sommarjobb för gymnasieelever",
    "vem ledde bord 1",
    "kontaktperson efter 18 år",
    "praktikanter och handledare",
]


def _note(text: str, doc: str) -> Note:
    return Note(text=text, doc=doc, title="t", start=0, end=len(text))


def test_near_identical_notes_are_kept_once_and_the_copy_is_named():
    first = _note('Det finns en inställning hos socialtjänsten att de inte ska "curlas" efter placeringen.', "a.txt")
    second = _note("Det finns en\ninställning hos socialtjänsten att de inte ska ”curlas” efter placeringen.", "b.txt")
    kept, copies = unique_notes([first, second])
    assert kept == [first]
    assert copies == {"b.txt": "a.txt"}


def test_repeats_inside_one_document_are_dropped_without_naming_a_copy():
    note = _note("Samverkan mellan kommunen och regionen behöver bli bättre för individens skull.", "a.txt")
    kept, copies = unique_notes([note, _note(note.text, "a.txt")])
    assert len(kept) == 1 and copies == {}


def test_notes_that_only_share_their_opening_words_are_both_kept():
    a = _note("Kommunen erbjuder sommarjobb till alla gymnasieelever som söker och har fått goda resultat.", "a.txt")
    b = _note(
        "Kommunen erbjuder sommarjobb till alla gymnasieelever som söker, men i år kom färre ansökningar "
        "än väntat och förbundet ska undersöka varför.",
        "b.txt",
    )
    kept, copies = unique_notes([a, b])
    assert kept == [a, b] and copies == {}


@pytest.fixture(scope="module")
def copied_corpus(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("dedupe")
    corpus = write_corpus(root / "corpus", {"a_original.txt": ORIGINAL, "b_kopia.txt": COPY, "c_annan.txt": OTHER})
    settings = make_settings(corpus, root / "index")
    report = build_index(settings, embedder=embedder)
    return settings, report, Retriever.open(settings, embedder=embedder)


def test_a_copied_document_is_indexed_once_and_named_in_the_report(copied_corpus):
    _, report, retriever = copied_corpus
    assert report.copies == {"b_kopia.txt": "a_original.txt"}
    assert report.notes == 3
    notes = retriever.stored.notes
    assert {note.doc for note in notes} == {"a_original.txt", "c_annan.txt"}
    assert len({note.text for note in notes}) == len(notes)
    info = {doc.doc: doc for doc in retriever.manifest.documents}
    assert info["b_kopia.txt"].copy_of == "a_original.txt" and info["b_kopia.txt"].notes == 0
    assert info["a_original.txt"].copy_of is None and info["a_original.txt"].notes == 2


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_never_show_the_same_text_twice(copied_corpus, question):
    _, _, retriever = copied_corpus
    answer = retriever.ask(question, top_k=5)
    assert answer.answered
    assert all(hit.note.doc != "b_kopia.txt" for hit in answer.hits)
    quotes = [hit.quote for hit in answer.hits]
    assert len(set(quotes)) == len(quotes)
    texts = [hit.note.text for hit in answer.hits]
    assert len(set(texts)) == len(texts)


def test_bundled_pdf_extraction_repeats_the_dialogue_tables(seed_index, seed_retriever):
    assert seed_index.report.copies == {"001_593209e4deb80dab.txt": "000_388aac955d25d793.txt"}
    assert all(note.doc != "001_593209e4deb80dab.txt" for note in seed_retriever.stored.notes)
    texts = [note.text for note in seed_retriever.stored.notes]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("question", ["KAA vad sades", "vad diskuterades vid bord 9", "vem ledde bord 8", "Brynäs"])
def test_bundled_answers_never_repeat_a_table(seed_retriever, question):
    answer = seed_retriever.ask(question, top_k=5)
    assert answer.answered
    assert all(hit.note.doc != "001_593209e4deb80dab.txt" for hit in answer.hits)
    for number, hit in enumerate(answer.hits):
        for other in answer.hits[:number]:
            if other.note.doc == hit.note.doc:
                assert hit.note.end <= other.note.start or other.note.end <= hit.note.start, "overlapping hits"
