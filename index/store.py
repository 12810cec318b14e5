"""The index on disk: notes, vectors, FAISS and BM25 indexes and a manifest, swapped in atomically.

Layout of `SAMORDNA_INDEX_DIR`: each build writes a fresh `build-*` folder, then a symlink
`current` is atomically replaced to point at it. A build that fails or is interrupted never
touches `current`, so the previous index keeps serving; old build folders are removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import TypeAdapter, ValidationError

from index import dense
from index.calibration import Calibration
from index.errors import IndexBroken, IndexMissing, IndexOutdated, IndexUnwritable
from index.general_swedish import GeneralSwedish
from index.lexical import LexicalIndex
from index.notes import Note
from index.sentence_index import SentenceIndex
from index.settings import Settings

FORMAT_VERSION = 4
CURRENT = "current"
MANIFEST = "manifest.json"
NOTES = "notes.jsonl"
VECTORS = "vectors.npy"
VECTOR_KEYS = "vector_keys.json"
DENSE = "dense.faiss"
LEXICAL = "lexical"


@dataclass(frozen=True)
class DocumentInfo:
    doc: str
    title: str
    notes: int
    organiser: str | None = None
    date: str | None = None
    url: str | None = None
    copy_of: str | None = None
    """Set when the document repeats another one and is answered from that one."""
    place: str | None = None
    roles: list[dict[str, str]] = field(default_factory=list)
    """Everyone the document names in a role: [{"role": "ordförande", "name": "…"}]."""
    removed_share: float = 0.0
    """Share of the document's extracted text that cleaning removed."""


@dataclass(frozen=True)
class Manifest:
    format: int
    embedder: str
    embedding_model: str
    query_prefix: str | None
    passage_prefix: str | None
    dim: int
    corpus: dict[str, str]
    """File name → SHA-256 of the corpus the index was built from."""
    note_count: int
    built_at: str
    dense_index: Literal["exact", "ivf"]
    sentence_index: Literal["exact", "ivf"]
    """How each search is done: "exact", or approximate ("ivf")."""
    documents: list[DocumentInfo] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    calibration: Calibration = field(default_factory=lambda: Calibration(related_floor=0.0, meaning_answers=1.0))
    """Where "close in meaning" begins for this corpus (see `index.calibration`)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """The manifest, checked field by field: raises ValidationError for anything else."""
        return _MANIFEST.validate_json(text)

    def other_format(self) -> str | None:
        """Why this version cannot read the index's files, or None when it can."""
        return format_problem(self.format)

    def outdated_for(self, settings: Settings, corpus: dict[str, str]) -> str | None:
        """Why this index cannot serve these settings and this corpus, or None when it can."""
        if reason := self.other_format():
            return reason
        wanted = (settings.embedding_model, settings.query_prefix, settings.passage_prefix)
        if (self.embedding_model, self.query_prefix, self.passage_prefix) != wanted:
            return f"det byggdes med inbäddningsmodellen {self.embedding_model!r}, inställningen är {wanted[0]!r}"
        if corpus != self.corpus:
            changed = sorted(set(corpus) ^ set(self.corpus) | {n for n in corpus if self.corpus.get(n) != corpus[n]})
            return "korpusen har ändrats sedan indexet byggdes (" + ", ".join(changed[:5]) + ")"
        return None


@dataclass
class StoredIndex:
    """Everything retrieval needs, loaded into memory."""

    manifest: Manifest
    notes: list[Note]
    vectors: np.ndarray
    vector_keys: list[str]
    """Per note, the hash its vector was computed from: lets a rebuild reuse vectors."""
    dense: dense.VectorIndex
    lexical: LexicalIndex
    sentences: SentenceIndex
    general: GeneralSwedish

    def save(self, index_dir: Path) -> Path:
        """Write a new build folder and atomically make it current. Returns the build folder.

        Raises IndexUnwritable (disk full, read-only, no permission) with `current` untouched."""
        try:
            return self._save(index_dir)
        except OSError as error:
            raise IndexUnwritable.because(index_dir, error) from error

    def _save(self, index_dir: Path) -> Path:
        index_dir.mkdir(parents=True, exist_ok=True)
        build = index_dir / f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        staging = build.with_name(build.name + ".partial")
        staging.mkdir()
        try:
            with (staging / NOTES).open("w", encoding="utf-8") as out:
                for note in self.notes:
                    out.write(json.dumps(note.to_dict(), ensure_ascii=False) + "\n")
            np.save(staging / VECTORS, self.vectors)
            (staging / VECTOR_KEYS).write_text(json.dumps(self.vector_keys))
            dense.save(self.dense, staging / DENSE)
            self.sentences.save(staging)
            self.general.save(staging)
            (staging / LEXICAL).mkdir()
            self.lexical.save(staging / LEXICAL)
            (staging / MANIFEST).write_text(self.manifest.to_json(), encoding="utf-8")
            staging.rename(build)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        link = index_dir / f".{CURRENT}.{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(build.name)
        os.replace(link, index_dir / CURRENT)
        _remove_old_builds(index_dir, keep=build.name)
        return build

    @classmethod
    def load(cls, index_dir: Path) -> StoredIndex:
        """Load and check the current index; raises IndexBroken for files that are damaged or do
        not fit together. A build that swaps `current` while this reads is waited out once."""
        folder = current_build(index_dir)
        try:
            return cls._load(index_dir, folder)
        except IndexBroken:
            if current_build(index_dir) == folder:
                raise
            return cls._load(index_dir, current_build(index_dir))

    @classmethod
    def _load(cls, index_dir: Path, folder: Path) -> StoredIndex:
        manifest = read_manifest(index_dir, folder)
        try:
            with (folder / NOTES).open(encoding="utf-8") as lines:
                notes = [_read_note(line) for line in lines]
            vectors = np.load(folder / VECTORS)
            vector_keys = _KEYS.validate_json((folder / VECTOR_KEYS).read_text())
            index = dense.load(folder / DENSE, manifest.dense_index, vectors)
            lexical = LexicalIndex.load(folder / LEXICAL)
            sentences = SentenceIndex.load(folder, manifest.sentence_index)
            general = GeneralSwedish.load(folder)
        except Exception as error:  # numpy and FAISS raise many types (even MemoryError) on tampered files
            raise IndexBroken(index_dir, _describe(error)) from error
        if not len(notes) == len(vectors) == len(vector_keys) == index.ntotal == manifest.note_count == lexical.size:
            raise IndexBroken(index_dir, "antalet anteckningar, vektorer och indexposter stämmer inte")
        if vectors.ndim != 2 or vectors.shape[1] != manifest.dim or index.d != manifest.dim:
            raise IndexBroken(index_dir, "vektorernas dimension stämmer inte med manifestet")
        if not sentences.consistent_with(notes):
            raise IndexBroken(index_dir, "meningsindexet stämmer inte med anteckningarna")
        return cls(manifest, notes, vectors, vector_keys, index, lexical, sentences, general)


