"""Building the index: the report, incremental rebuilds, and atomic installation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_FILES, TINY_CORPUS, write_corpus

import index.embedding
import index.store
from index.build import build_index, heading_line
from index.errors import IndexUnwritable
from index.lexical import LexicalIndex
from index.retrieval import Retriever
from index.store import CURRENT, StoredIndex, current_build

QUESTIONS = ["bostadsbrist för unga vuxna", "vem ledde bord 1", "skulder hos Kronofogden", "aktivitetskrav"]

THREE_SECTIONS = {
    "tre.md": (
        "# Styrelsemöte\n\n## Budget\n\nStyrelsen beslutade om budgeten för nästa år med oförändrade ramar.\n\n"
        "## Insatser\n\nTvå nya insatser för unga vuxna startar i januari i samarbete med regionen.\n\n"
        "## Övrigt\n\nNästa möte hålls i Härnösand och då redovisas utvärderingen av arbetsträningen.\n"
    )
}

NEW_DOCUMENT = {
    "praktik.txt": (
        "Nätverksträff om praktik\n\n"
        "Arbetsgivarna i länet tar gärna emot praktikanter om de får en handledare att ringa.\n\n"
        "Kommunen samordnar sommarpraktik för gymnasieelever tillsammans med näringslivet.\n"
    )
}


def answers(settings, embedder) -> list[dict]:
    retriever = Retriever.open(settings, embedder=embedder)
    return [retriever.ask(question).to_dict() for question in QUESTIONS]


def builds(index_dir: Path) -> list[str]:
    return sorted(path.name for path in index_dir.iterdir() if path.name.startswith("build-"))


# --- the report -------------------------------------------------------------------------------


def test_bundled_corpus_build_report(seed_index, seed_retriever):
    report = seed_index.report
    assert report.files == len(SEED_FILES) == 5
    assert report.skipped == []
    assert report.copies == {"001_593209e4deb80dab.txt": "000_388aac955d25d793.txt"}
    assert report.notes == len(seed_retriever.stored.notes) == seed_retriever.manifest.note_count
    assert report.embedded == report.notes and report.reused == 0
    assert report.dense_index == "exact"
    assert [doc.doc for doc in report.documents] == SEED_FILES
    assert sum(doc.notes for doc in report.documents) == report.notes
    info = {doc.doc: doc for doc in seed_retriever.manifest.documents}
    assert info["002_1e74efa7e77882b2.txt"].date == "2011-05-04"
    assert info["000_388aac955d25d793.txt"].organiser == "Region Gävleborg"
    tables = [note for note in seed_retriever.stored.notes if note.doc.startswith("000")]
    assert all(note.extra == {"organiser": "Region Gävleborg"} for note in tables)


def test_index_folder_holds_one_build_behind_an_atomic_current_link(seed_index):
    index_dir = seed_index.settings.index_dir
    link = index_dir / CURRENT
    assert link.is_symlink()
    assert not Path(os.readlink(link)).is_absolute(), "a relative link keeps the folder movable"
    assert builds(index_dir) == [os.readlink(link)]
    assert not list(index_dir.glob("*.partial"))


def test_approximate_search_above_the_threshold(tiny_index, embedder):
    report = build_index(tiny_index.settings, embedder=embedder, approximate_above=1)
    assert report.dense_index == "ivf"
    retriever = Retriever.open(tiny_index.settings, embedder=embedder)
    assert retriever.manifest.dense_index == "ivf"
    answer = retriever.ask("bostadsbrist för unga vuxna")
    assert answer.answered and answer.hits[0].note.doc == "boende.txt"


def test_a_note_vector_is_the_mean_of_its_heading_line_and_sentences(tiny_index, embedder):
    """No note is embedded whole: its vector is made from vectors the build has anyway."""
    stored = StoredIndex.load(tiny_index.settings.index_dir)
    assert np.allclose(np.linalg.norm(stored.vectors, axis=1), 1.0, atol=1e-5)
    for position, note in enumerate(stored.notes):
        rows = stored.sentences.vectors[stored.sentences.first[position] : stored.sentences.first[position + 1]]
        parts = [embedder.embed_passages([heading_line(note)])[0]] if heading_line(note) else []
        mean = np.vstack([*parts, rows.astype(np.float32)]).mean(axis=0)
        assert np.allclose(stored.vectors[position], mean / np.linalg.norm(mean), atol=1e-3), note.id


# --- incremental rebuilds ---------------------------------------------------------------------


def test_rebuilding_an_unchanged_corpus_embeds_nothing(tiny_index, embedder):
    before = answers(tiny_index.settings, embedder)
    report = build_index(tiny_index.settings, embedder=embedder)
    assert report.embedded == 0
    assert report.reused == report.notes == tiny_index.report.notes
    assert answers(tiny_index.settings, embedder) == before


def test_an_index_of_another_format_still_gives_its_vectors(tiny_index, embedder):
    manifest = current_build(tiny_index.settings.index_dir) / "manifest.json"
    older = {**json.loads(manifest.read_text(encoding="utf-8")), "format": 3}
    del older["sentence_index"]
    manifest.write_text(json.dumps(older), encoding="utf-8")
    report = build_index(tiny_index.settings, embedder=embedder)
    assert (report.embedded, report.sentences_embedded) == (0, 0)
    assert Retriever.open(tiny_index.settings, embedder=embedder).manifest.format == index.store.FORMAT_VERSION


def test_adding_a_file_embeds_only_its_notes(tiny_index, embedder):
    old = tiny_index.report.notes
    write_corpus(tiny_index.settings.corpus_dir, NEW_DOCUMENT)
    report = build_index(tiny_index.settings, embedder=embedder)
    new = [doc.notes for doc in report.documents if doc.doc == "praktik.txt"][0]
    assert new >= 1
    assert report.embedded == new
    assert report.reused == old
    assert report.notes == old + new
    answer = Retriever.open(tiny_index.settings, embedder=embedder).ask("sommarpraktik för gymnasieelever")
    assert answer.hits[0].note.doc == "praktik.txt"


def test_deleting_a_file_removes_its_notes_from_answers(tiny_index, embedder):
    (tiny_index.settings.corpus_dir / "boende.txt").unlink()
    report = build_index(tiny_index.settings, embedder=embedder)
    assert report.embedded == 0
    assert report.reused == report.notes < tiny_index.report.notes
    retriever = Retriever.open(tiny_index.settings, embedder=embedder)
    assert all(note.doc != "boende.txt" for note in retriever.stored.notes)
    for question in [*QUESTIONS, "träningslägenheter med stöd"]:
        assert all(hit.note.doc != "boende.txt" for hit in retriever.ask(question).hits)


def test_changing_a_file_re_embeds_only_the_changed_note(tiny_index, embedder):
    path = tiny_index.settings.corpus_dir / "dialogbord.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Omar Said", "Omar Saaid"), encoding="utf-8")
    report = build_index(tiny_index.settings, embedder=embedder)
    assert report.embedded == 1
    assert report.reused == report.notes - 1
    retriever = Retriever.open(tiny_index.settings, embedder=embedder)
    assert retriever.ask("vem ledde bord 2").hits[0].note.leaders == ("Omar Saaid",)


# --- atomic installation ----------------------------------------------------------------------


class FailingEmbedder:
    """The real embedder until `fail_after` batches are done, then an error (disk full, killed …)."""

    def __init__(self, real, fail_after: int = 1) -> None:
        self.real, self.fail_after, self.batches = real, fail_after, 0
        self.name, self.dim = real.name, real.dim

    def embed_query(self, text):
        return self.real.embed_query(text)

    def embed_passages(self, texts, progress=None):
        def advance(count: int) -> None:
            self.batches += 1
            if progress:
                progress(count)
            if self.batches >= self.fail_after:
                raise RuntimeError("inbäddningen avbröts")

        return self.real.embed_passages(texts, advance)


def test_a_build_failing_midway_leaves_the_previous_index_serving(tiny_index, embedder, monkeypatch):
    settings = tiny_index.settings
    before = answers(settings, embedder)
    link_before = os.readlink(settings.index_dir / CURRENT)
    write_corpus(settings.corpus_dir, THREE_SECTIONS)
    monkeypatch.setattr(index.embedding, "BATCH", 1)  # several batches, so the failure is really midway
    failing = FailingEmbedder(embedder, fail_after=2)
    with pytest.raises(RuntimeError, match="avbröts"):
        build_index(settings, embedder=failing)
    assert failing.batches == 2
    assert os.readlink(settings.index_dir / CURRENT) == link_before
    assert builds(settings.index_dir) == [link_before]
    assert not list(settings.index_dir.glob("*.partial"))
    # The previous index still loads and answers exactly as before once the corpus is as it was.
    assert len(Retriever.open(settings, embedder=embedder, check_corpus=False).stored.notes) == tiny_index.report.notes
    (settings.corpus_dir / "tre.md").unlink()
    assert answers(settings, embedder) == before


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failing_save_leaves_no_partial_folder_and_the_old_index(tiny_index, embedder, monkeypatch, error):
    settings = tiny_index.settings
    before = answers(settings, embedder)
    link_before = os.readlink(settings.index_dir / CURRENT)

    def broken_save(self, folder):
        (folder / "half-written").write_text("x")
        raise error

    monkeypatch.setattr(LexicalIndex, "save", broken_save)
    with pytest.raises(IndexUnwritable if isinstance(error, OSError) else type(error)) as raised:
        build_index(settings, embedder=embedder)
    if isinstance(error, OSError):
        assert "disken är full" in raised.value.message
    assert os.readlink(settings.index_dir / CURRENT) == link_before
    assert builds(settings.index_dir) == [link_before]
    assert answers(settings, embedder) == before


def test_a_crash_before_the_link_is_swapped_keeps_the_old_index(tiny_index, embedder, monkeypatch):
    settings = tiny_index.settings
    before = answers(settings, embedder)
    link_before = os.readlink(settings.index_dir / CURRENT)
    write_corpus(settings.corpus_dir, NEW_DOCUMENT)

    def crash(*args):
        raise OSError("crash before the swap")

    with monkeypatch.context() as patch:
        patch.setattr(index.store.os, "replace", crash)
        with pytest.raises(IndexUnwritable, match="crash"):
            build_index(settings, embedder=embedder)
    assert os.readlink(settings.index_dir / CURRENT) == link_before
    assert StoredIndex.load(settings.index_dir).manifest.note_count == tiny_index.report.notes
    # The next build installs itself and clears the orphaned build folder.
    report = build_index(settings, embedder=embedder)
    assert report.notes > tiny_index.report.notes
    assert builds(settings.index_dir) == [os.readlink(settings.index_dir / CURRENT)]
    (settings.corpus_dir / "praktik.txt").unlink()
    build_index(settings, embedder=embedder)
    assert answers(settings, embedder) == before


def test_leftovers_of_interrupted_builds_do_not_break_the_next_build(tiny_index, embedder):
    index_dir = tiny_index.settings.index_dir
    partial = index_dir / "build-20200101-000000-1-1.partial"
    partial.mkdir()
    (partial / "notes.jsonl").write_text('{"text": "halv', encoding="utf-8")
    orphan = index_dir / "build-20200101-000000-2-2"
    orphan.mkdir()
    (index_dir / f".{CURRENT}.{os.getpid()}").symlink_to("build-does-not-exist")
    report = build_index(tiny_index.settings, embedder=embedder)
    assert report.notes == tiny_index.report.notes
    assert builds(index_dir) == [os.readlink(index_dir / CURRENT)]
    assert Retriever.open(tiny_index.settings, embedder=embedder).ask("bostadsbrist").answered


def test_every_build_lands_in_a_new_folder(tiny_index, embedder):
    first = current_build(tiny_index.settings.index_dir)
    build_index(tiny_index.settings, embedder=embedder)
    second = current_build(tiny_index.settings.index_dir)
    assert first != second
    assert not first.exists()


def test_tiny_corpus_fixture_is_what_the_tests_assume(tiny_index):
    assert sorted(path.name for path in tiny_index.settings.corpus_dir.iterdir()) == sorted(TINY_CORPUS)
    assert tiny_index.report.notes == 4 and tiny_index.report.skipped == []
