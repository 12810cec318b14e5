"""Documents an admin sends to the bot: checked before anything is written, then saved into the
corpus folder as part of the rebuild that indexes them (and taken out again if that fails)."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from index.corpus import SUPPORTED_SUFFIXES, UnreadableFile, read_pages
from index.errors import SamordnaError
from index.scopes import Scope, ScopeError, folder_key

REPLACE_WORD = "ersätt"
"""The caption that allows an upload to replace a corpus file of the same name."""
NAME_LIMIT = 100


class UploadRefused(SamordnaError):
    """An upload that is not saved, with the reason the admin is told."""


@dataclass(frozen=True)
class PlannedUpload:
    """Where a checked upload will go."""

    name: str
    """The document's name in the corpus: its path inside the folder (`uppsala/protokoll.pdf`)."""
    target: Path
    replaces: bool


@dataclass(frozen=True)
class UploadCaption:
    """What an admin may write as the caption of an upload: `ersätt` and/or a folder name."""

    replace: bool = False
    folder: str | None = None

    @classmethod
    def parse(cls, caption: str) -> UploadCaption:
        words = [word.strip(".!\"”'") for word in caption.split()]
        replace = any(word.lower() == REPLACE_WORD for word in words)
        rest = " ".join(word for word in words if word and word.lower() != REPLACE_WORD).strip("/ ")
        return cls(replace, rest or None)


def upload_folder(corpus_dir: Path, named: str | None, chat_scope: Scope | None, known: set[str]) -> str | None:
    """The corpus sub-folder an upload goes into: the one the caption names, else the chat's own
    scope; None is the corpus folder itself. A folder must exist or be named in the settings, so a
    typo in a caption never starts a scope nobody sees."""
    existing = {folder_key(name): name for name in _folders(corpus_dir)}
    if named is None:
        if chat_scope is None:
            return None
        if len(chat_scope.folders) > 1:
            raise UploadRefused(
                f"Den här chatten ser flera mappar ({', '.join(sorted(chat_scope.folders))}). Skicka filen igen "
                "med mappens namn som bildtext."
            )
        (folder,) = chat_scope.folders
        return existing.get(folder, folder)
    try:
        scope = Scope.parse(named)
    except ScopeError:
        scope = None
    if scope is None or len(scope.folders) != 1:
        raise UploadRefused(
            f"Bildtexten ”{named}” är inget mappnamn. Skriv bara mappens namn (t.ex. gavleborg), "
            f"eventuellt med ”{REPLACE_WORD}”."
        )
    (folder,) = scope.folders
    if folder not in existing and folder not in known:
        folders = ", ".join(sorted(existing.values())) or "inga"
        raise UploadRefused(f"Mappen ”{named}” finns inte i korpusen (mappar: {folders}).")
    return existing.get(folder, folder)


def safe_file_name(raw: str | None) -> str:
    """The file's own name (no folders), reduced to letters, digits and plain punctuation; the
    type must be one the corpus reads."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}"
    if not dot or suffix not in SUPPORTED_SUFFIXES:
        raise UploadRefused(
            f"Jag kan bara ta emot {', '.join(SUPPORTED_SUFFIXES)}-filer. Spara dokumentet i något av de formaten."
        )
    stem = re.sub(r"[^\w .,()&+-]+", "_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._-")[:NAME_LIMIT].strip()
    if not stem:
        raise UploadRefused("Filnamnet saknar bokstäver eller siffror. Döp om filen och skicka den igen.")
    return stem + suffix


def _folders(corpus_dir: Path) -> list[str]:
    if not corpus_dir.is_dir():
        return []
    return [path.name for path in corpus_dir.iterdir() if path.is_dir() and not path.name.startswith(".")]


def plan_upload(
    raw_name: str | None, size: int | None, corpus_dir: Path, max_bytes: int, replace: bool,
    folder: str | None = None,
) -> PlannedUpload:
    """Check what Telegram tells about the file before downloading it; it goes into `folder` of
    the corpus when given."""
    name = safe_file_name(raw_name) if folder is None else f"{folder}/{safe_file_name(raw_name)}"
    if size is not None and size > max_bytes:
        raise UploadRefused(
            f"Filen är {size / 1_048_576:.1f} MB; gränsen är {max_bytes / 1_048_576:.0f} MB."
        )
    if not corpus_dir.is_dir():
        raise UploadRefused(f"Korpusmappen {corpus_dir} finns inte, så filen kan inte sparas.")
    target = corpus_dir / name
    if target.exists() and not replace:
        raise UploadRefused(
            f"Det finns redan en fil som heter {name} i korpusen. Skicka filen igen med bildtexten "
            f"”{REPLACE_WORD}” om den ska ersätta den gamla."
        )
    return PlannedUpload(name=name, target=target, replaces=target.exists())


class SavedUpload:
    """The checked bytes of an upload; `apply` writes them into the corpus, `undo` restores it."""

    def __init__(self, plan: PlannedUpload, data: bytes) -> None:
        self.plan = plan
        self.data = data
        self._previous: bytes | None = None

    def apply(self) -> None:
        target = self.plan.target
        self._previous = target.read_bytes() if target.exists() else None
        target.parent.mkdir(exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(self.data)
        os.replace(partial, target)

    def undo(self) -> None:
        target = self.plan.target
        if self._previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(self._previous)


def check_content(plan: PlannedUpload, data: bytes, max_bytes: int) -> SavedUpload:
    """Check the downloaded bytes: size, that they are what the name says, and that the corpus
    reader gets text out of them. Blocking (PDF parsing): run it in a thread."""
    if len(data) > max_bytes:
        raise UploadRefused(f"Filen är större än gränsen på {max_bytes / 1_048_576:.0f} MB.")
    if plan.target.exists() and plan.target.read_bytes() == data:
        raise UploadRefused(f"{plan.name} finns redan i korpusen med exakt samma innehåll – inget att göra.")
    suffix = plan.target.suffix
    if suffix == ".pdf" and b"%PDF-" not in data[:1024]:
        raise UploadRefused(f"{plan.name} heter .pdf men är ingen PDF-fil.")
    if suffix == ".docx" and not _is_docx(data):
        raise UploadRefused(f"{plan.name} heter .docx men är inget Word-dokument (.docx).")
    with tempfile.TemporaryDirectory(prefix="samordna-upload-") as folder:
        probe = Path(folder) / plan.target.name
        probe.write_bytes(data)
        try:
            read_pages(probe)
        except UnreadableFile as error:
            raise UploadRefused(f"{plan.name} kan inte indexeras: {error}.") from error
    return SavedUpload(plan, data)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False
