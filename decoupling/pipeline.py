"""The jobs as plain functions: fetch, load-transform-publish, report. The Prefect flows in the
top-level `flows/` package compose them; tests and the library call them directly.

Only non-secret options travel; settings (with keys) are read from the environment inside, so no
key reaches Prefect's database or logs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import duckdb

from decoupling import catalog as catalog_mod
from decoupling import fingerprint, history, ingest, transform, warehouse
from decoupling.report import build as report
from decoupling.settings import ConfigError, Options, Settings
from decoupling.warehouse import readers as exports

log = logging.getLogger(__name__)


def _inputs(settings: Settings) -> str:
    from decoupling import bundle

    if len(settings.snapshots) == 1 and bundle.is_bundle(settings.snapshots[0]):
        # The report's offline banner reads this: "bundle <folder> (built <date>)".
        return bundle.inputs_label(settings.snapshots[0])
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
) -> ingest.LoadSummary:
    catalog = catalog_mod.load_catalog()
    warehouse.write_catalog(con, catalog)
    skipped = len(fetched.downloads) - len(parsed)  # already held: left out before parsing
    summary = ingest.load(con, parsed, settings, run_id, skipped=skipped)
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


def fetch_for(options: Options, settings: Settings) -> ingest.Fetched:
    """Fetch what a refresh needs; with a FRED key, series FRED has not updated are not fetched."""
    entries = catalog_mod.select(catalog_mod.load_catalog(), options.series)
    known = None if options.force else warehouse.fred_last_updated(settings)
    return ingest.fetch_all(entries, settings, known_fred=known)


# ---- what the warehouse, the readers' copy and the report were built from ------------------

REPORT_STAMP = "report.json"  # beside report.html: the run the report shows (build_report)


@dataclass
class Held:
    """What the published warehouse holds: the download in force per series key, and its last
    run (any command) with that run's recorded state."""

    current: dict[str, str] = field(default_factory=dict)
    last_run: str | None = None
    last_state: fingerprint.State | None = None


