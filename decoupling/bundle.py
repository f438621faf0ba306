"""The replication bundle: a compact copy of every input the report used, from the published
warehouse, so a fresh clone with no network and no snapshot can still build the report.

`bundle/` holds:
- observations.parquet: every catalog series' observations with their vintages (raw.observations:
  each value as first received, and every revision), zstd-compressed;
- oews_national.parquet: the parsed OEWS national wages (OEWS_<SOC>_<measure>), with their titles;
- manifest.json: each input (one original download): source, URL, release and access dates, the
  sha256 of the original download, license, rows; plus the sha256 and size of the bundle's files.
`decoupling refresh --bundle` (or DECOUPLING_SNAPSHOT=bundle) reads it like a snapshot
(decoupling/sources/bundle.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from decoupling import release_dates, warehouse
from decoupling.settings import PROJECT_ROOT, ConfigError, Settings
from decoupling.sources.bundle import MANIFEST, OBSERVATIONS, OEWS, is_bundle, read_manifest

BUNDLE_DIR = PROJECT_ROOT / "bundle"
MAX_BYTES = 5 * 1024 * 1024  # what a repository should carry
# A series whose observations come from OEWS workbooks (one catalog row expands to many).
_OEWS_SERIES = "regexp_matches(series_id, '^OEWS_[0-9]{6}_')"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inputs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every download of a catalog series the warehouse holds, in load order."""
    rows = con.execute(
        """
        SELECT d.series_key, d.series_id, d.part, d.source, d.url, d.vintage, d.accessed_at,
               d.sha256, d.license, d.rows, d.first_date, d.last_date
        FROM meta.downloads d
        WHERE d.series_id IN (SELECT id FROM meta.series)
        ORDER BY d.rowid
        """
    ).fetchall()
    inputs = []
    for key, series, part, source, url, vintage, accessed, sha, license_, n, first, last in rows:
        release, access = release_dates.dates(source, vintage, accessed)
        inputs.append(
            {
                "series_key": key,
                "series_id": series,
                "part": part,
                "source": source,
                # A snapshot's local path says nothing to another machine: keep the file name.
                "url": url if source not in ("snapshot", "bundle") else url.rsplit("/", 1)[-1],
                "vintage": vintage,
                "release_date": release,
                "access_date": access,
                "sha256": sha,
                "license": license_,
                "rows": n,
                "first_date": str(first) if first else None,
                "last_date": str(last) if last else None,
            }
        )
    return inputs


def write_bundle(settings: Settings, target: Path = BUNDLE_DIR) -> dict:
    """Write the bundle from the published warehouse into `target` (replaced as a whole, only
    once complete). Returns the manifest."""
    if target.exists() and not is_bundle(target) and any(target.iterdir()):
        raise ConfigError(f"{target} exists and is not a bundle: refusing to replace it")
    for folder in settings.snapshots:
        if folder.resolve() == target.resolve():
            raise ConfigError(f"{target} is the input of this run: write the bundle elsewhere")
    con = warehouse.connect_published(settings)
    building = target.with_name(f".{target.name}.building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        run = con.execute(
            "SELECT run_id, inputs FROM meta.runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()
        if not run:
            raise ConfigError(f"the warehouse {settings.warehouse} records no run: refresh first")
        inputs = _inputs(con)
        con.register("bundle_inputs", pd.DataFrame({"sha256": [i["sha256"] for i in inputs]}))
        copy = "COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19)"
        select = (
            "SELECT o.series_id, o.date, o.value, o.vintage, o.download_sha256, o.load_seq{label} "
            "FROM raw.observations o {join} "
            "WHERE o.download_sha256 IN (SELECT sha256 FROM bundle_inputs) "
            "AND {which} ORDER BY o.load_seq"
        )
        for name, which, label, join in (
            (OBSERVATIONS, f"NOT {_OEWS_SERIES}", ", NULL::VARCHAR AS label", ""),
            (
                OEWS,
                _OEWS_SERIES,
                ", l.label",
                "LEFT JOIN meta.series_labels l USING (series_id)",
            ),
        ):
            path = str(building / name).replace("'", "''")
            query = select.format(
                label=label, join=join, which=which.replace("series_id", "o.series_id")
            )
            con.execute(copy.format(query=query, path=path))
    finally:
        con.close()
    files = {
        name: {"sha256": _sha256(building / name), "bytes": (building / name).stat().st_size}
        for name in (OBSERVATIONS, OEWS)
    }
    manifest = {
        "kind": "decoupling-bundle",
        "built_on": datetime.now(UTC).date().isoformat(),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "from_run": run[0][0],
        "from_inputs": _portable(run[0][1]),
        "note": (
            "Compact inputs of one refresh: observations with their vintages (Parquet, zstd), "
            "the parsed OEWS national wages, and each input's source, release and access dates, "
            "sha256 of the original download and license. Run: decoupling refresh --bundle"
        ),
        "files": files,
        "inputs": inputs,
    }
    (building / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str) + "\n")
    total = sum(f.stat().st_size for f in building.iterdir())
    if total > MAX_BYTES:
        shutil.rmtree(building, ignore_errors=True)
        raise ConfigError(f"the bundle would be {total / 1e6:.1f} MB, over the 5 MB limit")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(building, target)
    shutil.rmtree(old, ignore_errors=True)
    manifest["bytes"] = total
    return manifest


def _portable(inputs: str | None) -> str | None:
    """The run's inputs without this machine's absolute paths (folder names only)."""
    if not inputs or not inputs.startswith("snapshot "):
        return inputs
    return "snapshot " + ":".join(Path(p).name for p in inputs[len("snapshot ") :].split(":"))


def built_on(folder: Path) -> str:
    """The date a bundle was built (YYYY-MM-DD), or 'unknown'."""
    try:
        return read_manifest(folder).get("built_on", "unknown")
    except Exception:  # a broken manifest only loses the date here; reading it fails loudly
        return "unknown"


def inputs_label(folder: Path) -> str:
    """What meta.runs.inputs says for a run from a bundle (the report's banner reads it)."""
    return f"bundle {folder} (built {built_on(folder)})"


def banner(inputs: str | None) -> str | None:
    """The report's offline banner when a run's inputs were a bundle, else None."""
    if not inputs or not inputs.startswith("bundle "):
        return None
    date = inputs.rsplit("(built ", 1)[-1].rstrip(")") if "(built " in inputs else "unknown"
    return f"offline: data as bundled on {date}"
