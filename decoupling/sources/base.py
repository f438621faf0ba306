"""What every source module returns, and the parsers that turn a received body into observations.

A source fetches `Download`s (the bytes exactly as received, plus provenance). Parsing is separate
and keyed by `Download.fmt`, so a folder of earlier raw landings replays through the same parser as
the live download did.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import pandas as pd


class SourceError(RuntimeError):
    """A source failed for one series; the message is one line naming source and series."""

    def __init__(self, source: str, series_id: str, problem: str):
        self.source = source
        self.series_id = series_id
        self.problem = problem
        super().__init__(f"{source}: series {series_id}: {problem}")


class SourceRetriesExhausted(SourceError):
    """The source kept failing in a passing way (429, 5xx, timeouts) through every retry: a later
    attempt, minutes on, may succeed."""


def retry_worthy(exc: BaseException) -> bool:
    """Whether a failed fetch is worth another try later (the flows' task retries)."""
    return isinstance(exc, SourceRetriesExhausted)


class SourceGap(SourceError):
    """The source does not have the series (unknown id, no data, snapshot only): a gap the report
    shows, not a failure that stops the run."""


class SourceUnreachable(SourceError):
    """The source could not be reached at all (no network); the run stops early."""


class _Vintage:
    """The `vintage` field: given as text, or as a function that reads it from the body (a
    workbook's stated release date reads every sheet), called when first asked and kept. A
    refresh that finds every file unchanged never asks, so it never reads those workbooks."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, download: Download | None, owner: type | None = None) -> str | None:
        if download is None:
            return None  # the dataclass's default
        held = download.__dict__[self.slot]
        if callable(held):
            held = held()
            download.__dict__[self.slot] = held
        return held

    def __set__(self, download: Download, value: str | Callable[[], str] | None) -> None:
        download.__dict__[self.slot] = value


@dataclass(frozen=True)
class Download:
    """One file as received from a source.

    `url` never holds a key. `fmt` names the parser in PARSERS (the parser gets the Download).
    `vintage` is what the source says about the data's release (e.g. FRED realtime_start or
    last_updated), when it says anything; a source may give a function that reads it instead.
    """

    source: str
    series_id: str
    url: str
    body: bytes
    fmt: str
    license: str
    accessed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    vintage: _Vintage = _Vintage()  # type: ignore[assignment]
    extension: str = "csv"
    # One series may come as several files (e.g. OEWS, one workbook a year): `part` tells them apart.
    part: str | None = None

    @property
    def key(self) -> str:
        return f"{self.series_id}--{self.part}" if self.part else self.series_id

    @property
    def name(self) -> str:
        """The file's name as errors call it: the last segment of its url (no query)."""
        path = urlsplit(self.url).path
        return unquote(path.rsplit("/", 1)[-1]) or self.url

    @cached_property
    def sha256(self) -> str:
        # Cached: a refresh asks for it several times per download (fingerprint, dedup, load)
        # and the OEWS workbooks are megabytes. The body of a frozen Download cannot change.
        return hashlib.sha256(self.body).hexdigest()


# A parser takes the whole Download and returns a frame with columns series_id (str), date
# (datetime64, first day of the period), value (float64; NaN = missing), optionally label.
Parser = Callable[["Download"], pd.DataFrame]
PARSERS: dict[str, Parser] = {}
# Landings written before parsers took the whole download carry the year in the format name
# (oews_xlsx_M2014, oews_msa_zip_M2019); the year is in `part` too, so the suffix is dropped.
_YEAR_IN_FORMAT = re.compile(r"_M\d{4}$")


def parser(fmt: str) -> Callable[[Parser], Parser]:
    """Register a parser of whole downloads under a format name."""

    def register(func: Parser) -> Parser:
        PARSERS[fmt] = func
        return func

    return register


BodyParser = Callable[[bytes, str], pd.DataFrame]


def body_parser(fmt: str) -> Callable[[BodyParser], BodyParser]:
    """Register a parser that needs only the body and the series id (most single-series files)."""

    def register(func: BodyParser) -> BodyParser:
        PARSERS[fmt] = lambda download: func(download.body, download.series_id)
        return func

    return register


def part_year(download: Download) -> int | None:
    """The year a yearly file's part names (`M2014` -> 2014), None without one."""
    found = re.fullmatch(r"M(\d{4})", download.part or "")
    return int(found.group(1)) if found else None


def parse(download: Download) -> pd.DataFrame:
    """Parse a download with the parser its format names; errors name the series and the file."""
    _load_parsers()
    fmt = _YEAR_IN_FORMAT.sub("", download.fmt)
    func = PARSERS.get(fmt)
    if func is None:
        raise SourceError(
            download.source, download.series_id, f"no parser for format {download.fmt}"
        )
    try:
        frame = func(download)
    except SourceError:
        raise
    except Exception as exc:  # parsers raise many kinds; the user needs one line naming the series
        problem = " ".join(str(exc).split())
        raise SourceError(
            download.source,
            download.series_id,
            f"could not parse {download.name} ({download.fmt}): {problem}",
        ) from exc
    if frame.empty:
        raise SourceError(
            download.source, download.series_id, f"{download.name} holds no observations"
        )
    return frame


T = TypeVar("T")
# What `read_once` has read while a `reading_once` block runs: (what, body) -> the result.
_READS: ContextVar[dict[tuple[str, bytes], object] | None] = ContextVar("_READS", default=None)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within the block, `read_once` reads each file's body once, however many downloads
    carry it (the BLS total-economy workbook holds five catalog series)."""
    token = _READS.set({})
    try:
        yield
    finally:
        _READS.reset(token)


def read_once(what: str, body: bytes, read: Callable[[], T]) -> T:
    """`read()`, or inside `reading_once` what it gave for the same body before. Only a
    successful read is kept; the result is shared, so callers must not change it."""
    reads = _READS.get()
    if reads is None:
        return read()
    key = (what, body)  # the bytes compare equal only when the files are the same
    if key not in reads:
        reads[key] = read()
    return reads[key]  # type: ignore[return-value]


def _load_parsers() -> None:
    # Importing the modules registers their parsers.
    from decoupling.sources import (  # noqa: F401
        bea,
        bls,
        bls_files,
        bundle,
        fred,
        fred_md,
        oews,
        snapshot,
    )


def frame(series_id: str, dates: list, values: list) -> pd.DataFrame:
    """Build the standard observations frame."""
    return pd.DataFrame(
        {
            "series_id": pd.Series([series_id] * len(dates), dtype="string"),
            "date": pd.to_datetime(pd.Series(dates)),
            "value": pd.to_numeric(pd.Series(values), errors="coerce").astype("float64"),
        }
    )
