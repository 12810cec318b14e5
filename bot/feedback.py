"""What staff say about answers: 👍/👎 per answer, kept in SQLite in the data folder.

One connection and one thread: every read and write of the bot goes through a single-worker
executor (`run`), so writes are serialised without locks of our own and the event loop never
waits for the disk. WAL lets `samordna feedback` read while the bot writes. The schema is
created and migrated when the store opens (`PRAGMA user_version`).

About people: a Telegram user or chat id is stored only as a keyed hash (HMAC-SHA256 with a key
made on first start and kept beside the database), the question text only when
SAMORDNA_LOG_QUESTIONS is on, and a follow-up text only when the person writes one in reply to
the bot's invitation, which says that it is kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from index.answer import Answer, Outcome
from index.errors import SamordnaError
from index.scopes import EVERYTHING, Scope, describe

DATABASE = "feedback.sqlite3"
KEY_FILE = "feedback.key"
BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process (e.g. `samordna feedback` reading)."""

MIGRATIONS = (
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        asked_at TEXT NOT NULL,
        chat TEXT NOT NULL,
        scope TEXT NOT NULL,
        outcome TEXT NOT NULL,
        question TEXT
    );
    CREATE INDEX answers_asked_at ON answers (asked_at);
    CREATE TABLE shown (
        answer_id INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        note_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        quote TEXT NOT NULL,
        PRIMARY KEY (answer_id, rank)
    );
    CREATE TABLE verdicts (
        answer_id INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
        person TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
        given_at TEXT NOT NULL,
        prompt_message INTEGER,
        comment TEXT,
        PRIMARY KEY (answer_id, person)
    );
    """,
)
"""Each entry moves the schema one version up; never edit one that has shipped, append a new one."""

T = TypeVar("T")


class Verdict(StrEnum):
    UP = "up"
    DOWN = "down"


class FeedbackUnavailable(SamordnaError):
    """The data folder or database cannot be used."""


@dataclass(frozen=True)
class VerdictGiven:
    previous: Verdict | None
    """The person's earlier verdict on this answer, which the new one replaced."""
    invited: bool = False
    """The person was already invited to say what they wanted."""


@dataclass(frozen=True)
class WeekCount:
    week: str
    """ISO week, e.g. 2026-W48."""
    outcome: Outcome
    answers: int
    up: int
    down: int


@dataclass(frozen=True)
class DislikedQuestion:
    question: str
    down: int
    up: int
    comments: tuple[str, ...]


@dataclass
class ExportedQuestion:
    """One line of the eval-set shape (index/evaluation.py)."""

    id: str
    question: str
    kind: str
    relevant: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "kind": self.kind, "relevant": self.relevant}


