"""Building the index: corpus → clean documents → notes → vectors + BM25 → atomically stored.

Embedding is the slow part, so every text is embedded once: a note's sentences and its heading
line, never the whole note again (its vector is the mean of theirs). Vectors are keyed by a hash of
what they were computed from and reused from the previous index: a rebuild embeds only new or
changed notes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from index import dense
from index.build_lock import build_lock
from index.calibration import Calibration
from index.cleaning import REMOVAL_WARNING, Cleaner
from index.corpus import Corpus, Skipped
from index.dedupe import unique_notes
from index.embedding import Embedder, make_embedder
from index.errors import SamordnaError
from index.general_swedish import GeneralSwedish
from index.lexical import LexicalIndex
from index.meeting import spoken_date
from index.notes import Note, Role, text_hash
from index.roles import QUESTION_WORDS
from index.sentence_index import SentenceIndex, groups, sentence_layout
from index.settings import Settings
from index.splitting import Splitter
from index.store import FORMAT_VERSION, DocumentInfo, Manifest, StoredIndex, stored_vectors

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (texts embedded so far, texts to embed): notes and their sentences alike."""


@dataclass(frozen=True)
class BuildReport:
    files: int
    notes: int
    skipped: list[Skipped]
    copies: dict[str, str]
    """Document → the document it repeats (its notes are indexed once, from the original)."""
    embedded: int
    """Notes whose vector this build computed (embedding their new sentences and heading line); the
    others' vectors came from the previous index."""
    reused: int
    sentences: int
    sentences_embedded: int
    """Distinct sentences embedded by this build."""
    seconds: float
    dense_index: str
    documents: list[DocumentInfo] = field(default_factory=list)


def heading_line(note: Note) -> str:
    """Where the note stands ("title › section"): the one line of a note's vector that is not one
    of its sentences."""
    return " › ".join(part for part in (note.title, *note.section) if part)


def note_vector(heading: np.ndarray | None, sentences: np.ndarray) -> np.ndarray:
    """A note's vector: the normalised mean of its heading line's and its sentences' vectors.

    Embedding each note whole as well doubled the build (its tokens again, in longer and so dearer
    texts) and cut off notes past the model's 512 tokens; on dev + dev2 the mean found as much
    (recall@5 0.974 vs 0.961, MRR@5 0.864 vs 0.877, quotes 0.948 vs 0.922). The sentence rows are
    taken at the float16 precision they are stored in, so a rebuild that reuses them gets the same
    vector as a fresh one."""
    rows = sentences.astype(np.float16).astype(np.float32)
    if heading is not None:
        rows = np.vstack([heading.astype(np.float32), rows])
    mean = rows.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def collect_notes(corpus: Corpus) -> tuple[list[Note], list[Skipped], dict[str, str], list[DocumentInfo]]:
    """Read, clean, split and de-duplicate the whole corpus."""
    raw_documents, skipped = corpus.read()
    cleaner, splitter = Cleaner(), Splitter()
    all_notes: list[Note] = []
    titles: dict[str, tuple[str, dict[str, str], float]] = {}
    for raw in raw_documents:
        document = cleaner.clean(raw)
        notes = splitter.split(document)
        if not notes:
            skipped.append(Skipped(raw.name, "inga anteckningar kunde delas ut ur texten"))
            continue
        titles[raw.name] = (document.title, notes[0].extra, document.removed_share)
        if document.removed_share > REMOVAL_WARNING:
            log.warning("Rensningen tog bort %.0f %% av texten i %s.", 100 * document.removed_share, raw.name)
        all_notes.extend(notes)
    notes, copies = unique_notes(all_notes)
    counts: dict[str, int] = {}
    for note in notes:
        counts[note.doc] = counts.get(note.doc, 0) + 1
    roles: dict[str, dict[Role, None]] = {}
    for note in all_notes:
        roles.setdefault(note.doc, {}).update(dict.fromkeys(note.roles))
    documents = [
        DocumentInfo(
            doc=name,
            title=title,
            notes=counts.get(name, 0),
            copy_of=copies.get(name),
            removed_share=removed,
            roles=[{"role": role.role, "name": role.name} for role in roles.get(name, ())],
            **{key: facts[key] for key in ("organiser", "date", "url", "place") if key in facts},
        )
        for name, (title, facts, removed) in titles.items()
    ]
    return notes, skipped, copies, documents


def build_index(
    settings: Settings,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    approximate_above: int | None = None,
) -> BuildReport:
    """Build and atomically install a new index; on any failure the previous one stays in place.

    One build at a time per index folder: a build in another process is waited for."""
    Corpus(settings.corpus_dir).check()  # before the index folder is created for the lock
    with build_lock(settings.index_dir):
        return _build(settings, progress, embedder, approximate_above)


