"""Bad input and faults, as an attacker or a careless admin would cause them (issue 9).

The command line is run as a real process, as an operator runs it: each case asserts the exit code,
a Swedish message and the absence of a Python traceback."""

from __future__ import annotations

import errno
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, TINY_CORPUS, BuiltIndex, make_settings, write_corpus

from index.build import build_index
from index.build_lock import build_lock
from index.cleaning import Cleaner
from index.corpus import DOCX_MEMBER_LIMIT, Corpus, RawDocument, UnreadableFile, decode_text, read_pages
from index.errors import BuildRunning, IndexBroken, IndexUnwritable
from index.lexical import SCORES_FILE, TERMS_FILE
from index.query import MAX_CHARS, MAX_TERMS, Query
from index.store import CURRENT, DENSE, LEXICAL, MANIFEST, NOTES, StoredIndex, current_build

SECRET = "Zebrakoden till serverrummet är 4711-hemlig."
REBUILD = "Kör `samordna index build`"
NEW_DOCUMENT = {"ny.txt": "Praktik i kommunen\n\nHandledarna på arbetsträningen i kommunen efterfrågar mer stöd.\n"}


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def flat_err(self) -> str:
        return " ".join(self.err.split())

    @property
    def flat_out(self) -> str:
        return " ".join(self.out.split())


def samordna(
    *args: str | bytes,
    corpus: Path,
    index: Path,
    cwd: Path,
    stdin: bytes | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 180,
    **settings: str,
) -> Run:
    """`samordna …` as a process, with only the given SAMORDNA_* settings."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAMORDNA_")}
    environment.update(
        PYTHONPATH=str(REPO), COLUMNS="200", SAMORDNA_CORPUS_DIR=str(corpus), SAMORDNA_INDEX_DIR=str(index),
        **{f"SAMORDNA_{key.upper()}": value for key, value in settings.items()},
    )
    started = time.perf_counter()
    process = subprocess.run(
        [*prefix, sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=environment, input=stdin,
        capture_output=True, timeout=timeout,
    )
    out, err = (stream.decode("utf-8", "replace") for stream in (process.stdout, process.stderr))
    return Run(process.returncode, out, err, time.perf_counter() - started)


def assert_clean(run: Run) -> None:
    assert "Traceback" not in run.out + run.err, run.err


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """An empty working folder: no .env of the repository."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


# 1. Symbolic links out of the corpus ----------------------------------------------------------


def test_a_link_out_of_the_corpus_is_skipped_and_never_quoted(tmp_path: Path, work: Path) -> None:
    outside = tmp_path / "hemligt.txt"
    outside.write_text(f"Serverrummet\n\n{SECRET}\n", encoding="utf-8")
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "zebra.txt").symlink_to(outside)
    (corpus / "via-mapp.md").symlink_to(tmp_path)  # a link to a folder is no document either
    (corpus / "samma.txt").symlink_to("boende.txt")  # a link within the corpus is fine
    (corpus / "trasig.txt").symlink_to(corpus / "finns-inte.txt")
    index = tmp_path / "index"

    built = samordna("index", "build", corpus=corpus, index=index, cwd=work)
    assert built.code == 0, built.err
    assert_clean(built)
    for name in ("passwd.txt", "zebra.txt"):
        assert f"Hoppade över {name}: är en symbolisk länk som leder ut ur korpusmappen" in built.flat_err
    assert "Hoppade över trasig.txt: är en trasig symbolisk länk" in built.flat_err
    assert "Hoppade över via-mapp.md" in built.flat_err
    assert "samma.txt upprepar boende.txt" in built.flat_err

    asked = samordna("ask", "--json", "zebrakoden till serverrummet root", corpus=corpus, index=index, cwd=work)
    assert asked.code == 0
    assert "4711" not in asked.out and "root:x:0" not in asked.out
    notes = (current_build(index) / NOTES).read_text(encoding="utf-8")
    assert "4711" not in notes and "root:" not in notes


