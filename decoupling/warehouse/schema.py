"""The warehouse schema: raw, meta, staging, marts; the DDL of raw and meta, and the catalog
writer. Models build staging and marts (see decoupling.transform)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from decoupling.catalog import Series

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

CREATE TABLE IF NOT EXISTS meta.verdict_history (
    run_id VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    claim_id VARCHAR NOT NULL,
    metric_id VARCHAR,
    metric VARCHAR NOT NULL,
    measured DOUBLE,
    unit VARCHAR,
    verdict VARCHAR,
    margin DOUBLE,
    data_vintage TIMESTAMPTZ
);
COMMENT ON TABLE meta.verdict_history IS 'The claim scorecard (marts.claims) of every refresh, appended: how each verdict and figure moved from run to run (decoupling.history)';
COMMENT ON COLUMN meta.verdict_history.run_id IS 'Refresh run id (meta.runs)';
COMMENT ON COLUMN meta.verdict_history.recorded_at IS 'When the run recorded its scorecard (UTC)';
COMMENT ON COLUMN meta.verdict_history.claim_id IS 'Claim id (C1..)';
COMMENT ON COLUMN meta.verdict_history.metric_id IS 'Metric id from the claims registry (NULL before the registry had one)';
COMMENT ON COLUMN meta.verdict_history.metric IS 'What is measured (marts.claims.metric)';
COMMENT ON COLUMN meta.verdict_history.measured IS 'The figure computed from the data, in unit (NULL = not available)';
COMMENT ON COLUMN meta.verdict_history.unit IS 'Unit of measured';
COMMENT ON COLUMN meta.verdict_history.verdict IS 'The verdict of that run';
COMMENT ON COLUMN meta.verdict_history.margin IS 'The registry margin for supported, in unit (NULL: none; a move past 5% of the previous value is reported then)';
COMMENT ON COLUMN meta.verdict_history.data_vintage IS 'Data vintage: when the newest download of the claim''s series was received (meta.downloads.accessed_at)';

-- For analysts: what the warehouse holds, read live from DuckDB's catalog (never stale).
CREATE OR REPLACE VIEW meta.tables AS
SELECT schema_name, table_name, 'table' AS kind, column_count, estimated_size AS estimated_rows,
       comment AS description, NULL::VARCHAR AS parameters
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts')
UNION ALL
SELECT schema_name, view_name, 'view', column_count, NULL, comment, NULL
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts')
  AND NOT internal
UNION ALL
-- Table macros are queried like tables (FROM marts.gap_since('1979Q4', 'epi')), so list them too.
SELECT DISTINCT schema_name, function_name, 'table macro', NULL, NULL, comment,
       array_to_string(parameters, ', ')
FROM duckdb_functions()
WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts')
  AND function_type = 'table_macro' AND NOT internal;
COMMENT ON VIEW meta.tables IS 'Every table, view and table macro of the raw, meta, staging and marts schemas, with its description and column count';
COMMENT ON COLUMN meta.tables.schema_name IS 'Schema: raw (as received), meta (catalog, provenance, runs), staging (cleaned), marts (analyses)';
COMMENT ON COLUMN meta.tables.table_name IS 'Table, view or table macro name';
COMMENT ON COLUMN meta.tables.kind IS 'table, view or table macro';
COMMENT ON COLUMN meta.tables.column_count IS 'Number of columns (NULL for table macros)';
COMMENT ON COLUMN meta.tables.estimated_rows IS 'Approximate row count of a table (NULL for views and table macros)';
COMMENT ON COLUMN meta.tables.description IS 'What it holds (its COMMENT)';
COMMENT ON COLUMN meta.tables.parameters IS 'Parameters of a table macro, in order (NULL for tables and views)';

-- A column COMMENT may end in "[unit; source]" (the '-- column name [unit; source]: text' header
-- of a model, see decoupling.transform): split off here so unit and source are their own columns.
CREATE OR REPLACE VIEW meta.columns AS
WITH c AS (
    SELECT schema_name, table_name, column_index AS position, column_name, data_type, comment,
           regexp_extract(comment, ' *\\[([^\\[\\]]*)\\] *$', 1) AS tag
    FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name IN ('raw', 'meta', 'staging', 'marts')
)
SELECT schema_name, table_name, position, column_name, data_type,
       regexp_replace(comment, ' *\\[[^\\[\\]]*\\] *$', '') AS description,
       nullif(trim(split_part(tag, ';', 1)), '') AS unit,
       nullif(trim(CASE WHEN strpos(tag, ';') > 0 THEN tag[strpos(tag, ';') + 1:] END), '') AS source
FROM c;
COMMENT ON VIEW meta.columns IS 'Every column of every table and view, with its type, description, unit and source';
COMMENT ON COLUMN meta.columns.schema_name IS 'Schema of the table';
COMMENT ON COLUMN meta.columns.table_name IS 'Table or view name';
COMMENT ON COLUMN meta.columns.position IS 'Column position in the table, from 1';
COMMENT ON COLUMN meta.columns.column_name IS 'Column name';
COMMENT ON COLUMN meta.columns.data_type IS 'DuckDB type';
COMMENT ON COLUMN meta.columns.description IS 'What the column holds (its COMMENT without the unit and source)';
COMMENT ON COLUMN meta.columns.unit IS 'Unit of the values where documented (e.g. percent, index 2017=100); NULL when not stated';
COMMENT ON COLUMN meta.columns.source IS 'Where the values come from where documented (agency, series, table); NULL when not stated';
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
        "COMMENT ON TABLE meta.series IS 'The series catalog (decoupling/catalog.csv) in force at the last run'"
    )
    for column, text in SERIES_COLUMNS.items():
        quoted = text.replace("'", "''")
        con.execute(f"COMMENT ON COLUMN meta.series.{column} IS '{quoted}'")


def ddl_tables() -> set[str]:
    """`schema.table` of every table and view the DDL creates (what models may read as input)."""
    found = re.findall(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+\.\w+)",
        DDL,
        flags=re.IGNORECASE,
    )
    return {name.lower() for name in found} | {"meta.series"}
