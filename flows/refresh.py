"""The main job as one flow run: fetch -> load, transform, publish -> report."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow
from prefect.utilities.annotations import quote

from decoupling import warehouse
from decoupling.settings import Options
from flows import _tasks


@flow(name="refresh", log_prints=False)
def refresh(
    snapshots: list[str] | None = None,
    series: list[str] | None = None,
    warehouse_path: str | None = None,
    force: bool = False,
    wait: bool = False,
    quiet: bool = False,
    output_dir: str | None = None,
    raw_dir: str | None = None,
) -> dict:
    """Refresh the warehouse and the report. The lock is taken first, so a second refresh waits
    or refuses before fetching anything."""
    options = Options(
        snapshots=snapshots or [],
        series=series or [],
        warehouse=warehouse_path,
        force=force,
        wait=wait,
        quiet=quiet,
        output_dir=output_dir,
        raw_dir=raw_dir,
    )
    started = datetime.now(UTC)
    with warehouse.refresh_lock(options.settings(), wait=options.wait):
        fetched = _tasks.fetch(options)
        # quote: Prefect would walk every download's fields to track dependencies.
        result = _tasks.publish(options, quote(fetched), started)
        if result["status"] == "refreshed":
            _tasks.announce(options, result["run_id"])
            _tasks.report(options)  # under the lock: status says a refresh runs, others wait
    return result


def parameters(options: Options) -> dict:
    """The flow's parameters for these options (what a deployment stores: nothing secret)."""
    return {
        "snapshots": list(options.snapshots),
        "series": list(options.series),
        "warehouse_path": options.warehouse,
        "force": options.force,
        "wait": options.wait,
        "quiet": options.quiet,
        "output_dir": options.output_dir,
        "raw_dir": options.raw_dir,
    }
