"""`decoupling query`: reads the warehouse, writes CSV/JSON/Parquet, refuses every write."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from ops_support import file_sha

from decoupling import cli

WRITES = [
    "INSERT INTO marts.claims SELECT * FROM marts.claims",
    "DROP TABLE marts.claims",
    "DELETE FROM raw.observations",
    "UPDATE meta.series SET title = 'x'",
    "CREATE TABLE marts.x AS SELECT 1 AS a",
    "COPY marts.claims TO '{tmp}/out.csv'",
    "COPY (SELECT 1) TO '{tmp}/out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{tmp}/export'",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET memory_limit = '1GB'",
    "PRAGMA enable_profiling",
    "PRAGMA profile_output = '{tmp}/profile.json'",
    "CHECKPOINT",
    "SELECT 1; DROP TABLE marts.claims",
]


@pytest.fixture()
def warehouse(warehouse_copy):
    """A private copy, so a refused write that slipped through could not harm other tests."""
    return warehouse_copy


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused_with_one_line_and_exit_2(sql, warehouse, tmp_path, capsys):
    before = file_sha(warehouse)
    code = cli.main(["query", sql.format(tmp=tmp_path), "--warehouse", str(warehouse)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: refused:"), captured.err
    assert file_sha(warehouse) == before
    leftovers = {p.name for p in tmp_path.iterdir()} - {"warehouse.duckdb"}
    assert not leftovers, leftovers


def test_reads_print_a_table_with_a_row_count(warehouse, capsys):
    code = cli.main(
        [
            "query",
            "SELECT claim_id, metric, measured FROM marts.claims ORDER BY metric",
            "--warehouse",
            str(warehouse),
        ]
    )
    out = capsys.readouterr().out
    expected = duckdb.connect(str(warehouse), read_only=True)
    rows = expected.execute(
        "SELECT claim_id, metric, measured FROM marts.claims ORDER BY metric"
    ).fetchall()
    expected.close()
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["claim_id", "metric", "measured"]
    assert lines[-1] == f"({len(rows)} rows)"
    for claim_id, metric, measured in rows:
        (line,) = [x for x in lines if x.startswith(claim_id) and f" {metric} " in f"{x} "]
        shown = line.split()[-1]
        if measured is None:
            assert shown == "NULL"
        else:  # rounded for reading, never more than half a unit of the last decimal shown
            decimals = len(shown.split(".")[1]) if "." in shown else 0
            assert abs(float(shown.replace(",", "")) - measured) <= 0.5 * 10**-decimals


@pytest.mark.parametrize(
    "statement",
    [
        "DESCRIBE marts.claims",
        "SUMMARIZE staging.quarterly",
        "PRAGMA table_info('marts.claims')",
        "FROM meta.tables",
        "EXPLAIN SELECT 1",
    ],
)
def test_other_reads_are_allowed(statement, warehouse, capsys):
    assert cli.main(["query", statement, "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.strip()


def test_csv_json_parquet_hold_the_same_rows(warehouse, tmp_path_factory):
    sql = "SELECT * FROM staging.quarterly WHERE series_id = 'AHETPI' ORDER BY date"
    con = duckdb.connect(str(warehouse), read_only=True)
    truth = con.execute(sql).df()
    con.close()
    for fmt in ("csv", "json", "parquet"):
        target = tmp_path_factory.mktemp("out") / f"out.{fmt}"  # not beside the warehouse
        assert (
            cli.main(
                [
                    "query",
                    sql,
                    "--format",
                    fmt,
                    "--output",
                    str(target),
                    "--warehouse",
                    str(warehouse),
                ]
            )
            == 0
        )
        if fmt == "csv":
            frame = pd.read_csv(target, parse_dates=["date"])
        elif fmt == "json":
            frame = pd.DataFrame(json.loads(target.read_text()))
            frame["date"] = pd.to_datetime(frame["date"])
        else:
            frame = pd.read_parquet(target)
            frame["date"] = pd.to_datetime(frame["date"])
        assert list(frame.columns) == list(truth.columns)
        assert len(frame) == len(truth)
        pd.testing.assert_frame_equal(
            frame.astype({"date": "datetime64[ns]"}).reset_index(drop=True),
            truth.astype({"date": "datetime64[ns]"}).reset_index(drop=True),
            check_dtype=False,
        )


def test_bad_requests_get_one_line_and_exit_2(warehouse, tmp_path, capsys):
    cases = [
        ["query", "SELEC 1", "--warehouse", str(warehouse)],
        ["query", "SELECT * FROM marts.no_such_table", "--warehouse", str(warehouse)],
        ["query", "SELECT 1", "--format", "parquet", "--warehouse", str(warehouse)],
        [
            "query",
            "SELECT 1",
            "--output",
            str(tmp_path / "missing" / "x.csv"),
            "--warehouse",
            str(warehouse),
        ],
        [
            "query",
            "SELECT 1",
            "--format",
            "csv",
            "--output",
            str(warehouse),
            "--warehouse",
            str(warehouse),
        ],
        ["query", "SELECT 1", "--warehouse", str(tmp_path / "nowhere.duckdb")],
    ]
    before = file_sha(warehouse)
    for argv in cases:
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), (argv, err)
    assert file_sha(warehouse) == before


def test_claims_and_status_print_from_the_warehouse(warehouse, capsys):
    assert cli.main(["claims", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    con = duckdb.connect(str(warehouse), read_only=True)
    metrics = con.execute("SELECT metric, verdict FROM marts.claims").fetchall()
    held = con.execute(
        "SELECT count(*) FILTER (WHERE available), count(*) FROM meta.availability"
    ).fetchall()[0]
    con.close()
    for metric, verdict in metrics:
        assert metric in out and verdict in out
    assert cli.main(["status", "--warehouse", str(warehouse)]) == 0
    assert f"series held: {held[0]} of {held[1]} in the catalog" in capsys.readouterr().out


def test_status_counts_each_observation_once_whatever_the_downloads(warehouse):
    from decoupling.status import series_status

    con = duckdb.connect(str(warehouse))
    # A second download of OPHNFB (as a revised vintage brings): its observations stay the same.
    con.execute(
        "INSERT INTO meta.downloads SELECT * REPLACE ('second-' || sha256 AS sha256) "
        "FROM meta.downloads WHERE series_id = 'OPHNFB'"
    )
    held = con.execute(
        "SELECT count(*) FROM staging.observations WHERE series_id = 'OPHNFB'"
    ).fetchall()[0][0]
    downloads = con.execute(
        "SELECT count(*) FROM meta.downloads WHERE series_id = 'OPHNFB'"
    ).fetchall()[0][0]
    shown = series_status(con).set_index("id").loc["OPHNFB", "obs"]
    con.close()
    assert downloads == 2 and held > 100
    assert shown == held
