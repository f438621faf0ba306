"""The DuckDB warehouse: schemas, append-only raw loads, and build-aside publishing.

Writers never touch the published file. `staged()` copies it aside, the caller writes the copy,
and only a complete, checkpointed copy replaces the published file (an atomic rename), so readers
and a killed run both see either the old warehouse or the new one, never a mix.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from flows.catalog import Series
from flows.config import ConfigError, Settings
from flows.sources.base import Download

SCHEMAS = ("raw", "meta", "staging", "marts")

DDL = """
CREATE SEQUENCE IF NOT EXISTS raw.load_seq;
CREATE TABLE IF NOT EXISTS raw.observations (
    series_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    value DOUBLE,
    vintage TIMESTAMPTZ NOT NULL,
    download_sha256 VARCHAR NOT NULL,
    load_seq BIGINT NOT NULL
);
COMMENT ON TABLE raw.observations IS 'Every observation ever received, append-only: a revised value is a new row with a later vintage; the latest row per series and date is the current value.';
COMMENT ON COLUMN raw.observations.series_id IS 'Series id (catalog id, or OEWS_<SOC>_<measure> for OEWS)';
COMMENT ON COLUMN raw.observations.date IS 'First day of the observation period (month, quarter or year)';
COMMENT ON COLUMN raw.observations.value IS 'Value in the units of meta.series; NULL = withdrawn or missing';
COMMENT ON COLUMN raw.observations.vintage IS 'When this value was first received (access time of the download that brought it)';
COMMENT ON COLUMN raw.observations.download_sha256 IS 'Checksum of the download that brought the value (meta.downloads.sha256)';
COMMENT ON COLUMN raw.observations.load_seq IS 'Load order; the highest per series and date is the current value';

CREATE TABLE IF NOT EXISTS raw.vintages (
    series_id VARCHAR NOT NULL,
    vintage_date DATE NOT NULL,
    date DATE NOT NULL,
    value DOUBLE,
    url VARCHAR NOT NULL,
    accessed_at TIMESTAMPTZ NOT NULL,
    download_sha256 VARCHAR NOT NULL
);
COMMENT ON TABLE raw.vintages IS 'Series as they stood on past dates (ALFRED real-time vintages), append-only; pulled on request by decoupling vintages';
COMMENT ON COLUMN raw.vintages.series_id IS 'Catalog series id';
COMMENT ON COLUMN raw.vintages.vintage_date IS 'The date the values were in force (ALFRED vintage date)';
COMMENT ON COLUMN raw.vintages.date IS 'First day of the observation period';
COMMENT ON COLUMN raw.vintages.value IS 'Value as published on vintage_date; NULL = missing';
COMMENT ON COLUMN raw.vintages.url IS 'ALFRED request (API key removed)';
COMMENT ON COLUMN raw.vintages.accessed_at IS 'When the vintage was downloaded (UTC)';
COMMENT ON COLUMN raw.vintages.download_sha256 IS 'SHA-256 of the vintage body as stored';

CREATE TABLE IF NOT EXISTS meta.downloads (
    sha256 VARCHAR NOT NULL,
    series_key VARCHAR NOT NULL,
    series_id VARCHAR NOT NULL,
    part VARCHAR,
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    fmt VARCHAR NOT NULL,
    accessed_at TIMESTAMPTZ NOT NULL,
    vintage VARCHAR,
    rows BIGINT NOT NULL,
    first_date DATE,
    last_date DATE,
    license VARCHAR,
    landed_path VARCHAR,
    run_id VARCHAR NOT NULL
);
COMMENT ON TABLE meta.downloads IS 'Provenance of every download loaded: where from (URL without key), when, checksum, rows, license';
COMMENT ON COLUMN meta.downloads.sha256 IS 'SHA-256 of the body as received';
COMMENT ON COLUMN meta.downloads.series_key IS 'Series id, plus --part when one series comes as several files (OEWS years)';
COMMENT ON COLUMN meta.downloads.series_id IS 'Catalog series id';
COMMENT ON COLUMN meta.downloads.part IS 'Part of a multi-file series (e.g. M2024 for the OEWS May 2024 file)';
COMMENT ON COLUMN meta.downloads.source IS 'fred, bls, bls_file, oews or snapshot';
COMMENT ON COLUMN meta.downloads.url IS 'Where the body came from (API keys removed)';
COMMENT ON COLUMN meta.downloads.fmt IS 'Format name of the parser used';
COMMENT ON COLUMN meta.downloads.accessed_at IS 'When the body was received (UTC)';
COMMENT ON COLUMN meta.downloads.vintage IS 'Release or vintage the source states, if any';
COMMENT ON COLUMN meta.downloads.rows IS 'Observations parsed from the body';
COMMENT ON COLUMN meta.downloads.first_date IS 'First observation date in the body';
COMMENT ON COLUMN meta.downloads.last_date IS 'Last observation date in the body';
COMMENT ON COLUMN meta.downloads.license IS 'License or terms of the data';
COMMENT ON COLUMN meta.downloads.landed_path IS 'Sidecar of the raw landing (relative to the raw folder)';
COMMENT ON COLUMN meta.downloads.run_id IS 'Run that loaded it (meta.runs.run_id)';

