"""Reading the corpus folder: which files there are, their raw text per page, and their sources.

A bad file never stops a build: it is skipped with a reason the user can act on.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import logging
import statistics
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import CorpusEmpty, CorpusMissing, CorpusUnreadable

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
SOURCES_FILE = "sources.toml"
TEXT_ENCODINGS = [
    "utf_8", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be",
    "cp1252", "latin_1", "iso8859_15", "cp850",
]
"""What a Swedish text file can plausibly be in: charset-normalizer picks among these only, so a
short cp1252 file is not taken for Big5."""
DETECTION_SAMPLE = 1 << 20
"""Bytes the encoding is detected from; the whole file is then decoded with it."""
DOCX_MEMBER_LIMIT = 64 * 1024 * 1024
DOCX_TOTAL_LIMIT = 256 * 1024 * 1024
"""Uncompressed bytes a .docx may hold per member and in all: python-docx reads every member into
memory, and a few kilobytes of compressed zeros can claim gigabytes."""


@dataclass(frozen=True)
class Source:
    """What `sources.toml` says about a document; every field is optional."""

    title: str | None = None
    organiser: str | None = None
    date: str | None = None
    url: str | None = None

    def facts(self) -> dict[str, str]:
        return {k: v for k, v in (("organiser", self.organiser), ("date", self.date), ("url", self.url)) if v}


@dataclass(frozen=True)
class RawDocument:
    """A file's text as extracted, page by page (`page` is None where the format has no pages)."""

    name: str
    pages: tuple[tuple[int | None, str], ...]
    source: Source = field(default_factory=Source)
    title: str | None = None
    """The title the file itself gives: Word core properties, PDF metadata or a PDF's first line
    set in larger type than the rest of its first page."""


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


class UnreadableFile(Exception):
    """Raised by a reader with the Swedish reason the file is skipped."""


class Corpus:
    """A folder of documents; `sources.toml` beside them may describe them."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def files(self) -> list[Path]:
        return self.scan()[0]

    def scan(self) -> tuple[list[Path], list[Skipped]]:
        """The documents this corpus may read, and those it must not, with why.

        Only regular files inside the folder are read: a symbolic link that leads out of it (to
        /etc/passwd, say) would quote that file to anyone allowed to ask."""
        self.check()
        try:
            root = self.folder.resolve()
            next(self.folder.iterdir(), None)  # rglob passes over a folder it may not read
        except OSError as error:
            raise CorpusUnreadable(self.folder, os_reason(error)) from error
        paths: list[Path] = []
        skipped: list[Skipped] = []
        for path in sorted(self.folder.rglob("*")):  # links to folders are not descended into
            hidden = any(part.startswith(".") for part in path.relative_to(self.folder).parts)
            if hidden or path.suffix.lower() not in SUPPORTED_SUFFIXES or (path.is_dir() and not path.is_symlink()):
                continue
            reason = _refusal(path, root)
            if reason:
                skipped.append(Skipped(self.name(path), reason))
            else:
                paths.append(path)
        return paths, skipped

    def check(self) -> None:
        """Raise CorpusMissing unless the corpus folder is a folder."""
        if not self.folder.exists():
            raise CorpusMissing(self.folder)
        if not self.folder.is_dir():
            raise CorpusMissing(self.folder, "är en fil, inte en mapp")

    def name(self, path: Path) -> str:
        """A document's name: its path inside the corpus folder, `/`-separated, so that a
        sub-folder (a scope, see index/scopes.py) travels with it: `gavleborg/protokoll.txt`."""
        return path.relative_to(self.folder).as_posix()

    def fingerprint(self) -> dict[str, str]:
        """SHA-256 of every readable supported file plus sources.toml: what a built index must
        match. A file that cannot be read is left out (the build skips it and says why)."""
        paths = self.files()
        sources = self.folder / SOURCES_FILE
        if sources.is_file() and not _refusal(sources, self.folder.resolve()):
            paths.append(sources)
        fingerprint: dict[str, str] = {}
        for path in paths:
            try:
                fingerprint[self.name(path)] = _sha256(path)
            except OSError:
                continue
        return fingerprint

    def sources(self) -> dict[str, Source]:
        path = self.folder / SOURCES_FILE
        if not path.is_file() or _refusal(path, self.folder.resolve()):
            return {}
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            log.warning("%s kunde inte läsas och används inte: %s", path, error)
            return {}
        known = set(Source.__dataclass_fields__)
        return {
            name: Source(**{k: str(v) for k, v in entry.items() if k in known})
            for name, entry in table.items()
            if isinstance(entry, dict)
        }

    def read(self) -> tuple[list[RawDocument], list[Skipped]]:
        """Every readable document, and the files skipped with why. Raises if nothing is readable."""
        sources = self.sources()
        documents: list[RawDocument] = []
        paths, skipped = self.scan()
        for path in paths:
            name = self.name(path)
            try:
                pages = read_pages(path)
            except UnreadableFile as error:
                skipped.append(Skipped(name, str(error)))
                continue
            documents.append(RawDocument(name, pages, sources.get(name, Source()), read_title(path)))
        for item in skipped:
            log.warning("Hoppar över %s: %s", item.name, item.reason)
        if not documents:
            raise CorpusEmpty(self.folder, skipped)
        return documents, skipped


def read_pages(path: Path) -> tuple[tuple[int | None, str], ...]:
    """Extract a file's text; raise UnreadableFile with a reason when there is none to be had."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            pages = _read_pdf(path)
        elif suffix == ".docx":
            pages = ((None, _read_docx(path)),)
        else:
            pages = ((None, decode_text(path.read_bytes())),)
    except UnreadableFile:
        raise
    except OSError as error:
        raise UnreadableFile(os_reason(error)) from error
    except Exception as error:  # a broken file of any kind: pypdf and python-docx raise many types
        raise UnreadableFile(f"kunde inte läsas, filen verkar trasig ({type(error).__name__}: {error})") from error
    if not any(text.strip() for _, text in pages):
        raise UnreadableFile("innehåller ingen text" + (" (inskannad PDF?)" if suffix == ".pdf" else ""))
    return pages


