"""Each part of the refresh alone: `decoupling ingest`, `transform`, `report`."""

from __future__ import annotations

from prefect import flow

from decoupling import pipeline
from decoupling.settings import Options
from flows import _tasks


@_tasks.step("ingest", network=True)
def _ingest(options: Options) -> dict:
    return pipeline.run_ingest(options)


@_tasks.step("transform")
def _transform(options: Options) -> dict:
    return pipeline.run_transform(options)


@flow(name="ingest")
def ingest(
    snapshots: list[str] | None = None,
    series: list[str] | None = None,
    warehouse_path: str | None = None,
    wait: bool = False,
    quiet: bool = False,
    raw_dir: str | None = None,
) -> dict:
    """Fetch and load the raw series, then publish (no models are built)."""
    options = Options(
        snapshots=snapshots or [],
        series=series or [],
        warehouse=warehouse_path,
        wait=wait,
        quiet=quiet,
        raw_dir=raw_dir,
    )
    return _ingest(options)


@flow(name="transform")
def transform(warehouse_path: str | None = None, wait: bool = False, quiet: bool = False) -> dict:
    """Rebuild every model and assertion from the raw data held, then publish."""
    return _transform(Options(warehouse=warehouse_path, wait=wait, quiet=quiet))


@flow(name="report")
def report(
    warehouse_path: str | None = None, quiet: bool = False, output_dir: str | None = None
) -> dict:
    """Write the HTML and PDF report from the published warehouse."""
    return _tasks.report(Options(warehouse=warehouse_path, quiet=quiet, output_dir=output_dir))