def _held_in(con: duckdb.DuckDBPyConnection) -> Held:
    try:
        # rowid is insertion order: the last download of a key is the one in force.
        current = con.execute(
            "SELECT series_key, arg_max(sha256, rowid) FROM meta.downloads GROUP BY series_key"
        ).fetchall()
        last = con.execute(
            "SELECT run_id, fingerprint FROM meta.runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()
    except duckdb.CatalogException:  # an empty or pre-schema warehouse
        return Held()
    return Held(
        dict(current),
        last[0][0] if last else None,
        fingerprint.State.parse(last[0][1]) if last else None,
    )


def held(settings: Settings) -> Held:
    if not settings.warehouse.is_file():
        return Held()
    con = warehouse.connect(settings.warehouse, read_only=True)
    try:
        return _held_in(con)
    finally:
        con.close()


def _inputs_digest(current: dict[str, str]) -> str:
    # Availability follows from the data held and the catalog (in the code half): not needed here.
    return fingerprint.inputs(current)


def report_run(settings: Settings) -> str | None:
    """Run id of the warehouse the report on disk was drawn from (None: no complete report)."""
    out = settings.output_dir
    if not (out / "report.html").is_file():
        return None
    if settings.report_pdf and not (out / "report.pdf").is_file():
        return None
    try:
        return json.loads((out / REPORT_STAMP).read_text())["run_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stale_outputs(settings: Settings, run_id: str | None) -> list[str]:
    """Which outputs do not show the warehouse's last run: the readers' copy, the report."""
    stale = []
    if run_id is None or exports.current_run(settings) != run_id:
        stale.append("readers' copy")
    if run_id is None or report_run(settings) != run_id:
        stale.append("report")
    return stale


def _list(names, limit: int = 8) -> str:
    names = list(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def refresh_locked(
    options: Options, settings: Settings, fetched: ingest.Fetched, started: datetime
) -> dict:
    """Load, transform and publish (warehouse, then the readers' copy); the caller holds the lock.

    Everything is parsed before the warehouse is copied: bad input stops the run untouched. When
    inputs, code and parameters are those of the warehouse's last build, nothing is rebuilt; an
    output that lags behind it (readers' copy, report) is brought up to date here, under the
    lock. When some inputs changed, only the models downstream of them are rebuilt.
    """
    known = warehouse.known_downloads(settings)
    # Only what the warehouse does not hold yet is parsed (the OEWS workbooks take seconds).
    parsed = ingest.parse_all(
        fetched.downloads, from_snapshot=bool(settings.snapshots), known=known
    )
    ingest.log_fetched(fetched, known)
    before = held(settings)
    after = fingerprint.predicted_inputs(before.current, fetched.downloads, fetched.reused)
    state = fingerprint.State(_inputs_digest(after), fingerprint.code())
    nothing_new = {
        "run_id": before.last_run,
        "new_rows": 0,
        "revised_rows": 0,
        "unavailable": fetched.unavailable,
        "not_updated": sorted(fetched.reused),
        "changed_inputs": [],
        "models_rebuilt": [],
    }
    if not options.force and before.last_state == state:
        stale = stale_outputs(settings, before.last_run)
        if not stale:
            log.info("nothing changed since the last refresh: warehouse and report are current")
            return {"status": "unchanged", **nothing_new}
        log.info(
            f"inputs and code unchanged, but the {' and the '.join(stale)} lag behind run "
            f"{before.last_run}: rebuilding {'them' if len(stale) > 1 else 'it'}"
        )
        if "readers' copy" in stale:
            exports.publish(settings, before.last_run)
        if "report" in stale:
            report.build_report(settings)
        return {"status": "republished", "rebuilt": stale, **nothing_new}
    changed_keys = sorted(k for k, sha in after.items() if before.current.get(k) != sha)
    changed_series = {k.split("--", 1)[0] for k in changed_keys}
    for download, frame in parsed:  # an OEWS workbook holds many series
        if download.key in changed_keys:
            changed_series.update(frame["series_id"].astype(str).unique())
    if changed_keys:
        log.info(f"changed inputs ({len(changed_keys)}): {_list(changed_keys)}")
    # Only models built by this same code from the held data may be kept.
    incremental = (
        not options.force
        and before.last_state is not None
        and before.last_state.built
        and before.last_state.code == state.code
    )
    run_id = warehouse.new_run_id()
    with warehouse.staged(settings, run_id) as con:  # readers' copy, then warehouse
        summary = load_into(con, settings, parsed, fetched, run_id)
        changed_series |= {
            s for s, (new, revised, _, _) in summary.changes.items() if new or revised
        }
        build = transform.run_selected(con, changed_series if incremental else None)
        history.record(con, run_id)  # published with the scorecard it copies
        record_run(con, run_id, "refresh", started, settings, summary, str(state))
    if build.skipped:
        log.info(
            f"models: {len(build.built)} rebuilt, {len(build.skipped)} skipped "
            f"(not downstream of the changed inputs): {_list(build.skipped)}"
        )
    log.info(f"warehouse published: {settings.warehouse}")
    return {
        "status": "refreshed",
        "run_id": run_id,
        "new_rows": summary.new_rows,
        "revised_rows": summary.revised_rows,
        "unavailable": fetched.unavailable,
        "not_updated": sorted(fetched.reused),
        "changed_inputs": changed_keys,
        "models_rebuilt": build.built,
        "models_skipped": build.skipped,
    }


def run_refresh(options: Options) -> dict:
    """Ingest -> transform -> report, published atomically. Returns a summary dict."""
    settings = options.settings()
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=options.wait):
        fetched = fetch_for(options, settings)
        result = refresh_locked(options, settings, fetched, started)
        if result["status"] == "refreshed":
            report.build_report(settings)  # under the lock: part of the publish
    return result


def run_ingest(options: Options) -> dict:
    settings = options.settings()
    entries = catalog_mod.select(catalog_mod.load_catalog(), options.series)
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=options.wait):
        fetched = ingest.fetch_all(entries, settings)
        known = warehouse.known_downloads(settings)
        ingest.log_fetched(fetched, known)
        parsed = ingest.parse_all(
            fetched.downloads, from_snapshot=bool(settings.snapshots), known=known
        )
        run_id = warehouse.new_run_id()
        with warehouse.staged(settings, run_id) as con:  # readers' copy, then warehouse
            summary = load_into(con, settings, parsed, fetched, run_id)
            now = _held_in(con)
            # No models built: the next refresh must rebuild them (empty code half).
            state = fingerprint.State(_inputs_digest(now.current), "")
            record_run(con, run_id, "ingest", started, settings, summary, str(state))
    return {
        "status": "ingested",
        "new_rows": summary.new_rows,
        "revised_rows": summary.revised_rows,
    }


def run_transform(options: Options) -> dict:
    settings = options.settings()
    started = datetime.now(UTC)
    with warehouse.refresh_lock(settings, wait=options.wait):
        if not settings.warehouse.is_file():
            raise ConfigError(
                f"no warehouse at {settings.warehouse}: run 'decoupling ingest' first"
            )
        run_id = warehouse.new_run_id()
        with warehouse.staged(settings, run_id) as con:  # readers' copy, then warehouse
            built, checked = transform.run(con)
            now = _held_in(con)
            state = fingerprint.State(_inputs_digest(now.current), fingerprint.code())
            record_run(con, run_id, "transform", started, settings, fp=str(state))
    return {"status": "transformed", "models": len(built), "assertions": len(checked)}


def run_report(options: Options) -> dict:
    settings = options.settings()
    paths = report.build_report(settings)
    return {"status": "reported", **{k: str(v) for k, v in paths.items()}}


def options_dict(options: Options) -> dict:
    return asdict(options)
