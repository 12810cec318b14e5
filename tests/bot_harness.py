"""Running the real bot application against the Bot API stand-in, for the end-to-end tests.

The application runs exactly as `samordna bot` runs it (`serve`), in a thread with its own event
loop; the test thread feeds updates through the stand-in and reads what the bot sent.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from botapi_standin import BotApiStandIn

from bot.feedback import FeedbackStore
from bot.live_index import Builder, LiveIndex
from bot.settings import BotSettings
from bot.telegram_app import build_application, serve
from index.build import build_index

TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKENtest12"
ADMIN = 1001
MEMBER = 2002
OUTSIDER = 3003
GROUP = -100500
SECRET = "webhook-secret_42"


def bot_settings(standin: BotApiStandIn, corpus: Path, index: Path, **overrides: Any) -> BotSettings:
    """Settings for a test bot: no .env, the stand-in as Bot API, one admin, one member, one group."""
    values: dict[str, Any] = {
        "telegram_token": TOKEN,
        "telegram_base_url": standin.base_url,
        "corpus_dir": corpus,
        "index_dir": index,
        "data_dir": index.parent / "data",
        "admins": (ADMIN,),
        "allowed_users": (MEMBER,),
        "allowed_chats": (GROUP,),
        "rate_limit_questions": 50,
        **overrides,
    }
    return BotSettings(_env_file=None, **values)


class RunningBot:
    """The application serving in a background thread until the `with` block ends."""

    def __init__(
        self, standin: BotApiStandIn, settings: BotSettings, builder: Builder = build_index,
        webhook_secret: str | None = None,
    ) -> None:
        self.standin = standin
        self.settings = settings
        self.live = LiveIndex.open(settings, builder)
        self.feedback = FeedbackStore.open(settings.data_dir)
        self.application = build_application(settings, self.live, settings.checked_token(), self.feedback)
        self.webhook_secret = webhook_secret
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="bot-under-test", daemon=True)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            serve(self.application, self.settings, self.webhook_secret, handle_signals=False)
        except BaseException as error:  # surfaced to the test in __enter__ / __exit__
            self.error = error

    def __enter__(self) -> RunningBot:
        self._thread.start()
        ready = "setWebhook" if self.settings.webhook_url else "getUpdates"
        self.standin.wait_for(
            lambda: self.error or (self.standin.calls_to(ready) and self.application.running),
            what=f"the bot to start ({ready})",
        )
        if self.error:
            raise self.error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self.application.stop_running)
        self._thread.join(timeout=20)
        assert not self._thread.is_alive(), "the bot did not stop"
        if self.error and not exc[0]:
            raise self.error
