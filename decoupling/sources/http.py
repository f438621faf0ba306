"""The one HTTP helper every live source uses (FRED, BLS API, BLS files, OEWS).

What it adds to `requests`:
- a Session with the configured User-Agent (BLS refuses anonymous clients) and a timeout on
  every request;
- retries with exponential back-off on 429, 5xx, timeouts, connection resets and bad bodies
  (an HTML page or a body shorter than its Content-Length), honoring Retry-After; never on
  other 4xx, which a retry cannot fix;
- a per-host rate limiter shared by all clients;
- a quick `SourceUnreachable` when the host cannot be reached at all (DNS failure, refused), so
  an offline run stops in seconds and says how to run from a snapshot;
- a per-source request counter and a daily budget (BLS counts queries per day);
- redaction: no API key reaches an exception message, a log line or a URL handed back.

Failures raise `SourceError(source, series_id, problem)`: one line naming source and series.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from decoupling.settings import Settings, redact
from decoupling.sources.base import SourceError, SourceRetriesExhausted, SourceUnreachable
from decoupling.sources.pacing import (  # noqa: F401  (re-exported: one import place)
    _COUNTS,
    _EASTERN,
    _LIMITERS,
    _UNREACHABLE,
    DEFAULT_RATE_PER_S,
    RATE_HEADROOM,
    UNREACHABLE_TTL_S,
    BudgetExhausted,
    DailyBudget,
    RateLimiter,
    Sleep,
    _count,
    _known_unreachable,
    _mark_unreachable,
    limiter_for,
    request_counts,
    requests_made,
    reset_state,
)
from decoupling.sources.urls import (  # noqa: F401  (re-exported: one import place)
    _HTML_START,
    _LOG_FILTER,
    SECRET_PARAMS,
    RetryableError,
    _classify,
    _error_detail,
    _host,
    _one_line,
    _RedactingFilter,
    body_problem,
    check_body,
    parse_retry_after,
    rebase,
    redact_url,
    scrub,
    with_query,
)

log = logging.getLogger(__name__)

OFFLINE_HINT = (
    "to run offline set DECOUPLING_SNAPSHOT=../shared/fred-snapshot or pass --snapshot DIR"
)

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


class _Unreachable(Exception):
    """The host could not be reached at all."""


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
        # One session per client: fetching is sequential, and the session keeps connections
        # to the host alive between a source's requests.
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

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