def read_title(path: Path) -> str | None:
    """The title a Word file's core properties or a PDF's metadata give, else a PDF's largest line."""
    try:
        if path.suffix.lower() == ".docx":
            import docx

            return docx.Document(str(path)).core_properties.title or None
        if path.suffix.lower() == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(path)
            metadata = reader.metadata
            return (metadata.title if metadata else None) or (_largest_line(reader) if reader.pages else None)
    except Exception:  # the text was readable; a broken properties part only costs the title
        log.debug("no title in the properties of %s", path.name, exc_info=True)
    return None


def _largest_line(reader: PdfReader) -> str | None:
    """The first run of text on the first page set clearly larger than the page's usual type."""
    pieces: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            pieces.append((round(size * abs(tm[3] or tm[0]) * abs(cm[3] or cm[0]), 1), " ".join(text.split())))

    reader.pages[0].extract_text(visitor_text=visit)
    if not pieces:
        return None
    largest = max(size for size, _ in pieces)
    if largest < 1.2 * statistics.median(size for size, _ in pieces):
        return None
    first = next(i for i, (size, _) in enumerate(pieces) if size == largest)
    run = [text for size, text in itertools.takewhile(lambda piece: piece[0] == largest, pieces[first:])]
    return " ".join(run)[:200] or None


def decode_text(data: bytes) -> str:
    """The text in whatever encoding it was saved in (UTF-8, UTF-16/32, or a Windows/Mac code
    page), detected by charset-normalizer; data that is no text in any of them is refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text[:8192]:
            raise UnreadableFile("ser ut att vara en binärfil, inte text")
        return text
    import charset_normalizer

    match = charset_normalizer.from_bytes(data[:DETECTION_SAMPLE], cp_isolation=TEXT_ENCODINGS).best()
    if match is None:
        raise UnreadableFile("ser ut att vara en binärfil, inte text")
    return data.decode(match.encoding, errors="replace").removeprefix("\ufeff")


def os_reason(error: OSError) -> str:
    """Why a file or folder could not be read, in Swedish, with the system's words after."""
    reasons = {
        errno.EACCES: "saknar läsbehörighet för den användare som kör samordna",
        errno.EPERM: "saknar läsbehörighet för den användare som kör samordna",
        errno.ENOENT: "försvann medan den lästes",
        errno.EISDIR: "är en mapp, inte en fil",
        errno.ELOOP: "är en symbolisk länk i en slinga",
        errno.EIO: "kunde inte läsas från disken (in/ut-fel)",
    }
    reason = reasons.get(error.errno or 0, "kunde inte läsas")
    return f"{reason} ({error.strerror or type(error).__name__})"


def _refusal(path: Path, root: Path) -> str | None:
    """Why `path` must not be read as a corpus document, or None when it may."""
    try:
        target = path.resolve(strict=True)
    except OSError as error:
        return "är en trasig symbolisk länk" if path.is_symlink() else os_reason(error)
    if not target.is_relative_to(root):
        return "är en symbolisk länk som leder ut ur korpusmappen och läses inte"
    if not target.is_file():
        return "är ingen vanlig fil"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_pdf(path: Path) -> tuple[tuple[int | None, str], ...]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return tuple((number, page.extract_text() or "") for number, page in enumerate(reader.pages, start=1))


def _read_docx(path: Path) -> str:
    """Paragraphs and tables in document order: headings marked as in markdown so their levels
    survive, consecutive list items and a table's rows kept together as one block each."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_unpacked_size(path)
    document = docx.Document(str(path))
    blocks: list[str] = []
    listing = False
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [" | ".join(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip())) for row in item.rows]
            blocks.append("\n".join(row for row in rows if row))
            listing = False
            continue
        if not isinstance(item, Paragraph) or not item.text.strip():
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = style.removeprefix("Heading ").strip()
        if style.startswith("Heading ") and level.isdigit():
            blocks.append("#" * int(level) + " " + item.text.strip())
            listing = False
        elif style.startswith("List"):
            if listing:
                blocks[-1] += "\n- " + item.text.strip()
            else:
                blocks.append("- " + item.text.strip())
            listing = True
        else:
            blocks.append(item.text)
            listing = False
    return "\n\n".join(block for block in blocks if block.strip())


def _check_unpacked_size(path: Path) -> None:
    """Refuse a .docx whose members unpack to more than the limits. zipfile never inflates a
    member past the size its directory declares, so checking the declared sizes bounds memory."""
    with zipfile.ZipFile(path) as archive:
        sizes = [member.file_size for member in archive.infolist()]
    if max(sizes, default=0) > DOCX_MEMBER_LIMIT or sum(sizes) > DOCX_TOTAL_LIMIT:
        raise UnreadableFile(
            f"packas upp till {sum(sizes) / 1_048_576:.0f} MB, mer än gränsen på "
            f"{DOCX_TOTAL_LIMIT // 1_048_576} MB (en del filer högst {DOCX_MEMBER_LIMIT // 1_048_576} MB)"
        )
