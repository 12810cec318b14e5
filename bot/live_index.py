"""The index the bot answers from, rebuilt in the background and swapped in whole.

Questions run in worker threads against whichever retriever was current when they started; a
rebuild loads the new index completely before it replaces the reference, so no question ever
sees half of one index and half of another. A failed rebuild leaves the old retriever in place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from index.answer import Answer
from index.build import BuildReport, Progress, build_index
from index.build_lock import build_running
from index.errors import IndexBroken, IndexMissing, IndexOutdated, SamordnaError
from index.notes import Note
from index.retrieval import Retriever
from index.scopes import Scope, folder_key, folder_of
from index.settings import Settings
from index.store import Manifest

log = logging.getLogger(__name__)

Builder = Callable[[Settings, Progress | None], BuildReport]


class RebuildRunning(SamordnaError):
    def __init__(self) -> None:
        super().__init__("En omindexering pågår redan. Vänta tills den är klar och försök sedan igen.")


class CorpusChange(Protocol):
    """A change to the corpus folder that belongs to one rebuild: undone if the rebuild fails."""

    def apply(self) -> None: ...

    def undo(self) -> None: ...


class LiveIndex:
    def __init__(self, settings: Settings, retriever: Retriever, builder: Builder = build_index) -> None:
        self.settings = settings
        self._retriever = retriever
        self._builder = builder
        self._rebuild_lock = asyncio.Lock()

    @classmethod
    def open(cls, settings: Settings, builder: Builder = build_index) -> LiveIndex:
        """Load the current index; build it first when there is none or it no longer matches the
        corpus (e.g. a document was added while the bot was down)."""
        try:
            retriever = Retriever.open(settings)
        except (IndexMissing, IndexOutdated, IndexBroken) as problem:
            log.warning("%s Bygger indexet innan boten startar …", problem.message)
            report = builder(settings, None)
            log.info("Indexet är byggt: %d anteckningar från %d filer.", report.notes, report.files)
            retriever = Retriever.open(settings)
        return cls(settings, retriever, builder)

    @property
    def retriever(self) -> Retriever:
        return self._retriever

    @property
    def manifest(self) -> Manifest:
        return self._retriever.manifest

    @property
    def rebuilding(self) -> bool:
        """Whether a rebuild runs here, or a build of the same index folder in another process."""
        return self._rebuild_lock.locked() or build_running(self.settings.index_dir)

    async def ask(self, question: str, top_k: int, offset: int = 0, scope: Scope | None = None) -> Answer:
        """Answer in a worker thread, so a slow question never holds up the others."""
        retriever = self._retriever
        return await asyncio.to_thread(retriever.ask, question, top_k, offset, scope=scope)

    def note(self, note_id: str, scope: Scope | None = None) -> Note | None:
        return self._retriever.note(note_id, scope)

    def documents_in_folder(self, folder: str) -> int:
        """How many indexed documents lie in this top-level folder (a scope)."""
        return sum(
            1 for doc in self.manifest.documents if (name := folder_of(doc.doc)) and folder_key(name) == folder
        )

    async def rebuild(self, progress: Progress | None = None, change: CorpusChange | None = None) -> BuildReport:
        """Rebuild from the corpus (after applying `change`) and swap the new index in.

        Raises RebuildRunning when another rebuild is under way, and the build's SamordnaError
        when it fails; then `change` is undone and the old index keeps answering."""
        if self.rebuilding:
            raise RebuildRunning()
        async with self._rebuild_lock:
            report, retriever = await asyncio.to_thread(self._build, progress, change)
            self._retriever = retriever
            log.info("Nytt index i bruk: %d anteckningar från %d filer.", report.notes, report.files)
            return report

    def _build(self, progress: Progress | None, change: CorpusChange | None) -> tuple[BuildReport, Retriever]:
        if change is not None:
            change.apply()
        try:
            report = self._builder(self.settings, progress)
            retriever = Retriever.open(self.settings, embedder=self._retriever.embedder)
        except BaseException:
            if change is not None:
                change.undo()
            raise
        return report, retriever
