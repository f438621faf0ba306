"""URLs and bodies of live requests: host rebasing for mirrors and tests, key redaction in URLs,
bodies and log records, checks that a body is what was asked for, and error classification."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import RemoteDisconnected
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from decoupling.settings import redact

# Query parameters that carry credentials: their values are masked in every URL we hand back.
SECRET_PARAMS = ("api_key", "registrationkey", "key", "token", "apikey")


class RetryableError(Exception):
    """An attempt failed in a way another attempt may fix (a `validate` hook may raise it too)."""

    def __init__(self, problem: str, retry_after: float | None = None):
        self.problem = problem
        self.retry_after = retry_after
        super().__init__(problem)


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
