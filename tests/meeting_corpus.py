"""Documents shaped unlike the seeds: protocols, minutes, a Word file and a conference report.

Invented names and content. The text documents live in tests/data/meetings; the PDF (a two-page
steering-group protocol with a running banner that counts pages) and the Word file (a Tid/Plats
table and numbered headings) are made here, so `write_meeting_corpus` gives the whole corpus the
tests and `tests/data/meetings_eval.jsonl` use. Run as a script to write it into a folder:
`python tests/meeting_corpus.py /tmp/meetings`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import docx
from pdf_maker import make_pdf

TEXTS = Path(__file__).parent / "data" / "meetings"
EVAL = Path(__file__).parent / "data" / "meetings_eval.jsonl"
PDF_NAME = "styrgrupp_protokoll_2022-09.pdf"
DOCX_NAME = "natverkstraff_hallstahammar.docx"

PDF_PAGES = [
    [
        "PROTOKOLL 1 (2)",
        "Styrgruppen för projektet Framåt",
        "Samordningsförbundet Södra Hälsingland",
        "Datum: 2022-09-14",
        "Plats: Kulturhuset, Bollnäs",
        "Närvarande: Rebecka Holmgren, Stefan Åkesson, Therese Lindblad, Ulf Granqvist",
        "Ordförande: Rebecka Holmgren",
        "Sekreterare: Therese Lindblad",
        "1:Mötet öppnas",
        "Rebecka Holmgren öppnade mötet och hälsade Ulf Granqvist från Arbetsförmedlingen välkommen.",
        "2:Val av protokolljusterare",
        "Stefan Åkesson valdes att justera protokollet.",
        "3:Lägesrapport från projektet",
        "Projektet har 38 inskrivna deltagare. Nio deltagare har fått anställning med stöd och sex har",
        "börjat studera på komvux. Väntetiden till första samtalet har kortats från sex till två veckor",
        "sedan projektet anställde en andra arbetsspecialist med inriktning på IPS-metoden.",
        "4:Ekonomisk uppföljning",
        "Projektet har förbrukat 1,1 miljoner kronor av budgeten på 2,4 miljoner. Kostnaderna för",
        "lokaler blev lägre än beräknat eftersom projektet delar kontor med kommunens jobbcenter.",
    ],
    [
        "PROTOKOLL 2 (2)",
        "5:Samarbete med vårdcentralerna",
        "Therese Lindblad berättade att två vårdcentraler i Bollnäs vill remittera patienter med lång",
        "sjukskrivning direkt till projektet. Styrgruppen ställde sig positiv och bad projektledningen",
        "ta fram en enkel rutin för remisser och samtycke före nästa möte.",
        "6:Spridning av resultat",
        "Projektets erfarenheter ska presenteras på förbundsdagen i november. Stefan Åkesson och",
        "Ulf Granqvist förbereder presentationen tillsammans med två av deltagarna.",
        "7:Nästa möte",
        "Nästa möte hålls den 9 november 2022 i Söderhamn.",
        "8:Mötet avslutas",
        "Ordföranden tackade alla och avslutade mötet.",
        "Vid protokollet",
        "Therese Lindblad",
        "Justeras",
        "Stefan Åkesson",
    ],
]

DOCX_ITEMS = [
    (
        "1. Välkommen och inledning",
        "Processledaren Nadia Karlsson hälsade välkommen och gick igenom dagens upplägg. Träffen samlade "
        "handläggare från socialtjänsten, Försäkringskassan, Arbetsförmedlingen och vuxenpsykiatrin.",
    ),
    (
        "2. Gemensam kartläggning",
        "Deltagarna gick igenom hur varje organisation kartlägger en persons behov i dag. Alla använder egna "
        "formulär och den enskilde får berätta sin historia många gånger. Gruppen föreslog ett gemensamt "
        "kartläggningssamtal där alla parter deltar vid ett och samma tillfälle.",
    ),
    (
        "3. Unga med aktivitetsersättning",
        "Försäkringskassan redovisade att 52 unga i kommunen har aktivitetsersättning och att nästan hälften "
        "saknar planerade aktiviteter. Kommunens daglig verksamhet och folkhögskolan kan erbjuda fler platser om "
        "resor och ledsagning ordnas.",
    ),
    (
        "4. Övriga frågor",
        "Ingrid Wallin från vuxenpsykiatrin efterlyste en kontaktlista över alla handläggare i nätverket. "
        "Nadia Karlsson lovade att skicka ut en lista tillsammans med dokumentationen.",
    ),
]


def write_docx(path: Path) -> None:
    """A Word file with the meeting's facts in a Tid/Plats table and numbered Heading 2 items."""
    document = docx.Document()
    document.core_properties.title = "Nätverksträff om samordnad kartläggning"
    document.add_heading("Dokumentation från nätverksträff", level=1)
    table = document.add_table(rows=4, cols=2)
    facts = [
        ("Tid", "Tisdagen den 14 mars 2023, kl. 9.00–12.00"),
        ("Plats", "Kommunhuset, Hallstahammar"),
        ("Arrangör", "Samordningsförbundet Västra Mälardalen"),
        ("Dokumenterat av", "Oliver Persson"),
    ]
    for row, (label, value) in zip(table.rows, facts, strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    for heading, body in DOCX_ITEMS:
        document.add_heading(heading, level=2)
        document.add_paragraph(body)
    document.save(str(path))


def write_meeting_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(TEXTS.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    (folder / PDF_NAME).write_bytes(make_pdf(PDF_PAGES))
    write_docx(folder / DOCX_NAME)
    return folder


if __name__ == "__main__":
    print(write_meeting_corpus(Path(sys.argv[1])))
