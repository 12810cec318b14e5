"""Errors the user can act on, each with a Swedish message that says what to do."""

from __future__ import annotations

import errno
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
    """A setting points at no corpus folder: restarting will not help, hence exit 2."""

    exit_code = 2

    def __init__(self, folder: Path, problem: str = "finns inte") -> None:
        super().__init__(
            f"Korpusmappen {folder} {problem}. Ange en mapp med SAMORDNA_CORPUS_DIR "
            "eller lägg dokumenten i seeds/."
        )


class CorpusUnreadable(SamordnaError):
    exit_code = 2

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(f"Korpusmappen {folder} kan inte läsas: {reason}.")


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


class IndexUnwritable(SamordnaError):
    """The index folder cannot take a new index; the previous one, if any, keeps serving."""

    def __init__(self, folder: Path, reason: str, exit_code: int = 1) -> None:
        super().__init__(
            f"Indexet kunde inte sparas i {folder}: {reason}. Det tidigare indexet (om det finns) används "
            "fortfarande. Ändra SAMORDNA_INDEX_DIR eller åtgärda mappen och kör `samordna index build` igen."
        )
        self.exit_code = exit_code

    @classmethod
    def because(cls, folder: Path, error: OSError) -> IndexUnwritable:
        """The error for an OSError met while writing an index into `folder`: what failed, where,
        and exit 2 where only the operator can help (permissions, read-only, not a folder)."""
        reason, code = _WRITE_FAILURES.get(error.errno or 0, ("ett fel i filsystemet", 1))
        where = f" ({error.filename})" if error.filename else ""
        detail = error.strerror or str(error) or type(error).__name__
        return cls(folder, f"{reason}{where} – {detail}", code)


_NO_PERMISSION = ("användaren som kör samordna saknar skrivbehörighet till mappen", 2)
_NOT_A_FOLDER = ("en del av sökvägen är en fil, inte en mapp", 2)
_WRITE_FAILURES = {
    errno.ENOSPC: ("disken är full", 1),
    errno.EDQUOT: ("diskkvoten är slut", 1),
    errno.EROFS: ("filsystemet är skrivskyddat", 2),
    errno.EACCES: _NO_PERMISSION,
    errno.EPERM: _NO_PERMISSION,
    errno.ENOTDIR: _NOT_A_FOLDER,
    errno.EEXIST: _NOT_A_FOLDER,
}


class BuildRunning(SamordnaError):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"En annan indexbyggnad pågår redan i {folder}. Vänta tills den är klar och försök sedan igen."
        )


class SettingsInvalid(SamordnaError):
    """A setting is missing or wrong; named, never echoed (one of them is the bot token)."""

    exit_code = 2
