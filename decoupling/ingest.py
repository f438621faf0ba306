"""Fetch every catalog series (snapshot or live), land it, and load it into a staged warehouse."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from decoupling import landing, warehouse
from decoupling.catalog import Series
from decoupling.logs import step, stopwatch
from decoupling.settings import ConfigError, Settings, redact
from decoupling.sources import fetch_live, oews_metro, shared_file, snapshot
from decoupling.sources.base import (
    Download,
    SourceError,
    SourceGap,
    SourceUnreachable,
    parse,
    reading_once,
)

log = logging.getLogger(__name__)


@dataclass
class Fetched:
    downloads: list[Download] = field(default_factory=list)
    # series id -> why it could not be had this run
    unavailable: dict[str, str] = field(default_factory=dict)
    # series id -> (series key, sha256) of the download kept because FRED says it is unchanged
    reused: dict[str, tuple[str, str]] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the fetch, for its progress line


def fetch_entry(entry: Series, settings: Settings) -> list[Download]:
    """One entry's downloads: from the snapshot folders when given, else from the live source."""
    if settings.snapshots:
        found = snapshot.fetch(entry, settings.snapshots)
        if not found:
            folders = ", ".join(str(f) for f in settings.snapshots)
            raise SourceGap("snapshot", entry.id, f"not in the snapshot ({folders})")
        return found
    return fetch_live(entry, settings)


def fetch_all(
    entries: list[Series],
    settings: Settings,
    known_fred: dict[str, tuple[str, str, str]] | None = None,
) -> Fetched:
    """Fetch every entry. A series the source lacks is recorded as unavailable and the rest go on;
    an unreachable source stops the run (raised); a bad snapshot file is bad input (ConfigError).

    `known_fred` (series id -> (last_updated, series key, sha256) of the held download) lets a
    keyed live run ask FRED's last_updated first and skip series FRED has not updated.
    """
    result = Fetched()
    seconds = stopwatch()
    with reading_once():  # a snapshot file several entries read whole is read once
        _fetch_entries(entries, settings, known_fred, result)
    result.seconds = seconds()
    if settings.snapshots and entries and not result.downloads:
        folders = ", ".join(str(f) for f in settings.snapshots)
        raise ConfigError(f"the snapshot ({folders}) holds none of the requested series")
    return result


def _fetch_entries(
    entries: list[Series],
    settings: Settings,
    known_fred: dict[str, tuple[str, str, str]] | None,
    result: Fetched,
) -> None:
    # A file several entries share (a BEA Section workbook, FRED-MD, a live BLS workbook) is
    # fetched once a run: its downloads or its failure, by shared_file key.
    shared: dict[str, list[Download] | SourceError] = {}
    bls_api = _BlsQueries(entries, settings)
    for index, entry in enumerate(entries, start=1):
        try:
            if _unchanged_at_fred(entry, settings, known_fred):
                _, key, sha = known_fred[entry.id]  # type: ignore[index]
                result.reused[entry.id] = (key, sha)
            elif bls_api.covers(entry):
                result.downloads.extend(bls_api.fetch(entry))
            else:
                result.downloads.extend(_fetch_once(entry, settings, shared))
        except SourceUnreachable:
            raise
        except SourceError as exc:
            if not is_gap(exc):
                if settings.snapshots:
                    # A corrupt or empty snapshot file is bad input.
                    raise ConfigError(redact(str(exc), settings.secrets)) from None
                # A source that failed after its retries: publishing without the series would
                # be a partial refresh, so the run stops and the old warehouse stays.
                raise
            result.unavailable[entry.id] = redact(exc.problem, settings.secrets)
            # A gap, not a failure: recorded in meta.availability and shown in the report.
            reason = result.unavailable[entry.id]
            log.debug(
                "series %d/%d not available: %s: %s",
                index,
                len(entries),
                entry.id,
                reason,
                extra=step("fetch", index, len(entries)),
            )
            continue
        log.debug(
            "series fetched %d/%d: %s",
            index,
            len(entries),
            entry.id,
            extra=step("fetch", index, len(entries)),
        )


