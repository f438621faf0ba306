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

import numpy as np
import pandas as pd

from decoupling import landing, release_dates
from decoupling.catalog import Series
from decoupling.sources.base import Download, SourceError, body_parser, frame

SOURCE = "snapshot"


@body_parser("fred_csv")
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
    # Plain arrays after the strip: a FRED file is a few hundred rows, where the overhead of each
    # pandas call outweighs its work, and a snapshot refresh parses some 70 of them.
    values = table[value_col].str.strip().to_numpy(dtype=object)
    blank = (values == "") | (values == ".") | (values == "NA")
    values[blank] = ""
    numeric = pd.to_numeric(np.where(blank, None, values), errors="coerce").astype("float64")
    # Line numbers as an editor shows them: the header is line 1.
    bad = np.flatnonzero(~blank & np.isnan(numeric))
    if bad.size:
        raise ValueError(
            f"line {bad[0] + 2}: column {value_col!r} has a non-numeric value {values[bad[0]]!r}"
        )
    infinite = np.flatnonzero(np.isinf(numeric))
    if infinite.size:
        raise ValueError(f"line {infinite[0] + 2}: value {values[infinite[0]]!r} is not finite")
    dates = pd.to_datetime(table[date_col], format="%Y-%m-%d", errors="coerce")
    if dates.hasnans:
        at = np.flatnonzero(dates.isna())[0]
        raise ValueError(f"line {at + 2}: bad date {table[date_col].iloc[at]!r}")
    if not dates.is_unique:
        # Two values for one date would load as two "revisions" with no order between them.
        first, second = np.flatnonzero(dates.duplicated(keep=False))[:2]
        raise ValueError(
            f"line {second + 2}: date {table[date_col].iloc[second]} appears twice "
            f"(also on line {first + 2})"
        )
    return frame(series_id, dates, numeric)


# A snapshot file larger than this is refused before it is read: 10x the largest real file in
# ../shared/fred-snapshot (raw/bea_nipa/Section1All_xls_2024-08-29.xlsx, 3,940,330 bytes). A
# 200 MB CSV once took 107 s and 4.4 GB of memory to refuse later on.
MAX_FILE_BYTES = 40_000_000


def read_file(path: Path, series_id: str) -> bytes:
    """A snapshot file's bytes, refused (one line naming it) when empty or over MAX_FILE_BYTES."""
    size = path.stat().st_size
    if size == 0:
        raise SourceError(SOURCE, series_id, f"snapshot file {path} is empty")
    if size > MAX_FILE_BYTES:
        raise SourceError(
            SOURCE,
            series_id,
            f"snapshot file {path} is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} "
            "(10x the largest real snapshot file)",
        )
    return path.read_bytes()


def _from_landing(sidecar: Path, entry: Series) -> Download:
    meta = json.loads(sidecar.read_text())
    body_path = landing.body_path(sidecar, meta.get("extension", "csv"))
    if not body_path.is_file():
        raise SourceError(SOURCE, entry.id, f"landing {sidecar} has no body file {body_path.name}")
    return Download(
        source=meta["source"],
        series_id=meta["series_id"],
        part=meta.get("part"),
        url=meta["url"],
        body=read_file(body_path, entry.id),
        fmt=meta["fmt"],
        license=meta.get("license", entry.license),
        accessed_at=datetime.fromisoformat(meta["accessed_at"]),
        vintage=meta.get("vintage"),
        extension=meta.get("extension", "csv"),
    )


def _landings(folder: Path, entry: Series) -> list[Download]:
    """The newest landing of each part of a series in a folder of raw landings."""
    from decoupling.sources import download_id

    found: list[Download] = []
    name = download_id(entry)
    candidates = list(folder.glob(f"*/{name}")) + list(folder.glob(f"*/{name}--*"))
    for series_dir in sorted(c for c in candidates if c.is_dir()):
        sidecars = sorted(p for p in series_dir.glob("*.json") if landing.is_sidecar(p))
        if sidecars:
            found.append(_from_landing(sidecars[-1], entry))
    return found


def fetch(entry: Series, folders: tuple[Path, ...]) -> list[Download]:
    """The downloads for one catalog entry from the first folder that holds it ([] if none)."""
    from decoupling.sources import bea, bls_files, bundle, fred_md, oews

    shared_readers = {"bea": bea.snapshot_download, "fred_md": fred_md.snapshot_download}
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
            if (
                entry.source == "bls_file"
                and entry.snapshot_path
                and entry.live_id in bls_files.SNAPSHOT_FILES
            ):
                # A published BLS workbook kept whole: every series comes from the one file.
                return [bls_files.snapshot_download(folder, paths[-1], entry, stamp)]
            if entry.source in shared_readers:
                # Several vintages of one file: the newest, by the date its name carries.
                return [shared_readers[entry.source](paths[-1], entry, stamp)]
            path = paths[0]
            body = read_file(path, entry.id)
            return [
                Download(
                    source=SOURCE,
                    series_id=entry.id,
                    url=path.resolve().as_uri(),
                    body=body,
                    fmt="fred_csv",
                    license=entry.license,
                    vintage=release_dates.snapshot_vintage(folder, path),
                )
            ]
        landed = _landings(folder, entry)
        if landed:
            return landed
    return []