def _build(
    settings: Settings, progress: Progress | None, embedder: Embedder | None, approximate_above: int | None
) -> BuildReport:
    started = time.perf_counter()
    corpus = Corpus(settings.corpus_dir)
    fingerprint = corpus.fingerprint()
    notes, skipped, copies, documents = collect_notes(corpus)
    if not notes:
        raise SamordnaError("Inga anteckningar kunde skapas ur korpusen: alla filer hoppades över.")
    embedder = embedder or make_embedder(settings)
    first, spans = sentence_layout(notes)
    owners = groups(first)
    sentence_texts = [notes[owner].text[start:end] for owner, (start, end) in zip(owners, spans, strict=True)]
    sentence_keys = [_vector_key(embedder, text) for text in sentence_texts]
    headings = [heading_line(note) for note in notes]
    note_keys = [
        text_hash("\n".join([embedder.name, heading, *sentence_keys[first[p] : first[p + 1]]]))
        for p, heading in enumerate(headings)
    ]
    previous = _previous_vectors(settings, embedder.name)
    fresh = [p for p, key in enumerate(note_keys) if key not in previous]
    heading_texts = sorted({headings[p] for p in fresh if headings[p]})
    texts = heading_texts + sentence_texts
    keys = [_vector_key(embedder, text) for text in heading_texts] + sentence_keys
    vectors = _vectors(texts, keys, embedder, previous, progress)
    heading_vectors = dict(zip(heading_texts, vectors[: len(heading_texts)], strict=True))
    sentence_vectors = vectors[len(heading_texts) :]
    note_vectors = np.stack([
        previous[key] if key in previous
        else note_vector(heading_vectors.get(headings[p]), sentence_vectors[first[p] : first[p + 1]])
        for p, key in enumerate(note_keys)
    ]).astype(np.float32)
    threshold = approximate_above if approximate_above is not None else settings.approximate_above
    dense_index = dense.build(note_vectors, threshold, dense.NOTE_PROBES)
    sentences = SentenceIndex.build(first, spans, sentence_vectors, sentence_keys, threshold)
    shared = shared_roles(notes)
    lexical = LexicalIndex.build([lexical_text(note, shared.get(note.doc, frozenset())) for note in notes])
    general = GeneralSwedish.from_wordfreq()
    calibration = Calibration.measure(notes, sentences, lexical.doc_freq, general, embedder)
    manifest = Manifest(
        format=FORMAT_VERSION,
        embedder=embedder.name,
        embedding_model=settings.embedding_model,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        dim=embedder.dim,
        corpus=fingerprint,
        note_count=len(notes),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        dense_index=dense.kind(dense_index),
        sentence_index=dense.kind(sentences.dense),
        documents=documents,
        skipped=[{"name": s.name, "reason": s.reason} for s in skipped],
        calibration=calibration,
    )
    StoredIndex(manifest, notes, note_vectors, note_keys, dense_index, lexical, sentences, general).save(
        settings.index_dir
    )
    return BuildReport(
        files=len(fingerprint) - (1 if "sources.toml" in fingerprint else 0),
        notes=len(notes),
        skipped=skipped,
        copies=copies,
        embedded=len(fresh),
        reused=len(notes) - len(fresh),
        sentences=len(spans),
        sentences_embedded=len(set(sentence_keys) - set(previous)),
        seconds=time.perf_counter() - started,
        dense_index=manifest.dense_index,
        documents=documents,
    )


def _vector_key(embedder: Embedder, text: str) -> str:
    """What a text's vector is stored under: vectors are comparable only within one model."""
    return text_hash(f"{embedder.name}\n{text}")


def _vectors(
    texts: list[str],
    keys: list[str],
    embedder: Embedder,
    previous: dict[str, np.ndarray],
    progress: Progress | None,
) -> np.ndarray:
    """A vector per text, re-used by key from the previous index where it can be."""
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    missing: dict[str, list[int]] = {}  # a sentence repeated in overlapping notes is embedded once
    for i, key in enumerate(keys):
        if key in previous:
            vectors[i] = previous[key]
        else:
            missing.setdefault(key, []).append(i)
    if progress:
        progress(0, len(missing))
    if missing:
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress(done, len(missing))

        fresh = embedder.embed_passages([texts[rows[0]] for rows in missing.values()], advance)
        for vector, rows in zip(fresh, missing.values(), strict=True):
            vectors[rows] = vector
    return vectors


def lexical_text(note: Note, shared: frozenset[Role] = frozenset()) -> str:
    """What BM25 sees: the note with its section, roles, places and its meeting's place and date,
    so "bord 9", a leader's name, "ordförande" or "mötet i Vretstorp i december 2016" finds it even
    where the text itself does not repeat them. A role `shared` by every note of the document (a
    protocol's chair) counts only where the note names the person: elsewhere it would tell nothing
    about which note answers. The organiser is left out for the same reason."""
    kept = [role for role in note.roles if role not in shared or role.name in note.text]
    roles = [f"{role.role} {QUESTION_WORDS.get(role.role, '')} {role.name}" for role in kept]
    facts = [note.extra.get("place", "")]
    if "date" in note.extra:
        facts.append(spoken_date(note.extra["date"]))
    return "\n".join([*note.section, *roles, *note.municipalities, *filter(None, facts), note.text])


def shared_roles(notes: list[Note]) -> dict[str, frozenset[Role]]:
    """Per document with several notes, the roles every one of its notes carries."""
    by_doc: dict[str, list[Note]] = {}
    for note in notes:
        by_doc.setdefault(note.doc, []).append(note)
    return {
        doc: frozenset.intersection(*(frozenset(note.roles) for note in group))
        for doc, group in by_doc.items()
        if len(group) > 1
    }


def _previous_vectors(settings: Settings, embedder_name: str) -> dict[str, np.ndarray]:
    """Vectors of the index being replaced, by key; nothing when there is none or it is unreadable."""
    try:
        previous_embedder, vectors = stored_vectors(settings.index_dir)
    except SamordnaError:
        return {}
    return vectors if previous_embedder == embedder_name else {}
