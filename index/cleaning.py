"""Turning extracted text into clean, continuous prose with a page map.

Extraction leaves artefacts that hurt both retrieval and reading: hard line wraps and hyphenation
from PDFs, banners repeated on every page, the chrome of web transcripts ("Storlek: px",
"Download …", teasers of related documents), markdown heading marks and page numbers written
into the text ("(3)", "Sida 3 av 6", "PROTOKOLL 3 (6)"). They are removed here; the page numbers
are kept as a map from character offsets to pages, the heading levels as a map of their own.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from index.corpus import RawDocument, Source

TRANSCRIPT_MARKERS = {"transkript", "transcript"}
DEBRIS_LINE = re.compile(
    r"^(storlek:\s*\d*\s*px|starta visningen från sidan:?|download\b.*|ladda ner\b.*|läs mer|"
    r"(sida\s+)?\d{1,4}(\s*(av|/)\s*\d{1,4})?|-\s*\d{1,4}\s*-|\(\d{1,4}\)|\d{1,4}\s*\(\d{1,4}\))$",
    re.IGNORECASE,
)
PAGE_COUNTER = re.compile(
    r"^(?P<prefix>[^\n]{0,80}?)[ \t]*(?:\b(?:sida|s\.)[ \t]*(?P<of>\d{1,3})[ \t]*(?:av|/)[ \t]*\d{1,3}|"
    r"(?<![\d-])(?P<counter>\d{1,3})[ \t]*\([ \t]*\d{1,3}[ \t]*\)|^\((?P<alone>\d{1,3})\))[ \t]*$",
    re.IGNORECASE,
)
"""A page marker, alone or ending a running banner: "(3)", "Sida 3 av 6", "PROTOKOLL 3 (6)"."""
MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
BULLET = re.compile(r"^\s*([•▪◦·*–-]|\d{1,2}[).]|[a-z][).])\s")
ITEM_LINE = re.compile(r"^(?:§[ \t]*\d{1,4}|\d{1,2}:[ \t]*[A-ZÅÄÖ]|(?:Punkt|Ärende)[ \t]+\d{1,3})")
"""An agenda item's first line ("§ 84", "2:Val av justerare", "Punkt 3"): never a wrapped line."""
LABEL_LINE = re.compile(r"^[A-ZÅÄÖ][\wåäöÅÄÖ -]{1,30}:\s")
SENTENCE_END = re.compile(r"[.!?:;\"”)\]]$")
JOIN_WORDS_AFTER_HYPHEN = {"och", "eller", "samt", "resp", "respektive", "till", "som"}
REMOVAL_WARNING = 0.5
"""A document that lost more than this share of its text in cleaning is reported: web chrome and
teasers cost the bundled transcripts under 30 %."""


@dataclass(frozen=True)
class CleanDocument:
    """A document's cleaned text; notes are slices of `text`."""

    name: str
    title: str
    text: str
    page_starts: tuple[tuple[int, int], ...] = ()
    """(offset, page) pairs in offset order: the page that begins at each offset."""
    source: Source = field(default_factory=Source)
    own_title: str = ""
    """The title as the document itself writes it (`title` may come from sources.toml)."""
    headings: tuple[tuple[int, int], ...] = ()
    """(offset, level) of every paragraph the source marks as a heading (markdown, Word styles)."""
    removed_share: float = 0.0
    """Share of the extracted text (ignoring white space) that cleaning removed: chrome, banners
    and page numbers are a few per cent; much more means a rule took text it should not have."""

    def heading_level(self, offset: int) -> int | None:
        return dict(self.headings).get(offset)

    def page_at(self, offset: int) -> int | None:
        offsets = [start for start, _ in self.page_starts]
        position = bisect.bisect_right(offsets, offset) - 1
        return self.page_starts[position][1] if position >= 0 else None


