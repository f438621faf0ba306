"""The warehouse explains itself: every table and column has a COMMENT; meta.tables lists them."""

from __future__ import annotations

SCHEMAS = ("raw", "meta", "staging", "marts")


def test_every_table_and_column_has_a_comment(warehouse_ro):
    objects = warehouse_ro.execute(
        """
        SELECT schema_name || '.' || table_name, comment FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name IN ?
        UNION ALL
        SELECT schema_name || '.' || view_name, comment FROM duckdb_views()
        WHERE database_name = current_database() AND schema_name IN ? AND NOT internal
        """,
        [list(SCHEMAS), list(SCHEMAS)],
    ).fetchall()
    assert len(objects) >= 10
    assert {name.split(".")[0] for name, _ in objects} == set(SCHEMAS)
    undocumented = [name for name, comment in objects if not (comment or "").strip()]
    assert not undocumented, f"tables without a COMMENT: {undocumented}"
    columns = warehouse_ro.execute(
        """
        SELECT schema_name || '.' || table_name || '.' || column_name, comment FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name IN ?
        """,
        [list(SCHEMAS)],
    ).fetchall()
    assert len(columns) > 50
    undocumented = [name for name, comment in columns if not (comment or "").strip()]
    assert not undocumented, f"columns without a COMMENT: {undocumented}"


def test_meta_tables_lists_every_table_with_description_and_column_count(warehouse_ro):
    listed = {
        f"{schema}.{name}": (kind, count, description)
        for schema, name, kind, count, description in warehouse_ro.execute(
            "SELECT schema_name, table_name, kind, column_count, description FROM meta.tables "
            "WHERE kind <> 'table macro'"  # macros have no columns; tests/test_docs.py checks them
        ).fetchall()
    }
    actual = dict(
        warehouse_ro.execute(
            """
            SELECT schema_name || '.' || table_name, count(*) FROM duckdb_columns()
            WHERE database_name = current_database() AND schema_name IN ?
            GROUP BY ALL
            """,
            [list(SCHEMAS)],
        ).fetchall()
    )
    assert set(listed) == set(actual)
    for name, (kind, count, description) in listed.items():
        assert kind in ("table", "view")
        assert count == actual[name], name
        assert description, name
    assert listed["marts.claims"][0] == "table" and listed["staging.observations"][0] == "view"
    described = warehouse_ro.execute(
        "SELECT count(*) FROM meta.columns WHERE table_name = 'claims' AND schema_name = 'marts'"
    ).fetchall()[0][0]
    assert described == listed["marts.claims"][1]