CREATE TABLE IF NOT EXISTS meta.runs (
    run_id VARCHAR NOT NULL,
    command VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    inputs VARCHAR,
    new_rows BIGINT,
    revised_rows BIGINT,
    fingerprint VARCHAR
);
COMMENT ON TABLE meta.runs IS 'Every run that changed the warehouse (a run that failed changed nothing and is not here)';
COMMENT ON COLUMN meta.runs.run_id IS 'Run id';
COMMENT ON COLUMN meta.runs.command IS 'refresh, ingest or transform';
COMMENT ON COLUMN meta.runs.started_at IS 'Start (UTC)';
COMMENT ON COLUMN meta.runs.finished_at IS 'End (UTC)';
COMMENT ON COLUMN meta.runs.inputs IS 'Snapshot folders or live sources used';
COMMENT ON COLUMN meta.runs.new_rows IS 'Observations for dates not seen before';
COMMENT ON COLUMN meta.runs.revised_rows IS 'Observations whose value changed (a new vintage row)';
COMMENT ON COLUMN meta.runs.fingerprint IS 'Hash of inputs, SQL and catalog: an unchanged fingerprint means nothing to rebuild';

CREATE TABLE IF NOT EXISTS meta.changes (
    run_id VARCHAR NOT NULL,
    series_id VARCHAR NOT NULL,
    new_observations BIGINT NOT NULL,
    revised_values BIGINT NOT NULL,
    max_abs_revision DOUBLE,
    max_rel_revision DOUBLE
);
COMMENT ON TABLE meta.changes IS 'What each run changed, per series: new observations and revised values with their size';
COMMENT ON COLUMN meta.changes.run_id IS 'Run id (meta.runs)';
COMMENT ON COLUMN meta.changes.series_id IS 'Series id';
COMMENT ON COLUMN meta.changes.new_observations IS 'Observations for dates not held before';
COMMENT ON COLUMN meta.changes.revised_values IS 'Dates whose value changed';
COMMENT ON COLUMN meta.changes.max_abs_revision IS 'Largest absolute change of a revised value, in the series units';
COMMENT ON COLUMN meta.changes.max_rel_revision IS 'Largest relative change of a revised value (0.01 = 1%)';

CREATE TABLE IF NOT EXISTS meta.series_labels (
    series_id VARCHAR NOT NULL,
    label VARCHAR NOT NULL
);
COMMENT ON TABLE meta.series_labels IS 'Titles of series that are not catalog rows (e.g. each OEWS occupation and measure)';
COMMENT ON COLUMN meta.series_labels.series_id IS 'Series id';
COMMENT ON COLUMN meta.series_labels.label IS 'Human title as published';

CREATE TABLE IF NOT EXISTS meta.availability (
    series_id VARCHAR NOT NULL,
    available BOOLEAN NOT NULL,
    reason VARCHAR
);
COMMENT ON TABLE meta.availability IS 'Whether each catalog series was available to the last run, and why not';
COMMENT ON COLUMN meta.availability.series_id IS 'Catalog series id';
COMMENT ON COLUMN meta.availability.available IS 'True when the series has observations in the warehouse';
COMMENT ON COLUMN meta.availability.reason IS 'Why a series is not available (not in the snapshot, no live source, error)';

-- For analysts: what the warehouse holds, read live from DuckDB's catalog (never stale).
CREATE OR REPLACE VIEW meta.tables AS
SELECT schema_name, table_name, 'table' AS kind, column_count, estimated_size AS estimated_rows,
       comment AS description
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts')
UNION ALL
SELECT schema_name, view_name, 'view', column_count, NULL, comment
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts')
  AND NOT internal;