def log_fetched(fetched: Fetched, known: set[tuple[str, str]] | frozenset = frozenset()) -> None:
    """The fetch stage's line: `fetched 83 series (83 unchanged) in 1.2 s`; `known` holds the
    (series key, sha256) of the downloads already loaded."""
    series = {d.series_id for d in fetched.downloads} | set(fetched.reused)
    changed = {d.series_id for d in fetched.downloads if (d.key, d.sha256) not in known}
    details = [f"{len(series) - len(changed)} unchanged"]
    if fetched.unavailable:
        details.append(f"{len(fetched.unavailable)} not available")
    log.info("fetched %d series (%s) in %.1f s", len(series), ", ".join(details), fetched.seconds)


def _fetch_once(
    entry: Series, settings: Settings, shared: dict[str, list[Download] | SourceError]
) -> list[Download]:
    """The entry's downloads; for an entry whose file an earlier entry fetched, what that fetch
    gives it (its failure, if it failed, is this entry's failure too)."""
    key = shared_file(entry, live=not settings.snapshots)
    if key is None:
        return fetch_entry(entry, settings)
    held = shared.get(key)
    if isinstance(held, SourceError):
        raise held
    if held is None:
        try:
            downloads = fetch_entry(entry, settings)
        except SourceError as exc:
            shared[key] = exc
            raise
        shared[key] = downloads
        return downloads
    if entry.source == "bls_file":
        # Each series keeps its own download (its series key in meta.downloads): same bytes.
        from decoupling.sources import bls_files  # imported by live runs only, as fetch_live does

        return [bls_files.for_entry(held[0], entry)]
    return []  # the one Download of a BEA or FRED-MD file carries every entry's rows


class _BlsQueries:
    """The run's live BLS API series, fetched together when the first is needed: BLS counts
    queries a day (25 without a key) and takes 25 or 50 series a query, so N series cost
    ceil(N / max_series) x year windows queries instead of N x windows.

    A failed query fails the series of its batch (`fetch_many` raises naming them); every
    entry then raises that error, as entries of a shared file do."""

    def __init__(self, entries: list[Series], settings: Settings):
        self.settings = settings
        self.entries = [] if settings.snapshots else [e for e in entries if self._live_bls(e)]
        self.answers: dict[str, list[Download] | SourceError] | None = None
        self.failure: SourceError | None = None

    @staticmethod
    def _live_bls(entry: Series) -> bool:
        return entry.source == "bls" and entry.has_live_source

    def covers(self, entry: Series) -> bool:
        return bool(self.entries) and self._live_bls(entry)

    def fetch(self, entry: Series) -> list[Download]:
        if self.failure is not None:
            raise self.failure
        if self.answers is None:
            from decoupling.sources import bls  # the HTTP stack only when something is fetched

            try:
                downloads, missing = bls.fetch_many(self.entries, self.settings)
            except SourceError as exc:
                self.failure = exc
                raise
            self.answers = {d.series_id: [d] for d in downloads}
            self.answers.update({gap.series_id: gap for gap in missing})
        answer = self.answers[entry.id]
        if isinstance(answer, SourceError):
            raise answer
        return answer


def is_gap(exc: SourceError) -> bool:
    """A missing series (unknown id, no data, a 4xx a retry cannot fix), not a failed source
    (retries exhausted, bad body, budget spent) that stops the run."""
    from decoupling.sources.http import HttpStatusError

    return isinstance(exc, SourceGap | HttpStatusError)


def _unchanged_at_fred(
    entry: Series, settings: Settings, known: dict[str, tuple[str, str, str]] | None
) -> bool:
    if not known or entry.id not in known or settings.snapshots:
        return False
    if entry.source != "fred" or not settings.fred_api_key or not entry.has_live_source:
        return False
    from decoupling.sources import fred

    held = known[entry.id][0]
    return bool(held) and fred.last_updated(entry, settings) == held


@dataclass
class LoadSummary:
    new_rows: int = 0
    revised_rows: int = 0
    downloads_loaded: int = 0
    downloads_skipped: int = 0
    changes: dict[str, tuple[int, int, float | None, float | None]] = field(default_factory=dict)


