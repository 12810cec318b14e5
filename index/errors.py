"""Errors the user can act on, each with a Swedish message that says what to do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


class SamordnaError(Exception):
    """Base of every error shown to users as `message`; the CLI exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CorpusMissing(SamordnaError):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"Korpusmappen {folder} finns inte. Ange en mapp med SAMORDNA_CORPUS_DIR "
            "eller lägg dokumenten i seeds/."
        )


class CorpusEmpty(SamordnaError):
    def __init__(self, folder: Path, skipped: Sequence[Any] = ()) -> None:
        detail = "".join(f"\n  – {item.name}: {item.reason}" for item in skipped)
        super().__init__(
            f"Korpusmappen {folder} innehåller inga läsbara dokument (.txt, .md, .pdf, .docx).{detail}"
        )


class IndexMissing(SamordnaError):
    def __init__(self, folder: Path) -> None:
        super().__init__(f"Det finns inget index i {folder}. Kör `samordna index build`.")


class IndexOutdated(SamordnaError):
    """The stored index was made by another embedder, format or corpus than the current ones."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Indexet är inaktuellt: {reason}. Kör `samordna index build`.")


class IndexBroken(SamordnaError):
    def __init__(self, folder: Path, detail: str) -> None:
        super().__init__(f"Indexet i {folder} är trasigt ({detail}). Kör `samordna index build`.")


class EmptyQuestion(SamordnaError):
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("Frågan är tom. Skriv vad du vill veta, t.ex. \"vad sades om SIP?\".")


class EmbedderUnavailable(SamordnaError):
    def __init__(self, model: str, detail: str) -> None:
        super().__init__(f"Inbäddningsmodellen {model!r} kunde inte laddas: {detail}")
