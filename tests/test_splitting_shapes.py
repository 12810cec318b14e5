"""The splitter on document shapes the bundled corpus does not have."""

from __future__ import annotations

import random

from index.cleaning import CleanDocument, Cleaner
from index.corpus import RawDocument, Source
from index.notes import Note
from index.sentences import sentence_spans
from index.splitting import Splitter


def split(name: str, text: str, splitter: Splitter | None = None, title: str | None = None) -> tuple[
    CleanDocument, list[Note]
]:
    document = Cleaner().clean(RawDocument(name, ((None, text),), Source(title=title)))
    notes = (splitter or Splitter()).split(document)
    for note in notes:
        assert note.text == document.text[note.start : note.end]
        assert note.text == note.text.strip()
    return document, notes


MARKDOWN = """# Nätverksträff om arbetsträning

Träffen hölls i Sundsvall och samlade handläggare från kommunen, Arbetsförmedlingen och Försäkringskassan.

## Arbetsträning i kommunal regi

Kommunerna erbjuder arbetsträning i egna verksamheter, till exempel i parkförvaltningen och i köken. \
Handledarna behöver mer stöd för att orka ta emot deltagare.

### Handledarutbildning

Ett förslag var att förbundet bekostar en gemensam handledarutbildning för alla kommuner i länet.

## Uppföljning

Deltagarnas progression följs upp var tredje månad med ett gemensamt formulär.
"""


def test_markdown_headings_give_nested_sections():
    _, notes = split("traff.md", MARKDOWN)
    assert [note.section for note in notes] == [
        ("Nätverksträff om arbetsträning",),
        ("Nätverksträff om arbetsträning", "Arbetsträning i kommunal regi"),
        ("Nätverksträff om arbetsträning", "Arbetsträning i kommunal regi", "Handledarutbildning"),
        ("Nätverksträff om arbetsträning", "Uppföljning"),
    ]
    assert notes[2].text.endswith("gemensam handledarutbildning för alla kommuner i länet.")
    assert notes[0].municipalities == ("Sundsvall",)


def test_markdown_title_has_no_heading_marker():
    document, notes = split("traff.md", MARKDOWN)
    assert document.title == "Nätverksträff om arbetsträning"


