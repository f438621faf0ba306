"""The batch loader: one pass gives what loading the downloads one by one gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from decoupling import warehouse
from decoupling.sources.base import Download, frame

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def download(body: bytes, minutes: int, part: str | None = None, series: str = "S1") -> Download:
    return Download(
        source="fred",
        series_id=series,
        url=f"http://127.0.0.1/{series}",
        body=body,
        fmt="fred_csv",
        license="Public domain",
        accessed_at=T0 + timedelta(minutes=minutes),
        part=part,
    )


def obs(series: str, values: dict[str, float]) -> pd.DataFrame:
    return frame(series, list(values), list(values.values()))


NAN = float("nan")
# Three bodies of one series, loaded in this order: a missing value that later arrives, a value
# withdrawn (becomes missing), a new date, and a revision in the third.
A = (download(b"a", 0, "v1"), obs("S1", {"2020-01-01": 1.0, "2020-02-01": NAN, "2020-03-01": 3.0}))
B = (
    download(b"b", 1, "v2"),
    obs("S1", {"2020-01-01": 1.0, "2020-02-01": 2.0, "2020-03-01": NAN, "2020-04-01": 4.0}),
)
C = (download(b"c", 2, "v3"), obs("S1", {"2020-01-01": 1.5}))
# Another series in the same batch, with labels (as OEWS brings them).
D = (
    download(b"d", 3, series="S2"),
    obs("S2", {"2021-01-01": 10.0}).assign(label=["Series two"]),
)


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.init_schema(connection)
    yield connection
    connection.close()


def raw(con) -> list[tuple]:
    return con.execute(
        "SELECT series_id, strftime(date, '%Y-%m'), value, download_sha256 "
        "FROM raw.observations ORDER BY load_seq"
    ).fetchall()


def current(con) -> dict[tuple[str, str], float | None]:
    rows = con.execute(
        "SELECT series_id, strftime(date, '%Y-%m'), arg_max_null(value, load_seq) "
        "FROM raw.observations GROUP BY ALL"
    ).fetchall()
    return {(s, d): v for s, d, v in rows}


def test_batch_gives_the_vintages_one_by_one_would(con):
    changes = warehouse.load_downloads(con, [(d, o, None) for d, o in (A, B, C, D)], run_id="r1")
    sha = {name: d.sha256 for name, (d, _) in zip("ABCD", (A, B, C, D), strict=True)}
    assert raw(con) == [
        ("S1", "2020-01", 1.0, sha["A"]),
        ("S1", "2020-03", 3.0, sha["A"]),
        ("S1", "2020-02", 2.0, sha["B"]),
        ("S1", "2020-03", None, sha["B"]),  # withdrawn: a NULL row, not a deletion
        ("S1", "2020-04", 4.0, sha["B"]),
        ("S1", "2020-01", 1.5, sha["C"]),
        ("S2", "2021-01", 10.0, sha["D"]),
    ]
    assert current(con)[("S1", "2020-01")] == 1.5
    assert current(con)[("S1", "2020-03")] is None
    new, revised, max_abs, max_rel = changes["S1"]
    assert (new, revised) == (4, 2)
    assert max_abs == pytest.approx(0.5) and max_rel == pytest.approx(0.5)
    assert changes["S2"][:2] == (1, 0)
    vintages = con.execute(
        "SELECT DISTINCT download_sha256, vintage FROM raw.observations ORDER BY vintage"
    ).fetchall()
    assert [v for _, v in vintages] == [d.accessed_at for d, _ in (A, B, C, D)]
    assert con.execute("SELECT label FROM meta.series_labels").fetchall() == [("Series two",)]
    downloads = con.execute(
        "SELECT series_key, rows, strftime(first_date, '%Y-%m'), strftime(last_date, '%Y-%m'), "
        "run_id FROM meta.downloads ORDER BY accessed_at"
    ).fetchall()
    assert downloads == [
        ("S1--v1", 3, "2020-01", "2020-03", "r1"),
        ("S1--v2", 4, "2020-01", "2020-04", "r1"),
        ("S1--v3", 1, "2020-01", "2020-01", "r1"),
        ("S2", 1, "2021-01", "2021-01", "r1"),
    ]


def test_batch_equals_one_by_one(con, tmp_path):
    warehouse.load_downloads(con, [(d, o, None) for d, o in (A, B, C, D)], run_id="r1")
    other = duckdb.connect(str(tmp_path / "one_by_one.duckdb"))
    warehouse.init_schema(other)
    for d, o in (A, B, C, D):
        warehouse.load_download(other, d, o, "r1", None)
    assert raw(other) == raw(con)
    other.close()


def test_reload_adds_nothing_and_a_later_revision_is_one_row(con):
    batch = [(d, o, None) for d, o in (A, B, D)]
    warehouse.load_downloads(con, batch, run_id="r1")
    before = raw(con)
    assert warehouse.load_downloads(con, batch, run_id="r2") == {}
    assert raw(con) == before
    later = download(b"e", 10, "v4")
    changes = warehouse.load_downloads(
        con, [(later, obs("S1", {"2020-01-01": 1.0, "2020-04-01": 5.0}), None)], run_id="r3"
    )
    assert raw(con)[len(before) :] == [("S1", "2020-04", 5.0, later.sha256)]
    assert changes == {"S1": (0, 1, 1.0, 0.25)}
    # The same body twice in one batch is loaded once.
    again = download(b"f", 11, "v5")
    rows = obs("S1", {"2020-05-01": 6.0})
    warehouse.load_downloads(con, [(again, rows, None), (again, rows, None)], run_id="r4")
    assert con.execute(
        "SELECT count(*) FROM raw.observations WHERE download_sha256 = ?", [again.sha256]
    ).fetchall() == [(1,)]


def test_a_withdrawn_value_still_missing_adds_no_row(con):
    warehouse.load_downloads(con, [(d, o, None) for d, o in (A, B)], run_id="r1")
    before = raw(con)
    still = download(b"g", 12, "v6")
    changes = warehouse.load_downloads(
        con, [(still, obs("S1", {"2020-03-01": NAN}), None)], run_id="r2"
    )
    assert raw(con) == before
    assert changes == {}


def test_parse_all_skips_what_the_warehouse_holds():
    from decoupling import ingest
    from decoupling.sources.base import SourceError

    good = download(b"observation_date,S1\n2020-01-01,1.5\n", 0)
    broken = download(b"not,a,fred,csv\n1,2,3,4\n", 1, "v2")
    parsed = ingest.parse_all([good, broken], known={(broken.key, broken.sha256)})
    assert [d for d, _ in parsed] == [good]
    assert parsed[0][1]["value"].tolist() == [1.5]
    with pytest.raises(SourceError, match="S1"):
        ingest.parse_all([good, broken])


def test_current_view_drops_a_withdrawn_value_and_keeps_the_history(con):
    """staging.observations shows the latest vintage; a withdrawn value is gone from it, not
    replaced by the older value, while raw.observations keeps both."""
    from decoupling import transform
    from decoupling.settings import SQL_DIR

    warehouse.load_downloads(con, [(d, o, None) for d, o in (A, B)], run_id="r1")
    warehouse.write_catalog(con, [])
    con.execute(transform.read_model("staging", SQL_DIR / "staging" / "observations.sql").sql)
    current = dict(
        con.execute(
            "SELECT strftime(date, '%Y-%m'), value FROM staging.observations WHERE series_id = 'S1'"
        ).fetchall()
    )
    assert current == {"2020-01": 1.0, "2020-02": 2.0, "2020-04": 4.0}
    march = con.execute(
        "SELECT value FROM raw.observations WHERE series_id = 'S1' AND date = DATE '2020-03-01' "
        "ORDER BY load_seq"
    ).fetchall()
    assert march == [(3.0,), (None,)]
