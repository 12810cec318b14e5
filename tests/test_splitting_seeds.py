"""The splitter on the five bundled documents: each recurring shape is recognised by its pattern."""

from __future__ import annotations

import re

import pytest
from conftest import SEED_FILES, SEEDS

from index.cleaning import CleanDocument, Cleaner
from index.corpus import Corpus
from index.notes import Note
from index.sentences import sentence_spans
from index.splitting import Splitter

TABLES = "000_388aac955d25d793.txt"
TABLES_PDF = "001_593209e4deb80dab.txt"
GROUPS = "002_1e74efa7e77882b2.txt"
MUNICIPALITIES = "003_ef76e4c584639663.txt"
FALLBACK = "004_2014a758c47f149a.txt"
TABLE_NUMBERS = [1, 2, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16]
SEED_MUNICIPALITIES = {"Östhammar", "Enköping", "Heby", "Håbo", "Knivsta", "Uppsala"}


@pytest.fixture(scope="module")
def split_seeds() -> dict[str, tuple[CleanDocument, list[Note]]]:
    documents, skipped = Corpus(SEEDS).read()
    assert skipped == []
    cleaner, splitter = Cleaner(), Splitter()
    out = {}
    for raw in documents:
        document = cleaner.clean(raw)
        out[raw.name] = (document, splitter.split(document))
    return out


def test_all_five_seed_files_are_read(split_seeds):
    assert sorted(split_seeds) == SEED_FILES
    assert len(SEED_FILES) == 5


@pytest.mark.parametrize("name", SEED_FILES)
def test_every_note_is_a_verbatim_slice_of_its_cleaned_document(split_seeds, name):
    document, notes = split_seeds[name]
    assert notes, f"{name} gave no notes"
    for note in notes:
        assert note.text == document.text[note.start : note.end]
        assert note.text == note.text.strip()
        assert len(re.findall(r"\w+", note.text)) >= 4
        assert note.doc == name
        assert note.title == document.title
        assert len(note.text) <= Splitter().max_chars
    starts = [note.start for note in notes]
    assert starts == sorted(starts), "notes follow the document order"


@pytest.mark.parametrize("name", SEED_FILES)
def test_consecutive_notes_overlap_by_at_most_one_sentence(split_seeds, name):
    document, notes = split_seeds[name]
    for before, after in zip(notes, notes[1:], strict=False):
        if after.start < before.end:
            shared = document.text[after.start : before.end]
            assert len(sentence_spans(shared)) == 1, shared


@pytest.mark.parametrize("name", SEED_FILES)
def test_titles_come_from_sources_toml(split_seeds, name):
    document, notes = split_seeds[name]
    titles = {
        TABLES: "Regional mötesplats social hållbarhet – sammanställning dialogbord",
        GROUPS: "Dialoggruppsmöte 2 Framtid – socialt välfärdsprogram i Örebroregionen",
        FALLBACK: "Workshop med Inger Ashing",
    }
    if name in titles:
        assert document.title == titles[name]
    assert all(note.title == document.title for note in notes)


# --- 000: numbered dialogue tables ------------------------------------------------------------


def test_tables_become_one_note_each_with_heading_and_leaders(split_seeds):
    _, notes = split_seeds[TABLES]
    heads = list(dict.fromkeys(note.section[0] for note in notes))
    assert heads == [f"Bord {n}" for n in TABLE_NUMBERS]
    bord8 = [note for note in notes if note.section[0] == "Bord 8"]
    assert len(bord8) == 1
    assert bord8[0].section == ("Bord 8", "Vad är och vad gör Samordningsförbund Gävleborg?")
    assert any("Per Lundgren" in leader for leader in bord8[0].leaders)
    assert bord8[0].text.startswith("Bord 8")
    assert "Samtalsledare: Per Lundgren" in bord8[0].text


