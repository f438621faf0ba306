"""A snapshot folder: FRED-layout CSVs (`DIR/<ID>.csv`), published files in subfolders, or a
folder of earlier raw landings (`DIR/<source>/<ID>[--part]/<stamp>.<ext>` with JSON sidecars).

Several folders may be given; the first that holds a series wins.
"""

from __future__ import annotations

import glob
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from decoupling import release_dates
from decoupling.catalog import Series
from decoupling.sources.base import Download, SourceError, frame, parser

SOURCE = "snapshot"


@parser("fred_csv")
def parse_fred_csv(body: bytes, series_id: str) -> pd.DataFrame:
    """FRED's download layout: `observation_date,<ID>` (older files: `DATE,<ID>`); '' or '.' = missing."""
    text = body.decode("utf-8-sig")
    if text.lstrip().startswith("<"):
        raise ValueError("body is HTML, not CSV")
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if table.shape[1] != 2:
        raise ValueError(f"expected 2 columns (date, {series_id}), found {table.shape[1]}")
    date_col, value_col = table.columns
    if date_col.lower() not in ("observation_date", "date"):
        raise ValueError(f"first column is {date_col!r}, expected observation_date")
    values = table[value_col].str.strip().replace({".": "", "NA": ""})
    numeric = pd.to_numeric(values.replace("", None), errors="coerce")
    bad = values[(values != "") & numeric.isna()]
    if not bad.empty:
        raise ValueError(f"column {value_col!r} has a non-numeric value {bad.iloc[0]!r}")
    dates = pd.to_datetime(table[date_col], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise ValueError(f"bad date {table[date_col][dates.isna()].iloc[0]!r}")
    return frame(series_id, list(dates), list(numeric))


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _from_landing(sidecar: Path, entry: Series) -> Download:
    meta = json.loads(sidecar.read_text())
    body_path = sidecar.with_suffix("." + meta.get("extension", "csv"))
    if not body_path.is_file():
        raise SourceError(SOURCE, entry.id, f"landing {sidecar} has no body file {body_path.name}")
    return Download(
        source=meta["source"],
        series_id=meta["series_id"],
        part=meta.get("part"),
        url=meta["url"],
        body=_read(body_path),
        fmt=meta["fmt"],
        license=meta.get("license", entry.license),
        accessed_at=datetime.fromisoformat(meta["accessed_at"]),
        vintage=meta.get("vintage"),
        extension=meta.get("extension", "csv"),
    )


def _landings(folder: Path, entry: Series) -> list[Download]:
    """The newest landing of each part of a series in a folder of raw landings."""
    found: list[Download] = []
    candidates = list(folder.glob(f"*/{entry.id}")) + list(folder.glob(f"*/{entry.id}--*"))
    for series_dir in sorted(c for c in candidates if c.is_dir()):
        sidecars = sorted(series_dir.glob("*.json"))
        if sidecars:
            found.append(_from_landing(sidecars[-1], entry))
    return found


def fetch(entry: Series, folders: tuple[Path, ...]) -> list[Download]:
    """The downloads for one catalog entry from the first folder that holds it ([] if none)."""
    from decoupling.sources import bundle, oews

    for folder in folders:
        # A replication bundle (decoupling bundle) reads like a snapshot.
        if bundle.is_bundle(folder):
            found = bundle.fetch(entry, folder)
            if found:
                return found
            continue
        if entry.snapshot_path:
            paths = sorted(Path(p) for p in glob.glob(str(folder / entry.snapshot_path)))
        else:
            paths = [folder / f"{entry.id}.csv"]
        paths = [p for p in paths if p.is_file()]
        if paths:
            stamp = datetime.now(UTC)  # when read; never the file's mtime (not a vintage)
            if entry.source == "oews":
                return [oews.snapshot_download(path, entry, stamp) for path in paths]
            path = paths[0]
            if path.stat().st_size == 0:
                raise SourceError(SOURCE, entry.id, f"snapshot file {path} is empty")
            return [
                Download(
                    source=SOURCE,
                    series_id=entry.id,
                    url=path.resolve().as_uri(),
                    body=_read(path),
                    fmt="fred_csv",
                    license=entry.license,
                    vintage=release_dates.snapshot_vintage(folder, path),
                )
            ]
        landed = _landings(folder, entry)
        if landed:
            return landed
    return []
