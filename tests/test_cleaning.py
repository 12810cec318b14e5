"""Cleaning: web-transcript chrome, running banners, hard wraps and page numbers."""

from __future__ import annotations

import pytest
from conftest import SEEDS

from index.cleaning import Cleaner
from index.corpus import Corpus, RawDocument, Source
from index.splitting import Splitter

TRANSCRIPT = """Protokoll från nätverksträff om unga vuxna

Storlek: px
Starta visningen från sidan:

Download "Protokoll från nätverksträff om unga vuxna"

Transkript

1 Protokoll från nätverksträff om unga vuxna 12 mars 2019

2 Inledning Mötet öppnades av förbundets ordförande som hälsade alla välkomna. Därefter presenterade \
sig deltagarna kort. 2

3 Diskussion om sommarjobb Flera kommuner erbjuder sommarjobb till unga som har försörjningsstöd. \
Erfarenheterna är goda och fler platser behövs.

4 Avslutning Nästa träff hålls i Östersund i september. 4

Samverkan kring unga i Jämtland
Rapport från ett projekt om unga som varken arbetar eller studerar.
Läs mer
Årsredovisning 2018
Förbundets årsredovisning med verksamhetsberättelse.
Läs mer
"""

CHROME = ("Storlek", "px", "Starta visningen", "Download", "Transkript", "Läs mer")


def clean(text: str, name: str = "doc.txt", title: str | None = None):
    return Cleaner().clean(RawDocument(name, ((None, text),), Source(title=title)))


def test_transcript_chrome_and_teasers_are_removed():
    document = clean(TRANSCRIPT)
    for debris in CHROME:
        assert debris not in document.text, debris
    assert "Jämtland" not in document.text and "Årsredovisning" not in document.text
    assert document.title == "Protokoll från nätverksträff om unga vuxna"
    assert document.text.startswith("Protokoll från nätverksträff om unga vuxna 12 mars 2019")
    assert document.text.rstrip().endswith("Nästa träff hålls i Östersund i september.")


def test_transcript_inline_page_numbers_become_pages():
    document = clean(TRANSCRIPT)
    assert [page for _, page in document.page_starts] == [1, 2, 3, 4]
    assert document.page_at(document.text.index("Inledning")) == 2
    assert document.page_at(document.text.index("Diskussion om sommarjobb")) == 3
    assert document.page_at(document.text.index("Östersund")) == 4
    # "kort. 2": the number repeated at the end of a page is not text either.
    assert "presenterade sig deltagarna kort.\n" in document.text
    assert "\n2 " not in document.text and "\n3 " not in document.text
    notes = Splitter().split(document)
    assert notes and notes[0].page == 1
    assert all(note.text == document.text[note.start : note.end] for note in notes)


def test_title_from_sources_wins_over_the_transcript_header():
    assert clean(TRANSCRIPT, title="Nätverksträff 2019").title == "Nätverksträff 2019"


@pytest.fixture(scope="module")
def seed_documents():
    documents, _ = Corpus(SEEDS).read()
    cleaner = Cleaner()
    return {raw.name: (raw, cleaner.clean(raw)) for raw in documents}


@pytest.mark.parametrize("name", ["002_1e74efa7e77882b2.txt", "003_ef76e4c584639663.txt"])
def test_seed_transcripts_lose_their_chrome(seed_documents, name):
    raw, document = seed_documents[name]
    raw_text = raw.pages[0][1]
    assert "Storlek: px" in raw_text and "Läs mer" in raw_text
    for debris in ("Storlek: px", "Starta visningen från sidan", "Download", "Transkript", "Läs mer"):
        assert debris not in document.text, debris
    pages = [page for _, page in document.page_starts]
    assert pages == sorted(pages) and len(pages) > 10


@pytest.mark.parametrize(
    ("name", "teaser"),
    [
        ("002_1e74efa7e77882b2.txt", "Samverkan som drivkraft - en forskningsöversikt"),
        ("002_1e74efa7e77882b2.txt", "välfärdens långsiktiga finansiering"),
        ("003_ef76e4c584639663.txt", "Tierpsmodellen"),
        ("003_ef76e4c584639663.txt", "ISBN 978-91-978065-1-0"),
    ],
)
def test_seed_transcript_teasers_after_the_notes_are_gone(seed_documents, name, teaser):
    raw, document = seed_documents[name]
    assert teaser in raw.pages[0][1]
    assert teaser not in document.text


def test_form_feeds_in_plain_text_are_page_breaks():
    text = "\f".join(
        f"Sida {n} av 3\n\nPå mötet del {n} diskuterades samverkan mellan kommunen och regionen." for n in (1, 2, 3)
    )
    document = clean(text)
    assert [page for _, page in document.page_starts] == [1, 2, 3]
    assert "Sida" not in document.text
    assert document.page_at(document.text.index("del 3")) == 3


def test_wrapped_lines_are_joined_but_bullets_and_labels_keep_their_lines():
    body = (
        "Deltagarna i workshopen var överens om att samverkan mellan myndigheterna\n"
        "behöver bli bättre och att individen ska slippa berätta sin historia flera\n"
        "gånger för olika handläggare på olika myndigheter under samma vecka.\n"
        "- Gemensam planering med SIP\n"
        "- Tydligare ansvarsfördelning\n"
        "Ansvarig: Anna Berg, Samordningsförbundet\n"
    )
    filler = "\n\n".join(
        f"Stycke {n} med en ganska lång rad text som fyller ut dokumentet till normal bredd." for n in range(10)
    )
    document = clean(filler + "\n\n" + body)
    assert (
        "samverkan mellan myndigheterna behöver bli bättre och att individen ska slippa berätta sin historia "
        "flera gånger" in document.text
    )
    assert "vecka.\n- Gemensam planering med SIP\n- Tydligare ansvarsfördelning\nAnsvarig: Anna Berg" in document.text


def test_soft_hyphens_and_non_breaking_spaces_are_normalised():
    document = clean("Arbets\u00adförmedlingen\u00a0och kommunen samverkar kring unga.\r\nNästa rad.")
    assert document.text == "Arbetsförmedlingen och kommunen samverkar kring unga.\nNästa rad."


def test_banners_need_three_pages_and_capitals():
    pages = tuple(
        (n, f"REGIONAL KONFERENS OM SAMVERKAN\nPå sida {n} stod det något om arbetsträning och studier.")
        for n in (1, 2, 3)
    )
    document = Cleaner().clean(RawDocument("konferens.pdf", pages))
    assert "REGIONAL KONFERENS" not in document.text
    assert document.text.count("arbetsträning") == 3
    two_pages = Cleaner().clean(RawDocument("kort.pdf", pages[:2]))
    assert two_pages.text.count("REGIONAL KONFERENS OM SAMVERKAN") == 2
