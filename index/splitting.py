"""Cutting a cleaned document into notes along its own structure.

Meeting documentation comes in a few recurring shapes, recognised by patterns rather than by
content: numbered dialogue tables ("Bord 8" with a title and "Samtalsledare:"), open-space groups
(a question, "Frågeställare:", "Deltagare:"), municipalities' parts of a compilation ("Knivsta: …"),
and everything else, which falls back to headings and paragraphs with a size cap and overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index import places
from index.cleaning import CleanDocument
from index.notes import Note
from index.sentences import sentence_spans, trim_span

TABLE_HEADING = re.compile(
    r"^(?P<head>(?:Dialogbord|Bord|Bordet|Grupp|Gruppen|Workshop|Station|Pass|Rum|Samtal)\s+"
    r"(?:\d{1,3}|[A-Z]))\b[.:]?[ \t]*(?P<rest>[^\n]{0,100})$",
    re.MULTILINE,
)
LEADER_LABEL = re.compile(
    r"^(?:Samtalsledare|Ledare|Moderator|Bordsvärd|Bordsledare|Processledare|Facilitator|"
    r"Värd|Ansvarig|Föreläsare|Presentatör|Leds av)\s*:\s*(?P<value>[^\n]+)$",
    re.MULTILINE | re.IGNORECASE,
)
ASKER_LABEL = re.compile(r"(?:Frågeställare|Sammankallande|Initiativtagare)\s*:")
PARTICIPANTS_LABEL = re.compile(r"Deltagare\s*:")
QUESTION_WORD = re.compile(r"\b(?:Hur|Vad|Vilka|Vilken|Vilket|Varför|När|Vem|Vart|Kan|Ska|Bör)\b")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
# A name list item: one to four capitalised words ("Anne-Marie Wolf Bergstrand", "Tarja N.").
NAME = r"[A-ZÅÄÖ][\wåäöÅÄÖ.-]*(?: [A-ZÅÄÖ][\wåäöÅÄÖ.-]*){0,3}"


@dataclass(frozen=True)
class Segment:
    """A stretch of the document that becomes one note (or several, when it is too long)."""

    start: int
    end: int
    section: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    municipality: str | None = None


class Splitter:
    """Splits documents into notes; `max_chars` caps a note, longer stretches overlap by a sentence."""

    def __init__(self, max_chars: int = 1500, window_chars: int = 1000) -> None:
        self.max_chars = max_chars
        self.window_chars = window_chars

    def split(self, doc: CleanDocument) -> list[Note]:
        text = doc.text
        segments = (
            _table_segments(text) or _group_segments(text) or _municipality_segments(text, doc.own_title)
        )
        if segments:
            preamble = text[: segments[0].start]
            if len(preamble.split()) >= 30:  # more than a title and a heading
                segments = self._paragraph_segments(text, 0, len(preamble), ()) + segments
        else:
            segments = self._paragraph_segments(text, 0, len(text), ())
        notes = []
        for segment in segments:
            for start, end in self._windows(text, segment.start, segment.end):
                notes.append(self._note(doc, segment, start, end))
        return [note for note in notes if _worth_a_note(note, doc.title)]

    def _note(self, doc: CleanDocument, segment: Segment, start: int, end: int) -> Note:
        body = doc.text[start:end]
        mentioned = places.mentions(body)
        municipalities = (segment.municipality,) if segment.municipality else ()
        municipalities += tuple(name for name in mentioned if name != segment.municipality)
        return Note(
            text=body,
            doc=doc.name,
            title=doc.title,
            section=segment.section,
            leaders=segment.leaders,
            participants=segment.participants,
            municipalities=municipalities,
            page=doc.page_at(start),
            start=start,
            end=end,
            extra=doc.source.facts(),
        )

    def _windows(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The segment itself when it fits, else sentence windows that overlap by one sentence."""
        start, end = trim_span(text, start, end)
        if end - start <= self.max_chars:
            yield start, end
            return
        sentences = sentence_spans(text, start, end)
        first = 0
        while first < len(sentences):
            last = first
            while last + 1 < len(sentences) and sentences[last + 1][1] - sentences[first][0] <= self.window_chars:
                last += 1
            yield sentences[first][0], sentences[last][1]
            if last + 1 >= len(sentences):
                return
            first = last if last > first else last + 1

    def _paragraph_segments(self, text: str, start: int, end: int, section: tuple[str, ...]) -> list[Segment]:
        """Fallback: headings open sections; paragraphs are packed into notes up to the cap."""
        segments: list[Segment] = []
        headings: list[tuple[int, str]] = []  # (level, heading) path
        chunk_start: int | None = None
        chunk_end = start
        paragraphs = [
            (start + m.start(), start + m.end(), m.group().strip())
            for m in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text[start:end])
        ]
        for index, (p_start, p_end, paragraph) in enumerate(paragraphs):
            heading = _heading(paragraph)
            following = paragraphs[index + 1][2] if index + 1 < len(paragraphs) else None
            if heading and not paragraph.startswith("#") and (following is None or _heading(following)):
                heading = None  # a short line heading nothing (a list item, a closing line) is text
            too_big = chunk_start is not None and p_end - chunk_start > self.max_chars
            if (heading or too_big) and chunk_start is not None:
                segments.append(Segment(chunk_start, chunk_end, section + tuple(h for _, h in headings)))
                chunk_start = None
            if heading:
                level, title = heading
                headings = [h for h in headings if h[0] < level] + [heading]
            if chunk_start is None:
                chunk_start = p_start
            chunk_end = p_end
        if chunk_start is not None:
            segments.append(Segment(chunk_start, chunk_end, section + tuple(h for _, h in headings)))
        return segments


