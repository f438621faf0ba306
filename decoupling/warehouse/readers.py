"""What readers get: a read-only copy of the warehouse plus Parquet exports of every mart.

Readers (analysts, dashboards, other machines of a team) never open the writer's file. Each
refresh writes a new version folder `<published>/<run_id>/` (warehouse.duckdb, read-only, and
`parquet/<table>.parquet` for every table in `marts`, plus `MANIFEST.json`), then swaps the
symlink `<published>/current` to it in one rename. A reader following `current` sees one whole
version, never a mix; the previous version stays for readers that still hold it open.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from decoupling.settings import Settings

CURRENT = "current"
MANIFEST = "MANIFEST.json"
KEEP_VERSIONS = 2

log = logging.getLogger(__name__)


def current_dir(settings: Settings) -> Path:
    return settings.published_dir / CURRENT


def current_run(settings: Settings) -> str | None:
    """Run id of the version readers see, or None when nothing is published."""
    manifest = current_dir(settings) / MANIFEST
    try:
        return json.loads(manifest.read_text())["run_id"]
    except (OSError, ValueError, KeyError):
        return None


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def sql_string(text: str) -> str:
    """A SQL string literal: quotes doubled, so a path with an apostrophe stays one literal
    (DuckDB's COPY takes no bound parameter for its target)."""
    return "'" + text.replace("'", "''") + "'"


def build(settings: Settings, run_id: str, source: Path) -> Path:
    """Build the readers' version of `run_id` from the warehouse file `source`, aside in
    `<published>/.<run_id>.building` (returned); nothing readers see changes yet."""
    from decoupling.warehouse.publish import fault

    root = settings.published_dir
    root.mkdir(parents=True, exist_ok=True)
    building = root / f".{run_id}.building"
    shutil.rmtree(building, ignore_errors=True)
    try:
        (building / "parquet").mkdir(parents=True)
        copy = building / "warehouse.duckdb"
        shutil.copyfile(source, copy)
        fault("readers")
        con = duckdb.connect(str(copy), read_only=True)
        try:
            tables = _mart_tables(con)
            for table in tables:
                target = building / "parquet" / f"{table}.parquet"
                identifier = table.replace('"', '""')
                con.execute(
                    f'COPY (SELECT * FROM marts."{identifier}") TO {sql_string(str(target))} '
                    "(FORMAT parquet)"
                )
        finally:
            con.close()
        manifest = {
            "run_id": run_id,
            "published_at": datetime.now(UTC).isoformat(),
            "warehouse": "warehouse.duckdb",
            "marts": {t: f"parquet/{t}.parquet" for t in tables},
        }
        (building / MANIFEST).write_text(json.dumps(manifest, indent=1))
        # Read-only for readers: the file mode says so, and DuckDB opens it read_only=True.
        copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return building


def swap_in(settings: Settings, run_id: str, building: Path) -> Path:
    """Make the version built aside the one readers see: a rename, then the `current` link."""
    root = settings.published_dir
    version = root / run_id
    if version.exists():
        shutil.rmtree(version)
    os.replace(building, version)
    link = root / f".{CURRENT}.new"
    link.unlink(missing_ok=True)
    link.symlink_to(run_id)
    os.replace(link, root / CURRENT)
    _prune(root, keep=run_id)
    tables = len(list((version / "parquet").glob("*.parquet")))
    log.info("published for readers: %s (%d marts as Parquet)", root / CURRENT, tables)
    return version


def publish(settings: Settings, run_id: str) -> Path:
    """Write a new reader version from the published warehouse and point `current` at it."""
    return swap_in(settings, run_id, build(settings, run_id, settings.warehouse))


def _prune(root: Path, keep: str) -> None:
    """Drop old versions (and folders of killed runs), keeping the newest few."""
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    kept = 0
    for path in versions:
        if path.name == keep or (not path.name.startswith(".") and kept < KEEP_VERSIONS - 1):
            kept += path.name != keep
            continue
        shutil.rmtree(path, ignore_errors=True)
