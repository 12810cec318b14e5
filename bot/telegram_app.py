"""`samordna bot`: the Telegram application wired up, run with long polling or a webhook."""

from __future__ import annotations

import logging
import os
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.feedback import FeedbackStore
from bot.handlers import BotHandlers
from bot.live_index import LiveIndex
from bot.logs import configure_logging
from bot.retrying import RetryingRequests
from bot.settings import BotSettings, BotSettingsError
from index.errors import SamordnaError

log = logging.getLogger(__name__)

UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
"""Edited messages, channel posts and the rest are not asked for at all."""


class StartFailureReported(logging.Filter):
    """PTB logs a failed start (token refused, Telegram unreachable) with its tracebacks before it
    raises; `run_bot` turns the error into one Swedish line, so those records are not written."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


class TelegramUnreachable(SamordnaError):
    def __init__(self, base_url: str, detail: str) -> None:
        super().__init__(
            f"Telegram kunde inte nås på {base_url} ({detail}). Kontrollera nätverket och "
            "SAMORDNA_TELEGRAM_BASE_URL."
        )


def build_application(settings: BotSettings, live: LiveIndex, token: str, feedback: FeedbackStore) -> Application:
    """The PTB application: Bot API at the configured base URL, every call retried on 429s and
    network errors, updates handled concurrently so a slow question never blocks the others.
    The feedback store is closed when the application shuts down after serving."""
    # Opt into PTB 23's timedelta time periods now: reading a 429's retry_after then warns of nothing.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    handlers = BotHandlers(settings, live, feedback)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_base_url}/bot")
        .base_file_url(f"{settings.telegram_base_url}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(RetryingRequests())
        .concurrent_updates(True)
        .post_init(handlers.register_commands)
        .post_shutdown(handlers.shutdown)
        .build()
    )
    handlers.install(application)
    return application


def serve(
    application: Application, settings: BotSettings, webhook_secret: str | None, handle_signals: bool = True
) -> None:
    """Run until stopped: a webhook server when SAMORDNA_WEBHOOK_URL is set, else long polling.

    SIGINT and SIGTERM stop it gracefully; `handle_signals=False` is for running it outside the
    main thread (where signal handlers cannot be installed) and stopping it with `stop_running`."""
    signals: dict[str, Any] = {} if handle_signals else {"stop_signals": None}
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=webhook_secret,
            allowed_updates=UPDATES,
            **signals,
        )
    else:
        application.run_polling(allowed_updates=UPDATES, **signals)


def run_bot(settings: BotSettings) -> int:
    """Check the settings, load (or first build) the index, and serve until stopped.

    Raises BotSettingsError for a missing or malformed token before anything starts, and
    SamordnaError when Telegram refuses the token or cannot be reached."""
    token = settings.checked_token()
    webhook_secret = settings.webhook_secret() if settings.webhook_url else None
    configure_logging([token, webhook_secret or ""])
    logging.getLogger("telegram.ext").addFilter(StartFailureReported())
    if not (settings.open_access or settings.admins or settings.allowed_users or settings.allowed_chats):
        log.warning("Ingen har tillgång till boten: sätt SAMORDNA_ADMINS (och ev. SAMORDNA_ALLOWED_USERS).")
    feedback = FeedbackStore.open(settings.data_dir)
    live = LiveIndex.open(settings)
    application = build_application(settings, live, token, feedback)
    if settings.webhook_url:
        log.info(
            "Startar med webhook: %s (lyssnar på %s:%d)",
            settings.webhook_url, settings.webhook_listen, settings.webhook_port,
        )
    else:
        log.info("Startar med long polling mot %s", settings.telegram_base_url)
    try:
        serve(application, settings, webhook_secret)
    except InvalidToken:
        raise BotSettingsError(  # not chained: PTB's message repeats the token
            "Telegram godtar inte SAMORDNA_TELEGRAM_TOKEN. Kontrollera den hos @BotFather (/mybots → API Token)."
        ) from None
    except NetworkError as error:
        raise TelegramUnreachable(settings.telegram_base_url, error.message) from error
    return 0
