"""The one HTTP helper every live source uses (FRED, BLS API, BLS files, OEWS).

What it adds to `requests`:
- a Session with the configured User-Agent (BLS refuses anonymous clients) and a timeout on
  every request;
- retries with exponential back-off on 429, 5xx, timeouts, connection resets and bad bodies
  (an HTML page or a body shorter than its Content-Length), honoring Retry-After; never on
  other 4xx, which a retry cannot fix;
- a per-host rate limiter shared by all clients and threads;
- a quick `SourceUnreachable` when the host cannot be reached at all (DNS failure, refused), so
  an offline run stops in seconds and says how to run from a snapshot;
- a per-source request counter and a daily budget (BLS counts queries per day);
- redaction: no API key reaches an exception message, a log line or a URL handed back.

Failures raise `SourceError(source, series_id, problem)`: one line naming source and series.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from http.client import RemoteDisconnected
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from decoupling.settings import Settings, redact
from decoupling.sources.base import SourceError, SourceRetriesExhausted, SourceUnreachable

log = logging.getLogger(__name__)

OFFLINE_HINT = (
    "to run offline set DECOUPLING_SNAPSHOT=../shared/fred-snapshot or pass --snapshot DIR"
)
# Query parameters that carry credentials: their values are masked in every URL we hand back.
SECRET_PARAMS = ("api_key", "registrationkey", "key", "token", "apikey")
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

Sleep = Callable[[float], None]
Validator = Callable[[requests.Response], "str | None"]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Tests pass tiny delays; the defaults suit the real services."""

    max_attempts: int = 4
    base_delay: float = 1.0  # first back-off wait; doubles each attempt
    max_delay: float = 30.0  # cap on any single wait, Retry-After included
    unreachable_attempts: int = 2  # DNS failure / refused: few attempts, then stop the run
    unreachable_delay: float = 1.0
    connect_timeout: float = 10.0  # connecting never waits longer than this (offline runs)


class HttpStatusError(SourceError):
    """The server answered with a status a retry cannot fix (4xx other than 429)."""

    def __init__(self, source: str, series_id: str, problem: str, status: int, detail: str):
        self.status = status
        self.detail = detail
        super().__init__(source, series_id, problem)


class BudgetExhausted(SourceError):
    """The daily request budget would be exceeded; nothing was sent."""


class RetryableError(Exception):
    """An attempt failed in a way another attempt may fix (a `validate` hook may raise it too)."""

    def __init__(self, problem: str, retry_after: float | None = None):
        self.problem = problem
        self.retry_after = retry_after
        super().__init__(problem)


class _Unreachable(Exception):
    """The host could not be reached at all."""


# --- request counts -------------------------------------------------------------------------

_COUNTS: Counter[str] = Counter()
_COUNTS_LOCK = threading.Lock()


def _count(source: str) -> None:
    with _COUNTS_LOCK:
        _COUNTS[source] += 1


def requests_made(source: str) -> int:
    """Requests sent for a source by this process (every attempt counts, as servers count them)."""
    with _COUNTS_LOCK:
        return _COUNTS[source]


def request_counts() -> dict[str, int]:
    """Requests sent per source by this process."""
    with _COUNTS_LOCK:
        return dict(_COUNTS)


# --- rate limiting --------------------------------------------------------------------------


class RateLimiter:
    """Minimum interval between request starts (1/rate plus RATE_HEADROOM), shared by threads.

    Each caller reserves the next free slot under the lock and sleeps outside it, so threads
    queue in order and the lock is never held while waiting.
    """

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
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for this caller's slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)