COMMENT ON VIEW meta.tables IS 'Every table and view of the raw, meta, staging and marts schemas, with its description and column count';
COMMENT ON COLUMN meta.tables.schema_name IS 'Schema: raw (as received), meta (catalog, provenance, runs), staging (cleaned), marts (analyses)';
COMMENT ON COLUMN meta.tables.table_name IS 'Table or view name';
COMMENT ON COLUMN meta.tables.kind IS 'table or view';
COMMENT ON COLUMN meta.tables.column_count IS 'Number of columns';
COMMENT ON COLUMN meta.tables.estimated_rows IS 'Approximate row count of a table (NULL for views)';
COMMENT ON COLUMN meta.tables.description IS 'What it holds (its COMMENT)';

CREATE OR REPLACE VIEW meta.columns AS
SELECT schema_name, table_name, column_index AS position, column_name, data_type,
       comment AS description
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts');
COMMENT ON VIEW meta.columns IS 'Every column of every table and view, with its type and description (what, unit, source)';
COMMENT ON COLUMN meta.columns.schema_name IS 'Schema of the table';
COMMENT ON COLUMN meta.columns.table_name IS 'Table or view name';
COMMENT ON COLUMN meta.columns.position IS 'Column position in the table, from 1';
COMMENT ON COLUMN meta.columns.column_name IS 'Column name';
COMMENT ON COLUMN meta.columns.data_type IS 'DuckDB type';
COMMENT ON COLUMN meta.columns.description IS 'What the column holds, its unit and source (its COMMENT)';
"""

SERIES_COLUMNS = {
    "id": "Series id (FRED id where one exists; the snapshot file name)",
    "source": "Live source: fred, bls, bls_file or oews",
    "live_id": "Id at the live source when it differs ('-' = no live source)",
    "title": "Title",
    "units": "Units",
    "frequency": "M monthly, Q quarterly, A annual",
    "seasonal": "Seasonal adjustment",
    "analyses": "Claims that use it (C1..C5, ';'-separated)",
    "license": "License or terms",
    "notes": "Caveats",
}


class WarehouseBusy(ConfigError):
    """Another refresh holds the lock."""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def connect_published(settings: Settings, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (never blocks, never blocks a refresh);
    `config`: DuckDB settings for the connection."""
    if not settings.warehouse.is_file():
        raise ConfigError(
            f"no warehouse at {settings.warehouse}: run 'decoupling refresh' (or 'make run') first"
        )
    return duckdb.connect(str(settings.warehouse), read_only=True, config=config or {})


