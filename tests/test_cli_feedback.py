"""`samordna ask --scope`, `samordna feedback` and `samordna feedback export` → `samordna eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BuiltIndex
from scoped_corpus import GAVLEBORG, GAVLEBORG_SIP, UPPSALA

from bot.feedback import FeedbackStore, Verdict
from index.retrieval import Retriever
from index.scopes import Scope

pytest_plugins = ("scope_fixtures",)

CHAT, PERSON = -100700, 4711


@pytest.fixture
def scoped_cli(cli, scoped_index: BuiltIndex, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("SAMORDNA_DATA_DIR", str(tmp_path / "data"))
    return lambda *args: cli(*args, corpus=scoped_index.settings.corpus_dir, index=scoped_index.settings.index_dir)


def test_ask_in_a_scope(scoped_cli) -> None:
    result = scoped_cli("ask", "--json", "--scope", GAVLEBORG, "Vad sades om SIP?")
    assert result.code == 0
    hits = json.loads(result.out)["hits"]
    assert hits and all(hit["doc"].startswith(f"{GAVLEBORG}/") for hit in hits)
    assert GAVLEBORG_SIP in hits[0]["text"]


def test_an_unknown_or_malformed_scope_is_refused(scoped_cli) -> None:
    unknown = scoped_cli("ask", "--scope", "stockholm", "Vad sades om SIP?")
    assert unknown.code != 0 and "stockholm" in unknown.flat_err and "gavleborg" in unknown.flat_err
    with pytest.raises(SystemExit) as exit_info:
        scoped_cli("ask", "--scope", "a/b", "Vad sades om SIP?")
    assert exit_info.value.code == 2


def test_feedback_without_a_database_says_where_it_looked(scoped_cli) -> None:
    result = scoped_cli("feedback")
    assert result.code == 1 and "SAMORDNA_DATA_DIR" in result.flat_err


def test_feedback_is_counted_and_exported_for_eval(
    scoped_cli, scoped_retriever: Retriever, tmp_path: Path
) -> None:
    store = FeedbackStore.open(tmp_path / "data")
    gavle = Scope.of(GAVLEBORG)
    questions = {
        "Vad sades om SIP?": (gavle, Verdict.UP),
        "Vad sades om arbetsträning?": (gavle, Verdict.DOWN),
        "Vad är kvarnbomodellen?": (Scope.of(UPPSALA), Verdict.UP),
        "Vad sades om barnahus?": (gavle, Verdict.UP),
    }
    for question, (scope, verdict) in questions.items():
        answer_id = store.record_answer(CHAT, scope, scoped_retriever.ask(question, 5, scope=scope), question)
        store.give_verdict(answer_id, CHAT, PERSON, verdict)
    store.close()

    shown = scoped_cli("feedback")
    assert shown.code == 0
    assert "besvarad" in shown.flat_out and "Vad sades om arbetsträning?" in shown.flat_out

    exported = tmp_path / "feedback.jsonl"
    result = scoped_cli("feedback", "export", str(exported), "--scope", GAVLEBORG)
    assert result.code == 0 and "Skrev 2 frågor" in result.flat_err and "bara 👎" in result.flat_err
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [line["question"] for line in lines] == ["Vad sades om SIP?", "Vad sades om barnahus?"]
    assert set(lines[0]) == {"id", "question", "kind", "relevant"}
    assert lines[0]["relevant"][0]["doc"].startswith(f"{GAVLEBORG}/") and lines[1]["relevant"] == []

    evaluated = scoped_cli("eval", "--json", "--scope", GAVLEBORG, str(exported))
    assert evaluated.code == 0, evaluated.err
    report = json.loads(evaluated.out)
    assert (report["questions"], report["answerable"]) == (2, 1)
    assert report["missed"] == []  # the accepted note is found again, the abstention repeated


def test_exporting_nothing_is_an_error_not_an_empty_file(scoped_cli, tmp_path: Path) -> None:
    FeedbackStore.open(tmp_path / "data").close()
    result = scoped_cli("feedback", "export", str(tmp_path / "out.jsonl"))
    assert result.code == 1 and "inga frågor" in result.flat_err and not (tmp_path / "out.jsonl").exists()
