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


class LogThrottle:
    """At most one log line per key (an outsider's id) per `period` seconds, and at most `overall`
    lines per period in all: a flood of messages from strangers must not flood the log."""

    def __init__(self, period: float = 600.0, overall: int = 30, clock: Callable[[], float] = time.monotonic) -> None:
        self.period = period
        self.overall = overall
        self._clock = clock
        self._logged: dict[int, float] = {}
        self._recent: deque[float] = deque()
        self._held: dict[int, int] = {}

    def admit(self, key: int) -> int | None:
        """None when this event is not to be logged; else how many of this key's events were held
        back since its last line."""
        now = self._clock()
        while self._recent and self._recent[0] <= now - self.period:
            self._recent.popleft()
        if len(self._logged) > 10 * self.overall:  # forget keys whose period is over
            self._logged = {k: t for k, t in self._logged.items() if t > now - self.period}
        last = self._logged.get(key)
        if (last is not None and now - last < self.period) or len(self._recent) >= self.overall:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._logged[key] = now
        self._recent.append(now)
        return self._held.pop(key, 0)