def test_every_table_note_carries_its_title_and_leader(split_seeds):
    _, notes = split_seeds[TABLES]
    expected_leaders = {
        "Bord 1": "Niclas Cronsell",
        "Bord 2": "Carmen Svensson",
        "Bord 9": "Yvonne Sjöblom",
        "Bord 15": "Hanna Höghelm",
        "Bord 16": "Linnéa Voxberg",
    }
    for note in notes:
        assert len(note.section) == 2, note.section
        assert note.leaders, f"{note.section[0]} has no leader"
        if note.section[0] in expected_leaders:
            assert expected_leaders[note.section[0]] in note.leaders[0]
    sections = {note.section[0]: note.section[1] for note in notes}
    assert sections["Bord 1"] == "Hur ökar vi behörigheten till gymnasiet?"
    assert sections["Bord 15"] == "Vad gör vi nu?"  # heading written "Bord 15:"


def test_a_long_table_is_windowed_and_every_window_keeps_the_table(split_seeds):
    _, notes = split_seeds[TABLES]
    bord11 = [note for note in notes if note.section[0] == "Bord 11"]
    assert len(bord11) >= 2
    assert len({note.section for note in bord11}) == 1
    assert len({note.leaders for note in bord11}) == 1
    assert bord11[0].text.startswith("Bord 11")


def test_running_banner_of_the_tables_document_is_removed(split_seeds):
    document, notes = split_seeds[TABLES]
    raw = (SEEDS / TABLES).read_text(encoding="utf-8")
    assert raw.count("REGIONAL MÖTESPLATS SOCIAL HÅLLBARHET") >= 3
    assert "REGIONAL MÖTESPLATS" not in document.text
    # The sentence the banner cut in two is whole again.
    assert "Vi pratade kring Brynäs som ett gott exempel där man verkligen" in document.text


def test_pdf_extraction_copy_has_the_same_tables(split_seeds):
    _, notes = split_seeds[TABLES_PDF]
    assert list(dict.fromkeys(note.section[0] for note in notes)) == [f"Bord {n}" for n in TABLE_NUMBERS]
    bord8 = next(note for note in notes if note.section[0] == "Bord 8")
    assert any("Per Lundgren" in leader for leader in bord8.leaders)


# --- 002: open-space groups -------------------------------------------------------------------


def test_groups_take_leaders_from_fragestallare_and_participants_from_deltagare(split_seeds):
    _, notes = split_seeds[GROUPS]
    labelled = [note for note in notes if "Frågeställare:" in note.text]
    assert len(labelled) >= 12
    for note in labelled:
        assert note.leaders, note.section
        after = note.text.split("Frågeställare:", 1)[1].strip()
        assert after.startswith(note.leaders[0])
        if "Deltagare:" in note.text:
            assert note.participants
            assert note.text.split("Deltagare:", 1)[1].strip().startswith(note.participants[0])
        # The group's question is its section and the note opens with it.
        assert len(note.section) == 1
        assert note.text.startswith(note.section[0][:40])


def test_a_known_group_is_split_out_with_its_people(split_seeds):
    _, notes = split_seeds[GROUPS]
    question = "Hur kan vi öppna upp mellan social välfärdssektor och kultursektorn"
    culture = [note for note in notes if note.section == (question,)]
    assert len(culture) == 1
    assert culture[0].leaders == ("Kerstin Färm",)
    assert {"Staffan Örneland", "Christer Lenke"} <= set(culture[0].participants)
    several = next(note for note in notes if note.leaders[:1] == ("Håkan Andersson",))
    assert several.leaders == ("Håkan Andersson", "Maria Yilmaz", "Catarina Rosencrantz")


def test_group_document_keeps_its_introduction_and_page_numbers(split_seeds):
    document, notes = split_seeds[GROUPS]
    intro = [note for note in notes if not note.leaders]
    assert intro and intro[0].start < min(note.start for note in notes if note.leaders)
    assert any("Bakgrund Den sociala välfärden" in note.text for note in intro)
    pages = [note.page for note in notes]
    assert None not in pages
    assert pages == sorted(pages)
    assert pages[0] > 1 and pages[-1] == 13
    for note in notes:
        assert note.page == document.page_at(note.start)


