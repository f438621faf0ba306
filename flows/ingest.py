"""Fetch every catalog series (snapshot or live), land it, and load it into a staged warehouse."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from flows import landing, warehouse
from flows.catalog import CATALOG_PATH, Series
from flows.config import PROJECT_ROOT, Settings, redact
from flows.sources import fetch_live, snapshot
from flows.sources.base import Download, SourceError, SourceUnreachable, parse

log = logging.getLogger("decoupling")
Progress = Callable[[str], None]


@dataclass
class Fetched:
    downloads: list[Download] = field(default_factory=list)
    # series id -> why it could not be had this run
    unavailable: dict[str, str] = field(default_factory=dict)


def fetch_entry(entry: Series, settings: Settings) -> list[Download]:
    """One entry's downloads: from the snapshot folders when given, else from the live source."""
    if settings.snapshots:
        found = snapshot.fetch(entry, settings.snapshots)
        if not found:
            folders = ", ".join(str(f) for f in settings.snapshots)
            raise SourceError("snapshot", entry.id, f"not in the snapshot ({folders})")
        return found
    return fetch_live(entry, settings)


def fetch_all(
    entries: list[Series],
    settings: Settings,
    fetch: Callable[[Series], list[Download]] | None = None,
    progress: Progress | None = None,
) -> Fetched:
    """Fetch every entry. A series the source lacks is recorded as unavailable and the rest go on;
    an unreachable source stops the run (raised)."""
    result = Fetched()
    fetch = fetch or (lambda entry: fetch_entry(entry, settings))
    for index, entry in enumerate(entries, start=1):
        try:
            result.downloads.extend(fetch(entry))
        except SourceUnreachable:
            raise
        except SourceError as exc:
            if settings.snapshots and "not in the snapshot" not in exc.problem:
                raise  # a corrupt or empty snapshot file is bad input, not a gap
            result.unavailable[entry.id] = redact(exc.problem, settings.secrets)
            log.warning("%s", redact(str(exc), settings.secrets))
        if progress:
            progress(f"series fetched {index}/{len(entries)}: {entry.id}")
    return result


@dataclass
class LoadSummary:
    new_rows: int = 0
    revised_rows: int = 0
    downloads_loaded: int = 0
    downloads_skipped: int = 0
    changes: dict[str, tuple[int, int, float | None, float | None]] = field(default_factory=dict)


def parse_all(downloads: list[Download]) -> list[tuple[Download, pd.DataFrame]]:
    """Parse every download before anything is written: bad input stops the run untouched."""
    return [(download, parse(download)) for download in downloads]


def load(
    con: duckdb.DuckDBPyConnection,
    parsed: list[tuple[Download, pd.DataFrame]],
    settings: Settings,
    run_id: str,
    progress: Progress | None = None,
) -> LoadSummary:
    summary = LoadSummary()
    for download, observations in parsed:
        landed = None
        if download.source != "snapshot":  # snapshot files are kept where they are
            sidecar = landing.land(download, len(observations), settings.raw_dir, settings.secrets)
            landed = str(sidecar.relative_to(settings.raw_dir))
        changes = warehouse.load_download(con, download, observations, run_id, landed)
        if (
            not changes
            and con.execute(
                "SELECT count(*) FROM meta.downloads WHERE run_id = ? AND sha256 = ?",
                [run_id, download.sha256],
            ).fetchall()[0][0]
            == 0
        ):
            summary.downloads_skipped += 1
            continue
        summary.downloads_loaded += 1
        for series_id, change in changes.items():
            summary.changes[series_id] = change
            summary.new_rows += change[0]
            summary.revised_rows += change[1]
    if progress:
        progress(
            f"loaded {summary.downloads_loaded} downloads ({summary.downloads_skipped} unchanged): "
            f"{summary.new_rows} new observations, {summary.revised_rows} revised"
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
        if entry.source == "oews" and entry.live_id.startswith("metro:"):
            prefix = f"OEWS_MSA{entry.live_id.split(':', 1)[1]}_"
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
    rows = [(run_id, sid, *change) for sid, change in sorted(summary.changes.items())]
    if rows:
        con.executemany("INSERT INTO meta.changes VALUES (?, ?, ?, ?, ?, ?)", rows)


def fingerprint(downloads: list[Download]) -> str:
    """Everything a refresh's output depends on: inputs, SQL, catalog, templates and code."""
    digest = hashlib.sha256()
    for key, sha in sorted((d.key, d.sha256) for d in downloads):
        digest.update(f"{key}:{sha}\n".encode())
    for folder, pattern in (
        (PROJECT_ROOT / "sql", "*.sql"),
        (PROJECT_ROOT / "reports" / "templates", "*"),
        (Path(__file__).parent, "*.py"),
    ):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    digest.update(CATALOG_PATH.read_bytes())
    return digest.hexdigest()
