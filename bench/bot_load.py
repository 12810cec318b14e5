"""Simulated users asking the real bot application through the Bot API stand-in (tests/).

The application runs as `samordna bot` runs it, long polling the stand-in on 127.0.0.1. Each user
has a group chat with the bot and asks one question at a time, the next as soon as the answer
is there, so that all users have a question in flight at once. In a group the answer's first
message replies to the question, which ties every answer to its question: a question with no
reply is lost, one with two is duplicated.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from telegram.ext import Application

from bench.measure import REPO, percentile_ms
from bot.feedback import FeedbackStore
from bot.live_index import LiveIndex
from bot.settings import BotSettings
from bot.telegram_app import build_application, serve

sys.path.insert(0, str(REPO / "tests"))
from botapi_standin import BotApiStandIn, Call  # noqa: E402  (a test module, not a package)

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN12"
FIRST_USER = 910_000
STRAGGLERS_SECONDS = 1.0
"""How long to keep listening after the last answer, for duplicates."""


@dataclass
class Asked:
    user: int
    pushed_at: float
    replied_at: list[float] = field(default_factory=list)


def simulate(corpus: Path, index_dir: Path, questions: list[str], users: int, per_user: int, timeout: float) -> dict:
    user_ids = [FIRST_USER + number for number in range(users)]
    with BotApiStandIn(TOKEN) as standin:
        settings = BotSettings(
            _env_file=None, telegram_token=TOKEN, telegram_base_url=standin.base_url,
            corpus_dir=corpus, index_dir=index_dir, data_dir=index_dir.parent / "bench-data",
            allowed_chats=tuple(-user for user in user_ids),
        )
        feedback = FeedbackStore.open(settings.data_dir)
        application = build_application(settings, LiveIndex.open(settings), TOKEN, feedback)
        with _serving(application, settings, standin):
            asked = _converse(standin, user_ids, questions, per_user, timeout)
    replied = [entry for entry in asked.values() if entry.replied_at]
    latencies = [entry.replied_at[0] - entry.pushed_at for entry in replied]
    elapsed = max(entry.replied_at[0] for entry in replied) - min(entry.pushed_at for entry in asked.values())
    return {
        "users": users,
        "questions_per_user": per_user,
        "asked": len(asked),
        "answered": len(latencies),
        "lost": sum(1 for entry in asked.values() if not entry.replied_at),
        "duplicated": sum(1 for entry in asked.values() if len(entry.replied_at) > 1),
        "seconds": elapsed,
        "answers_per_second": len(latencies) / elapsed,
        "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95),
        "max_ms": max(latencies) * 1000,
    }


def _converse(
    standin: BotApiStandIn, user_ids: list[int], questions: list[str], per_user: int, timeout: float
) -> dict[int, Asked]:
    """Every user asks `per_user` questions in turn; returns what was asked, by message id."""
    asked: dict[int, Asked] = {}
    turns = dict.fromkeys(user_ids, 0)
    mention = f"@{standin.bot['username']}"

    def ask(user: int) -> None:
        question = questions[(user + turns[user]) % len(questions)]
        turns[user] += 1
        pushed_at = time.monotonic()
        update = standin.message(f"{mention} {question}", user, chat_id=-user, chat_type="group")
        asked[update["message"]["message_id"]] = Asked(user, pushed_at)

    for user in user_ids:
        ask(user)
    replies = _Replies(standin)
    wanted = len(user_ids) * per_user
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline:
        for call in replies.accepted(wait=0.5):
            entry = asked.get((call.params.get("reply_parameters") or {}).get("message_id"))
            if entry is None:
                continue
            entry.replied_at.append(time.monotonic())
            if len(entry.replied_at) == 1:
                answered += 1
                if turns[entry.user] < per_user:
                    ask(entry.user)
        if answered == wanted:
            deadline = min(deadline, time.monotonic() + STRAGGLERS_SECONDS)
    return asked


class _Replies:
    """The bot's sendMessage calls, each handed out once, when the stand-in has accepted it."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self._standin = standin
        self._seen = 0
        self._waiting: list[Call] = []

    def accepted(self, wait: float) -> list[Call]:
        try:
            self._standin.wait_for(self._news, timeout=wait, what="a call from the bot")
        except AssertionError:  # nothing new for a while
            return []
        new = self._standin.calls[self._seen :]
        self._seen += len(new)
        candidates = self._waiting + [call for call in new if call.method == "sendMessage"]
        accepted = [call for call in candidates if call.params.get("_ok")]
        self._waiting = [call for call in candidates if call not in accepted]
        return accepted

    def _news(self) -> bool:
        return len(self._standin.calls) > self._seen or any(call.params.get("_ok") for call in self._waiting)


@contextmanager
def _serving(application: Application, settings: BotSettings, standin: BotApiStandIn) -> Iterator[None]:
    """The application long polling in a thread with its own event loop, as in the bot tests."""
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        serve(application, settings, None, handle_signals=False)

    thread = threading.Thread(target=run, name="bot", daemon=True)
    thread.start()
    standin.wait_for(lambda: standin.calls_to("getUpdates") and application.running, what="the bot to start")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(application.stop_running)
        thread.join(timeout=20)