@dataclass(frozen=True)
class ExportReport:
    questions: list[ExportedQuestion]
    without_text: int
    """Answers with a verdict whose question was not stored (SAMORDNA_LOG_QUESTIONS off)."""
    only_down: int
    """Questions only ever marked 👎: no note is known to be right, so they are not exported."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso_week(moment: str) -> str:
    year, week, _ = datetime.fromisoformat(moment).isocalendar()
    return f"{year}-W{week:02d}"


class FeedbackStore:
    """The feedback database of one data folder."""

    def __init__(self, connection: sqlite3.Connection, key: bytes, path: Path) -> None:
        self._db = connection
        self._key = key
        self.path = path
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feedback")

    @classmethod
    def open(cls, data_dir: Path) -> FeedbackStore:
        """Open (creating and migrating) the database in `data_dir`."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            key = _secret_key(data_dir / KEY_FILE)
            path = data_dir / DATABASE
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            _migrate(connection)
        except (OSError, ValueError, sqlite3.Error) as error:
            raise FeedbackUnavailable(
                f"Återkopplingsdatabasen i {data_dir} (SAMORDNA_DATA_DIR) kan inte användas: {error}"
            ) from error
        return cls(connection, key, path)

    def close(self) -> None:
        """Finish pending writes and close; closing twice is harmless."""
        self._worker.shutdown(wait=True)
        self._db.close()

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run one of the store's methods on its single thread (the one writer)."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, partial(work, *args))

    def _hash(self, kind: str, number: int) -> str:
        return hmac.new(self._key, f"{kind}:{number}".encode(), hashlib.sha256).hexdigest()[:32]

    # Writing

    def record_answer(self, chat_id: int, scope: Scope | None, answer: Answer, question: str | None) -> int:
        """Store an answer as shown (question text only when given); returns the id its buttons carry."""
        with transaction(self._db):
            cursor = self._db.execute(
                "INSERT INTO answers (asked_at, chat, scope, outcome, question) VALUES (?, ?, ?, ?, ?)",
                (now(), self._hash("chat", chat_id), describe(scope), str(answer.outcome), question),
            )
            answer_id = int(cursor.lastrowid)
            self._db.executemany(
                "INSERT INTO shown (answer_id, rank, note_id, doc, quote) VALUES (?, ?, ?, ?, ?)",
                [(answer_id, hit.rank, hit.note.id, hit.note.doc, hit.quote) for hit in answer.hits],
            )
        return answer_id

    def give_verdict(self, answer_id: int, chat_id: int, user_id: int, verdict: Verdict) -> VerdictGiven | None:
        """Store or change the person's verdict on an answer given in this chat; None when there is
        no such answer in this chat (an old database, or a forged button)."""
        person = self._hash("user", user_id)
        with transaction(self._db):
            row = self._db.execute(
                "SELECT 1 FROM answers WHERE id = ? AND chat = ?", (answer_id, self._hash("chat", chat_id))
            ).fetchone()
            if row is None:
                return None
            previous = self._db.execute(
                "SELECT verdict, prompt_message FROM verdicts WHERE answer_id = ? AND person = ?", (answer_id, person)
            ).fetchone()
            self._db.execute(
                "INSERT INTO verdicts (answer_id, person, verdict, given_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_id, person) "
                "DO UPDATE SET verdict = excluded.verdict, given_at = excluded.given_at",
                (answer_id, person, str(verdict), now()),
            )
        if previous is None:
            return VerdictGiven(None)
        return VerdictGiven(Verdict(previous[0]), previous[1] is not None)

    def invite_comment(self, answer_id: int, user_id: int, message_id: int) -> None:
        """Remember the bot's message inviting this person to say what they wanted."""
        with transaction(self._db):
            self._db.execute(
                "UPDATE verdicts SET prompt_message = ? WHERE answer_id = ? AND person = ?",
                (message_id, answer_id, self._hash("user", user_id)),
            )

    def add_comment(self, chat_id: int, user_id: int, prompt_message: int, text: str) -> bool:
        """Keep the person's reply to an invitation; False when the message replied to was none
        of theirs."""
        with transaction(self._db):
            cursor = self._db.execute(
                "UPDATE verdicts SET comment = ? WHERE person = ? AND prompt_message = ? AND answer_id IN "
                "(SELECT id FROM answers WHERE chat = ?)",
                (text, self._hash("user", user_id), prompt_message, self._hash("chat", chat_id)),
            )
        return cursor.rowcount > 0

    # Reading

    def totals(self) -> tuple[int, int]:
        """(👍, 👎) over all answers."""
        counts = dict(self._db.execute("SELECT verdict, COUNT(*) FROM verdicts GROUP BY verdict").fetchall())
        return counts.get(Verdict.UP, 0), counts.get(Verdict.DOWN, 0)

    def weeks(self, scope: Scope | None = None) -> list[WeekCount]:
        """Answers, 👍 and 👎 per ISO week and outcome, newest week first."""
        rows = self._db.execute(
            "SELECT a.asked_at, a.scope, a.outcome, "
            "(SELECT COUNT(*) FROM verdicts v WHERE v.answer_id = a.id AND v.verdict = 'up'), "
            "(SELECT COUNT(*) FROM verdicts v WHERE v.answer_id = a.id AND v.verdict = 'down') FROM answers a"
        ).fetchall()
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for asked_at, asked_in, outcome, up, down in rows:
            if not within(asked_in, scope):
                continue
            count = counts[(iso_week(asked_at), outcome)]
            count[0] += 1
            count[1] += up
            count[2] += down
        order = list(Outcome)
        rows_by_outcome = sorted(counts.items(), key=lambda item: order.index(Outcome(item[0][1])))
        return [
            WeekCount(week, Outcome(outcome), *count)
            for (week, outcome), count in sorted(rows_by_outcome, key=lambda item: item[0][0], reverse=True)
        ]

    def most_disliked(self, limit: int = 10, scope: Scope | None = None) -> list[DislikedQuestion]:
        """Stored questions with the most 👎, with any follow-up the people wrote."""
        rows = self._db.execute(
            "SELECT a.question, a.scope, v.verdict, v.comment FROM answers a JOIN verdicts v ON v.answer_id = a.id "
            "WHERE a.question IS NOT NULL"
        ).fetchall()
        tally: dict[str, list[Any]] = {}
        for question, asked_in, verdict, comment in rows:
            if not within(asked_in, scope):
                continue
            entry = tally.setdefault(" ".join(question.split()), [0, 0, []])
            entry[0 if verdict == Verdict.DOWN else 1] += 1
            if comment:
                entry[2].append(comment)
        disliked = [DislikedQuestion(q, down, up, tuple(comments)) for q, (down, up, comments) in tally.items() if down]
        return sorted(disliked, key=lambda item: (-item.down, item.up, item.question))[:limit]

    def export(self, scope: Scope | None = None) -> ExportReport:
        """Questions with verdicts in the eval-set shape: a 👍 on shown notes makes the first of them
        (and the quote the person read) relevant; a 👍 on "nothing found" makes the question one
        the notes cannot answer. Answers with more 👎 than 👍 say only what is wrong, so a question
        never accepted is left out. Only answers asked in chats within `scope` are taken."""
        rows = self._db.execute(
            "SELECT a.id, a.question, a.scope, a.outcome, "
            "SUM(v.verdict = 'up'), SUM(v.verdict = 'down') FROM answers a JOIN verdicts v ON v.answer_id = a.id "
            "GROUP BY a.id ORDER BY a.id"
        ).fetchall()
        by_question: dict[str, ExportedQuestion] = {}
        accepted: set[str] = set()
        without_text = 0
        for answer_id, question, asked_in, outcome, up, down in rows:
            if not within(asked_in, scope):
                continue
            if question is None:
                without_text += 1
                continue
            text = " ".join(question.split())
            item = by_question.setdefault(text, ExportedQuestion(f"feedback-{answer_id}", text, "feedback"))
            if up <= down:
                continue
            accepted.add(text)
            first = self._db.execute(
                "SELECT doc, quote FROM shown WHERE answer_id = ? ORDER BY rank LIMIT 1", (answer_id,)
            ).fetchone()
            if outcome != Outcome.NOTHING and first is not None:
                relevant = {"doc": first[0], "span": first[1]}
                if relevant not in item.relevant:
                    item.relevant.append(relevant)
        questions = [item for text, item in by_question.items() if text in accepted]
        for item in questions:
            item.kind = "feedback" if item.relevant else "feedback-unanswerable"
        return ExportReport(questions, without_text, len(by_question) - len(questions))


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error: the write lock is taken up front, so a
    reader in another process never turns this into a failed lock upgrade."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def within(asked_in: str, scope: Scope | None) -> bool:
    """Whether an answer given in a chat of scope `asked_in` (as stored) lies within `scope`."""
    if scope is None:
        return True
    if asked_in == EVERYTHING:
        return False
    asked = Scope.parse(asked_in)
    return asked is not None and asked.folders <= scope.folders


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema to the newest version, one migration per transaction."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError(
            f"databasen har schemaversion {version}, den här versionen av samordna känner bara till {len(MIGRATIONS)}"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(connection):
            for statement in _statements(script):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")


def _statements(script: str) -> Iterable[str]:
    return (statement.strip() for statement in script.split(";") if statement.strip())


def _secret_key(path: Path) -> bytes:
    """The hashing key, made once with owner-only permissions; losing it only means that people's
    later verdicts are no longer linked to their earlier ones."""
    if not path.exists():
        partial_key = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(partial_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_bytes(32).hex() + "\n")
        try:
            os.link(partial_key, path)  # fails if another process made one first: theirs is used
        except FileExistsError:
            pass
        finally:
            partial_key.unlink()
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"nyckelfilen {path.name} är skadad")
    return key
