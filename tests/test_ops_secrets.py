"""Secrets: with recognisable fake FRED and BLS keys, a refresh against the local server (that
even echoes the keys back) writes them nowhere: raw, sidecars, warehouse, report, logs, Prefect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from ops_support import FakeSources, write_catalog

REPO = Path(__file__).resolve().parents[1]
FRED_KEY = "fredfakekey0123456789abcdef0123"
BLS_KEY = "blsFAKEkey-7f3a9c1e5b"


@pytest.fixture
def sources():
    server = FakeSources().start()
    yield server
    server.stop()


@pytest.mark.e2e
def test_keys_reach_no_file(sources: FakeSources, tmp_path: Path, with_pdf) -> None:
    store = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        FRED_API_KEY=FRED_KEY,
        BLS_API_KEY=BLS_KEY,
        FRED_BASE_URL=sources.url,
        BLS_BASE_URL=sources.url,
        DECOUPLING_CATALOG=str(write_catalog(tmp_path / "catalog.csv")),
        DECOUPLING_WAREHOUSE=str(store / "warehouse.duckdb"),
        DECOUPLING_OUTPUT_DIR=str(store / "output"),
        DECOUPLING_RAW_DIR=str(store / "raw"),
        DECOUPLING_FRED_RATE="0",
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_LOGGING_LEVEL="DEBUG",  # everything Prefect would log, into the captured logs
    )
    # One failed attempt first: retry warnings (which quote the URL) must be clean too.
    sources.faults["api:OPHNFB"] = ["503"]
    with (tmp_path / "stdout.log").open("w") as out, (tmp_path / "stderr.log").open("w") as err:
        done = subprocess.run(
            [sys.executable, "-m", "decoupling.cli", "refresh", "--verbose"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=err,
            timeout=600,
        )
    assert done.returncode == 0, (tmp_path / "stderr.log").read_text()[-3000:]
    # The keys were in use: the server saw them.
    assert any(FRED_KEY in path for _, _, path in sources.log)
    assert any(p.get("registrationkey") == BLS_KEY for p in sources.payloads)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "catalog.csv"]
    kinds = {p.suffix for p in written}
    assert {".duckdb", ".json", ".csv", ".html", ".pdf", ".log", ".parquet"} <= kinds
    assert (store / "raw").is_dir() and (tmp_path / "prefect-home").is_dir()
    needles = [k.encode() for k in (FRED_KEY, BLS_KEY)] + [quote(BLS_KEY).encode()]
    hits = [str(p) for p in written for n in needles if n in p.read_bytes()]
    assert hits == []
    # DuckDB may compress strings on disk: ask every text column of every table as well.
    for database in [p for p in written if p.suffix == ".duckdb"]:
        assert _warehouse_hits(database) == [], database


def _warehouse_hits(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR' AND NOT internal"
        ).fetchall()
        hits = []
        for schema, table, column in columns:
            found = con.execute(
                f'SELECT count(*) FROM {schema}."{table}" '
                f'WHERE contains("{column}", ?) OR contains("{column}", ?)',
                [FRED_KEY, BLS_KEY],
            ).fetchall()[0][0]
            if found:
                hits.append(f"{schema}.{table}.{column}")
        return hits
    finally:
        con.close()