def parse_all(
    downloads: list[Download],
    from_snapshot: bool = False,
    known: set[tuple[str, str]] | frozenset = frozenset(),
) -> list[tuple[Download, pd.DataFrame]]:
    """Parse every download before anything is written: bad input stops the run untouched.

    A download in `known` (series key, sha256: already loaded) adds nothing, so it is not parsed.
    From a snapshot a file that does not parse is the user's bad input (ConfigError, exit 2);
    from a live source it is the source's failure (SourceError, exit 1).
    """
    parsed = []
    with reading_once():  # a file several downloads carry is read once
        for download in downloads:
            if (download.key, download.sha256) in known:
                continue
            try:
                parsed.append((download, parse(download)))
            except SourceError as exc:
                if from_snapshot:
                    raise ConfigError(f"bad snapshot file: {exc}") from None
                raise
    return parsed


def load(
    con: duckdb.DuckDBPyConnection,
    parsed: list[tuple[Download, pd.DataFrame]],
    settings: Settings,
    run_id: str,
    skipped: int = 0,
) -> LoadSummary:
    """Land the live downloads and append them to the warehouse in one batch.

    `skipped` counts downloads left out before parsing because they were already loaded."""
    summary = LoadSummary(downloads_skipped=skipped)
    batch = []
    for download, observations in parsed:
        landed = None
        if download.source not in ("snapshot", "bundle"):  # kept where they are
            sidecar = landing.land(download, len(observations), settings.raw_dir, settings.secrets)
            landed = str(sidecar.relative_to(settings.raw_dir))
        batch.append((download, observations, landed))
    summary.changes = warehouse.load_downloads(con, batch, run_id)
    loaded = {
        r[0]
        for r in con.execute(
            "SELECT sha256 FROM meta.downloads WHERE run_id = ?", [run_id]
        ).fetchall()
    }
    for download, _ in parsed:
        if download.sha256 in loaded:
            summary.downloads_loaded += 1
        else:
            summary.downloads_skipped += 1
    for new, revised, _, _ in summary.changes.values():
        summary.new_rows += new
        summary.revised_rows += revised
    log.info(
        "loaded %d downloads (%d unchanged): %d new observations, %d revised",
        summary.downloads_loaded,
        summary.downloads_skipped,
        summary.new_rows,
        summary.revised_rows,
    )
    return summary


def record_availability(
    con: duckdb.DuckDBPyConnection, entries: list[Series], unavailable: dict[str, str]
) -> None:
    held = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT series_id FROM raw.observations WHERE value IS NOT NULL"
        ).fetchall()
    }
    # An OEWS row expands to many series: national OEWS_<SOC>_..., metro OEWS_MSA<area>_...
    held_national = any(s.startswith("OEWS_") and s[5:6].isdigit() for s in held)
    rows = []
    for entry in entries:
        if oews_metro.is_metro(entry):
            prefix = f"OEWS_MSA{oews_metro.area_of(entry)}_"
            held_oews = any(s.startswith(prefix) for s in held)
        else:
            held_oews = held_national
        available = entry.id in held or (entry.source == "oews" and held_oews)
        reason = unavailable.get(entry.id)
        if not available and reason is None:
            reason = "no observations loaded"
        rows.append((entry.id, available, reason))
    con.execute("DELETE FROM meta.availability")
    if rows:
        con.executemany("INSERT INTO meta.availability VALUES (?, ?, ?)", rows)


def record_changes(con: duckdb.DuckDBPyConnection, run_id: str, summary: LoadSummary) -> None:
    if not summary.changes:
        return
    ids = sorted(summary.changes)
    changes = pd.DataFrame(
        {
            "series_id": ids,
            "new_observations": [summary.changes[i][0] for i in ids],
            "revised_values": [summary.changes[i][1] for i in ids],
            "max_abs_revision": [summary.changes[i][2] for i in ids],
            "max_rel_revision": [summary.changes[i][3] for i in ids],
        }
    ).astype({"max_abs_revision": "float64", "max_rel_revision": "float64"})
    # One bulk insert: executemany costs a round trip per row (thousands of OEWS series).
    con.register("run_changes", changes)
    try:
        con.execute(
            "INSERT INTO meta.changes SELECT ?, series_id, new_observations, revised_values, "
            "max_abs_revision, max_rel_revision FROM run_changes ORDER BY series_id",
            [run_id],
        )
    finally:
        con.unregister("run_changes")
