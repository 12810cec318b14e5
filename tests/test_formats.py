"""Reading the corpus folder: PDF, Word, Windows-encoded text, and files that must be skipped."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import docx
import pytest
from conftest import make_settings, write_corpus
from pdf_maker import make_pdf

from index.build import build_index, collect_notes
from index.cleaning import Cleaner
from index.corpus import Corpus, RawDocument, UnreadableFile, decode_text, read_pages
from index.errors import CorpusEmpty
from index.retrieval import Retriever
from index.splitting import Splitter

BANNER = "SAMVERKANSDAGEN I NORRBOTTEN"
TABLE_PAGES = [
    [
        BANNER,
        "Bord 1 Arbetsträning för unga vuxna",
        "Moderator: Lena Ek, Luleå kommun",
        "Deltagarna beskrev hur svårt det är att hitta arbetsträningsplatser för",
        "unga vuxna med psykisk ohälsa. Flera kommuner saknar en gemensam sam-",
        "ordning av platserna och arbetsgivarna får många olika kontakter från",
        "olika myndigheter. Ett förslag var att inrätta en regional praktikbank.",
        "1",
    ],
    [
        BANNER,
        "Bord 2 Ekonomiskt bistånd och aktivitetskrav",
        "Moderator: Omar Said, Piteå kommun",
        "Gruppen diskuterade hur aktivitetskraven inom det ekonomiska bistån-",
        "det kan kombineras med insatser från Arbetsförmedlingen utan att den",
        "enskilde hamnar mellan stolarna. Handläggarna behöver mer tid för var-",
        "je person och bättre kunskap om varandras regelverk och uppdrag.",
        "2",
    ],
    [
        BANNER,
        "Bord 3 Digitala möten med brukare",
        "Moderator: Sara Lind, Kiruna kommun",
        "Digitala möten har gjort det lättare att samla alla aktörer kring in-",
        "dividen, men en del brukare saknar dator eller stabil uppkoppling och",
        "behöver få låna utrustning. Bordet föreslog att biblioteken kan bidra",
        "med lokaler och stöd till den som vill delta i ett videomöte.",
        "3",
    ],
]

PROSE_BANNER = "SAMORDNINGSFÖRBUNDET MITT – MINNESANTECKNINGAR"
PROSE_PAGES = [
    [
        PROSE_BANNER,
        "Uppföljning av samverkansdagen",
        "Förbundets styrelse har gått igenom synpunkterna från samverkansdagen",
        "och konstaterar att arbetsgivarna efterfrågar en tydligare och enklare",
        "väg in till förbundets insatser. Många arbetsgivare vet inte vem de ska",
        "ringa när en anställd behöver stöd, och styrelsen vill därför att arbets-",
        "givarna ska få en gemensam",
        "Sida 1 av 3",
    ],
    [
        PROSE_BANNER,
        "kontaktväg in till samtliga parter. Ett förslag är en gemensam telefon-",
        "linje som bemannas av personal från kommunen och Arbetsförmedlingen,",
        "och som kan slussa vidare till rätt handläggare inom en arbetsdag.",
        "Styrelsen vill också att förbundet tar fram ett enkelt informations-",
        "material om vilket stöd som finns för personer med nedsatt arbetsförmåga.",
        "Sida 2 av 3",
    ],
    [
        PROSE_BANNER,
        "Materialet ska finnas på lätt svenska och på de vanligaste språken bland",
        "de nyanlända i länet. Det ska vara klart före sommaren och spridas genom",
        "kommunernas näringslivskontor, företagarföreningarna och förbundets nät-",
        "verk av arbetsgivare som redan har tagit emot deltagare i våra insatser.",
        "Sida 3 av 3",
    ],
]


def clean_and_split(path: Path):
    document = Cleaner().clean(RawDocument(path.name, read_pages(path)))
    notes = Splitter().split(document)
    for note in notes:
        assert note.text == document.text[note.start : note.end]
    return document, notes


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_tables_lose_banner_and_page_numbers_and_get_pages(tmp_path):
    path = tmp_path / "samverkansdag.pdf"
    path.write_bytes(make_pdf(TABLE_PAGES))
    pages = read_pages(path)
    assert [number for number, _ in pages] == [1, 2, 3]
    assert all(BANNER in text for _, text in pages), "the banner is really in the extracted text"
    document, notes = clean_and_split(path)
    assert BANNER not in document.text
    assert not re.search(r"^\d$", document.text, re.MULTILINE), "lone page numbers are gone"
    assert [note.section for note in notes] == [
        ("Bord 1", "Arbetsträning för unga vuxna"),
        ("Bord 2", "Ekonomiskt bistånd och aktivitetskrav"),
        ("Bord 3", "Digitala möten med brukare"),
    ]
    assert [note.page for note in notes] == [1, 2, 3]
    assert [note.leaders for note in notes] == [
        ("Lena Ek",), ("Omar Said",), ("Sara Lind",),
    ]


def test_pdf_hard_wraps_are_undone_and_hyphenated_words_rejoined(tmp_path):
    path = tmp_path / "samverkansdag.pdf"
    path.write_bytes(make_pdf(TABLE_PAGES))
    document, notes = clean_and_split(path)
    for word in ("samordning", "biståndet", "varje", "individen"):
        assert re.search(rf"\b{word}\b", document.text), word
    assert "sam-" not in document.text and "bistån-" not in document.text
    assert (
        "Deltagarna beskrev hur svårt det är att hitta arbetsträningsplatser för unga vuxna med psykisk ohälsa."
        in notes[0].text
    )
    # The author's own line breaks (heading, label) are kept.
    assert notes[0].text.startswith("Bord 1 Arbetsträning för unga vuxna\nModerator: Lena Ek")


def test_pdf_sentence_cut_by_a_page_break_and_banner_is_whole_again(tmp_path):
    path = tmp_path / "uppfoljning.pdf"
    path.write_bytes(make_pdf(PROSE_PAGES))
    document, notes = clean_and_split(path)
    assert PROSE_BANNER not in document.text
    assert "Sida" not in document.text
    joined = "styrelsen vill därför att arbetsgivarna ska få en gemensam kontaktväg in till samtliga parter."
    assert joined in document.text
    for word in ("telefonlinje", "informationsmaterial", "nätverk"):
        assert word in document.text
    assert document.page_at(document.text.index("kontaktväg")) == 2
    assert document.page_at(document.text.index("Materialet ska finnas")) == 3
    holder = next(note for note in notes if joined in note.text)
    assert holder.page == 1
    assert {note.page for note in notes} <= {1, 2, 3}


# --- Word -------------------------------------------------------------------------------------


def _docx(path: Path, with_list: bool = False) -> Path:
    document = docx.Document()
    document.add_heading("Nätverksträff för samordnare", level=1)
    document.add_paragraph(
        "Träffen samlade samordnare från tolv förbund. Syftet var att dela erfarenheter av finansiell "
        "samordning och att planera höstens gemensamma utbildningsdag."
    )
    document.add_heading("Uppföljning av insatser", level=2)
    document.add_paragraph(
        "Flera förbund använder SUS för att följa upp sina insatser. Det tar tid att registrera deltagarna "
        "men ger en gemensam bild av resultaten."
    )
    table = document.add_table(rows=3, cols=2)
    rows = [("Förbund", "Antal deltagare"), ("Samordningsförbundet Norr", "120"), ("Samordningsförbundet Syd", "85")]
    for r, (left, right) in enumerate(rows):
        table.cell(r, 0).text, table.cell(r, 1).text = left, right
    if with_list:
        document.add_paragraph("De viktigaste hindren var:")
        for item in ("Långa väntetider till psykiatrin", "Brist på bostäder för unga vuxna"):
            document.add_paragraph(item, style="List Bullet")
    document.add_heading("Nästa steg", level=2)
    document.add_paragraph(
        "Arbetsgruppen tar fram ett förslag till gemensam enkät om deltagarnas upplevelse av stödet. "
        "Förslaget presenteras vid nästa träff i oktober."
    )
    document.save(str(path))
    return path


def test_docx_headings_open_sections_and_tables_are_read(tmp_path):
    document, notes = clean_and_split(_docx(tmp_path / "natverk.docx"))
    assert document.title == "Nätverksträff för samordnare"
    assert "Samordningsförbundet Norr | 120" in document.text
    assert [note.section for note in notes] == [  # Word's heading levels nest the sections
        ("Nätverksträff för samordnare",),
        ("Nätverksträff för samordnare", "Uppföljning av insatser"),
        ("Nätverksträff för samordnare", "Nästa steg"),
    ]
    assert "SUS" in notes[1].text
    assert notes[-1].text.endswith("vid nästa träff i oktober.")
    assert all(note.page is None for note in notes)


def test_docx_table_rows_and_list_items_are_in_notes(tmp_path):
    _, notes = clean_and_split(_docx(tmp_path / "natverk.docx", with_list=True))
    text = "\n".join(note.text for note in notes)
    assert "Samordningsförbundet Norr" in text
    assert "Långa väntetider till psykiatrin" in text


# --- text encodings ---------------------------------------------------------------------------

CP1252_TEXT = (
    "Möte om försörjningsstöd i Växjö\n\n"
    "Handläggarna på socialtjänsten önskar bättre samverkan med Arbetsförmedlingen kring "
    "långtidsarbetslösa. Åtgärden kallades “en väg in” – ÅÄÖ och åäö ska läsas rätt.\n"
)


def test_cp1252_text_is_decoded():
    data = CP1252_TEXT.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == CP1252_TEXT


def test_utf8_with_byte_order_mark_is_decoded_without_it():
    assert decode_text(b"\xef\xbb\xbf" + "Åtgärder för unga".encode()) == "Åtgärder för unga"


def test_binary_data_is_refused():
    with pytest.raises(UnreadableFile, match="binärfil"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_cp1252_file_is_indexed_and_answered(tmp_path, embedder):
    corpus = write_corpus(tmp_path / "corpus", {"vaxjo.txt": CP1252_TEXT.encode("cp1252")})
    settings = make_settings(corpus, tmp_path / "index")
    report = build_index(settings, embedder=embedder)
    assert report.skipped == [] and report.notes == 1
    answer = Retriever.open(settings, embedder=embedder).ask("långtidsarbetslösa i Växjö")
    assert answer.answered
    note = answer.hits[0].note
    assert note.title == "Möte om försörjningsstöd i Växjö"
    assert "“en väg in” – ÅÄÖ och åäö" in note.text and "\ufffd" not in note.text
    assert "Växjö" in note.municipalities


# --- files that must be skipped ---------------------------------------------------------------

GOOD = {
    "boende.txt": "Workshop om boende\n\nDeltagarna beskrev bostadsbristen för unga vuxna som det största hindret.\n",
    "natverk.md": "# Nätverk\n\nSamordnarna träffas varje kvartal för att dela erfarenheter av arbetsträning.\n",
}
BAD = {
    "tom.txt": b"",
    "blanksteg.md": b"  \n\n\t \n",
    "bild.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "trasig.pdf": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog",
    "trasig.docx": b"PK\x03\x04 inte ett riktigt Word-dokument",
}
REASONS = {
    "tom.txt": "innehåller ingen text",
    "blanksteg.md": "innehåller ingen text",
    "bild.txt": "binärfil",
    "trasig.pdf": "kunde inte läsas",
    "trasig.docx": "kunde inte läsas",
    "inskannad.pdf": "inskannad PDF",
}


def _bad_corpus(folder: Path) -> Path:
    write_corpus(folder, {**GOOD, **BAD})
    (folder / "inskannad.pdf").write_bytes(make_pdf([[], []]))
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a document")
    return folder


def test_bad_files_are_skipped_with_a_reason_naming_each_file(tmp_path, embedder, caplog):
    settings = make_settings(_bad_corpus(tmp_path / "corpus"), tmp_path / "index")
    with caplog.at_level(logging.WARNING):
        report = build_index(settings, embedder=embedder)
    skipped = {item.name: item.reason for item in report.skipped}
    assert set(skipped) == set(REASONS), "unsupported files (foto.jpg) are not documents at all"
    for name, reason in REASONS.items():
        assert reason in skipped[name], (name, skipped[name])
        assert any(name in record.getMessage() and "Hoppar över" in record.getMessage() for record in caplog.records)
    assert report.notes == 2
    assert {doc.doc for doc in report.documents} == set(GOOD)
    retriever = Retriever.open(settings, embedder=embedder)
    assert {item["name"] for item in retriever.manifest.skipped} == set(REASONS)
    answer = retriever.ask("bostadsbristen för unga vuxna")
    assert answer.answered and answer.hits[0].note.doc == "boende.txt"


def test_only_bad_files_is_an_empty_corpus_naming_them(tmp_path):
    folder = write_corpus(tmp_path / "corpus", BAD)
    with pytest.raises(CorpusEmpty) as raised:
        Corpus(folder).read()
    message = raised.value.message
    assert "innehåller inga läsbara dokument" in message
    for name in BAD:
        assert name in message


def test_a_readable_file_without_notes_is_skipped_with_a_reason(tmp_path):
    corpus = Corpus(write_corpus(tmp_path / "corpus", {**GOOD, "rubrik.txt": "Minnesanteckningar\n"}))
    notes, skipped, _, documents = collect_notes(corpus)
    assert {note.doc for note in notes} == set(GOOD)
    assert [(item.name, item.reason) for item in skipped] == [
        ("rubrik.txt", "inga anteckningar kunde delas ut ur texten")
    ]
    assert "rubrik.txt" not in {doc.doc for doc in documents}


def test_sources_toml_facts_reach_the_notes_and_a_broken_one_is_ignored(tmp_path, caplog):
    folder = write_corpus(tmp_path / "corpus", GOOD)
    (folder / "sources.toml").write_text(
        '["boende.txt"]\ntitle = "Boendeworkshop"\norganiser = "Samordningsförbundet Syd"\ndate = "2024-03-01"\n',
        encoding="utf-8",
    )
    notes, *_ = collect_notes(Corpus(folder))
    boende = next(note for note in notes if note.doc == "boende.txt")
    assert boende.title == "Boendeworkshop"
    assert boende.extra == {"organiser": "Samordningsförbundet Syd", "date": "2024-03-01"}
    (folder / "sources.toml").write_text("[trasig\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        notes, *_ = collect_notes(Corpus(folder))
    assert next(note for note in notes if note.doc == "boende.txt").title == "Workshop om boende"
    assert any("sources.toml" in record.getMessage() for record in caplog.records)