# --- 003: municipalities' parts of a compilation ----------------------------------------------


def test_municipality_notes_end_their_section_with_the_municipality(split_seeds):
    _, notes = split_seeds[MUNICIPALITIES]
    assert {note.municipalities[0] for note in notes} == SEED_MUNICIPALITIES
    for note in notes:
        assert note.section[-1] == note.municipalities[0]
        assert len(note.section) == 2
    openers = [note for note in notes if note.text.startswith(note.section[-1])]
    assert len(openers) >= 36  # six municipalities × six themes, plus windows of long parts


def test_municipality_sections_name_the_theme(split_seeds):
    _, notes = split_seeds[MUNICIPALITIES]
    headings = {note.section[0] for note in notes}
    for theme in ("Unga", "Sjukskrivningsprocessen", "Integration"):
        assert f"Förslag på lösningar/ åtgärder {theme}" in headings
    assert "Verksamhetens utmaningar Sjukskrivningsprocessen" in headings
    assert "Individens utmaningar Integration/Nyanlända" in headings
    enkoping = [
        note for note in notes
        if note.section == ("Förslag på lösningar/ åtgärder Sjukskrivningsprocessen", "Enköping")
    ]
    assert len(enkoping) == 1
    assert enkoping[0].text.startswith("Enköping: Samverkan SIP- samordnad individuell plan")
    assert enkoping[0].page == 13


def test_labels_with_a_parenthesis_name_the_municipality(split_seeds):
    _, notes = split_seeds[MUNICIPALITIES]
    integration = [note for note in notes if note.text.startswith("Östhammar (integration och långtidsarbetslösa):")]
    assert len(integration) == 1
    assert integration[0].section == ("Individens utmaningar Integration/Nyanlända", "Östhammar")
    assert integration[0].municipalities[0] == "Östhammar"


def test_municipality_document_pages_are_known(split_seeds):
    document, notes = split_seeds[MUNICIPALITIES]
    pages = [note.page for note in notes]
    assert None not in pages
    assert pages == sorted(pages)
    assert pages[0] == 1 and pages[-1] == 20
    assert [page for _, page in document.page_starts] == list(range(1, 21))


# --- 004: headings and paragraphs -------------------------------------------------------------


def test_unstructured_document_falls_back_to_headings_and_paragraphs(split_seeds):
    _, notes = split_seeds[FALLBACK]
    assert [note.section for note in notes] == [
        ("Workshop med Inger Ashing",),
        ("Lite axplock av fakta från workshopen",),
        ("Samtal – samsyn – samverkan – samhandling",),
    ]
    assert all(not note.leaders and note.page is None for note in notes)
    assert "U 2015:06" in notes[0].text
    assert "4) Kan samordningsförbunden arbeta mer med förebyggande och tidigare insatser." in notes[-1].text


# --- nothing is lost --------------------------------------------------------------------------


def _lost_lines(document: CleanDocument, notes: list[Note]) -> list[str]:
    """Lines of four words or more that no note holds and no note uses as a heading."""
    headings = {part for note in notes for part in note.section} | {document.title}
    lost = []
    for line in re.finditer(r"[^\n]+", document.text):
        inside = any(note.start <= line.start() and line.end() <= note.end for note in notes)
        overlapping = any(note.start < line.end() and line.start() < note.end for note in notes)
        long_enough = len(re.findall(r"\w+", line.group())) >= 4
        if long_enough and not inside and not overlapping and line.group().strip() not in headings:
            lost.append(line.group())
    return lost


@pytest.mark.parametrize("name", SEED_FILES)
def test_no_line_of_text_is_left_out_of_every_note(split_seeds, name):
    document, notes = split_seeds[name]
    assert _lost_lines(document, notes) == []
