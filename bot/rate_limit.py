"""A per-user limit on questions, so one eager user cannot keep the retriever busy for everyone."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_in: float = 0.0
    """Seconds until the user may ask again (when not allowed)."""
    first_refusal: bool = False
    """The first refusal in a row: it gets the polite answer; repeats until the window opens are
    ignored, so a flood of messages is not answered with a flood of refusals."""


class QuestionRateLimit:
    """At most `limit` questions per user in any `period` seconds (a sliding window)."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._told: set[int] = set()

    def check(self, user_id: int) -> RateDecision:
        """Count a question from `user_id` if it is allowed."""
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and asked[0] <= now - self.period:
            asked.popleft()
        if len(asked) < self.limit:
            asked.append(now)
            self._told.discard(user_id)
            return RateDecision(allowed=True)
        first = user_id not in self._told
        self._told.add(user_id)
        return RateDecision(allowed=False, retry_in=asked[0] + self.period - now, first_refusal=first)