_LIMITERS: dict[str, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter_for(host: str, rate_per_s: float) -> RateLimiter:
    """The shared limiter of a host (scheme://host:port); a new rate replaces the old limiter."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(host)
        if limiter is None or limiter.rate_per_s != rate_per_s:
            limiter = _LIMITERS[host] = RateLimiter(rate_per_s)
        return limiter


# --- unreachable hosts ----------------------------------------------------------------------

_UNREACHABLE: dict[str, tuple[float, str]] = {}
_UNREACHABLE_LOCK = threading.Lock()


def _known_unreachable(host: str) -> str | None:
    with _UNREACHABLE_LOCK:
        entry = _UNREACHABLE.get(host)
        if entry and time.monotonic() - entry[0] < UNREACHABLE_TTL_S:
            return entry[1]
        _UNREACHABLE.pop(host, None)
        return None


def _mark_unreachable(host: str, reason: str) -> None:
    with _UNREACHABLE_LOCK:
        _UNREACHABLE[host] = (time.monotonic(), reason)


def reset_state() -> None:
    """Forget counts, limiters and unreachable hosts (tests; a long-running server's new day)."""
    with _COUNTS_LOCK:
        _COUNTS.clear()
    with _LIMITERS_LOCK:
        _LIMITERS.clear()
    with _UNREACHABLE_LOCK:
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
        self._lock = threading.Lock()
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
        with self._lock:
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
        with self._lock:
            used = self._used(self._load())
            if used + needed > self.limit:
                raise BudgetExhausted(source, series_id, self._message(used, needed))

    def take(self, source: str, series_id: str, n: int = 1) -> None:
        """Count `n` requests about to be sent, or raise BudgetExhausted without counting."""
        with self._lock:
            state = self._load()
            used = self._used(state)
            if used + n > self.limit:
                raise BudgetExhausted(source, series_id, self._message(used, n))
            state[self.name] = {"date": self._today().isoformat(), "used": used + n}
            self._save(state)

    def exhaust(self) -> None:
        """The server says today's limit is reached: count the budget as spent."""
        with self._lock:
            state = self._load()
            state[self.name] = {"date": self._today().isoformat(), "used": self.limit}
            self._save(state)


# --- URLs and bodies ------------------------------------------------------------------------


def rebase(url: str, base_url: str | None) -> str:
    """Replace scheme and host of `url` with those of `base_url`, keeping path and query.

    A path in `base_url` (a mirror under a prefix) is put in front of the url's path.
    """
    if not base_url:
        return url
    base = urlsplit(base_url.strip())
    if not base.scheme or not base.netloc:
        raise ValueError(
            f"base URL {base_url!r} needs a scheme and host, e.g. http://127.0.0.1:8080"
        )
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def scrub(body: bytes, secrets: Iterable[str]) -> bytes:
    """A response body with every secret value replaced by ***, before it is stored or echoed."""
    for secret in secrets:
        body = body.replace(secret.encode(), b"***")
    return body


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """The url with every secret value and credential parameter masked as ***."""
    parts = urlsplit(url)
    if parts.query:
        pairs = [
            (k, "***" if k.lower() in SECRET_PARAMS and v else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="*,:/")
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return redact(url, tuple(secrets))


def with_query(url: str, params: dict[str, Any] | None) -> str:
    """The url with `params` appended to its query (what requests would send)."""
    if not params:
        return url
    parts = urlsplit(url)
    extra = urlencode([(k, v) for k, v in params.items() if v is not None], safe=",:")
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)


def body_problem(response: requests.Response, expect: str | None = None) -> str | None:
    """Why a 2xx body cannot be the data, or None: truncated, an HTML page, or bad JSON.

    `expect` is "json", "html" (an HTML page is the data), or anything else (text/binary data,
    where an HTML page means an error or a captcha page).
    """
    body = response.content
    declared = response.headers.get("Content-Length")
    # With Content-Encoding, Content-Length counts compressed bytes: comparison is meaningless.
    if declared and declared.isdigit() and not response.headers.get("Content-Encoding"):
        if int(declared) > len(body):
            return f"truncated body ({len(body)} of {declared} bytes)"
    if expect != "html":
        ctype = response.headers.get("Content-Type", "").lower()
        if "text/html" in ctype or _HTML_START.match(body[:512]):
            return "an HTML page instead of data"
    if expect == "json":
        try:
            json.loads(body)
        except ValueError:
            return "a body that is not valid JSON"
    return None


def check_body(response: requests.Response, expect: str | None = None) -> None:
    """Raise a retryable failure when `body_problem` finds one (used inside HttpClient)."""
    problem = body_problem(response, expect)
    if problem:
        raise RetryableError(problem)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_detail(response: requests.Response) -> str:
    """A short reason from an error body: the JSON error message, or plain text (not HTML)."""
    body = response.content[:4000]
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error_message", "message", "error", "detail"):
            if data.get(key):
                value = data[key]
                return _one_line(" ".join(value) if isinstance(value, list) else str(value))
    text = body.decode("utf-8", "replace")
    if not text.strip() or _HTML_START.match(body[:512]):
        return ""
    return _one_line(text, 200)


def _classify(exc: requests.RequestException) -> tuple[str, str]:
    """('unreachable' | 'retry' | 'fatal', reason) for an exception from requests."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "unreachable", "connection timed out"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "unreachable", "proxy refused the connection"
    if isinstance(exc, requests.exceptions.SSLError):
        return "fatal", "TLS/SSL error"
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason: Any = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        if isinstance(reason, NameResolutionError):
            return "unreachable", "DNS lookup failed"
        if isinstance(reason, NewConnectionError):
            cause = reason.__cause__ or reason.__context__
            if isinstance(cause, socket.gaierror):
                return "unreachable", "DNS lookup failed"
            if isinstance(cause, ConnectionRefusedError) or "refused" in str(reason).lower():
                return "unreachable", "connection refused"
            return "unreachable", "could not connect"
        text = str(exc)
        if isinstance(reason, RemoteDisconnected) or "RemoteDisconnected" in text:
            return "retry", "server closed the connection"
        return "retry", "connection reset"
    if isinstance(exc, requests.exceptions.Timeout):
        return "retry", "timed out waiting for the server"
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return "retry", "truncated body (connection broken while reading)"
    return "fatal", type(exc).__name__


# --- logging -------------------------------------------------------------------------------


class _RedactingFilter(logging.Filter):
    """Masks known secrets in records of loggers we do not own (urllib3 logs full URLs at DEBUG)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self.secrets.update(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = tuple(self.secrets)
        if secrets:
            message = record.getMessage()
            cleaned = redact(message, secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


_LOG_FILTER = _RedactingFilter()
for _name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_LOG_FILTER)


# --- the client -----------------------------------------------------------------------------


class HttpClient:
    """A requests Session for one source with retries, rate limiting, counting and redaction."""

    def __init__(
        self,
        source: str,
        *,
        user_agent: str,
        timeout: float = 30.0,
        secrets: Iterable[str] = (),
        rate_per_s: float | None = DEFAULT_RATE_PER_S,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time.sleep,
        budget: DailyBudget | None = None,
    ):
        self.source = source
        self.timeout = timeout
        self.secrets = tuple(s for s in secrets if s)
        _LOG_FILTER.add(self.secrets)
        self.rate_per_s = rate_per_s
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.budget = budget
        self.user_agent = user_agent
        # requests.Session is not documented thread-safe: one per thread.
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.user_agent
            self._local.session = session
        return session

    @property
    def requests_made(self) -> int:
        return requests_made(self.source)

    def safe_url(self, url: str) -> str:
        """`url` with credentials masked: the only form of a url that may leave this module."""
        return redact_url(url, self.secrets)

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def get(
        self,
        url: str,
        series_id: str,
        *,
        params: dict[str, Any] | None = None,
        expect: str | None = None,
        validate: Validator | None = None,
    ) -> requests.Response:
        return self.request("GET", url, series_id, params=params, expect=expect, validate=validate)

    def post(
        self,
        url: str,
        series_id: str,
        *,
        json_body: Any = None,
        expect: str | None = "json",
        validate: Validator | None = None,
    ) -> requests.Response:
        return self.request(
            "POST", url, series_id, json_body=json_body, expect=expect, validate=validate
        )

    def request(
        self,
        method: str,
        url: str,
        series_id: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        expect: str | None = None,
        validate: Validator | None = None,
    ) -> requests.Response:
        """Send with retries; return a 2xx response whose body passed the checks.

        `expect` picks the body check (see `body_problem`); `validate` may add a source-specific
        one: it returns a problem (retried) or None. The response's own `.url` may hold a key:
        store `safe_url(url)` instead.
        """
        full_url = with_query(url, params)
        host = _host(full_url)
        shown = self.safe_url(full_url)
        known = _known_unreachable(host)
        if known:
            raise self._unreachable(series_id, host, known)

        policy = self.retry
        limiter = limiter_for(host, self.rate_per_s) if self.rate_per_s else None
        attempt = 0
        unreachable_tries = 0
        last_problem = ""
        while True:
            attempt += 1
            if self.budget is not None:
                self.budget.take(self.source, series_id)
            if limiter is not None:
                limiter.acquire()
            _count(self.source)
            try:
                response = self._send(method, full_url, json_body, expect, validate, series_id)
                return response
            except _Unreachable as exc:
                unreachable_tries += 1
                last_problem = str(exc)
                if unreachable_tries >= policy.unreachable_attempts:
                    _mark_unreachable(host, last_problem)
                    raise self._unreachable(series_id, host, last_problem) from None
                delay = policy.unreachable_delay
            except RetryableError as exc:
                last_problem = exc.problem
                if attempt >= policy.max_attempts:
                    raise SourceRetriesExhausted(
                        self.source,
                        series_id,
                        self._redact(f"gave up after {attempt} attempts: {last_problem} ({shown})"),
                    ) from None
                backoff = policy.base_delay * (2 ** (attempt - 1))
                delay = exc.retry_after if exc.retry_after is not None else backoff
            delay = min(max(delay, 0.0), policy.max_delay)
            # INFO, not WARNING: a failed source ends in one error line; the retries before it
            # are shown only with --verbose.
            log.info(
                "%s %s: %s; attempt %d, retrying in %.1fs",
                self.source,
                series_id,
                self._redact(f"{last_problem} ({shown})"),
                attempt,
                delay,
            )
            if delay > 0:
                self.sleep(delay)

    def _unreachable(self, series_id: str, host: str, reason: str) -> SourceUnreachable:
        return SourceUnreachable(
            self.source,
            series_id,
            self._redact(f"cannot reach {urlsplit(host).netloc} ({reason}); {OFFLINE_HINT}"),
        )

    def _send(
        self,
        method: str,
        url: str,
        json_body: Any,
        expect: str | None,
        validate: Validator | None,
        series_id: str,
    ) -> requests.Response:
        """One attempt: a good response, or RetryableError / _Unreachable / SourceError."""
        connect = min(self.timeout, self.retry.connect_timeout)
        try:
            response = self.session.request(
                method, url, json=json_body, timeout=(connect, self.timeout)
            )
        except requests.RequestException as exc:
            kind, reason = _classify(exc)
            if kind == "unreachable":
                raise _Unreachable(reason) from None
            if kind == "retry":
                raise RetryableError(reason) from None
            # str(exc) may hold the url with its key: redact before it leaves.
            detail = self._redact(_one_line(str(exc), 200))
            raise SourceError(self.source, series_id, f"{reason}: {detail}") from None

        status = response.status_code
        if status == 429 or status >= 500:
            raise RetryableError(
                f"HTTP {status} {response.reason or ''}".strip(),
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if status >= 400:
            detail = self._redact(_error_detail(response))
            problem = f"HTTP {status} {response.reason or ''}".strip()
            problem += f" from {urlsplit(url).netloc}"
            if detail:
                problem += f": {detail}"
            problem += f" ({self.safe_url(url)})"
            raise HttpStatusError(self.source, series_id, problem, status, detail)
        check_body(response, expect)
        if validate is not None:
            problem = validate(response)
            if problem:
                raise RetryableError(problem)
        return response


def client(
    source: str,
    settings: Settings,
    *,
    rate_per_s: float | None = None,
    retry: RetryPolicy | None = None,
    sleep: Sleep = time.sleep,
    budget: DailyBudget | None = None,
) -> HttpClient:
    """A client for `source` configured from settings (FRED uses settings.fred_rate_per_s)."""
    if rate_per_s is None:
        rate_per_s = settings.fred_rate_per_s if source == "fred" else DEFAULT_RATE_PER_S
    if retry is None:
        retry = RetryPolicy(
            max_attempts=max(settings.http_retries, 1),
            base_delay=settings.http_backoff_s,
            max_delay=settings.http_max_delay_s,
            unreachable_delay=min(settings.http_backoff_s, RetryPolicy.unreachable_delay),
        )
    return HttpClient(
        source,
        user_agent=settings.user_agent,
        timeout=settings.http_timeout,
        secrets=settings.secrets,
        rate_per_s=rate_per_s,
        retry=retry,
        sleep=sleep,
        budget=budget,
    )
