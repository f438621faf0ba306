"""The transform runs as one transaction: a model that fails leaves nothing of the run behind."""

from __future__ import annotations

import duckdb
import pytest

from decoupling import transform


def _write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_failing_model_rolls_back_every_model_before_it(tmp_path):
    sql = tmp_path / "sql"
    _write(
        sql / "staging" / "a_ok.sql",
        "-- A good model.\n-- column n: a number\nCREATE OR REPLACE TABLE staging.a_ok AS SELECT 1 AS n;\n",
    )
    _write(
        sql / "marts" / "b_bad.sql",
        "-- A broken model.\n-- column n: a number\nCREATE OR REPLACE TABLE marts.b_bad AS SELECT CAST('not a number' AS INTEGER) AS n;\n",
    )
    (sql / "assertions").mkdir()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    con.execute("CREATE TABLE staging.kept AS SELECT 42 AS answer")
    with pytest.raises(transform.TransformError, match="b_bad.sql failed"):
        transform.run(con, sql)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"kept"}  # a_ok was built, then rolled back with the failure
    assert con.execute("SELECT answer FROM staging.kept").fetchall() == [(42,)]


def test_a_clean_run_commits_tables_and_comments(tmp_path):
    sql = tmp_path / "sql"
    _write(
        sql / "staging" / "a_ok.sql",
        "-- A good model.\n-- column n: a number\nCREATE OR REPLACE TABLE staging.a_ok AS SELECT 1 AS n;\n",
    )
    (sql / "marts").mkdir()
    (sql / "assertions").mkdir()
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    built, _ = transform.run(con, sql)
    assert built == ["staging.a_ok"]
    con.close()
    reopened = duckdb.connect(str(path), read_only=True)
    assert reopened.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'a_ok'"
    ).fetchall() == [("a number",)]
