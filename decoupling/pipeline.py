"""The jobs as plain functions: fetch, load-transform-publish, report. The Prefect flows in the
top-level `flows/` package compose them; tests and the library call them directly.

Only non-secret options travel; settings (with keys) are read from the environment inside, so no
key reaches Prefect's database or logs.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from decoupling import catalog as catalog_mod
from decoupling import fingerprint, history, ingest, transform, warehouse
from decoupling.report import build as report
from decoupling.settings import ConfigError, Options, Settings
from decoupling.warehouse import readers as exports

log = logging.getLogger("decoupling")


def _run_logger():
    """Prefect's logger for the current flow or task run, or None outside a run."""
    try:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            return get_run_logger()
    except Exception:  # no Prefect context: plain function call
        return None
    return None


def progress_printer(quiet: bool):
    """Progress lines (series fetched n/N, SQL models, charts), each shown once: through Prefect's
    run logger inside a flow run when Prefect shows INFO lines (--verbose), else on stderr.
    --quiet: debug log only."""

    def emit(message: str) -> None:
        if quiet:
            log.debug(message)
            return
        run_logger = _run_logger()
        if run_logger is not None and run_logger.isEnabledFor(logging.INFO):
            run_logger.info(message)  # --verbose: Prefect's console shows it, with the run's name
        else:
            print(message, file=sys.stderr, flush=True)

    return emit


def _inputs(settings: Settings) -> str:
    if settings.snapshots:
        return "snapshot " + ":".join(str(p) for p in settings.snapshots)
    return "live sources" + (" (FRED API)" if settings.fred_api_key else " (FRED keyless CSV)")


# ---- plain functions -------------------------------------------------------------------------


def load_into(
    con,
    settings: Settings,
    parsed: list,
    fetched: ingest.Fetched,
    run_id: str,
    progress,
) -> ingest.LoadSummary:
    catalog = catalog_mod.load_catalog()
    warehouse.write_catalog(con, catalog)
    skipped = len(fetched.downloads) - len(parsed)  # already held: left out before parsing
    summary = ingest.load(con, parsed, settings, run_id, progress, skipped=skipped)
    ingest.record_changes(con, run_id, summary)
    ingest.record_availability(con, catalog, fetched.unavailable)
    return summary


def record_run(con, run_id, command, started, settings, summary=None, fp=None) -> None:
    con.execute(
        "INSERT INTO meta.runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            command,
            started,
            datetime.now(UTC),
            _inputs(settings),
            summary.new_rows if summary else None,
            summary.revised_rows if summary else None,
            fp,
        ],
    )


def fetch_for(options: Options, settings: Settings, progress) -> ingest.Fetched:
    """Fetch what a refresh needs; with a FRED key, series FRED has not updated are not fetched."""
    entries = catalog_mod.select(catalog_mod.load_catalog(), options.series)
    known = None if options.force else warehouse.fred_last_updated(settings)
    return ingest.fetch_all(entries, settings, progress=progress, known_fred=known)


def refresh_locked(
    options: Options, settings: Settings, fetched: ingest.Fetched, started: datetime, progress
) -> dict:
    """Load, transform and publish (warehouse, then the readers' copy); the caller holds the lock.

    Everything is parsed before the warehouse is copied: bad input stops the run untouched.
    """
    known = warehouse.known_downloads(settings)
    # Only what the warehouse does not hold yet is parsed (the OEWS workbooks take seconds).
    parsed = ingest.parse_all(
        fetched.downloads, from_snapshot=bool(settings.snapshots), known=known
    )
    fp = fingerprint.of(fetched.downloads, fetched.reused)
    unchanged = all((d.key, d.sha256) in known for d in fetched.downloads)
    last_run, last_fp = warehouse.last_refresh(settings)
    readers_current = last_run is not None and exports.current_run(settings) == last_run
    report_there = (settings.output_dir / "report.pdf").is_file()
    if unchanged and not options.force and fp == last_fp and readers_current and report_there:
        progress("nothing changed since the last refresh: warehouse and report are current")
        return {"status": "unchanged", "new_rows": 0, "revised_rows": 0, "run_id": last_run}
    run_id = warehouse.new_run_id()
    with warehouse.staged(settings) as con:
        summary = load_into(con, settings, parsed, fetched, run_id, progress)
        transform.run(con, progress=progress)
        history.record(con, run_id)  # published with the scorecard it copies
        record_run(con, run_id, "refresh", started, settings, summary, fp)
    progress(f"warehouse published: {settings.warehouse}")
    exports.publish(settings, run_id, progress)
    return {
        "status": "refreshed",
        "run_id": run_id,
        "new_rows": summary.new_rows,
        "revised_rows": summary.revised_rows,
        "unavailable": fetched.unavailable,
        "not_updated": sorted(fetched.reused),
    }


def run_refresh(options: Options) -> dict:
    """Ingest -> transform -> report, published atomically. Returns a summary dict."""
    settings = options.settings()
    progress = progress_printer(options.quiet)
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=options.wait):
        fetched = fetch_for(options, settings, progress)
        result = refresh_locked(options, settings, fetched, started, progress)
    if result["status"] == "refreshed":
        report.build_report(settings, progress)
    return result


def run_ingest(options: Options) -> dict:
    settings = options.settings()
    progress = progress_printer(options.quiet)
    entries = catalog_mod.select(catalog_mod.load_catalog(), options.series)
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=options.wait):
        fetched = ingest.fetch_all(entries, settings, progress=progress)
        parsed = ingest.parse_all(
            fetched.downloads,
            from_snapshot=bool(settings.snapshots),
            known=warehouse.known_downloads(settings),
        )
        run_id = warehouse.new_run_id()
        with warehouse.staged(settings) as con:
            summary = load_into(con, settings, parsed, fetched, run_id, progress)
            record_run(con, run_id, "ingest", started, settings, summary)
        exports.publish(settings, run_id, progress)
    return {
        "status": "ingested",
        "new_rows": summary.new_rows,
        "revised_rows": summary.revised_rows,
    }


def run_transform(options: Options) -> dict:
    settings = options.settings()
    progress = progress_printer(options.quiet)
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=options.wait):
        if not settings.warehouse.is_file():
            raise ConfigError(
                f"no warehouse at {settings.warehouse}: run 'decoupling ingest' first"
            )
        run_id = warehouse.new_run_id()
        with warehouse.staged(settings) as con:
            built, checked = transform.run(con, progress=progress)
            record_run(con, run_id, "transform", started, settings)
        exports.publish(settings, run_id, progress)
    return {"status": "transformed", "models": len(built), "assertions": len(checked)}


def run_report(options: Options) -> dict:
    settings = options.settings()
    paths = report.build_report(settings, progress_printer(options.quiet))
    return {"status": "reported", **{k: str(v) for k, v in paths.items()}}


def options_dict(options: Options) -> dict:
    return asdict(options)