# 2. Unreadable files --------------------------------------------------------------------------


def _without_root_privileges() -> tuple[str, ...]:
    """A command prefix under which file modes hold.

    Root ignores modes. A service user such as `nobody` cannot run this interpreter here (it lives
    under /root, mode 0700), so the process keeps uid 0 but loses the capabilities that let root
    ignore modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): for it, a file of mode 000 is as
    unreadable as for any user."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: file modes cannot be made to hold")
    return (setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--")


def test_an_unreadable_file_is_skipped_and_named_while_everything_else_works(tmp_path: Path, work: Path) -> None:
    prefix = _without_root_privileges()
    corpus = write_corpus(tmp_path / "corpus", {**TINY_CORPUS, "privat.txt": "Hemliga anteckningar om budgeten.\n"})
    (corpus / "privat.txt").chmod(0)
    index = tmp_path / "index"
    try:
        built = samordna("index", "build", corpus=corpus, index=index, cwd=work, prefix=prefix)
        assert built.code == 0, built.err
        assert_clean(built)
        assert "Hoppade över privat.txt: saknar läsbehörighet" in built.flat_err
        assert "Indexet är byggt: 3 filer" in built.flat_err

        # The index matches the corpus as it can be read: asking works and nothing is rebuilt.
        asked = samordna("ask", "bostadsbrist", corpus=corpus, index=index, cwd=work, prefix=prefix)
        assert asked.code == 0, asked.err
        assert_clean(asked)
        assert "Källa:" in asked.out and "bygger" not in asked.err
        info = samordna("index", "info", corpus=corpus, index=index, cwd=work, prefix=prefix)
        assert info.code == 0, info.out + info.err
        assert "Överhoppad: privat.txt: saknar läsbehörighet" in info.flat_out

        # Once readable it counts as a change, and the next build takes it in.
        (corpus / "privat.txt").chmod(0o644)
        stale = samordna("index", "info", corpus=corpus, index=index, cwd=work, prefix=prefix)
        assert stale.code == 1 and "privat.txt" in stale.flat_out
    finally:
        (corpus / "privat.txt").chmod(0o644)


def test_an_unreadable_corpus_folder_is_a_clear_error(tmp_path: Path, work: Path) -> None:
    prefix = _without_root_privileges()
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    corpus.chmod(0)
    try:
        built = samordna("index", "build", corpus=corpus, index=tmp_path / "index", cwd=work, prefix=prefix)
    finally:
        corpus.chmod(0o755)
    assert built.code == 2
    assert_clean(built)
    assert f"Korpusmappen {corpus} kan inte läsas" in built.flat_err


def test_an_unreadable_sources_file_is_ignored(tmp_path: Path, embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus", {**TINY_CORPUS, "sources.toml": "[x]\n"})
    (corpus / "sources.toml").write_bytes(b"\xff\xfe not toml")
    settings = make_settings(corpus, tmp_path / "index")
    assert build_index(settings, embedder=embedder).notes > 0


# 3. Encodings of documents --------------------------------------------------------------------


SWEDISH = "Bord 3\n\nSamtalsledare: Åsa Öberg\n\nVi pratade om försörjningsstöd och ärenden i Växjö.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "cp850"])
def test_text_files_in_other_encodings_are_read(encoding: str) -> None:
    assert decode_text(SWEDISH.encode(encoding)) == SWEDISH


def test_a_utf16_document_is_indexed_not_skipped(tmp_path: Path, embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus", {**TINY_CORPUS, "utf16.txt": SWEDISH.encode("utf-16")})
    report = build_index(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    assert not report.skipped
    assert "utf16.txt" in {doc.doc for doc in report.documents}


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x00\x01\x02binary\x00" * 100], ids=["bytes", "nul"])
def test_binary_data_is_still_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="binärfil"):
        decode_text(data)


# 4. Rich markup from outside ------------------------------------------------------------------


def test_markup_in_names_titles_and_questions_is_printed_as_written(tmp_path: Path, work: Path) -> None:
    link = "[link=file:///etc/passwd]Klicka här[/link]"
    corpus = write_corpus(
        tmp_path / "corpus",
        {
            "[red]möte[bold].txt": "Möte om boende\n\nBostadsbristen är det största hindret för unga vuxna.\n",
            "länk.md": f"# {link}\n\nSkuldrådgivarna ser allt fler unga med skulder hos Kronofogden.\n",
            "[bold]tom.txt": "",
        },
    )
    index = tmp_path / "index"
    built = samordna("index", "build", corpus=corpus, index=index, cwd=work)
    assert built.code == 0, built.err
    assert "Hoppade över [bold]tom.txt" in built.flat_err
    info = samordna("index", "info", corpus=corpus, index=index, cwd=work)
    assert info.code == 0
    assert "[red]möte[bold].txt" in info.out and link in info.out
    assert "\x1b]8;" not in info.out  # no terminal hyperlink escape
    notes = samordna("notes", "länk.md", corpus=corpus, index=index, cwd=work)
    assert notes.code == 0, notes.err
    assert link in notes.out and "\x1b]8;" not in notes.out

    questions = work / "frågor.txt"
    questions.write_text("[/bold] bostadsbrist\n[link=file:///etc/passwd]skulder[/link]\n", encoding="utf-8")
    asked = samordna("ask", "--questions", str(questions), corpus=corpus, index=index, cwd=work)
    assert asked.code == 0, asked.err
    assert_clean(asked)
    assert "[/bold] bostadsbrist" in asked.out and "[link=file:///etc/passwd]skulder[/link]" in asked.out


def test_an_error_message_keeps_its_brackets(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cli
    from index.errors import SamordnaError

    def unavailable():
        raise SamordnaError("Installera tillägget: pip install 'samordna[sentence-transformers]'")

    monkeypatch.setattr(bot.cli, "_settings", unavailable)
    result = cli("index", "build")
    assert result.code == 1
    assert "samordna[sentence-transformers]" in result.flat_err


# 5. The index folder cannot take a new index --------------------------------------------------


def test_a_read_only_index_folder_is_explained_and_the_old_index_serves(
    tiny_index: BuiltIndex, work: Path
) -> None:
    prefix = _without_root_privileges()
    settings = tiny_index.settings
    write_corpus(settings.corpus_dir, NEW_DOCUMENT)
    link_before = os.readlink(settings.index_dir / CURRENT)
    settings.index_dir.chmod(0o555)
    try:
        built = samordna("index", "build", corpus=settings.corpus_dir, index=settings.index_dir, cwd=work,
                         prefix=prefix)
    finally:
        settings.index_dir.chmod(0o755)
    assert built.code == 2
    assert_clean(built)
    assert f"Indexet kunde inte sparas i {settings.index_dir}" in built.flat_err
    assert "saknar skrivbehörighet" in built.flat_err and "SAMORDNA_INDEX_DIR" in built.flat_err
    assert os.readlink(settings.index_dir / CURRENT) == link_before


def test_a_full_disk_is_explained_and_the_old_index_serves(cli, tiny_index: BuiltIndex, monkeypatch) -> None:
    import index.store

    settings = tiny_index.settings
    write_corpus(settings.corpus_dir, NEW_DOCUMENT)
    link_before = os.readlink(settings.index_dir / CURRENT)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(index.store.np, "save", full)
    result = cli("index", "build", corpus=settings.corpus_dir, index=settings.index_dir)
    assert result.code == 1
    assert "Indexet kunde inte sparas" in result.flat_err and "disken är full" in result.flat_err
    assert "Det tidigare indexet (om det finns) används fortfarande" in result.flat_err
    assert os.readlink(settings.index_dir / CURRENT) == link_before
    assert not list(settings.index_dir.glob("*.partial"))


# 6. One build at a time -----------------------------------------------------------------------


def test_a_second_build_waits_for_the_first(tiny_index: BuiltIndex, work: Path) -> None:
    settings = tiny_index.settings
    write_corpus(settings.corpus_dir, NEW_DOCUMENT)
    before = StoredIndex.load(settings.index_dir).manifest.note_count
    environment = {**os.environ, "PYTHONPATH": str(REPO), "SAMORDNA_CORPUS_DIR": str(settings.corpus_dir),
                   "SAMORDNA_INDEX_DIR": str(settings.index_dir)}
    log = work / "stderr.txt"
    with build_lock(settings.index_dir), log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "index", "build"], cwd=work, env=environment,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 120
        while "En annan indexbyggnad pågår" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(0.5)
        assert process.poll() is None, "the second build must wait while the first holds the lock"
    assert process.wait(timeout=120) == 0, log.read_text()
    assert "Traceback" not in log.read_text()
    assert StoredIndex.load(settings.index_dir).manifest.note_count == before + 1


def test_the_lock_can_refuse_instead_of_waiting(tmp_path: Path) -> None:
    with build_lock(tmp_path / "index"), pytest.raises(BuildRunning, match="pågår redan"), build_lock(
        tmp_path / "index", timeout=0
    ):
        pass
    with build_lock(tmp_path / "index", timeout=0):  # released again
        pass


def test_builds_in_two_processes_at_once_both_succeed_and_leave_a_working_index(
    tiny_index: BuiltIndex, work: Path
) -> None:
    settings = tiny_index.settings
    write_corpus(settings.corpus_dir, NEW_DOCUMENT)
    environment = {**os.environ, "PYTHONPATH": str(REPO), "SAMORDNA_CORPUS_DIR": str(settings.corpus_dir),
                   "SAMORDNA_INDEX_DIR": str(settings.index_dir)}
    processes = [
        subprocess.Popen([sys.executable, "-m", "bot.cli", "index", "build"], cwd=work, env=environment,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(process.wait(timeout=180), process.communicate()[1]) for process in processes]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    assert (settings.index_dir / CURRENT).resolve().is_dir()
    assert len([path for path in settings.index_dir.glob("build-*")]) == 1
    asked = samordna("ask", "arbetsträning", corpus=settings.corpus_dir, index=settings.index_dir, cwd=work)
    assert asked.code == 0 and "bygger" not in asked.err


# 7. Tampered index files ----------------------------------------------------------------------


def _manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def _set_manifest(folder: Path, **changes: object) -> None:
    (folder / MANIFEST).write_text(json.dumps({**_manifest(folder), **changes}), encoding="utf-8")


def _first_note(folder: Path, **changes: object) -> None:
    lines = (folder / NOTES).read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({**json.loads(lines[0]), **changes})
    (folder / NOTES).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _faiss_claims_too_much(folder: Path) -> None:
    data = bytearray((folder / DENSE).read_bytes())
    struct.pack_into("<q", data, 4 + 4, 1 << 60)  # the header's count of vectors
    (folder / DENSE).write_bytes(bytes(data))


def _faiss_cut(name: str) -> Callable[[Path], None]:
    def cut(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: len(data) // 2])

    return cut


def _bm25_scores_cut(folder: Path) -> None:
    path = folder / LEXICAL / SCORES_FILE
    with np.load(path) as arrays:
        stored = dict(arrays)
    np.savez(path, **{**stored, "values": stored["values"][:-1]})


def _terms_column_outside(folder: Path) -> None:
    path = folder / LEXICAL / TERMS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["columns"][next(iter(data["columns"]))] = 10**6
    path.write_text(json.dumps(data), encoding="utf-8")


TAMPERINGS = {
    "manifest-null": lambda folder: (folder / MANIFEST).write_text("null"),
    "manifest-list": lambda folder: (folder / MANIFEST).write_text("[]"),
    "manifest-number": lambda folder: (folder / MANIFEST).write_text("42"),
    "manifest-not-utf8": lambda folder: (folder / MANIFEST).write_bytes(b"\xff\xfe{"),
    "manifest-wrong-types": lambda folder: _set_manifest(folder, note_count="många", corpus=["a"]),
    "manifest-skipped-numbers": lambda folder: _set_manifest(folder, skipped=[1]),
    "manifest-documents-wrong": lambda folder: _set_manifest(folder, documents=[{"doc": 3}]),
    "note-text-number": lambda folder: _first_note(folder, text=42),
    "note-not-an-object": lambda folder: (folder / NOTES).write_text("[1, 2]\n"),
    "vector-keys-numbers": lambda folder: (folder / "vector_keys.json").write_text("[1, 2, 3]"),
    "bm25-scores-cut": _bm25_scores_cut,
    "bm25-column-outside": _terms_column_outside,
    "vectors-garbage": lambda folder: (folder / "vectors.npy").write_bytes(b"\x93NUMPY garbage"),
    "sentence-kind-unknown": lambda folder: _set_manifest(folder, sentence_index="annoy"),
    "general-swedish-cut": lambda folder: (folder / "general_swedish_words.txt").write_text("och\nvad"),
}
FAISS_TAMPERINGS = {
    "faiss-huge-size": _faiss_claims_too_much,
    "faiss-garbage": lambda folder: (folder / DENSE).write_bytes(b"IHNf" + b"\xff" * 64),
    "faiss-cut": _faiss_cut(DENSE),
    "faiss-missing": lambda folder: (folder / DENSE).unlink(),
    "sentence-faiss-cut": _faiss_cut("sentences.faiss"),
}
"""Only an approximate index has FAISS files: these are made on the tiny index rebuilt as one."""


@pytest.mark.parametrize(
    "tamper", [*TAMPERINGS.values(), *FAISS_TAMPERINGS.values()], ids=[*TAMPERINGS, *FAISS_TAMPERINGS]
)
def test_a_tampered_index_is_reported_as_broken(tiny_index: BuiltIndex, embedder, work: Path, tamper) -> None:
    settings = tiny_index.settings
    if tamper in FAISS_TAMPERINGS.values():
        build_index(settings, embedder=embedder, approximate_above=0)
    tamper(current_build(settings.index_dir))
    for command in (("ask", "bostadsbrist"), ("index", "info")):
        run = samordna(*command, corpus=settings.corpus_dir, index=settings.index_dir, cwd=work)
        assert run.code == 1, (command, run.out, run.err)
        assert_clean(run)
        assert f"Indexet i {settings.index_dir} är trasigt" in run.flat_err and REBUILD in run.flat_err
    rebuilt = samordna("index", "build", corpus=settings.corpus_dir, index=settings.index_dir, cwd=work)
    assert rebuilt.code == 0 and "Traceback" not in rebuilt.err


def test_memory_error_from_faiss_is_a_broken_index(tiny_index: BuiltIndex, embedder, monkeypatch) -> None:
    import faiss

    def bad_alloc(path):
        raise MemoryError("std::bad_alloc")

    build_index(tiny_index.settings, embedder=embedder, approximate_above=0)
    monkeypatch.setattr(faiss, "read_index", bad_alloc)
    with pytest.raises(IndexBroken, match="MemoryError"):
        StoredIndex.load(tiny_index.settings.index_dir)


def test_a_load_during_a_swap_retries_the_new_build(tiny_index: BuiltIndex, embedder, monkeypatch) -> None:
    """A reader that resolved `current` just before a build replaced it (and removed the old folder)."""
    settings = tiny_index.settings
    old = current_build(settings.index_dir)
    kept = old.with_name("kept")
    shutil.copytree(old, kept)
    write_corpus(settings.corpus_dir, NEW_DOCUMENT)
    build_index(settings, embedder=embedder)
    calls = iter([old, current_build(settings.index_dir), current_build(settings.index_dir)])
    monkeypatch.setattr("index.store.current_build", lambda index_dir: next(calls))
    assert StoredIndex.load(settings.index_dir).manifest.note_count == tiny_index.report.notes + 1


# 8. Encodings at the edges --------------------------------------------------------------------


def test_an_invalid_byte_in_the_question_argument(tiny_index: BuiltIndex, work: Path) -> None:
    settings = tiny_index.settings
    question = "Vad sades om bostadsbristen för unga?".encode() + b" \xff\xfe"
    run = samordna("ask", question, corpus=settings.corpus_dir, index=settings.index_dir, cwd=work)
    assert run.code == 0, run.err
    assert_clean(run)
    assert "Källa:" in run.out


def test_an_invalid_byte_on_chats_input(tiny_index: BuiltIndex, work: Path) -> None:
    settings = tiny_index.settings
    run = samordna("chat", corpus=settings.corpus_dir, index=settings.index_dir, cwd=work,
                   stdin="bostadsbrist \xff\nskulder\n\n".encode("latin-1"))
    assert run.code == 0, run.err
    assert_clean(run)
    assert run.out.count("Källa:") >= 2


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_a_questions_file_in_another_encoding(tiny_index: BuiltIndex, work: Path, encoding: str) -> None:
    settings = tiny_index.settings
    questions = work / "frågor.txt"
    questions.write_bytes("Vad sades om bostadsbristen för unga?\nSkulder hos Kronofogden - vad gör vi?\n"
                          .encode(encoding))
    run = samordna("ask", "--questions", str(questions), "--json", corpus=settings.corpus_dir,
                   index=settings.index_dir, cwd=work)
    assert run.code == 0, run.err
    assert_clean(run)
    answers = [json.loads(line) for line in run.out.splitlines()]
    assert [answer["question"] for answer in answers] == [
        "Vad sades om bostadsbristen för unga?", "Skulder hos Kronofogden - vad gör vi?"
    ]


def test_a_binary_questions_file_is_a_clear_error(tiny_index: BuiltIndex, work: Path) -> None:
    questions = work / "frågor.txt"
    questions.write_bytes(bytes(range(256)) * 4)
    run = samordna("ask", "--questions", str(questions), corpus=tiny_index.settings.corpus_dir,
                   index=tiny_index.settings.index_dir, cwd=work)
    assert run.code == 1
    assert_clean(run)
    assert "kunde inte läsas: den ser ut att vara en binärfil" in run.flat_err


def test_an_env_file_that_is_not_utf8(tiny_index: BuiltIndex, work: Path) -> None:
    (work / ".env").write_bytes("# Inställningar för Växjö\nSAMORDNA_TOP_K=3\n".encode("latin-1"))
    run = samordna("ask", "bostadsbrist", corpus=tiny_index.settings.corpus_dir,
                   index=tiny_index.settings.index_dir, cwd=work)
    assert run.code == 2
    assert_clean(run)
    assert "Filen .env är inte sparad som UTF-8" in run.flat_err


# 9. Long questions ----------------------------------------------------------------------------


def test_a_huge_question_is_cut_and_answered_quickly(tiny_index: BuiltIndex, work: Path) -> None:
    settings = tiny_index.settings
    words = " ".join(TINY_CORPUS.values()).split()
    question = " ".join(f"{words[i % len(words)]}x" for i in range(20_000))[:100_000]
    run = samordna("ask", question, "--json", corpus=settings.corpus_dir, index=settings.index_dir, cwd=work)
    assert run.code == 0, run.err
    assert_clean(run)
    assert "bara på de första 1000 tecknen" in run.flat_err
    assert len(json.loads(run.out)["question"]) <= 1000
    assert run.seconds < 30


def test_the_cost_of_a_question_is_bounded_whatever_its_length(seed_retriever) -> None:
    words = " ".join(Path(REPO / "seeds").joinpath(name).read_text(encoding="utf-8")
                     for name in sorted(os.listdir(REPO / "seeds"))[:2]).split()
    question = " ".join(f"{word}q" for word in words)[:200_000]
    query = Query.parse(question)
    assert len(query.text) <= MAX_CHARS and len(query.words) <= MAX_TERMS
    started = time.perf_counter()
    seed_retriever.ask(question)
    assert time.perf_counter() - started < 5


def test_an_overlong_question_keeps_its_start() -> None:
    assert Query.parse(" " * 10_000 + "Vad sades om SIP?").text == "Vad sades om SIP?"


# 10. Settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("top_k", "0", "måste vara minst 1"),
        ("top_k", "-1", "måste vara minst 1"),
        ("top_k", "1000", "får vara högst 50"),
        ("top_k", "abc123xyz", "måste vara ett heltal"),
        ("approximate_above", "-1", "måste vara minst 0"),
        ("approximate_above", "mycketxyz", "måste vara ett heltal"),
        ("max_question_chars", "5", "måste vara minst 20"),
        ("embedding_model", "", "måste ha minst 1 tecken"),
    ],
)
def test_a_bad_setting_is_named_in_swedish_without_its_value(
    tiny_index: BuiltIndex, work: Path, setting: str, value: str, problem: str
) -> None:
    run = samordna("ask", "bostadsbrist", corpus=tiny_index.settings.corpus_dir, index=tiny_index.settings.index_dir,
                   cwd=work, **{setting: value})
    assert run.code == 2
    assert_clean(run)
    assert f"SAMORDNA_{setting.upper()}: {problem}" in run.flat_err
    assert "xyz" not in run.err and "Input should" not in run.err


def test_every_numeric_setting_has_a_range() -> None:
    from annotated_types import Ge, Gt, Le, Lt

    from bot.settings import BotSettings

    for name, field in BotSettings.model_fields.items():
        if field.annotation in (int, float):
            bounds = {type(rule) for rule in field.metadata}
            assert bounds & {Ge, Gt} and bounds & {Le, Lt}, name


@pytest.mark.parametrize(
    ("setting", "value", "problem"),
    [
        ("rate_limit_seconds", "inf", "SAMORDNA_RATE_LIMIT_SECONDS: måste vara ett ändligt tal"),
        ("rate_limit_questions", "0", "SAMORDNA_RATE_LIMIT_QUESTIONS: måste vara minst 1"),
        ("max_upload_mb", "-3", "SAMORDNA_MAX_UPLOAD_MB: måste vara större än 0"),
        ("open_access", "kanske", "SAMORDNA_OPEN_ACCESS: måste vara true eller false"),
        ("webhook_port", "99999", "SAMORDNA_WEBHOOK_PORT: får vara högst 65535"),
        ("admins", "12,abc", "SAMORDNA_ADMINS (värde nr 2): måste vara ett heltal"),
    ],
)
def test_a_bad_bot_setting_exits_2(tmp_path: Path, work: Path, setting: str, value: str, problem: str) -> None:
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    run = samordna("bot", corpus=corpus, index=tmp_path / "index", cwd=work,
                   telegram_token="123456789:AAHtestTOKENtestTOKENtestTOKENtest12", **{setting: value})
    assert run.code == 2
    assert_clean(run)
    assert problem in run.flat_err
    assert "AAHtest" not in run.err


# 11. and 12. Paths that are files -------------------------------------------------------------


def test_an_index_folder_that_is_a_file_is_refused_before_building(tmp_path: Path, work: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", TINY_CORPUS)
    index = tmp_path / "index"
    index.write_text("inte en mapp")
    for command in (("index", "build"), ("ask", "bostadsbrist")):
        run = samordna(*command, corpus=corpus, index=index, cwd=work)
        assert run.code == 2, run.err
        assert_clean(run)
        assert f"Indexet kunde inte sparas i {index}: sökvägen är en fil, inte en mapp" in run.flat_err
        assert "Bäddar in" not in run.err
    assert index.read_text() == "inte en mapp"


def test_a_corpus_folder_that_is_a_file_stops_the_bot_with_exit_2(tmp_path: Path, work: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.write_text("inte en mapp")
    run = samordna("bot", corpus=corpus, index=tmp_path / "index", cwd=work,
                   telegram_token="123456789:AAHtestTOKENtestTOKENtestTOKENtest12")
    assert run.code == 2
    assert_clean(run)
    assert f"Korpusmappen {corpus} är en fil, inte en mapp" in run.flat_err
    built = samordna("index", "build", corpus=corpus, index=tmp_path / "index", cwd=work)
    assert built.code == 2 and "är en fil, inte en mapp" in built.flat_err


# Also seen: cleaning that removes too much, .docx bombs ----------------------------------------


def _transcript(pages: int, teasers: int = 1) -> str:
    body = "\n\n".join(
        f"{page} Sida {page} om samverkan kring unga vuxna och arbetsträning." for page in range(1, pages + 1)
    )
    tail = "\n".join(f"Relaterat dokument {n}\nEtt utdrag om något annat.\nLäs mer" for n in range(teasers))
    return f"Rapport om unga\nStorlek: px\nTranskript\n\n{body}\n\n{tail}\n"


def test_a_read_more_line_among_the_pages_does_not_cut_the_document() -> None:
    text = _transcript(40)
    early = text.replace("\n\n5 Sida 5", "\n\nLäs mer\n\n5 Sida 5")
    document = Cleaner().clean(RawDocument("webb.txt", ((None, early),)))
    assert "Sida 40 om samverkan" in document.text
    assert "Relaterat dokument" not in document.text and "Läs mer" not in document.text
    assert document.removed_share < 0.2


def test_cleaning_that_removes_most_of_a_document_is_reported(tmp_path: Path, work: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", {**TINY_CORPUS, "webb.txt": _transcript(2, teasers=60)})
    index = tmp_path / "index"
    built = samordna("index", "build", corpus=corpus, index=index, cwd=work)
    assert built.code == 0, built.err
    assert "Varning: rensningen tog bort" in built.flat_err and "i webb.txt" in built.flat_err
    info = samordna("index", "info", corpus=corpus, index=index, cwd=work)
    assert "Bortrensat" in info.out
    removed = {doc["doc"]: doc["removed_share"] for doc in _manifest(current_build(index))["documents"]}
    assert removed["webb.txt"] > 0.5 and removed["boende.txt"] < 0.05


def docx_bomb(path: Path, size: int = DOCX_MEMBER_LIMIT + 1) -> Path:
    """A valid-looking .docx with one member of `size` zeros: a few kilobytes on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(size // len(block) + 1):
                member.write(block)
    return path


def test_a_docx_that_unpacks_to_too_much_is_refused(tmp_path: Path) -> None:
    bomb = docx_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(UnreadableFile, match="packas upp till"):
        read_pages(bomb)
    corpus = Corpus(write_corpus(tmp_path / "corpus", TINY_CORPUS))
    shutil.copy(bomb, corpus.folder / "bomb.docx")
    _, skipped = corpus.read()
    assert [item.name for item in skipped] == ["bomb.docx"]


def test_a_write_failure_names_what_failed() -> None:
    error = IndexUnwritable.because(Path("/srv/index"), OSError(errno.EROFS, "Read-only file system", "/srv/index/x"))
    assert isinstance(error, IndexUnwritable) and error.exit_code == 2
    assert "filsystemet är skrivskyddat (/srv/index/x)" in error.message
