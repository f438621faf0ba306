"""ALFRED vintages of the C1 headline series, on request: how the gap looked as data were revised.

`decoupling vintages` (needs FRED_API_KEY) asks ALFRED for OPHNFB and COMPRNFB as they stood on
each vintage date (chunked by the FRED client: the API caps a request), appends what is not held
yet to raw.vintages, rebuilds the marts (marts.c1_gap_vintages) and publishes, like a refresh.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

import pandas as pd

from decoupling import catalog as catalog_mod
from decoupling import transform, warehouse
from decoupling.logs import step
from decoupling.settings import ConfigError, Settings
from decoupling.sources.base import parse

log = logging.getLogger(__name__)

C1_VINTAGE_SERIES = ("OPHNFB", "COMPRNFB")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def default_dates(since: int, today: date | None = None) -> list[str]:
    """1 January and 1 July of each year from `since`, up to today."""
    today = today or datetime.now(UTC).date()
    dates = [f"{y}-{m:02d}-01" for y in range(since, today.year + 1) for m in (1, 7)]
    return [d for d in dates if d <= today.isoformat()]


def validate_dates(dates: list[str]) -> list[str]:
    for day in dates:
        if not _DATE.match(day):
            raise ConfigError(f"vintage date {day!r} is not YYYY-MM-DD")
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ConfigError(f"vintage date {day!r} is not a calendar date") from None
    return sorted(set(dates))


def fetch_vintages(settings: Settings, dates: list[str]) -> pd.DataFrame | None:
    """The C1 series as ALFRED held them on each date (needs FRED_API_KEY); None if none came."""
    from decoupling.sources import fred

    if not settings.fred_api_key:
        raise ConfigError("vintages come from ALFRED, which needs FRED_API_KEY (none is set)")
    dates = validate_dates(dates)
    entries = catalog_mod.select(catalog_mod.load_catalog(), list(C1_VINTAGE_SERIES))
    frames = []
    for index, entry in enumerate(entries, start=1):
        for download in fred.fetch_vintages(entry, settings, dates):
            observations = parse(download)
            observations["vintage_date"] = pd.to_datetime(download.vintage).date()
            observations["date"] = observations["date"].dt.date
            observations["url"] = download.url
            observations["accessed_at"] = download.accessed_at
            observations["download_sha256"] = download.sha256
            frames.append(observations)
        log.debug("vintages fetched: %s", entry.id, extra=step("vintages", index, len(entries)))
    if not frames:
        return None
    incoming = pd.concat(frames, ignore_index=True)
    incoming["value"] = incoming["value"].astype("float64")
    return incoming


def load_vintages(settings: Settings, incoming: pd.DataFrame | None, started: datetime) -> dict:
    """Append the vintages not held yet, rebuild the models, publish; the caller holds the lock."""
    run_id = warehouse.new_run_id()
    with warehouse.staged(settings, run_id) as con:
        added = 0
        if incoming is not None:
            con.register("incoming_vintages", incoming)
            before = con.execute("SELECT count(*) FROM raw.vintages").fetchall()[0][0]
            con.execute(
                """
                INSERT INTO raw.vintages
                SELECT i.series_id, i.vintage_date, i.date,
                       CASE WHEN isnan(i.value) THEN NULL ELSE i.value END,
                       i.url, i.accessed_at, i.download_sha256
                FROM incoming_vintages i
                WHERE NOT EXISTS (
                    SELECT 1 FROM raw.vintages v
                    WHERE v.series_id = i.series_id AND v.vintage_date = i.vintage_date
                )
                ORDER BY i.series_id, i.vintage_date, i.date
                """
            )
            con.unregister("incoming_vintages")
            added = con.execute("SELECT count(*) FROM raw.vintages").fetchall()[0][0] - before
        transform.run(con)
        con.execute(
            "INSERT INTO meta.runs VALUES (?, 'vintages', ?, ?, ?, NULL, NULL, NULL)",
            [run_id, started, datetime.now(UTC), "ALFRED (FRED API)"],
        )
    dates = 0 if incoming is None else incoming["vintage_date"].nunique()
    log.info("vintages loaded: %d new rows for %d vintage dates", added, dates)
    return {"status": "vintages", "run_id": run_id, "new_rows": added, "dates": dates}


def run_vintages(settings: Settings, dates: list[str], wait: bool = False) -> dict:
    """Fetch and load under the refresh lock (what the `vintages` flow does, without Prefect)."""
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=wait):
        incoming = fetch_vintages(settings, dates)
        return load_vintages(settings, incoming, started)
