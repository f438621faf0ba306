"""Connections to the warehouse, and what the published file says about earlier runs."""

from __future__ import annotations

from pathlib import Path

import duckdb

from decoupling.settings import ConfigError, Settings


def connect(
    path: Path, read_only: bool = False, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file; one that DuckDB cannot open is bad input (ConfigError, one line
    naming the file), not a traceback."""
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"cannot open the warehouse {path} as DuckDB: {first}") from None


def connect_published(settings: Settings, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (never blocks, never blocks a refresh);
    `config`: DuckDB settings for the connection."""
    if not settings.warehouse.is_file():
        raise ConfigError(
            f"no warehouse at {settings.warehouse}: run 'decoupling refresh' (or 'make run') first"
        )
    return connect(settings.warehouse, read_only=True, config=config)


def known_downloads(settings: Settings) -> set[tuple[str, str]]:
    """(series key, sha256) of the download in force for each series key in the published
    warehouse: a download held but since replaced (another snapshot's) is not "known", so a
    run that brings it back loads it again (see warehouse.load.load_downloads)."""
    from decoupling.warehouse.load import in_force

    if not settings.warehouse.is_file():
        return set()
    con = connect(settings.warehouse, read_only=True)
    try:
        return in_force(con)
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