def _heading(paragraph: str) -> tuple[int, str] | None:
    """A markdown heading, or a short line standing alone without closing punctuation."""
    markdown = MARKDOWN_HEADING.match(paragraph)
    if markdown:
        return len(markdown.group(1)), markdown.group(2).strip(" #*")
    if "\n" in paragraph or len(paragraph) > 80 or not paragraph[:1].isupper():
        return None
    if re.search(r"[.!?:;,]$", paragraph) or re.match(r"^[\w ]{1,30}:\s", paragraph):
        return None
    if paragraph.split()[-1].lower() in places.PREPOSITIONS | {"och", "att", "som", "eller"}:
        return None
    return 1, paragraph.strip("*_ ")


def _worth_a_note(note: Note, title: str) -> bool:
    """Titles, lone headings and page furniture carry nothing to quote."""
    text = note.text.strip()
    return len(re.findall(r"\w+", text)) >= 4 and text not in (title.strip(), *note.section)


# --- dialogue tables -------------------------------------------------------------------------


def _table_segments(text: str) -> list[Segment]:
    anchors = list(TABLE_HEADING.finditer(text))
    if len(anchors) < 2:
        return []
    segments = []
    for anchor, following in zip(anchors, anchors[1:] + [None], strict=False):
        end = following.start() if following else len(text)
        body = text[anchor.start() : end]
        title = anchor.group("rest").strip() or _table_title(text[anchor.end() : end])
        section = (anchor.group("head"), title) if title else (anchor.group("head"),)
        leaders = tuple(m.group("value").strip() for m in LEADER_LABEL.finditer(body))
        segments.append(Segment(anchor.start(), end, section, leaders=leaders))
    return segments


def _table_title(body: str) -> str:
    """The first line under a table heading, unless it is already a label or prose."""
    for line in body.split("\n"):
        line = line.strip()
        if not line:
            continue
        if LEADER_LABEL.match(line) or len(line) > 200:
            return ""
        return line
    return ""


# --- open-space groups -----------------------------------------------------------------------


