"""The feedback store: schema on open, verdicts that change rather than pile up, nothing lost under
concurrency, people only as keyed hashes, and an export `samordna eval` reads."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.feedback import DATABASE, KEY_FILE, MIGRATIONS, FeedbackStore, FeedbackUnavailable, Verdict, iso_week, now
from index.answer import Answer, Hit, Outcome
from index.evaluation import load_questions
from index.notes import Note
from index.scopes import Scope

CHAT, OTHER_CHAT = -100500, -100600
ALICE, BOB = 424242421, 515151512
GAVLE = Scope.of("gavleborg")


def answer(
    question: str = "Vad sades om SIP?", outcome: Outcome = Outcome.ANSWERED, doc: str = "gavleborg/a.txt"
) -> Answer:
    texts = [f"SIP-samordnaren kallar till möte {n}. Fler detaljer." for n in (1, 2)]
    notes = [Note(text=text, doc=doc, title="Dialog") for text in texts]
    hits = () if outcome is Outcome.NOTHING else tuple(
        Hit(rank=rank, score=1.0 / rank, note=note, quote=note.text.split(".")[0] + ".")
        for rank, note in enumerate(notes, start=1)
    )
    return Answer(question=question, outcome=outcome, hits=hits)


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    opened = FeedbackStore.open(tmp_path / "data")
    yield opened
    opened.close()


def test_the_database_is_created_and_migrated(tmp_path: Path) -> None:
    store = FeedbackStore.open(tmp_path / "nested" / "data")
    store.close()
    with sqlite3.connect(tmp_path / "nested" / "data" / DATABASE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    key = tmp_path / "nested" / "data" / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    FeedbackStore.open(tmp_path / "nested" / "data").close()  # opening again migrates nothing


def test_a_newer_database_is_refused_clearly(tmp_path: Path) -> None:
    FeedbackStore.open(tmp_path).close()
    with sqlite3.connect(tmp_path / DATABASE) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(FeedbackUnavailable, match="SAMORDNA_DATA_DIR"):
        FeedbackStore.open(tmp_path)


def test_a_data_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "var").write_text("ingen mapp")
    with pytest.raises(FeedbackUnavailable, match="SAMORDNA_DATA_DIR"):
        FeedbackStore.open(tmp_path / "var")


def test_a_second_press_changes_the_verdict(store: FeedbackStore) -> None:
    answer_id = store.record_answer(CHAT, None, answer(), None)
    assert store.give_verdict(answer_id, CHAT, ALICE, Verdict.UP).previous is None
    assert store.give_verdict(answer_id, CHAT, ALICE, Verdict.DOWN).previous is Verdict.UP
    assert store.give_verdict(answer_id, CHAT, BOB, Verdict.DOWN).previous is None
    assert store.totals() == (0, 2)


def test_a_verdict_on_an_answer_of_another_chat_is_refused(store: FeedbackStore) -> None:
    answer_id = store.record_answer(CHAT, None, answer(), None)
    assert store.give_verdict(answer_id, OTHER_CHAT, ALICE, Verdict.UP) is None
    assert store.give_verdict(answer_id + 99, CHAT, ALICE, Verdict.UP) is None
    assert store.totals() == (0, 0)


def test_people_and_chats_are_stored_as_keyed_hashes_only(tmp_path: Path) -> None:
    store = FeedbackStore.open(tmp_path)
    answer_id = store.record_answer(CHAT, GAVLE, answer(), None)
    store.give_verdict(answer_id, CHAT, ALICE, Verdict.UP)
    store.close()
    raw = b"".join(path.read_bytes() for path in tmp_path.glob(f"{DATABASE}*"))
    assert str(ALICE).encode() not in raw and str(CHAT).encode() not in raw
    assert b"Vad sades om SIP" not in raw  # no question text unless asked to keep it
    with sqlite3.connect(tmp_path / DATABASE) as db:
        (person,) = db.execute("SELECT person FROM verdicts").fetchone()
        assert len(person) == 32 and str(ALICE) not in person
        assert db.execute("SELECT scope, outcome, question FROM answers").fetchone() == ("gavleborg", "answered", None)
        assert db.execute("SELECT rank, doc FROM shown ORDER BY rank").fetchall() == [
            (1, "gavleborg/a.txt"), (2, "gavleborg/a.txt")
        ]


def test_verdicts_survive_a_restart(tmp_path: Path) -> None:
    store = FeedbackStore.open(tmp_path)
    answer_id = store.record_answer(CHAT, None, answer(), "Vad sades om SIP?")
    store.give_verdict(answer_id, CHAT, ALICE, Verdict.UP)
    store.close()
    again = FeedbackStore.open(tmp_path)
    assert again.give_verdict(answer_id, CHAT, ALICE, Verdict.UP).previous is Verdict.UP  # same key, same person
    assert again.totals() == (1, 0)
    again.close()


@pytest.mark.asyncio
async def test_concurrent_presses_lose_nothing(store: FeedbackStore) -> None:
    answer_id = await store.run(store.record_answer, CHAT, None, answer(), None)
    people = range(1, 61)
    presses = [store.run(store.give_verdict, answer_id, CHAT, person, Verdict.UP) for person in people]
    flips = [
        store.run(store.give_verdict, answer_id, CHAT, ALICE, Verdict.UP if n % 2 else Verdict.DOWN) for n in range(20)
    ]
    more_answers = [store.run(store.record_answer, CHAT, None, answer(f"fråga {n}"), None) for n in range(20)]
    results = await asyncio.gather(*presses, *flips, *more_answers)
    assert all(result is not None for result in results)
    assert sum(await store.run(store.totals)) == 61
    assert len(set(results[-20:])) == 20


def test_a_comment_is_kept_only_for_the_invited_person(store: FeedbackStore) -> None:
    answer_id = store.record_answer(CHAT, None, answer(), "Vad sades om SIP?")
    store.give_verdict(answer_id, CHAT, ALICE, Verdict.DOWN)
    store.invite_comment(answer_id, ALICE, 7001)
    assert not store.add_comment(CHAT, BOB, 7001, "inte mitt")
    assert not store.add_comment(OTHER_CHAT, ALICE, 7001, "fel chatt")
    assert store.add_comment(CHAT, ALICE, 7001, "Jag ville ha bord 3 om SIP")
    [disliked] = store.most_disliked()
    assert disliked.question == "Vad sades om SIP?" and disliked.down == 1
    assert disliked.comments == ("Jag ville ha bord 3 om SIP",)


def test_weeks_count_answers_and_verdicts_per_outcome(store: FeedbackStore) -> None:
    first = store.record_answer(CHAT, None, answer(), None)
    store.record_answer(CHAT, None, answer(outcome=Outcome.NOTHING), None)
    store.give_verdict(first, CHAT, ALICE, Verdict.UP)
    store.give_verdict(first, CHAT, BOB, Verdict.DOWN)
    weeks = store.weeks()
    assert [(row.outcome, row.answers, row.up, row.down) for row in weeks] == [
        (Outcome.ANSWERED, 1, 1, 1), (Outcome.NOTHING, 1, 0, 0)
    ]
    assert weeks[0].week == iso_week(now())
    assert store.weeks(GAVLE) == []  # asked in an unscoped chat: not Gävleborg's


def test_export_is_an_eval_set(store: FeedbackStore, tmp_path: Path) -> None:
    liked = store.record_answer(CHAT, GAVLE, answer("Vad sades om SIP?"), "Vad sades om SIP?")
    store.give_verdict(liked, CHAT, ALICE, Verdict.UP)
    abstained = store.record_answer(CHAT, GAVLE, answer("barnahus?", Outcome.NOTHING), "barnahus?")
    store.give_verdict(abstained, CHAT, ALICE, Verdict.UP)
    disliked = store.record_answer(CHAT, GAVLE, answer("Vem ledde bord 9?"), "Vem ledde bord 9?")
    store.give_verdict(disliked, CHAT, ALICE, Verdict.DOWN)
    unstored = store.record_answer(CHAT, GAVLE, answer(), None)
    store.give_verdict(unstored, CHAT, ALICE, Verdict.UP)
    elsewhere = store.record_answer(OTHER_CHAT, Scope.of("uppsala"), answer("Uppsalas fråga", doc="uppsala/b.txt"),
                                    "Uppsalas fråga")
    store.give_verdict(elsewhere, OTHER_CHAT, BOB, Verdict.UP)

    report = store.export(GAVLE)
    assert (report.without_text, report.only_down) == (1, 1)
    lines = [item.to_dict() for item in report.questions]
    assert [line["question"] for line in lines] == ["Vad sades om SIP?", "barnahus?"]
    first = lines[0]
    assert first["relevant"] == [{"doc": "gavleborg/a.txt", "span": "SIP-samordnaren kallar till möte 1."}]
    assert lines[1]["relevant"] == [] and lines[1]["kind"] == "feedback-unanswerable"
    assert [item.question for item in store.export().questions] == ["Vad sades om SIP?", "barnahus?", "Uppsalas fråga"]

    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    loaded = load_questions(path)
    assert [question.spans for question in loaded] == [("SIP-samordnaren kallar till möte 1.",), ()]
