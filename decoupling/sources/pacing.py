"""Pacing of live requests: per-source counts, a per-host rate limiter, hosts known to be
unreachable (an offline run stops fast), and a daily request budget (BLS counts queries a day).

Fetching is sequential (one series after another, in one thread), so this state is plain: no
locks. A caller that fetches from several threads at once would need them back.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from decoupling.sources.base import SourceError

Sleep = Callable[[float], None]

# Default request rate per host when the source has no setting of its own.
DEFAULT_RATE_PER_S = 2.0
# Requests are spaced this fraction wider than the rate asks. Spaced exactly at a server's limit,
# any delay between our clock and the server's (scheduling, network) that bunches two requests
# uses up its burst allowance for good, since we never run slower than the limit to refill it;
# the next bunching is a 429 and a retry. 5% refills it within ~20 requests (measured with
# tests/benchmarks/bench_live_fetch.py on a busy machine: 0-1 429s a run at 0%, none seen at 5%).
RATE_HEADROOM = 0.05
# How long a host that could not be reached stays marked unreachable: later requests to it fail
# at once instead of each waiting for its own attempts (an offline run must stop fast).
UNREACHABLE_TTL_S = 60.0


class BudgetExhausted(SourceError):
    """The daily request budget would be exceeded; nothing was sent."""


# --- request counts -------------------------------------------------------------------------

_COUNTS: Counter[str] = Counter()


def _count(source: str) -> None:
    _COUNTS[source] += 1


def requests_made(source: str) -> int:
    """Requests sent for a source by this process (every attempt counts, as servers count them)."""
    return _COUNTS[source]


def request_counts() -> dict[str, int]:
    """Requests sent per source by this process."""
    return dict(_COUNTS)


# --- rate limiting --------------------------------------------------------------------------


class RateLimiter:
    """Minimum interval between request starts (1/rate plus RATE_HEADROOM)."""

    def __init__(
        self,
        rate_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = time.sleep,
    ):
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.rate_per_s = rate_per_s
        self.interval = (1.0 + RATE_HEADROOM) / rate_per_s
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    def acquire(self) -> float:
        """Wait for the next slot; returns the seconds waited."""
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)


_LIMITERS: dict[str, RateLimiter] = {}


def limiter_for(host: str, rate_per_s: float) -> RateLimiter:
    """The shared limiter of a host (scheme://host:port); a new rate replaces the old limiter."""
    limiter = _LIMITERS.get(host)
    if limiter is None or limiter.rate_per_s != rate_per_s:
        limiter = _LIMITERS[host] = RateLimiter(rate_per_s)
    return limiter


# --- unreachable hosts ----------------------------------------------------------------------

_UNREACHABLE: dict[str, tuple[float, str]] = {}


def _known_unreachable(host: str) -> str | None:
    entry = _UNREACHABLE.get(host)
    if entry and time.monotonic() - entry[0] < UNREACHABLE_TTL_S:
        return entry[1]
    _UNREACHABLE.pop(host, None)
    return None


def _mark_unreachable(host: str, reason: str) -> None:
    _UNREACHABLE[host] = (time.monotonic(), reason)


def reset_state() -> None:
    """Forget counts, limiters and unreachable hosts (tests; a long-running server's new day)."""
    _COUNTS.clear()
    _LIMITERS.clear()
    _UNREACHABLE.clear()


# --- daily budget ---------------------------------------------------------------------------

# BLS resets its daily counts at midnight US Eastern; a fixed UTC-5 errs on the early side by
# at most an hour in summer, which keeps us under the limit rather than over it.
_EASTERN = timezone(timedelta(hours=-5))


class DailyBudget:
    """A count of requests per day against a limit, checked before each request is sent.

    With a `path`, the count is kept in a small JSON file so that several runs on one day share
    it (the server counts per day, not per run); without one it lives in memory.
    """

    def __init__(
        self,
        name: str,
        limit: int,
        path: Path | None = None,
        today: Callable[[], date] | None = None,
        hint: str = "",
    ):
        self.name = name
        self.limit = limit
        self.path = path
        self.hint = hint
        self._today = today or (lambda: datetime.now(_EASTERN).date())
        self._memory: dict[str, Any] = {}

    def _load(self) -> dict[str, Any]:
        if self.path is None:
            return self._memory
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def _save(self, state: dict[str, Any]) -> None:
        if self.path is None:
            self._memory = state
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        tmp.replace(self.path)

    def _used(self, state: dict[str, Any]) -> int:
        entry = state.get(self.name) or {}
        return int(entry.get("used", 0)) if entry.get("date") == self._today().isoformat() else 0

    def used(self) -> int:
        return self._used(self._load())

    def remaining(self) -> int:
        return max(self.limit - self.used(), 0)

    def _message(self, used: int, needed: int) -> str:
        text = (
            f"daily request budget of {self.name} reached: {used} of {self.limit} used today, "
            f"{needed} more needed; stopped before sending"
        )
        return f"{text}; {self.hint}" if self.hint else text

    def ensure(self, needed: int, source: str, series_id: str) -> None:
        """Raise BudgetExhausted unless `needed` more requests fit in today's budget."""
        used = self._used(self._load())
        if used + needed > self.limit:
            raise BudgetExhausted(source, series_id, self._message(used, needed))

    def take(self, source: str, series_id: str, n: int = 1) -> None:
        """Count `n` requests about to be sent, or raise BudgetExhausted without counting."""
        state = self._load()
        used = self._used(state)
        if used + n > self.limit:
            raise BudgetExhausted(source, series_id, self._message(used, n))
        state[self.name] = {"date": self._today().isoformat(), "used": used + n}
        self._save(state)

    def exhaust(self) -> None:
        """The server says today's limit is reached: count the budget as spent."""
        state = self._load()
        state[self.name] = {"date": self._today().isoformat(), "used": self.limit}
        self._save(state)