def _group_segments(text: str) -> list[Segment]:
    askers = list(ASKER_LABEL.finditer(text))
    if len(askers) < 2:
        return []
    starts = []
    floor = 0
    for asker in askers:
        starts.append(max(floor, _question_start(text, floor, asker.start())))
        floor = asker.end()
    segments = []
    for index, (start, asker) in enumerate(zip(starts, askers, strict=False)):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        question = text[start : asker.start()].strip()
        roles = text[asker.end() : end]
        participants_at = PARTICIPANTS_LABEL.search(roles)
        asker_text = roles[: participants_at.start()] if participants_at else roles[:80]
        leaders = _names(asker_text)
        participants = _names(roles[participants_at.end() :]) if participants_at else ()
        segments.append(Segment(start, end, (question,) if question else (), leaders, participants))
    return segments


def _question_start(text: str, floor: int, label_at: int) -> int:
    """Where the group's question begins: the run of sentences just before "Frågeställare:"
    that ask something, or failing that the last sentence."""
    sentences = [s for s in sentence_spans(text, floor, label_at)]
    if not sentences:
        return label_at
    start = sentences[-1][0]
    for s_start, s_end in reversed(sentences[:-1]):
        if text[s_start:s_end].rstrip().endswith("?") and text[s_start:label_at].count("?") <= 3:
            start = s_start
        else:
            break
    earlier = [s_start for s_start, _ in sentences if s_start < start]
    # "Hur?" alone is the tail of a longer question, unless a paragraph break sets it apart.
    while earlier and label_at - start < 40 and "\n\n" not in text[earlier[-1] : start]:
        start = earlier.pop()
    question = text[start:label_at]
    if len(question) > 250:
        asks = list(QUESTION_WORD.finditer(question))
        if asks:
            start += asks[0].start()
    return start


def _names(value: str) -> tuple[str, ...]:
    """Names from "Anna A, Org, Bo B och Cia C, Org …", stopping where the list turns to prose."""
    names = []
    for item in re.split(r",\s*|\s+och\s+|/", value.strip()):
        match = re.match(NAME, item.strip())
        if not match:
            break
        name = match.group()
        if len(item.strip()) > len(name) + 1:  # prose follows the last name: keep "First Last"
            names.append(" ".join(name.split()[:2]))
            break
        names.append(name)
    return tuple(dict.fromkeys(names))


# --- municipalities' parts -------------------------------------------------------------------


def _municipality_segments(text: str, title: str) -> list[Segment]:
    """One segment per municipality label; when the labels start over (a municipality is seen
    again), the few words before the label are the heading of a new section."""
    labels = places.labels(text)
    if len(labels) < 3 or len({name for _, name in labels}) < 2:
        return []
    segments: list[Segment] = []
    seen: set[str] = set()
    heading = _heading_before(text, 0, labels[0][0], title, limit=12)
    for index, (at, name) in enumerate(labels):
        if name in seen:
            fragment_start, fragment = _fragment_before(text, segments[-1].start if segments else 0, at)
            if fragment and len(fragment.split()) <= 8:
                segments[-1] = replace(segments[-1], end=fragment_start)
                heading = fragment
            seen = set()
        seen.add(name)
        end = labels[index + 1][0] if index + 1 < len(labels) else len(text)
        section = (heading, name) if heading else (name,)
        segments.append(Segment(at, end, section, municipality=name))
    return segments


def _fragment_before(text: str, floor: int, at: int) -> tuple[int, str]:
    """The words between the last sentence end (or paragraph break) before `at` and `at`."""
    window = text[floor:at].rstrip()
    cut = max(window.rfind("\n"), *(window.rfind(p + " ") for p in ".!?"), *(window.rfind(p + "\n") for p in ".!?"))
    start = floor + (cut + 1 if cut >= 0 else 0)
    return start, text[start:at].strip()


def _heading_before(text: str, floor: int, at: int, title: str, limit: int) -> str:
    start, fragment = _fragment_before(text, floor, at)
    if fragment.startswith(title):
        fragment = fragment[len(title) :].strip()
    return fragment if fragment and len(fragment.split()) <= limit else ""
