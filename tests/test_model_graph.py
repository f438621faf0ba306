"""The model graph is declared: sqlglot finds the tables a model reads, a table named only in a
comment or a string is no dependency, and a read of a table nothing builds fails before any model
runs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from decoupling import transform
from decoupling.transform.graph import GraphError, order, references


def _write(folder: Path, relative: str, text: str) -> None:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_comment_and_string_are_not_dependencies() -> None:
    sql = (
        "-- Built from marts.not_a_dependency, as the comment says.\n"
        "-- column x: A number\n"
        "CREATE OR REPLACE TABLE marts.b AS\n"
        "SELECT x, 'staging.also_not' AS label FROM marts.a /* marts.nor_this */"
    )
    assert references(sql, "b.sql") == {"marts.a", "marts.b"}


def test_table_macro_call_is_a_dependency() -> None:
    sql = "CREATE OR REPLACE TABLE marts.c AS SELECT * FROM marts.gap_since('1979Q4', 'epi')"
    assert "marts.gap_since" in references(sql, "c.sql")


def test_order_puts_readers_after_what_they_read() -> None:
    graph = {
        "marts.c": ({"marts.b"}, "c.sql"),
        "marts.b": ({"marts.a", "raw.observations"}, "b.sql"),
        "marts.a": (set(), "a.sql"),
    }
    assert order(graph, {"raw.observations"}) == ["marts.a", "marts.b", "marts.c"]


def test_cycle_is_named() -> None:
    graph = {"marts.a": ({"marts.b"}, "a.sql"), "marts.b": ({"marts.a"}, "b.sql")}
    with pytest.raises(GraphError, match="dependency cycle"):
        order(graph)


def test_comment_only_table_does_not_order_or_fail(tmp_path: Path) -> None:
    # marts.b names marts.ghost only in a comment: neither a dependency nor a missing table
    _write(
        tmp_path, "claims/x/a.sql", "-- A.\n-- column x: x\nCREATE TABLE marts.a AS SELECT 1 AS x"
    )
    _write(
        tmp_path,
        "claims/x/b.sql",
        "-- B, unlike marts.ghost.\n-- column x: x\nCREATE TABLE marts.b AS SELECT x FROM marts.a",
    )
    names = [m.qualified for m in transform.discover(tmp_path, existing={"raw.observations"})]
    assert names == ["marts.a", "marts.b"]


def test_missing_table_fails_before_any_model_runs(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "staging/first.sql",
        "-- First.\n-- column x: x\nCREATE TABLE staging.first AS SELECT 1 AS x",
    )
    _write(
        tmp_path,
        "claims/x/reader.sql",
        "-- Reads a table nobody builds.\n-- column x: x\n"
        "CREATE TABLE marts.reader AS SELECT x FROM marts.missing_table",
    )
    con = duckdb.connect()
    for schema in ("raw", "meta", "staging", "marts"):
        con.execute(f"CREATE SCHEMA {schema}")
    with pytest.raises(transform.TransformError, match=r"reader\.sql: reads marts\.missing_table"):
        transform.run(con, tmp_path)
    # nothing was built, not even the model that comes first
    assert con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'staging'"
    ).fetchone() == (0,)
