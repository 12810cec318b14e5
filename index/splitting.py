"""Cutting a cleaned document into notes along its own structure.

Meeting documentation comes in a few recurring shapes, recognised by patterns rather than by
content: numbered dialogue tables ("Bord 8" with a title and "Samtalsledare:"), open-space groups
(a question, "Frågeställare:", "Deltagare:"), agenda items of protocols and minutes ("§ 84", "1.",
"Punkt 3") with their attendance and signature blocks, municipalities' parts of a compilation
("Knivsta: …"), and everything else, which falls back to headings and paragraphs with a size cap
and overlap. Every note carries the meeting's facts (organiser, place, date) and the roles stated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index import places
from index.cleaning import CleanDocument
from index.labels import ASKER_LABEL, LEADER_LABEL
from index.meeting import meeting_facts
from index.notes import Note, Role
from index.roles import ROLE_WORDS, people, roles_in, settled
from index.sentences import sentence_spans, trim_span

TABLE_HEADING = re.compile(
    r"^(?P<head>(?:Dialogbord|Bord|Bordet|Grupp|Gruppen|Workshop|Station|Pass|Rum|Samtal)\s+"
    r"(?:\d{1,3}|[A-Z]))\b[.:]?[ \t]*(?P<rest>[^\n]{0,100})$",
    re.MULTILINE,
)
PARTICIPANTS_LABEL = re.compile(r"Deltagare\s*:")
QUESTION_WORD = re.compile(r"\b(?:Hur|Vad|Vilka|Vilken|Vilket|Varför|När|Vem|Vart|Kan|Ska|Bör)\b")
ITEM = re.compile(
    r"^[ \t]*(?P<head>§[ \t]*(?P<paragraph>\d{1,4})|(?:Punkt|Ärende|Paragraf)[ \t]+(?P<point>\d{1,3})|"
    r"(?P<number>\d{1,2})(?:[.:)][ \t]*|[ \t]+)(?=[A-ZÅÄÖ]))[.:]?[ \t]*(?P<title>[^\n]*)$",
    re.MULTILINE,
)
"""An agenda item's start: "§ 84 Mötets öppnande", "1:Mötet öppnas", "2. Val av justerare", "Punkt 3"."""
ATTENDANCE = re.compile(
    r"^[ \t]*(?:Närvarande|Beslutande|Ledamöter|Ordinarie ledamöter|Ersättare|Tjänstgörande ersättare|"
    r"Övriga deltagande|Övriga närvarande|Frånvarande|Förhinder|Anmält förhinder|Inbjudna|"
    r"Deltagare)\b[^\n:]{0,30}(?::|$)",
    re.MULTILINE | re.IGNORECASE,
)
SIGNATURE = re.compile(
    r"^[ \t]*(?:(?:Vid protokollet|Justeras|Justerat|Justerandes signatur|Underskrifter|Ordförande|Sekreterare|"
    r"Justerare|Protokollsjustering)[ \t]*:?[ \t]*$|(?:Vid protokollet|Justeras|Justerat)[ \t]*:|"
    r"(?:Anslag|Bevis|Protokollet justeras)\b[^\n]{0,80}$)",
    re.MULTILINE | re.IGNORECASE,
)
MEETING_ROLES = {
    "ordförande", "vice ordförande", "sekreterare", "justerare", "moderator", "processledare", "antecknare",
}
"""Roles that belong to the whole meeting, so to every one of its notes."""
ABSENT = re.compile(r"^[ \t]*(?:Frånvarande|Förhinder|Anmält förhinder)", re.IGNORECASE)
MIN_ITEM_CHARS = 80
# A name list item: one to four capitalised words ("Anne-Marie Wolf Bergstrand", "Tarja N.").
NAME = r"[A-ZÅÄÖ][\wåäöÅÄÖ.-]*(?: [A-ZÅÄÖ][\wåäöÅÄÖ.-]*){0,3}"


