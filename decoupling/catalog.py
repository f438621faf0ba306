"""The series catalog: one CSV row per series, so adding a series is one line and no code."""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from decoupling.settings import ConfigError

CATALOG_PATH = Path(__file__).with_name("catalog.csv")
REQUIRED = ("id", "source", "title", "units", "frequency", "seasonal", "analyses", "license")
SOURCES = ("fred", "bls", "bls_file", "oews", "bea", "fred_md")
FREQUENCIES = ("M", "Q", "A")
# Ids become file names and SQL literals: letters, digits and underscores only.
SERIES_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class Series:
    id: str
    source: str
    live_id: str
    title: str
    units: str
    frequency: str
    seasonal: str
    analyses: tuple[str, ...]
    license: str
    snapshot_path: str
    notes: str

    @property
    def has_live_source(self) -> bool:
        return self.live_id != "-"

    @property
    def remote_id(self) -> str:
        """The id the live source knows the series by."""
        return self.live_id if self.live_id and self.live_id != "-" else self.id


def validate_series_id(series_id: str) -> str:
    if not SERIES_ID.match(series_id or ""):
        raise ConfigError(
            f"invalid series id {series_id!r}: use letters, digits and underscores only"
        )
    return series_id


def catalog_path() -> Path:
    """The catalog in force: $DECOUPLING_CATALOG (a team's own series list) or decoupling/catalog.csv."""
    override = os.environ.get("DECOUPLING_CATALOG", "").strip()
    return Path(override).expanduser() if override else CATALOG_PATH


def load_catalog(path: Path | None = None) -> list[Series]:
    """Read and validate the catalog; a bad row gives one line naming the row and field."""
    path = path or catalog_path()
    if not path.is_file():
        raise ConfigError(f"catalog not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(f"catalog {path} line {line}: not UTF-8 ({exc.reason})") from None
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        missing_columns = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing_columns:
            raise ConfigError(f"catalog {path}: missing column(s) {', '.join(missing_columns)}")
        entries: list[Series] = []
        seen: set[str] = set()
        for line_no, row in enumerate(reader, start=2):
            for column in REQUIRED:
                if not (row.get(column) or "").strip():
                    raise ConfigError(f"catalog {path} line {line_no}: field '{column}' is empty")
            series_id = row["id"].strip()
            try:
                validate_series_id(series_id)
            except ConfigError as exc:
                raise ConfigError(f"catalog {path} line {line_no}: {exc}") from None
            if series_id in seen:
                raise ConfigError(f"catalog {path} line {line_no}: duplicate id {series_id}")
            seen.add(series_id)
            source = row["source"].strip()
            if source not in SOURCES:
                raise ConfigError(
                    f"catalog {path} line {line_no}: source {source!r} is not one of {SOURCES}"
                )
            frequency = row["frequency"].strip()
            if frequency not in FREQUENCIES:
                raise ConfigError(
                    f"catalog {path} line {line_no}: frequency {frequency!r} is not M, Q or A"
                )
            snapshot_path = (row.get("snapshot_path") or "").strip()
            if snapshot_path and (
                Path(snapshot_path).is_absolute() or ".." in Path(snapshot_path).parts
            ):
                raise ConfigError(
                    f"catalog {path} line {line_no}: snapshot_path {snapshot_path!r} must stay "
                    "inside the snapshot folder (relative, no '..')"
                )
            entries.append(
                Series(
                    id=series_id,
                    source=source,
                    live_id=(row.get("live_id") or "").strip(),
                    title=row["title"].strip(),
                    units=row["units"].strip(),
                    frequency=frequency,
                    seasonal=row["seasonal"].strip(),
                    analyses=tuple(a.strip() for a in row["analyses"].split(";") if a.strip()),
                    license=row["license"].strip(),
                    snapshot_path=snapshot_path,
                    notes=(row.get("notes") or "").strip(),
                )
            )
    return entries


def select(catalog: list[Series], ids: list[str] | None) -> list[Series]:
    """The catalog entries named by `ids` (all when empty); unknown ids are an error listing them."""
    if not ids:
        return catalog
    by_id = {entry.id: entry for entry in catalog}
    for series_id in ids:
        validate_series_id(series_id)
    unknown = [s for s in ids if s not in by_id]
    if unknown:
        raise ConfigError(
            f"unknown series {', '.join(unknown)}: not in the catalog ({catalog_path().name})"
        )
    return [by_id[s] for s in ids]
