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

REPLACE_WORD = "ersätt"
"""The caption that allows an upload to replace a corpus file of the same name."""
NAME_LIMIT = 100


class UploadRefused(SamordnaError):
    """An upload that is not saved, with the reason the admin is told."""


@dataclass(frozen=True)
class PlannedUpload:
    """Where a checked upload will go."""

    name: str
    target: Path
    replaces: bool


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


def plan_upload(
    raw_name: str | None, size: int | None, corpus_dir: Path, max_bytes: int, replace: bool
) -> PlannedUpload:
    """Check what Telegram tells about the file before downloading it."""
    name = safe_file_name(raw_name)
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
        probe = Path(folder) / plan.name
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