@dataclass
class _Block:
    """A paragraph under construction, remembering which page each of its parts came from."""

    parts: list[tuple[int | None, str]]
    level: int | None = None
    """The heading level when the paragraph is a marked heading."""

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.parts)

    def absorb(self, other: _Block) -> None:
        """Continue this paragraph with the next one, undoing a hyphenated word break."""
        mine, theirs = self.text, other.text
        first = other.parts[0]
        if _is_hyphen_break(mine, theirs):
            page, text = self.parts[-1]
            self.parts[-1] = (page, text[:-1])
            self.parts.append(first)
        else:
            self.parts.append((first[0], " " + first[1]))
        self.parts.extend(other.parts[1:])


class Cleaner:
    """Cleans one raw document; stateless, so one instance serves a whole corpus."""

    def clean(self, raw: RawDocument) -> CleanDocument:
        pages = [(page, _normalise(text)) for page, text in raw.pages]
        header_title: str | None = None
        if _is_transcript(pages):
            header_title, blocks = _transcript_blocks(pages)
        else:
            blocks = _paged_blocks(pages)
        blocks = _drop_banners(blocks)
        blocks = _merge_broken_paragraphs(blocks)
        text, page_starts, headings = _assemble(blocks)
        own_title = (
            header_title
            or _metadata_title(raw)
            or next((text[at:].split("\n", 1)[0] for at, _ in headings), None)
            or _first_line_title(text)
            or raw.name.rsplit(".", 1)[0]
        )
        extracted = sum(_visible(page_text) for _, page_text in raw.pages)
        removed = 1 - _visible(text) / extracted if extracted else 0.0
        return CleanDocument(
            raw.name, raw.source.title or own_title, text, tuple(page_starts), raw.source, own_title, tuple(headings),
            removed_share=max(0.0, removed),
        )


def _visible(text: str) -> int:
    return len("".join(text.split()))


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "").replace("\t", " ")
    return text.replace("\u00a0", " ").replace("\u200b", "")


def _is_transcript(pages: list[tuple[int | None, str]]) -> bool:
    head = [line.strip().lower() for line in pages[0][1].split("\n")[:30]]
    return any(line in TRANSCRIPT_MARKERS for line in head)


def _transcript_blocks(pages: list[tuple[int | None, str]]) -> tuple[str | None, list[_Block]]:
    """A web transcript: a header of page chrome, one paragraph per page starting with its number,
    then teasers of related documents, each ending in "Läs mer"."""
    lines = "\n".join(text for _, text in pages).split("\n")
    marker = next(i for i, line in enumerate(lines) if line.strip().lower() in TRANSCRIPT_MARKERS)
    header = [line.strip() for line in lines[:marker] if line.strip()]
    title = next((line for line in header if not DEBRIS_LINE.match(line)), None)
    paragraphs = [line.strip() for line in lines[marker + 1 :] if line.strip()]
    last_page = _last_page_paragraph(paragraphs)
    teasers = [i for i, paragraph in enumerate(paragraphs) if paragraph == "Läs mer" and i > last_page]
    if teasers:
        # Teasers follow the last page; the first is a title and an excerpt before its "Läs mer".
        paragraphs = paragraphs[: max(last_page + 1, teasers[0] - 2)]
    blocks: list[_Block] = []
    page = 0
    for paragraph in paragraphs:
        if DEBRIS_LINE.match(paragraph) and not paragraph.startswith(f"{page + 1}"):
            continue
        match = re.match(rf"^{page + 1}(?:\s+(.*))?$", paragraph, re.DOTALL)
        if match:
            page += 1
            content = re.sub(rf"\s+{page}$", "", match.group(1) or "").strip()
            if content and content != str(page):
                blocks.append(_Block([(page, _collapse(content))]))
        else:
            blocks.append(_Block([(page or None, _collapse(paragraph))]))
    return title, blocks


def _last_page_paragraph(paragraphs: list[str]) -> int:
    """Index of the paragraph that starts the transcript's last page (-1 when none does)."""
    page, last = 0, -1
    for i, paragraph in enumerate(paragraphs):
        if re.match(rf"^{page + 1}(?:\s|$)", paragraph):
            page, last = page + 1, i
    return last