@dataclass(frozen=True)
class Segment:
    """A stretch of the document that becomes one note (or several, when it is too long)."""

    start: int
    end: int
    section: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
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
            _table_segments(text)
            or _group_segments(text)
            or _item_segments(text, doc.own_title)
            or _municipality_segments(text, doc.own_title)
        )
        if segments:
            preamble = text[: segments[0].start]
            if len(preamble.split()) >= 30:  # more than a title and a heading
                segments = self._paragraph_segments(doc, 0, len(preamble), ()) + segments
        else:
            segments = self._paragraph_segments(doc, 0, len(text), ())
        facts = {**meeting_facts(text), **doc.source.facts()}
        notes = []
        for segment in segments:
            for start, end in self._windows(text, segment.start, segment.end):
                notes.append(self._note(doc, segment, start, end, facts))
        return [note for note in notes if _worth_a_note(note, doc.title)]

    def _note(self, doc: CleanDocument, segment: Segment, start: int, end: int, facts: dict[str, str]) -> Note:
        body = doc.text[start:end]
        mentioned = places.mentions(body)
        municipalities = (segment.municipality,) if segment.municipality else ()
        municipalities += tuple(name for name in mentioned if name != segment.municipality)
        return Note(
            text=body,
            doc=doc.name,
            title=doc.title,
            section=segment.section,
            roles=segment.roles,
            participants=segment.participants,
            municipalities=municipalities,
            page=doc.page_at(start),
            start=start,
            end=end,
            extra=dict(facts),
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

    def _paragraph_segments(self, doc: CleanDocument, start: int, end: int, section: tuple[str, ...]) -> list[Segment]:
        """Fallback: headings open sections; paragraphs are packed into notes up to the cap."""
        text = doc.text
        segments: list[Segment] = []
        headings: list[tuple[int, str]] = []  # (level, heading) path
        chunk_start: int | None = None
        chunk_end = start
        paragraphs = [
            (start + m.start(), start + m.end(), m.group().strip())
            for m in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text[start:end])
        ]
        for index, (p_start, p_end, paragraph) in enumerate(paragraphs):
            marked = doc.heading_level(p_start)
            heading = (marked, paragraph) if marked else _heading(paragraph)
            following = paragraphs[index + 1][2] if index + 1 < len(paragraphs) else None
            if heading and not marked and (following is None or _heading(following)):
                heading = None  # a short line heading nothing (a list item, a closing line) is text
            too_big = chunk_start is not None and p_end - chunk_start > self.max_chars
            if (heading or too_big) and chunk_start is not None:
                path = section + tuple(h for _, h in headings)
                segments.append(Segment(chunk_start, chunk_end, path, roles_in(text[chunk_start:chunk_end])))
                chunk_start = None
            if heading:
                level, title = heading
                headings = [h for h in headings if h[0] < level] + [heading]
            if chunk_start is None:
                chunk_start = p_start
            chunk_end = p_end
        if chunk_start is not None:
            path = section + tuple(h for _, h in headings)
            segments.append(Segment(chunk_start, chunk_end, path, roles_in(text[chunk_start:chunk_end])))
        return segments


def _heading(paragraph: str) -> tuple[int, str] | None:
    """A short line standing alone without closing punctuation, and not a person's name."""
    if "\n" in paragraph or len(paragraph) > 80 or not paragraph[:1].isupper():
        return None
    if re.search(r"[.!?:;,]$", paragraph) or re.match(r"^[\w ]{1,30}:\s", paragraph):
        return None
    if paragraph.split()[-1].lower() in places.PREPOSITIONS | {"och", "att", "som", "eller"}:
        return None
    if _reads_as_sentence(paragraph):
        return None
    return 1, paragraph.strip("*_ ")


def _reads_as_sentence(line: str) -> bool:
    """A person's name alone, or a sentence with a finite verb ("X och Y hade anmält förhinder"),
    is not a heading; headings are noun phrases."""
    if people(line) == (line.strip(),) and len(line.split()) in (2, 3) and not places.mentions(line):
        return True
    return bool(re.search(r"\b(?:hade|har|var|är|blev|kommer|ska|skall|kan|vill)\s+\w+", line))


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
        roles = tuple(role for label in LEADER_LABEL.finditer(body) for role in _label_roles(label))
        segments.append(Segment(anchor.start(), end, section, roles=roles))
    return segments


def _label_roles(label: re.Match[str]) -> tuple[Role, ...]:
    """The persons a leader label names, with the label's role; the whole value when it names
    no person ("Samtalsledare: Region X")."""
    role = ROLE_WORDS.get(label.group("label").lower(), label.group("label").lower())
    value = label.group("value")
    return tuple(Role(role, name) for name in people(value) or (value.strip(),))


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
        roles = tuple(Role("frågeställare", name) for name in leaders)
        segments.append(Segment(start, end, (question,) if question else (), roles, participants))
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


# --- protocols and minutes -------------------------------------------------------------------


def _item_segments(text: str, title: str) -> list[Segment]:
    """One segment per agenda item, one for the attendance block (its people as participants),
    one for the signature block; the chair, secretary and checkers go on every item."""
    anchors = _item_anchors(text)
    if not anchors:
        return []
    first = anchors[0].start()
    signature = SIGNATURE.search(text, anchors[-1].end())
    tail = signature.start() if signature else len(text)
    lists = [m.start() for m in ATTENDANCE.finditer(text) if not _inside_item_body(m.start(), anchors)]
    items: list[Segment] = []
    for anchor, following in zip(anchors, [*anchors[1:], None], strict=False):
        end = following.start() if following else tail
        end = min([end, *(at for at in lists if anchor.end() < at < end)])
        items.append(Segment(anchor.start(), end, (_item_heading(anchor),)))
    items = _merge_short_items(text, items)
    header_end = min([first, *lists])
    attendance = _merge_adjacent(
        [Segment(at, _list_end(text, at, anchors, lists, tail), ("Närvaro",)) for at in lists]
    )
    extra: list[Segment] = []
    header_words = len(re.findall(r"\w+", text[:header_end].replace(title, "", 1)))
    if attendance and attendance[0].start == header_end and header_words < 40:
        attendance[0] = replace(attendance[0], start=0)  # a short header belongs with who attended
    elif header_words >= 4:
        extra.append(Segment(0, header_end, ()))
    if signature:
        extra.append(Segment(signature.start(), len(text), ("Justering och underskrifter",)))
    meeting = tuple(
        role
        for part in (text[:header_end], *(text[a.start : a.end] for a in attendance), text[tail:])
        for role in roles_in(part)
        if role.role in MEETING_ROLES
    )
    segments = sorted([*extra, *attendance, *items], key=lambda segment: segment.start)
    return [
        replace(
            segment,
            roles=settled((*roles_in(text[segment.start : segment.end]), *meeting)),
            participants=_attendees(text[segment.start : segment.end]) if segment in attendance else (),
        )
        for segment in segments
    ]


