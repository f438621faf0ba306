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
- redaction: no API key reaches an exception message, a log line or a URL handed back;
- bounds on every answer: a total deadline from send to last byte (a server dripping a byte at a
  time never trips the per-read timeout) and a cap on decoded bytes (an endless body or a gzip
  bomb stops at the cap while it is being decompressed). Neither is retried.

Failures raise `SourceError(source, series_id, problem)`: one line naming source and series.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as TlsError

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

# The largest file a source sends today is 3.9 MB (BEA's Section 1 workbook; the OEWS metro zips
# are the largest live-only files, tens of MB): 200 MB is far above any real answer and far below
# what hurts the machine.
DEFAULT_MAX_BYTES = 200_000_000
# Bodies are read in pieces of at most this many decoded bytes, so the cap is checked while a
# compressed body is inflated, never after.
CHUNK_BYTES = 64 * 1024
# Of an answer that is not the data (an error status, a redirect) only this much is kept, for
# the error message; the rest is dropped with its connection.
SIDE_BODY_BYTES = 64 * 1024


def default_deadline(timeout: float) -> float:
    """Time one request may take from send to last byte: 60 s, or 4 read timeouts if longer."""
    return max(60.0, 4 * timeout)


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.3g} MB"
    return f"{n / 1e3:.3g} KB" if n >= 1000 else f"{n} bytes"


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


class ResponseTooLarge(SourceError):
    """The answer was larger than the byte cap (DECOUPLING_HTTP_MAX_BYTES); never retried."""


class ResponseTooSlow(SourceError):
    """No complete answer within the deadline (DECOUPLING_HTTP_DEADLINE); not retried: a server
    that trickles an answer does it again, and a source that is only slow needs a longer one."""


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
        deadline: float | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.source = source
        self.timeout = timeout
        self.deadline = deadline or default_deadline(timeout)
        self.max_bytes = max_bytes
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
        deadline_at = time.monotonic() + self.deadline

        def read_body(response: requests.Response, **_: Any) -> None:
            # A response hook: requests calls it for every answer, redirects included, before it
            # would read a redirect's body itself (unbounded).
            self._read_body(response, url, series_id, deadline_at)

        try:
            response = self.session.request(
                method,
                url,
                json=json_body,
                timeout=(connect, min(self.timeout, self.deadline)),
                stream=True,
                hooks={"response": [read_body]},
            )
        except requests.RequestException as exc:
            if isinstance(exc, requests.exceptions.ReadTimeout) and time.monotonic() >= deadline_at:
                raise self._too_slow(url, series_id, 0) from None
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

    def _read_body(
        self, response: requests.Response, url: str, series_id: str, deadline_at: float
    ) -> None:
        """Read the body into `response.content` within the deadline and the byte cap.

        Reads with `read1` (one receive at a time, so a trickle cannot hold a read past the
        deadline) and decodes as it goes. A connection left with unread bytes is closed, never
        returned to the pool.
        """
        ok = 200 <= response.status_code < 300
        limit = self.max_bytes if ok else SIDE_BODY_BYTES
        declared = response.headers.get("Content-Length", "")
        encoded = response.headers.get("Content-Encoding")
        raw = response.raw
        if ok and declared.isdigit() and not encoded and int(declared) > limit:
            raw.close()
            raise self._too_large(url, series_id, announced=int(declared))
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        body = io.BytesIO()
        complete = False
        try:
            while True:
                left = deadline_at - time.monotonic()
                if left <= 0:
                    raise self._too_slow(url, series_id, body.tell())
                if sock is not None:
                    # Each receive waits at most the read timeout, and never past the deadline.
                    with contextlib.suppress(OSError):
                        sock.settimeout(min(self.timeout, left))
                chunk = self._read_chunk(raw, url, series_id, deadline_at, body.tell())
                if not chunk:
                    complete = True
                    break
                if body.tell() + len(chunk) > limit:
                    if ok:
                        raise self._too_large(url, series_id)
                    body.write(chunk[: limit - body.tell()])
                    break  # an error page's head is enough to say what went wrong
                body.write(chunk)
        finally:
            if complete:
                if sock is not None:
                    with contextlib.suppress(OSError):  # a kept-alive connection's next request
                        sock.settimeout(self.timeout)
            else:
                raw.close()
        response._content = body.getvalue()
        response._content_consumed = True

    def _read_chunk(
        self, raw: Any, url: str, series_id: str, deadline_at: float, received: int
    ) -> bytes:
        """One decoded piece of the body (b"" at its end), errors sorted as `_classify` does."""
        try:
            return raw.read1(CHUNK_BYTES, decode_content=True) or b""
        except ReadTimeoutError:
            if time.monotonic() >= deadline_at:
                raise self._too_slow(url, series_id, received) from None
            raise RetryableError("timed out waiting for the server") from None
        except DecodeError:
            raise RetryableError("a body that does not decode (bad Content-Encoding)") from None
        except TlsError:
            raise SourceError(self.source, series_id, "TLS/SSL error") from None
        except ProtocolError:
            raise RetryableError("truncated body (connection broken while reading)") from None

    def _too_large(
        self, url: str, series_id: str, announced: int | None = None
    ) -> ResponseTooLarge:
        host = urlsplit(url).netloc
        if announced is not None:
            problem = f"stopped before reading: {host} announced {_size(announced)}"
        else:
            problem = f"stopped after {_size(self.max_bytes)} from {host}"
        problem += (
            f", more than DECOUPLING_HTTP_MAX_BYTES={self.max_bytes} allows ({self.safe_url(url)})"
        )
        return ResponseTooLarge(self.source, series_id, self._redact(problem))

    def _too_slow(self, url: str, series_id: str, received: int) -> ResponseTooSlow:
        problem = (
            f"no complete answer from {urlsplit(url).netloc} within {self.deadline:g} s "
            f"({_size(received)} received; DECOUPLING_HTTP_DEADLINE sets the limit) "
            f"({self.safe_url(url)})"
        )
        return ResponseTooSlow(self.source, series_id, self._redact(problem))


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
        deadline=settings.http_deadline_s,
        max_bytes=settings.http_max_bytes,
    )
