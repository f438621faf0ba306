"""docs/warehouse.md is generated from the one documentation format, and meta.columns / meta.tables
say the same things the generator writes (unit and source included, table macros listed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from decoupling import docs
from decoupling.transform import Model, document, parse_doc
from decoupling.warehouse.schema import init_schema

HEADER = """-- Two numbers and a label.
-- column gap_pts [percentage points; BLS, BEA]: Productivity growth minus pay growth
-- column level [index 2017=100]: An index, no source stated
-- column label [; FRED]: A source, no unit
-- column note: Neither unit nor source: the text stays whole
CREATE TABLE marts.example AS SELECT 1.5 AS gap_pts, 100.0 AS level, 'x' AS label, 'y' AS note;
"""


def test_committed_warehouse_md_is_what_the_generator_writes():
    committed = docs.WAREHOUSE_MD.read_text(encoding="utf-8")
    assert committed == docs.generate(), "docs/warehouse.md is stale: run python -m decoupling.docs"


def test_check_mode_fails_on_a_stale_file_and_passes_after_writing(tmp_path: Path, capsys):
    target = tmp_path / "warehouse.md"
    target.write_text("# stale\n", encoding="utf-8")
    assert docs.main(["--check", "--output", str(target)]) == 1
    assert "stale" in capsys.readouterr().err
    assert docs.main(["--output", str(target)]) == 0
    assert docs.main(["--check", "--output", str(target)]) == 0


def test_parse_doc_keeps_unit_and_source_at_the_end_of_the_comment():
    description, columns = parse_doc(HEADER)
    assert description == "Two numbers and a label."
    assert columns == {
        "gap_pts": "Productivity growth minus pay growth [percentage points; BLS, BEA]",
        "level": "An index, no source stated [index 2017=100]",
        "label": "A source, no unit [; FRED]",
        "note": "Neither unit nor source: the text stays whole",
    }


def test_meta_columns_splits_unit_and_source_as_the_generator_does():
    con = duckdb.connect()
    init_schema(con)
    con.execute(HEADER)
    description, columns = parse_doc(HEADER)
    document(con, Model("marts", "example", Path("example.sql"), HEADER, description, columns))
    rows = con.execute(
        "SELECT column_name, description, unit, source FROM meta.columns "
        "WHERE table_name = 'example' ORDER BY position"
    ).fetchall()
    assert rows == [
        ("gap_pts", "Productivity growth minus pay growth", "percentage points", "BLS, BEA"),
        ("level", "An index, no source stated", "index 2017=100", None),
        ("label", "A source, no unit", None, "FRED"),
        ("note", "Neither unit nor source: the text stays whole", None, None),
    ]
    for name, text in columns.items():  # the Python split (docs) and the SQL split agree
        split = docs.split_doc(text)
        assert (name, split.description, split.unit, split.source) in rows


def test_meta_tables_lists_table_macros_with_their_parameters():
    con = duckdb.connect()
    init_schema(con)
    con.execute("CREATE MACRO marts.since(base, variant_name) AS TABLE SELECT base AS b")
    con.execute("COMMENT ON MACRO TABLE marts.since IS 'Indexed to a base'")
    rows = con.execute(
        "SELECT kind, description, parameters, column_count FROM meta.tables "
        "WHERE schema_name = 'marts' AND table_name = 'since'"
    ).fetchall()
    assert rows == [("table macro", "Indexed to a base", "base, variant_name", None)]
    kinds = {r[0] for r in con.execute("SELECT kind FROM meta.tables").fetchall()}
    assert {"table", "view", "table macro"} <= kinds


def test_generated_docs_list_the_macros_and_the_staging_units():
    text = docs.generate()
    assert "`marts.gap_since(base, variant_name)`" in text
    assert "`marts.wedge_split(start_period, end_period, variant_name)`" in text
    # a staging column documented with [unit; source] shows both in its row
    assert (
        "| `ophnfb` | index 2017=100 | BLS Productivity and Costs, OPHNFB | "
        "Nonfarm business output per hour (OPHNFB) |"
    ) in text
    for schema in ("raw", "meta", "staging", "marts"):
        assert f"\n## {schema}\n" in text
    assert "`meta.columns`" in text and "| `unit` |" in text


def test_the_refreshed_warehouse_holds_exactly_what_the_docs_describe(refreshed):
    """Every staging/marts object and column of a real warehouse, as the generator describes it."""
    con = duckdb.connect(str(refreshed["settings"].warehouse), read_only=True)
    try:
        objects = con.execute(
            "SELECT schema_name || '.' || table_name, kind, parameters FROM meta.tables "
            "WHERE schema_name IN ('staging', 'marts')"
        ).fetchall()
        columns = con.execute(
            "SELECT schema_name || '.' || table_name, column_name, description, unit, source "
            "FROM meta.columns WHERE schema_name IN ('staging', 'marts')"
        ).fetchall()
    finally:
        con.close()
    entries = {e.qualified: e for e in docs.model_entries()}
    assert {(q, k, p) for q, k, p in objects} == {
        (e.qualified, e.kind, e.parameters) for e in entries.values()
    }
    documented = {
        (q, c.name, c.description, c.unit, c.source) for q, e in entries.items() for c in e.columns
    }
    missing = [row for row in columns if tuple(row) not in documented]
    assert not missing, f"columns the docs describe differently: {missing[:3]}"
    units = {(q, c): u for q, c, _, u, _ in columns}
    assert units[("staging.c1_inputs", "ophnfb")] == "index 2017=100"


@pytest.mark.parametrize("argv", [["--nope"], ["--chec"]])
def test_bad_arguments_exit_2(argv):
    with pytest.raises(SystemExit) as exit_info:
        docs.main(argv)
    assert exit_info.value.code == 2