def init_schema(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(DDL)


def write_catalog(con: duckdb.DuckDBPyConnection, catalog: list[Series]) -> None:
    """Replace meta.series with the catalog in force."""
    table = pd.DataFrame(
        [
            {
                "id": s.id,
                "source": s.source,
                "live_id": s.live_id or None,
                "title": s.title,
                "units": s.units,
                "frequency": s.frequency,
                "seasonal": s.seasonal,
                "analyses": ";".join(s.analyses),
                "license": s.license,
                "notes": s.notes or None,
            }
            for s in catalog
        ],
        columns=list(SERIES_COLUMNS),
    )
    con.register("catalog_frame", table)
    con.execute("CREATE OR REPLACE TABLE meta.series AS SELECT * FROM catalog_frame")
    con.unregister("catalog_frame")
    con.execute(
        "COMMENT ON TABLE meta.series IS 'The series catalog (flows/catalog.csv) in force at the last run'"
    )
    for column, text in SERIES_COLUMNS.items():
        quoted = text.replace("'", "''")
        con.execute(f"COMMENT ON COLUMN meta.series.{column} IS '{quoted}'")


def known_downloads(settings: Settings) -> set[tuple[str, str]]:
    """(series key, sha256) of every download the published warehouse holds."""
    if not settings.warehouse.is_file():
        return set()
    con = connect(settings.warehouse, read_only=True)
    try:
        return set(con.execute("SELECT series_key, sha256 FROM meta.downloads").fetchall())
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def last_refresh(settings: Settings) -> tuple[str | None, str | None]:
    """(run id, fingerprint) of the last refresh the published warehouse records."""
    if not settings.warehouse.is_file():
        return None, None
    con = connect(settings.warehouse, read_only=True)
    try:
        row = con.execute(
            "SELECT run_id, fingerprint FROM meta.runs WHERE command = 'refresh' "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()
        return (row[0][0], row[0][1]) if row else (None, None)
    except duckdb.CatalogException:
        return None, None
    finally:
        con.close()


def fred_last_updated(settings: Settings) -> dict[str, tuple[str, str, str]]:
    """Series id -> (FRED last_updated, series key, sha256) of each series' newest FRED API
    download held (the keyed API records last_updated as the download's vintage)."""
    if not settings.warehouse.is_file():
        return {}
    con = connect(settings.warehouse, read_only=True)
    try:
        rows = con.execute(
            """
            SELECT series_id, arg_max(vintage, accessed_at), arg_max(series_key, accessed_at),
                   arg_max(sha256, accessed_at)
            FROM meta.downloads WHERE source = 'fred' AND fmt = 'fred_json' AND part IS NULL
            GROUP BY series_id
            """
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return {r[0]: (r[1], r[2], r[3]) for r in rows if r[1]}


Change = tuple[int, int, float | None, float | None]


def load_download(
    con: duckdb.DuckDBPyConnection,
    download: Download,
    observations: pd.DataFrame,
    run_id: str,
    landed_path: str | None,
) -> dict[str, Change]:
    """Append what is new or revised in one download (see `load_downloads`)."""
    return load_downloads(con, [(download, observations, landed_path)], run_id)


def load_downloads(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[Download, pd.DataFrame, str | None]],
    run_id: str,
) -> dict[str, Change]:
    """Append what is new or revised in a batch of downloads, in one pass; return per-series
    (new, revised, max abs, max rel revision) summed over the batch.

    The result is the same as loading the downloads one after another in batch order: a value is
    a new row when its date is not held and it is not missing, or when it differs from the value
    in force just before it (the warehouse's current value or an earlier download of the batch).
    A download already loaded (same series key and checksum) adds nothing. One registered frame,
    one diff query and one insert per table, whatever the number of downloads.
    """
    if not batch:
        return {}
    already = set(
        con.execute(
            "SELECT series_key, sha256 FROM meta.downloads WHERE sha256 IN (SELECT unnest(?))",
            [sorted({d.sha256 for d, _, _ in batch})],
        ).fetchall()
    )
    fresh: list[tuple[Download, pd.DataFrame, str | None]] = []
    for download, observations, landed in batch:
        if (download.key, download.sha256) not in already:
            already.add((download.key, download.sha256))
            fresh.append((download, observations, landed))
    if not fresh:
        return {}
    incoming = pd.concat(
        [
            o[["series_id", "date", "value"]].assign(ord=order)
            for order, (_, o, _) in enumerate(fresh)
        ],
        ignore_index=True,
    )
    incoming["series_id"] = incoming["series_id"].astype(str)
    incoming["date"] = pd.to_datetime(incoming["date"])
    downloads = pd.DataFrame(
        {
            "ord": range(len(fresh)),
            "sha256": [d.sha256 for d, _, _ in fresh],
            "series_key": [d.key for d, _, _ in fresh],
            "series_id": [d.series_id for d, _, _ in fresh],
            "part": pd.Series([d.part for d, _, _ in fresh], dtype=object),
            "source": [d.source for d, _, _ in fresh],
            "url": [d.url for d, _, _ in fresh],
            "fmt": [d.fmt for d, _, _ in fresh],
            "accessed_at": pd.to_datetime([d.accessed_at for d, _, _ in fresh], utc=True),
            "vintage": pd.Series([d.vintage for d, _, _ in fresh], dtype=object),
            "rows": [len(o) for _, o, _ in fresh],
            "license": [d.license for d, _, _ in fresh],
            "landed_path": pd.Series([p for _, _, p in fresh], dtype=object),
        }
    )
    con.register("incoming", incoming)
    con.register("incoming_downloads", downloads)
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE incoming_diff AS
            WITH batch AS (
                SELECT series_id, date::DATE AS date,
                       CASE WHEN isnan(value) THEN NULL ELSE value END AS value, ord
                FROM incoming
            ), current AS (
                -- arg_max_null: a withdrawn (NULL) value is the current one, not the value before it.
                SELECT series_id, date, arg_max_null(value, load_seq) AS value, -1 AS ord
                FROM raw.observations
                WHERE series_id IN (SELECT DISTINCT series_id FROM batch)
                GROUP BY series_id, date
            ), sequence AS (
                SELECT *, false AS from_warehouse FROM batch
                UNION ALL BY NAME
                SELECT *, true AS from_warehouse FROM current
            ), judged AS (
                SELECT *,
                    coalesce(bool_or(from_warehouse OR value IS NOT NULL) OVER earlier, false)
                        AS held_before,
                    lag(value) OVER (PARTITION BY series_id, date ORDER BY ord) AS previous
                FROM sequence
                WINDOW earlier AS (
                    PARTITION BY series_id, date ORDER BY ord
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                )
            )
            SELECT series_id, date, value, ord, previous AS old_value,
                   NOT held_before AS is_new,
                   row_number() OVER (ORDER BY ord, series_id, date) AS rn
            FROM judged
            WHERE NOT from_warehouse
              AND ((NOT held_before AND value IS NOT NULL)
                   OR (held_before AND previous IS DISTINCT FROM value))
            """
        )
        count = con.execute("SELECT count(*) FROM incoming_diff").fetchall()[0][0]
        if count:
            # Take `count` numbers from the sequence at once (one writer holds the lock, so they
            # are consecutive) and give them out in batch order: the latest download wins.
            last = con.execute(
                "SELECT max(nextval('raw.load_seq')) FROM range(?)", [count]
            ).fetchall()[0][0]
            con.execute(
                """
                INSERT INTO raw.observations
                SELECT i.series_id, i.date, i.value, d.accessed_at, d.sha256, ? + i.rn
                FROM incoming_diff i JOIN incoming_downloads d USING (ord)
                ORDER BY i.rn
                """,
                [last - count],
            )
        summary = con.execute(
            """
            SELECT series_id, count(*) FILTER (WHERE is_new),
                   count(*) FILTER (WHERE NOT is_new),
                   max(abs(value - old_value)) FILTER (WHERE NOT is_new),
                   max(abs(value - old_value) / nullif(abs(old_value), 0)) FILTER (WHERE NOT is_new)
            FROM incoming_diff GROUP BY series_id
            """
        ).fetchall()
        labelled = [
            o[["series_id", "label"]].assign(ord=order)
            for order, (_, o, _) in enumerate(fresh)
            if "label" in o.columns
        ]
        if labelled:
            labels = pd.concat(labelled, ignore_index=True).dropna(subset=["label"])
            labels["series_id"] = labels["series_id"].astype(str)
            labels["label"] = labels["label"].astype(str)
            con.register("incoming_labels", labels)
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE latest_labels AS
                SELECT series_id, arg_max(label, ord) AS label
                FROM incoming_labels GROUP BY series_id;
                DELETE FROM meta.series_labels
                WHERE series_id IN (SELECT series_id FROM latest_labels);
                INSERT INTO meta.series_labels SELECT series_id, label FROM latest_labels;
                DROP TABLE latest_labels;
                """
            )
            con.unregister("incoming_labels")
        con.execute(
            """
            INSERT INTO meta.downloads
            SELECT d.sha256, d.series_key, d.series_id, d.part, d.source, d.url, d.fmt,
                   d.accessed_at, d.vintage, d.rows, s.first_date, s.last_date, d.license,
                   d.landed_path, ?
            FROM incoming_downloads d
            LEFT JOIN (
                SELECT ord, min(date)::DATE AS first_date, max(date)::DATE AS last_date
                FROM incoming GROUP BY ord
            ) s USING (ord)
            ORDER BY d.ord
            """,
            [run_id],
        )
        con.execute("DROP TABLE incoming_diff")
    finally:
        con.unregister("incoming")
        con.unregister("incoming_downloads")
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in summary}


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