def _long_plain_text(sentences: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    words = [
        "samverkan", "individen", "arbetsförmedlingen", "kommunen", "insatser", "stödet", "deltagarna",
        "rehabilitering", "försäkringskassan", "handläggarna", "arbetsträning", "studierna", "hälsan", "boendet",
        "ekonomin",
    ]
    return " ".join(
        f"Mening {i} handlar om " + " ".join(rng.choice(words) for _ in range(rng.randint(8, 18))) + "."
        for i in range(1, sentences + 1)
    )


def test_long_text_without_structure_is_cut_into_overlapping_windows_under_the_cap():
    text = _long_plain_text(60)
    splitter = Splitter()
    document, notes = split("lang.txt", text)
    assert len(text) > 3 * splitter.max_chars
    assert len(notes) >= 4
    assert all(len(note.text) <= splitter.max_chars for note in notes)
    assert all(len(note.text) <= splitter.window_chars for note in notes)
    assert notes[0].start == 0 and notes[-1].end == len(document.text)
    for before, after in zip(notes, notes[1:], strict=False):
        shared = document.text[after.start : before.end]
        assert after.start < before.end, "windows overlap"
        assert len(sentence_spans(shared)) == 1, "by exactly one sentence"
        assert before.text.endswith(".") and after.text.startswith("Mening")


def test_smaller_cap_gives_more_and_smaller_windows():
    text = _long_plain_text(20, seed=3)
    splitter = Splitter(max_chars=400, window_chars=300)
    _, notes = split("kort.txt", text, splitter)
    assert len(notes) >= 5
    assert all(len(note.text) <= 400 for note in notes)
    covered = "".join(note.text for note in notes)
    for number in range(1, 21):
        assert f"Mening {number} handlar" in covered


def test_paragraphs_are_packed_into_notes_up_to_the_cap():
    paragraphs = [
        f"Stycke {i} beskriver hur samverkan mellan kommunen och regionen fungerade under året." for i in range(40)
    ]
    document, notes = split("stycken.txt", "\n\n".join(paragraphs))
    assert 1 < len(notes) < 40
    assert all(len(note.text) <= Splitter().max_chars for note in notes)
    assert all(note.text.startswith("Stycke") and note.text.endswith("året.") for note in notes)
    assert sum(note.text.count("Stycke ") for note in notes) == 40  # each paragraph in exactly one note


GROUPS = """Workshop om samverkan kring unga

Grupp 1: Tidiga insatser i skolan
Moderator: Karin Holm, Samordningsförbundet Väst

Gruppen menade att elevhälsan behöver komma in tidigare när en elev börjar få hög frånvaro. \
Ett förslag var gemensamma möten mellan skola och socialtjänst varje månad.

Grupp 2: Övergången till vuxenlivet
Moderator: Ahmed Yusuf

Vid 18 års ålder upphör många insatser samtidigt. Deltagarna ville ha en gemensam plan som följer \
den unga över övergången.

Grupp 3: Föräldrarnas roll
Moderator: Eva Berg och Lars Nyström

Föräldrarna behöver information om vilket stöd som finns. Flera berättade om föräldracaféer som fungerat bra.
"""


def test_numbered_groups_with_moderators():
    _, notes = split("grupper.txt", GROUPS)
    assert [note.section for note in notes] == [
        ("Grupp 1", "Tidiga insatser i skolan"),
        ("Grupp 2", "Övergången till vuxenlivet"),
        ("Grupp 3", "Föräldrarnas roll"),
    ]
    assert notes[0].leaders == ("Karin Holm",)
    assert notes[1].leaders == ("Ahmed Yusuf",)
    assert notes[2].leaders == ("Eva Berg", "Lars Nyström")
    assert {role.role for note in notes for role in note.roles} == {"moderator"}
    assert "elevhälsan" in notes[0].text and "elevhälsan" not in notes[1].text


def test_lettered_tables_with_the_title_on_the_next_line():
    text = (
        GROUPS.replace("Grupp 1: ", "Bord A\n").replace("Grupp 2: ", "Bord B\n").replace("Grupp 3: ", "Bord C\n")
    )
    _, notes = split("bord.txt", text)
    assert [note.section for note in notes] == [
        ("Bord A", "Tidiga insatser i skolan"),
        ("Bord B", "Övergången till vuxenlivet"),
        ("Bord C", "Föräldrarnas roll"),
    ]
    assert [note.leaders for note in notes] == [("Karin Holm",), ("Ahmed Yusuf",), ("Eva Berg", "Lars Nyström")]


OPEN_SPACE = (
    "Open space om arbetsmarknaden\n\n"
    "Hur får vi fler arbetsgivare att ta emot praktikanter? Frågeställare: Anna Ek "
    "Deltagare: Bo Lind, Cia Berg och Dan Holm Arbetsgivarna vill ha en kontaktperson. "
    "Det behövs uppföljning efter praktiken.\n\n"
    "{question} Frågeställare: Erik Sund Deltagare: Fia Ek, Gun Berg "
    "Föreningarna kan erbjuda meningsfull sysselsättning och nätverk."
)


def test_open_space_groups_with_asker_and_participants():
    question = "Vad kan civilsamhället och föreningarna bidra med i arbetet?"
    _, notes = split("openspace.txt", OPEN_SPACE.format(question=question))
    assert [note.section for note in notes] == [
        ("Hur får vi fler arbetsgivare att ta emot praktikanter?",),
        (question,),
    ]
    assert notes[0].leaders == ("Anna Ek",)
    assert notes[0].participants[:2] == ("Bo Lind", "Cia Berg")
    assert notes[1].leaders == ("Erik Sund",)
    assert notes[1].participants == ("Fia Ek", "Gun Berg")
    assert notes[0].text.endswith("Det behövs uppföljning efter praktiken.")
    assert notes[1].text.startswith(question)


def test_a_short_group_question_does_not_take_the_previous_groups_last_sentence():
    question = "Vad kan civilsamhället bidra med?"
    _, notes = split("openspace.txt", OPEN_SPACE.format(question=question))
    assert notes[1].section == (question,)
    assert notes[0].text.endswith("Det behövs uppföljning efter praktiken.")


COMPILATION_INLINE = (
    "Sammanställning från regionens workshopar om arbetsmarknaden\n\n"
    "Hinder för individen Kiruna: Långa avstånd gör det svårt att delta i insatser. Kollektivtrafiken går "
    "sällan mellan byarna. Malmö (integration): Språket är det största hindret. Många nyanlända väntar länge "
    "på SFI. Umeå: Bostadsbristen gör att unga inte kan flytta dit jobben finns. Förslag på åtgärder Kiruna: "
    "Distansinsatser via video och samåkning till praktikplatser. Malmö (integration): Språkpraktik på "
    "arbetsplatser med språkombud. Umeå: Ett kommunalt bostadsförmedlingsstöd för unga som får jobb.\n"
)

COMPILATION_LINES = """Sammanställning från regionens workshopar om arbetsmarknaden

Hinder för individen
Kiruna: Långa avstånd gör det svårt att delta i insatser. Kollektivtrafiken går sällan mellan byarna.
Malmö (integration): Språket är det största hindret. Många nyanlända väntar länge på SFI.
Umeå: Bostadsbristen gör att unga inte kan flytta dit jobben finns.
Förslag på åtgärder
Kiruna: Distansinsatser via video och samåkning till praktikplatser.
Malmö (integration): Språkpraktik på arbetsplatser med språkombud.
Umeå: Ett kommunalt bostadsförmedlingsstöd för unga som får jobb.
"""

EXPECTED_COMPILATION = [
    ("Hinder för individen", "Kiruna"),
    ("Hinder för individen", "Malmö"),
    ("Hinder för individen", "Umeå"),
    ("Förslag på åtgärder", "Kiruna"),
    ("Förslag på åtgärder", "Malmö"),
    ("Förslag på åtgärder", "Umeå"),
]


def test_compilation_of_other_municipalities():
    _, notes = split("kommuner.txt", COMPILATION_INLINE)
    assert [note.section for note in notes] == EXPECTED_COMPILATION
    for note in notes:
        assert note.municipalities[0] == note.section[-1]
        assert note.text.startswith(note.section[-1])
    assert notes[1].text.startswith("Malmö (integration): Språket")
    assert notes[2].text.endswith("dit jobben finns.")


def test_compilation_labels_keep_the_municipality_even_when_headings_are_on_their_own_lines():
    _, notes = split("kommuner.txt", COMPILATION_LINES)
    assert [note.section[-1] for note in notes] == ["Kiruna", "Malmö", "Umeå"] * 2
    assert all(note.municipalities[0] == note.section[-1] for note in notes)


def test_compilation_headings_on_their_own_lines_become_sections():
    _, notes = split("kommuner.txt", COMPILATION_LINES)
    assert [note.section for note in notes] == EXPECTED_COMPILATION
    assert all("Förslag på åtgärder" not in note.text for note in notes)


def test_a_title_and_nothing_else_gives_no_note():
    _, notes = split("tom.txt", "Minnesanteckningar\n\nSida 1 av 1\n")
    assert notes == []