def _paged_blocks(pages: list[tuple[int | None, str]]) -> list[_Block]:
    """Paragraphs of ordinary extracted text, with hard line wraps undone."""
    if len(pages) == 1 and pages[0][0] is None and "\f" in pages[0][1]:
        pages = [(number, text) for number, text in enumerate(pages[0][1].split("\f"), start=1)]
    elif len(pages) == 1 and pages[0][0] is None:
        pages = _pages_from_markers(pages[0][1]) or pages
    lengths = [len(line.strip()) for _, text in pages for line in text.split("\n") if len(line.strip()) >= 20]
    width = statistics.quantiles(lengths, n=10)[-1] if len(lengths) >= 10 else 0
    blocks: list[_Block] = []
    for page, text in pages:
        for paragraph in re.split(r"\n[ \t]*\n", text):
            lines = [_collapse(line) for line in paragraph.split("\n")]
            lines = [line for line in lines if line and not DEBRIS_LINE.match(line)]
            heading = MARKDOWN_HEADING.match(lines[0]) if lines else None
            if heading:
                blocks.append(_Block([(page, heading.group(2).strip(" *_"))], level=len(heading.group(1))))
                lines = lines[1:]
            if lines:
                blocks.append(_Block([(page, _unwrap(lines, width))]))
    return blocks


def _pages_from_markers(text: str) -> list[tuple[int | None, str]]:
    """Pages of a text that writes its page numbers ("(2)", "Sida 2 av 6", "PROTOKOLL 2 (6)").

    A marker before the first page's text heads its page; one after it closes its page. A marker
    with words before it counts only when those words repeat with another marker (a running banner)."""
    lines = text.split("\n")
    markers = [(i, match) for i, line in enumerate(lines) if (match := PAGE_COUNTER.match(line.strip()))]
    prefixes = Counter(_letters(match.group("prefix")) for _, match in markers)
    markers = [(i, m) for i, m in markers if prefixes[_letters(m.group("prefix"))] >= 2 or not m.group("prefix")]
    if not markers:
        return []
    first_content = next(
        (i for i, line in enumerate(lines) if len(line.strip()) >= 20 and not PAGE_COUNTER.match(line.strip())), 0
    )
    numbers = [int(m.group("of") or m.group("counter") or m.group("alone")) for _, m in markers]
    cuts = [-1] + [at for at, _ in markers] + [len(lines)]
    pieces = ["\n".join(lines[a + 1 : b]) for a, b in zip(cuts, cuts[1:], strict=False)]
    if markers[0][0] < first_content:  # markers head their pages
        owners: list[int | None] = [None, *numbers]
    else:  # markers close their pages
        owners = [*numbers, numbers[-1] + 1]
    return [(page, body) for page, body in zip(owners, pieces, strict=True) if body.strip()]


def _unwrap(lines: list[str], width: float) -> str:
    """Join lines that a fixed-width extraction broke, keep the breaks an author made."""
    out = lines[0]
    for previous, line in zip(lines, lines[1:], strict=False):
        wrapped = (
            width >= 40
            and len(previous) >= 0.7 * width
            and not BULLET.match(line)
            and not LABEL_LINE.match(line)
            and not ITEM_LINE.match(line)
            and not (re.search(r"[.!?]$", previous) and line[:1].isupper())
        )
        if wrapped and _is_hyphen_break(out, line):
            out = out[:-1] + line
        elif wrapped:
            out += " " + line
        else:
            out += "\n" + line
    return out


def _is_hyphen_break(before: str, after: str) -> bool:
    first_word = after.split(" ", 1)[0].lower()
    return (
        bool(re.search(r"[a-zåäö]-$", before))
        and after[:1].islower()
        and first_word.strip(",.") not in JOIN_WORDS_AFTER_HYPHEN
    )


def _collapse(line: str) -> str:
    return re.sub(r" {2,}", " ", line).strip()


