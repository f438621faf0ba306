"""The C1 gap as the data were revised: ALFRED vintages fetched, loaded and published."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow
from prefect.utilities.annotations import quote

from decoupling import vintages, warehouse
from decoupling.settings import load_settings
from flows import _tasks


@_tasks.step("fetch-vintages", network=True)
def _fetch(warehouse_path: str | None, dates: list[str], quiet: bool):
    settings = load_settings(warehouse=warehouse_path, quiet=quiet)
    return vintages.fetch_vintages(settings, dates)


@_tasks.step("load-transform-publish")
def _load(warehouse_path: str | None, incoming, started: datetime, quiet: bool) -> dict:
    settings = load_settings(warehouse=warehouse_path, quiet=quiet)
    return vintages.load_vintages(settings, incoming, started)


@flow(name="vintages")
def vintages_flow(
    dates: list[str] | None = None,
    warehouse_path: str | None = None,
    wait: bool = False,
    quiet: bool = False,
) -> dict:
    """Pull the C1 series as ALFRED held them on each date, under the refresh lock. Without
    dates (a scheduled run): 1 January and 1 July of each year since 2000, up to the run's day."""
    dates = vintages.validate_dates(dates or vintages.default_dates(2000))
    settings = load_settings(warehouse=warehouse_path, quiet=quiet)
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=wait):
        incoming = _fetch(warehouse_path, dates, quiet)
        return _load(warehouse_path, quote(incoming), started, quiet)  # not walked: see refresh