@contextmanager
def refresh_lock(settings: Settings, wait: bool = False, record: bool = True) -> Iterator[None]:
    """One writer at a time. A second refresh exits at once with a clear line (or waits)."""
    settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = settings.lock_path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseBusy(
                f"another refresh is running ({holder}); wait for it or pass --wait"
            ) from None
        if record:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).isoformat()}))
            handle.flush()
        yield
    finally:
        handle.close()


def lock_holder(settings: Settings) -> int | None:
    """Pid of the process holding the refresh lock, read from /proc/locks (Linux) without
    touching the lock, so asking never makes a starting refresh think it is busy."""
    try:
        inode = settings.lock_path.stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if "FLOCK" in fields and len(fields) >= 6 and fields[5].endswith(f":{inode}"):
            return int(fields[4])
    return None


def check_not_busy(settings: Settings) -> None:
    """Raise WarehouseBusy now if a refresh holds the lock (the run itself locks again later)."""
    with refresh_lock(settings, wait=False, record=False):
        pass


@contextmanager
def staged(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a writable copy of the warehouse; publish it only if the block completes.

    Must be used under `refresh_lock`. On any error the copy is discarded and the published
    warehouse is untouched.
    """
    published = settings.warehouse
    published.parent.mkdir(parents=True, exist_ok=True)
    building = published.with_name(published.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a killed run's copy: never published
    if published.is_file():
        shutil.copyfile(published, building)
    con = connect(building)
    try:
        init_schema(con)
        yield con
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    with building.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(building, published)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