def current_build(index_dir: Path) -> Path:
    link = index_dir / CURRENT
    if not link.exists():
        raise IndexMissing(index_dir)
    return link.resolve()


def read_manifest(index_dir: Path, folder: Path | None = None) -> Manifest:
    """The manifest, checked; raises IndexOutdated for an index of another format (its manifest and
    files are laid out otherwise: outdated, not broken) and IndexBroken for anything unreadable."""
    path = (folder or current_build(index_dir)) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
        if reason := format_problem(_written_format(text)):
            raise IndexOutdated(reason)
        return Manifest.from_json(text)
    except (OSError, ValueError) as error:  # ValidationError and UnicodeDecodeError are ValueErrors
        raise IndexBroken(index_dir, f"manifestet kunde inte läsas: {_describe(error)}") from error


def format_problem(found: int | None) -> str | None:
    """Why this version cannot read an index of format `found` (None: not stated), or None when it can."""
    if found is not None and found != FORMAT_VERSION:
        return f"det har format {found}, den här versionen läser format {FORMAT_VERSION}"
    return None


def _written_format(text: str) -> int | None:
    """The "format" a manifest states, read before the rest is validated against this version's."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    found = data.get("format") if isinstance(data, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def stored_notes(index_dir: Path) -> list[Note]:
    """The current index's notes, without loading vectors or search indexes."""
    folder = current_build(index_dir)
    try:
        with (folder / NOTES).open(encoding="utf-8") as lines:
            return [_read_note(line) for line in lines]
    except (OSError, ValueError, TypeError) as error:  # ValidationError is a ValueError
        raise IndexBroken(index_dir, _describe(error)) from error


def stored_vectors(index_dir: Path) -> tuple[str, dict[str, np.ndarray]]:
    """The current index's embedder name and its vectors by key, without loading the search
    indexes: all a rebuild needs to re-embed only what changed. An index of another format still
    gives its vectors: only the manifest's embedder name is read."""
    folder = current_build(index_dir)
    try:
        embedder = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["embedder"]
        if not isinstance(embedder, str):
            raise TypeError("embedder is not a name")
        vectors = np.load(folder / VECTORS)
        keys = _KEYS.validate_json((folder / VECTOR_KEYS).read_text())
    except Exception as error:  # as in StoredIndex.load
        raise IndexBroken(index_dir, _describe(error)) from error
    if len(keys) != len(vectors):
        raise IndexBroken(index_dir, "antalet vektorer och nycklar stämmer inte")
    by_key = dict(zip(keys, vectors, strict=True))
    # An index of an older format may have no sentence vectors: its note vectors still serve.
    with contextlib.suppress(OSError, EOFError, ValueError):
        by_key.update(SentenceIndex.stored_vectors(folder))
    return embedder, by_key


def check_fresh(manifest: Manifest, settings: Settings, corpus: dict[str, str]) -> None:
    reason = manifest.outdated_for(settings, corpus)
    if reason:
        raise IndexOutdated(reason)


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    for path in index_dir.glob("build-*"):
        if path.name != keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _read_note(line: str) -> Note:
    """A stored note with every field type-checked. A note written before notes had roles keeps
    its leaders: `Note.from_dict` reads those."""
    note = _NOTE.validate_json(line)
    return note if note.roles or '"leaders"' not in line else Note.from_dict(json.loads(line))


def _describe(error: BaseException) -> str:
    """A short account of what was wrong in a file: the first problem pydantic found, or the
    exception's type and text."""
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "hela filen"
        return f"{where}: {first['msg']}"
    return f"{type(error).__name__}: {error}"[:300]


_MANIFEST = TypeAdapter(Manifest)
_NOTE = TypeAdapter(Note)
_KEYS = TypeAdapter(list[str])