def _item_anchors(text: str) -> list[re.Match[str]]:
    """The longest run of item starts of one kind numbered in order (steps of one or two), so a
    numbered list inside an item or a date is not taken for the agenda. Empty when under three."""
    by_kind: dict[str, list[tuple[int, re.Match[str]]]] = {}
    for match in ITEM.finditer(text):
        kind = next(k for k in ("paragraph", "point", "number") if match.group(k))
        if kind == "number" and not match.group("title").strip():
            continue
        by_kind.setdefault(kind, []).append((int(match.group(kind)), match))
    best: list[re.Match[str]] = []
    for candidates in by_kind.values():
        chains: list[list[tuple[int, re.Match[str]]]] = []
        for number, match in candidates:
            longest = max((chain for chain in chains if 1 <= number - chain[-1][0] <= 2), key=len, default=[])
            chains.append([*longest, (number, match)])
        run = [match for _, match in max(chains, key=len, default=[])]
        if len(run) > len(best):
            best = run
    if len(best) < 3 or sum(_has_body(text, a, b) for a, b in zip(best, best[1:], strict=False)) < len(best) // 2:
        return []
    return best


def _has_body(text: str, anchor: re.Match[str], following: re.Match[str]) -> bool:
    """Whether an item has text of its own (a numbered list's items follow each other line by line)."""
    return bool(anchor.group("title").strip()) and (
        len(anchor.group("title")) > 60 or bool(text[anchor.end() : following.start()].strip())
    )


def _inside_item_body(at: int, anchors: list[re.Match[str]]) -> bool:
    """An attendance label after the first item opens a block only in a header or closing part,
    not as a word heading a paragraph inside an item ("Deltagare: …" of a workshop item)."""
    return anchors[0].start() < at < anchors[-1].start()


def _item_heading(anchor: re.Match[str]) -> str:
    """"§ 84 Mötets öppnande"; an item whose text runs on its first line is named by its first words."""
    line = anchor.group().strip()
    title_at = anchor.start("title") - anchor.start() - (len(anchor.group()) - len(anchor.group().lstrip()))
    first_sentence = re.split(r"(?<=[.!?])\s", line[title_at:], maxsplit=1)[0]
    heading = line[:title_at] + first_sentence
    return heading[:70].rsplit(" ", 1)[0] + " …" if len(heading) > 70 else heading


def _merge_short_items(text: str, items: list[Segment]) -> list[Segment]:
    """An item with hardly any text of its own joins the next one (the last joins the previous)."""
    merged: list[Segment] = []
    pending: Segment | None = None
    for item in items:
        if pending is not None:
            item = replace(item, start=pending.start, section=("; ".join((*pending.section, *item.section)),))
            pending = None
        if len(text[item.start : item.end].strip()) < MIN_ITEM_CHARS:
            pending = item
        else:
            merged.append(item)
    if pending is not None:
        if merged:
            last = merged[-1]
            merged[-1] = replace(last, end=pending.end, section=("; ".join((*last.section, *pending.section)),))
        else:
            merged.append(pending)
    return merged


def _list_end(text: str, at: int, anchors: list[re.Match[str]], lists: list[int], tail: int) -> int:
    """An attendance list runs to the next item, list or the signature block."""
    following = [a.start() for a in anchors if a.start() > at] + [tail if tail > at else len(text)]
    following += [other for other in lists if other > at]
    return min(following)


def _merge_adjacent(segments: list[Segment]) -> list[Segment]:
    """Consecutive attendance lists (Beslutande, Ersättare, Övriga) are one block."""
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].end >= segment.start:
            merged[-1] = replace(merged[-1], end=max(merged[-1].end, segment.end))
        else:
            merged.append(segment)
    return merged


def _attendees(block: str) -> tuple[str, ...]:
    """Everyone an attendance block names as present, one per line or listed after a label;
    those listed as absent are left out."""
    names: list[str] = []
    listing = absent = False  # the header lines before the first list name no attendees
    for line in block.split("\n"):
        label = ATTENDANCE.match(line)
        if label:
            listing, absent = True, bool(ABSENT.match(line))
            line = line[label.end() :]
        if listing and not absent:
            names.extend(people(line))
    return tuple(dict.fromkeys(names))
