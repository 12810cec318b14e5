"""Every Bot API call (but getUpdates, which the updater retries itself) goes through here, so a
429 from Telegram or a dropped connection delays an answer instead of losing it.

PTB's rate-limiter hook is the one place all calls pass; PTB's own AIORateLimiter retries only
429s and needs the aiolimiter package, so this small one also covers network errors.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRequests(BaseRateLimiter[int]):
    """Retries a call Telegram asked to slow down (after its `retry_after`) and a call that failed
    on the network (after a growing pause), up to `attempts` tries in all.

    A timed-out sendMessage may in rare cases have arrived anyway; a duplicate message is the
    lesser evil next to a question left unanswered.
    """

    def __init__(
        self, attempts: int = 5, first_pause: float = 0.5, longest_pause: float = 30.0, longest_wait: float = 120.0
    ) -> None:
        self.attempts = attempts
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self.longest_wait = longest_wait
        """Longer 429 waits than this are not worth holding an answer for: the call fails."""

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        pause, attempt = self.first_pause, 0
        while True:
            attempt += 1
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if attempt == self.attempts or wait > self.longest_wait:
                    raise
                log.warning("Telegram bad om paus (429) för %s: väntar %.1f s, försök %d", endpoint, wait, attempt)
            except BadRequest:
                raise  # a NetworkError subclass in PTB, but retrying the same request cannot help
            except NetworkError as error:
                if attempt == self.attempts:
                    raise
                wait, pause = pause, min(pause * 2, self.longest_pause)
                log.warning("Nätverksfel för %s (%s): försöker igen om %.1f s", endpoint, error.message, wait)
            await asyncio.sleep(wait)


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds, whichever form PTB gives it in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the int form is deprecated, but is what PTB 22 gives by default
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
