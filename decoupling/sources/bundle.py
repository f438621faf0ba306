"""Reading a replication bundle (written by `decoupling bundle`) like a snapshot folder.

Each input the bundle records (one original download) becomes one Download whose body is the
observations that download brought, as a small CSV (series_id,date,value[,label]) built the same
way every time, so an unchanged bundle gives unchanged checksums. Replayed in the bundle's order,
they rebuild raw.observations with every vintage the bundle holds.
"""

from __future__ import annotations

import functools
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from decoupling.catalog import Series
from decoupling.sources.base import Download, SourceError, body_parser, frame

SOURCE = "bundle"
MANIFEST = "manifest.json"
OBSERVATIONS = "observations.parquet"
OEWS = "oews_national.parquet"
FORMAT = "bundle_csv"


def is_bundle(folder: Path) -> bool:
    """A folder `decoupling bundle` wrote (it holds the bundle manifest)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "decoupling-bundle"
    except (OSError, ValueError, AttributeError):
        return False


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problem = f"bundle manifest {folder / MANIFEST} unreadable: {exc}"
        raise SourceError(SOURCE, "-", problem) from None


@functools.lru_cache(maxsize=4)
def _observations(folder: Path, stamp: float) -> pd.DataFrame:
    """Every observation of the bundle (both files), read once per folder and version."""
    parts = [pd.read_parquet(folder / name) for name in (OBSERVATIONS, OEWS)]
    return pd.concat(parts, ignore_index=True)


def _body(rows: pd.DataFrame) -> bytes:
    columns = ["series_id", "date", "value"] + (["label"] if rows["label"].notna().any() else [])
    ordered = rows.sort_values(["series_id", "date"])[columns]
    return ordered.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.17g").encode()


def fetch(entry: Series, folder: Path) -> list[Download]:
    """The downloads the bundle holds for one catalog entry, in their original load order."""
    folder = Path(folder).resolve()
    manifest = read_manifest(folder)
    inputs = [i for i in manifest.get("inputs", []) if i.get("series_id") == entry.id]
    if not inputs:
        return []
    stamp = max((folder / n).stat().st_mtime for n in (OBSERVATIONS, OEWS, MANIFEST))
    observations = _observations(folder, stamp)
    by_download = observations.groupby("download_sha256", sort=False)
    built = manifest.get("built_on", "unknown")
    now = datetime.now(UTC)
    found = []
    for item in inputs:
        sha = item["sha256"]
        if sha not in by_download.groups:
            continue  # it brought no new or revised value: nothing to replay
        found.append(
            Download(
                source=SOURCE,
                series_id=entry.id,
                part=item.get("part"),
                url=f"{(folder / OBSERVATIONS).as_uri()}#{item['series_key']}",
                body=_body(by_download.get_group(sha)),
                fmt=FORMAT,
                license=item.get("license") or entry.license,
                accessed_at=now,
                vintage=(
                    f"bundle of {built} ({item.get('source')}); released "
                    f"{item.get('release_date', 'unknown')}; accessed "
                    f"{item.get('access_date', 'unknown')}"
                ),
            )
        )
    return found


@body_parser(FORMAT)
def parse_bundle_csv(body: bytes, series_id: str) -> pd.DataFrame:
    """A bundle body: series_id,date,value[,label]; the series ids are the stored ones (an OEWS
    input holds many)."""
    table = pd.read_csv(io.BytesIO(body), dtype={"series_id": str}, keep_default_na=True)
    if list(table.columns[:3]) != ["series_id", "date", "value"]:
        raise ValueError(f"expected series_id,date,value, found {list(table.columns)}")
    result = frame("", list(pd.to_datetime(table["date"], format="%Y-%m-%d")), list(table["value"]))
    result["series_id"] = table["series_id"].astype("string")
    if "label" in table.columns:
        result["label"] = table["label"]
    return result