def _drop_banners(blocks: list[_Block]) -> list[_Block]:
    """Remove running headers/footers: short capitalised lines repeated on three or more pages.

    Lines are compared by their letters only, so a banner set in bold or broken over two lines
    is still recognised. A banner that counts pages ("PROTOKOLL 2 (6)") is one on two pages."""
    counts = Counter(_letters(line) for block in blocks for line in block.text.split("\n"))
    banners = {
        key
        for key, count in counts.items()
        if count >= 3 and 0 < len(key) <= 80 and _mostly_upper(key)
    }
    counted = Counter(
        (_letters(match.group("prefix")), page)
        for block in blocks
        for page, text in block.parts
        for line in text.split("\n")
        if (match := PAGE_COUNTER.match(line.strip()))
    )
    repeated = Counter(prefix for prefix, _ in counted)
    banners |= {
        _letters(line)
        for block in blocks
        for line in block.text.split("\n")
        if (match := PAGE_COUNTER.match(line.strip())) and repeated[_letters(match.group("prefix"))] >= 2
    }
    if not banners:
        return blocks
    kept: list[_Block] = []
    for block in blocks:
        if _letters(block.text) in banners:
            continue
        if len(block.parts) == 1:
            page, text = block.parts[0]
            lines = [line for line in text.split("\n") if _letters(line) not in banners]
            block = _Block([(page, "\n".join(lines))], block.level)
        if block.text:
            kept.append(block)
    return kept


def _letters(line: str) -> str:
    return re.sub(r"[\W_]+", "", line)


def _mostly_upper(key: str) -> bool:
    letters = [c for c in key if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _merge_broken_paragraphs(blocks: list[_Block]) -> list[_Block]:
    """Rejoin a sentence that a page break (or a removed banner) cut in two."""
    merged: list[_Block] = []
    for block in blocks:
        if (
            merged
            and not SENTENCE_END.search(merged[-1].text)
            and block.text[:1].islower()
            and merged[-1].level is None
            and block.level is None
        ):
            merged[-1].absorb(block)
        else:
            merged.append(block)
    return merged


def _assemble(blocks: list[_Block]) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    pieces: list[str] = []
    page_starts: list[tuple[int, int]] = []
    headings: list[tuple[int, int]] = []
    offset = 0
    for number, block in enumerate(blocks):
        if number:
            pieces.append("\n\n")
            offset += 2
        if block.level is not None:
            headings.append((offset, block.level))
        for page, text in block.parts:
            if page is not None and (not page_starts or page_starts[-1][1] != page):
                page_starts.append((offset + (len(text) - len(text.lstrip())), page))
            pieces.append(text)
            offset += len(text)
    return "".join(pieces), page_starts, headings


def _metadata_title(raw: RawDocument) -> str | None:
    """The title a Word or PDF file's properties give, unless it is a tool's placeholder."""
    title = (raw.title or "").strip()
    stem = raw.name.rsplit(".", 1)[0]
    placeholder = re.search(r"\.(docx?|pdf|txt)$|^microsoft", title, re.IGNORECASE)
    if not title or placeholder or title.lower() in {stem.lower(), raw.name.lower()}:
        return None
    return title if re.search(r"[A-Za-zÅÄÖåäö]{3}", title) else None


def _first_line_title(text: str) -> str | None:
    """The first short line that reads as a heading: not a label, date, number or page furniture."""
    for line in text.split("\n")[:8]:
        line = line.strip()
        if not line or LABEL_LINE.match(line + " ") or PAGE_COUNTER.match(line) or "|" in line:
            continue
        if len(line) <= 120 and re.search(r"[A-Za-zÅÄÖåäö]{3}", line) and not re.search(r"[.,;:]$", line):
            return line
        break
    first = text.split("\n", 1)[0].strip()
    if not first:
        return None
    cut = first[:80].rsplit(" ", 1)[0] if len(first) > 80 else first
    return cut.rstrip(" ,.;:") + ("…" if len(first) > 80 else "")
