"""BLS Public Data API source, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from decoupling import landing
from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources import bls, http
from decoupling.sources.base import SourceError, parse

KEY = "0123456789abcdef0123456789abcdef"
FAST = http.RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.1, unreachable_delay=0.01)
V2_PATH = "/publicAPI/v2/timeseries/data/"
V1_PATH = "/publicAPI/v1/timeseries/data/"


def make_settings(tmp_path: Path, server: HTTPServer, key: str | None = None) -> Settings:
    return Settings(
        warehouse=tmp_path / "warehouse.duckdb",
        raw_dir=tmp_path / "raw",
        output_dir=tmp_path / "out",
        bls_api_key=key,
        bls_base_url=f"http://127.0.0.1:{server.port}",
        http_timeout=5.0,
    )


def fast_client(settings: Settings) -> http.HttpClient:
    return http.client("bls", settings, retry=FAST, sleep=lambda s: None, rate_per_s=1000.0)


def entry(series_id: str = "CES0500000008", frequency: str = "M", live_id: str = "") -> Series:
    return Series(
        id=series_id,
        source="bls",
        live_id=live_id,
        title="t",
        units="u",
        frequency=frequency,
        seasonal="SA",
        analyses=("C1",),
        license="Public domain (BLS)",
        snapshot_path="",
        notes="",
    )


def bls_answer(
    series: dict[str, list[tuple[int, str, str]]],
    status: str = "REQUEST_SUCCEEDED",
    message: list[str] | None = None,
) -> dict:
    return {
        "status": status,
        "responseTime": 12,
        "message": message or [],
        "Results": {
            "series": [
                {
                    "seriesID": sid,
                    "data": [
                        {
                            "year": str(y),
                            "period": p,
                            "periodName": "",
                            "value": v,
                            "footnotes": [{}],
                        }
                        for y, p, v in rows
                    ],
                }
                for sid, rows in series.items()
            ]
        },
    }


def json_response(payload: dict) -> Response:
    return Response(json.dumps(payload), content_type="application/json")


# Rows a server holds for any series; each query gets the rows of its year window.
ROWS = [
    (2000, "M01", "1.5"),
    (2019, "M12", "2.0"),
    (2019, "M13", "9.9"),  # annual average beside monthly rows: skipped
    (2020, "M01", "-"),  # BLS's gap marker
    (2025, "M06", "3.5"),
]


def windowed(request: Request) -> Response:
    asked = request.get_json()
    first, last = int(asked["startyear"]), int(asked["endyear"])
    rows = [r for r in ROWS if first <= r[0] <= last]
    return json_response(bls_answer({sid: rows for sid in asked["seriesid"]}))


def payloads(server: HTTPServer) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in server.log]


def test_v2_two_windows_merged(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V2_PATH, method="POST").respond_with_handler(windowed)
    settings = make_settings(tmp_path, server, key=KEY)
    [download] = bls.fetch(entry(), settings, 2000, 2025, client=fast_client(settings))

    sent = payloads(server)
    assert [(p["startyear"], p["endyear"]) for p in sent] == [("2000", "2019"), ("2020", "2025")]
    assert all(p["registrationkey"] == KEY and p["seriesid"] == ["CES0500000008"] for p in sent)
    assert server.log[0][0].headers["User-Agent"] == settings.user_agent
    assert (download.source, download.fmt, download.extension) == ("bls", "bls_json", "json")
    assert download.url == f"http://127.0.0.1:{server.port}{V2_PATH}"
    assert isinstance(json.loads(download.body), list) and len(json.loads(download.body)) == 2
    assert KEY not in download.url and KEY.encode() not in download.body
    table = parse(download)
    assert [d.strftime("%Y-%m") for d in table["date"]] == [
        "2000-01",
        "2019-12",
        "2020-01",
        "2025-06",
    ]
    assert table["value"].iloc[0] == 1.5 and math.isnan(table["value"].iloc[2])
    assert bls.budget(settings).used() == 2


def test_v1_without_key_uses_v1_limits(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V1_PATH, method="POST").respond_with_handler(windowed)
    settings = make_settings(tmp_path, server)
    [download] = bls.fetch(entry(), settings, 2000, 2025, client=fast_client(settings))
    sent = payloads(server)
    assert [(p["startyear"], p["endyear"]) for p in sent] == [
        ("2000", "2009"),
        ("2010", "2019"),
        ("2020", "2025"),
    ]
    assert all("registrationkey" not in p for p in sent)
    assert len(parse(download)) == 4
    assert bls.budget(settings).used() == 3 and bls.budget(settings).limit == 25


@pytest.mark.parametrize(("key", "path", "queries"), [(None, V1_PATH, 2), (KEY, V2_PATH, 1)])
def test_series_per_query_follow_version(
    server: HTTPServer, tmp_path: Path, key: str | None, path: str, queries: int
) -> None:
    server.expect_request(path, method="POST").respond_with_handler(windowed)
    settings = make_settings(tmp_path, server, key=key)
    entries = [entry(f"CES{i:010d}") for i in range(30)]
    downloads, missing = bls.fetch_many(
        entries, settings, start_year=2020, end_year=2025, client=fast_client(settings)
    )
    assert len(server.log) == queries
    assert max(len(p["seriesid"]) for p in payloads(server)) == (25 if key is None else 30)
    assert missing == [] and len(downloads) == 30
    assert parse(downloads[29])["series_id"].iloc[0] == "CES0000000029"


def test_request_not_processed_names_series_and_message(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V2_PATH).respond_with_json(
        bls_answer({}, "REQUEST_NOT_PROCESSED", ["The key provided by the User is invalid."])
    )
    settings = make_settings(tmp_path, server, key=KEY)
    with pytest.raises(SourceError) as info:
        bls.fetch(entry(), settings, 2020, 2025, client=fast_client(settings))
    message = str(info.value)
    assert message.startswith("bls: series CES0500000008:")
    assert (
        "REQUEST_NOT_PROCESSED" in message and "The key provided by the User is invalid." in message
    )
    assert KEY not in message and len(server.log) == 1


def test_daily_limit_is_not_retried_and_spends_budget(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V1_PATH).respond_with_json(
        bls_answer(
            {},
            "REQUEST_NOT_PROCESSED",
            [
                "Request could not be serviced, as the daily threshold for total number of "
                "requests allocated to the user has been reached."
            ],
        )
    )
    settings = make_settings(tmp_path, server)
    with pytest.raises(SourceError) as info:
        bls.fetch(entry(), settings, 2020, 2025, client=fast_client(settings))
    assert "daily threshold" in str(info.value) and "will not help" in str(info.value)
    assert "BLS_API_KEY" in str(info.value)
    assert len(server.log) == 1  # not retried
    # Today's budget now counts as spent: the next fetch stops without a request.
    with pytest.raises(http.BudgetExhausted):
        bls.fetch(entry("OTHER"), settings, 2020, 2025, client=fast_client(settings))
    assert len(server.log) == 1


def test_budget_exhausted_before_any_request(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V1_PATH).respond_with_handler(windowed)
    settings = make_settings(tmp_path, server)
    spent = bls.budget(settings)
    spent.take("bls", "earlier", n=25)
    with pytest.raises(http.BudgetExhausted) as info:
        bls.fetch(entry(), settings, 2020, 2025, client=fast_client(settings))
    message = str(info.value)
    assert "series CES0500000008" in message and "25 of 25" in message
    assert "stopped before sending" in message and "BLS_API_KEY" in message
    assert server.log == []


def test_budget_too_small_for_all_windows(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V1_PATH).respond_with_handler(windowed)
    settings = make_settings(tmp_path, server)
    bls.budget(settings).take("bls", "earlier", n=23)
    with pytest.raises(http.BudgetExhausted, match="3 more needed"):
        bls.fetch(entry(), settings, 2000, 2025, client=fast_client(settings))  # 3 windows
    assert server.log == []


def test_retries_count_against_budget(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_oneshot_request(V2_PATH).respond_with_data("busy", status=503)
    server.expect_request(V2_PATH).respond_with_handler(windowed)
    settings = make_settings(tmp_path, server, key=KEY)
    bls.fetch(entry(), settings, 2020, 2025, client=fast_client(settings))
    assert len(server.log) == 2 and bls.budget(settings).used() == 2


def test_key_never_stored_even_if_echoed(server: HTTPServer, tmp_path: Path) -> None:
    def echo(request: Request) -> Response:
        asked = request.get_json()
        answer = bls_answer({"CES0500000008": [(2024, "M01", "31.2")]})
        answer["message"] = [f"registrationkey {asked['registrationkey']} accepted"]
        return json_response(answer)

    server.expect_request(V2_PATH).respond_with_handler(echo)
    settings = make_settings(tmp_path, server, key=KEY)
    [download] = bls.fetch(entry(), settings, 2024, 2024, client=fast_client(settings))
    assert KEY.encode() not in download.body and KEY not in download.url
    assert parse(download)["value"].tolist() == [31.2]


def test_series_without_data_names_series_and_message(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V2_PATH).respond_with_json(
        bls_answer({"NOSUCH": []}, message=["Series does not exist for Series NOSUCH"])
    )
    settings = make_settings(tmp_path, server, key=KEY)
    with pytest.raises(SourceError) as info:
        bls.fetch(entry("NOSUCH"), settings, 2020, 2025, client=fast_client(settings))
    assert "series NOSUCH" in str(info.value) and "Series does not exist" in str(info.value)


def test_annual_series_asks_for_annual_averages(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(V2_PATH).respond_with_json(
        bls_answer({"EEU00500006": [(2001, "M13", "14.5"), (2002, "M13", "14.9")]})
    )
    settings = make_settings(tmp_path, server, key=KEY)
    [download] = bls.fetch(
        entry("EEU00500006_ANNUAL", "A", "EEU00500006"),
        settings,
        2001,
        2002,
        client=fast_client(settings),
    )
    assert payloads(server)[0]["annualaverage"] is True
    assert payloads(server)[0]["seriesid"] == ["EEU00500006"]
    table = parse(download)
    assert table["date"].tolist() == [datetime(2001, 1, 1), datetime(2002, 1, 1)]
    assert table["series_id"].iloc[0] == "EEU00500006_ANNUAL"


def test_parser_periods() -> None:
    quarterly = bls_answer({"Q": [(2020, "Q01", "1"), (2020, "Q04", "2"), (2020, "Q05", "9")]})
    table = bls.parse_bls_json(json.dumps(quarterly).encode(), "Q")
    assert table["date"].tolist() == [datetime(2020, 1, 1), datetime(2020, 10, 1)]
    annual = bls_answer({"A": [(2019, "A01", "5"), (2020, "A01", "(NA)")]})
    table = bls.parse_bls_json(json.dumps(annual).encode(), "A")
    assert table["date"].tolist() == [datetime(2019, 1, 1), datetime(2020, 1, 1)]
    assert math.isnan(table["value"].iloc[1])
    with pytest.raises(ValueError, match="period"):
        bls.parse_bls_json(json.dumps(bls_answer({"X": [(2020, "Z01", "1")]})).encode(), "X")
    failed = bls_answer({}, "REQUEST_NOT_PROCESSED", ["nope"])
    with pytest.raises(ValueError, match="nope"):
        bls.parse_bls_json(json.dumps(failed).encode(), "X")


def test_year_windows_and_versions(tmp_path: Path, server: HTTPServer) -> None:
    assert bls.year_windows(1947, 2025, 20) == [
        (1947, 1966),
        (1967, 1986),
        (1987, 2006),
        (2007, 2025),
    ]
    assert bls.year_windows(2020, 2020, 10) == [(2020, 2020)]
    assert bls.api_version(make_settings(tmp_path, server)) is bls.V1
    v2 = bls.api_version(make_settings(tmp_path, server, key=KEY))
    assert (v2.max_series, v2.max_years, v2.daily_queries) == (50, 20, 500)


def test_daily_budget_resets_each_day(tmp_path: Path) -> None:
    today = [date(2026, 1, 5)]
    budget = http.DailyBudget("bls_v1", 2, path=tmp_path / "b.json", today=lambda: today[0])
    budget.take("bls", "A", n=2)
    with pytest.raises(http.BudgetExhausted):
        budget.take("bls", "A")
    assert budget.remaining() == 0
    today[0] = date(2026, 1, 6)
    assert budget.remaining() == 2
    again = http.DailyBudget("bls_v1", 2, path=tmp_path / "b.json", today=lambda: today[0])
    again.take("bls", "A")
    assert budget.used() == 1  # shared through the file


# ---- a refresh's BLS series share queries -------------------------------------------------------

CATALOG_HEADER = (
    "id,source,live_id,title,units,frequency,seasonal,analyses,license,snapshot_path,notes"
)
ALIAS = ("MY_AHE", "CES9999999999")  # a catalog id BLS knows under another id


def bls_catalog(path: Path, count: int) -> list[str]:
    """A catalog of `count` live BLS series (the last one an alias); returns the BLS ids."""
    rows = [CATALOG_HEADER]
    remote = [f"CES{i:010d}" for i in range(count - 1)] + [ALIAS[1]]
    for sid in remote[:-1]:
        rows.append(f"{sid},bls,,t,u,M,SA,C1,Public domain (BLS),,")
    rows.append(f"{ALIAS[0]},bls,{ALIAS[1]},t,u,M,SA,C1,Public domain (BLS),,")
    path.write_text("\n".join(rows) + "\n")
    return remote


def per_series(request: Request) -> Response:
    """Every asked series gets ROWS, and BLS's habit of one message per series it lacks a year of."""
    asked = request.get_json()
    first, last = int(asked["startyear"]), int(asked["endyear"])
    rows = [r for r in ROWS if first <= r[0] <= last]
    notes = [f"No Data Available for Series {sid} Year: {first}" for sid in asked["seriesid"]]
    return json_response(bls_answer({sid: rows for sid in asked["seriesid"]}, message=notes))


@pytest.fixture
def bls_env(tmp_path: Path, server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DECOUPLING_CATALOG", str(tmp_path / "catalog.csv"))
    monkeypatch.setenv("BLS_BASE_URL", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("DECOUPLING_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("DECOUPLING_HTTP_RETRIES", "2")
    monkeypatch.delenv("DECOUPLING_SNAPSHOT", raising=False)
    monkeypatch.setattr(http, "DEFAULT_RATE_PER_S", 1000.0)  # a local server: no spacing
    return tmp_path


def ingest(root: Path) -> dict:
    from decoupling.pipeline import Options, run_ingest

    return run_ingest(
        Options(
            warehouse=str(root / "warehouse.duckdb"),
            raw_dir=str(root / "raw"),
            output_dir=str(root / "out"),
            quiet=True,
        )
    )


def held(root: Path) -> dict[str, tuple[int, str]]:
    """Per series: observations held and the checksum of its download."""
    import duckdb

    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT o.series_id, count(*), any_value(o.download_sha256) "
            "FROM raw.observations o GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    return {sid: (n, sha) for sid, n, sha in rows}


@pytest.mark.parametrize(("key", "count", "version"), [(None, 30, bls.V1), (KEY, 60, bls.V2)])
def test_a_refresh_asks_for_all_its_bls_series_at_once(
    bls_env: Path, server: HTTPServer, monkeypatch, key, count, version
) -> None:
    if key:
        monkeypatch.setenv("BLS_API_KEY", key)
    remote = bls_catalog(bls_env / "catalog.csv", count)
    server.expect_oneshot_request(version.path).respond_with_data("busy", status=503)
    server.expect_request(version.path, method="POST").respond_with_handler(per_series)
    ingest(bls_env)

    windows = bls.year_windows(bls.DEFAULT_START_YEAR, bls._this_year(), version.max_years)
    batches = -(-count // version.max_series)
    # One query per batch and window, plus the one retry of the 503; not one per series.
    assert len(server.log) == batches * len(windows) + 1
    sent = payloads(server)[1:]
    assert max(len(p["seriesid"]) for p in sent) == version.max_series
    assert {s for p in sent for s in p["seriesid"]} == set(remote)
    assert bls.budget(load_settings_for(bls_env)).used() == len(server.log)

    # Per series, as before: its own download, parsed, landed with a sidecar of its own.
    catalog_ids = remote[:-1] + [ALIAS[0]]
    holding = held(bls_env)
    assert sorted(holding) == sorted(catalog_ids)
    parsed_rows = [r for r in ROWS if r[1] != "M13"]  # the average beside monthly rows: dropped
    values = [r for r in parsed_rows if r[2] != "-"]  # the gap is not held as a value
    assert {n for n, _ in holding.values()} == {len(values)}
    assert len({sha for _, sha in holding.values()}) == count  # no two share a body
    for sid in catalog_ids:
        [sidecar] = filter(landing.is_sidecar, (bls_env / "raw" / "bls" / sid).glob("*.json"))
        meta = json.loads(sidecar.read_text())
        assert (meta["series_id"], meta["fmt"], meta["rows"]) == (sid, "bls_json", len(parsed_rows))
        assert meta["sha256"] == holding[sid][1]
        body = landing.body_path(sidecar, "json").read_bytes()  # the answer itself, kept
        assert hashlib.sha256(body).hexdigest() == meta["sha256"]
        assert key is None or key not in sidecar.read_text()


def load_settings_for(root: Path) -> Settings:
    from decoupling.settings import load_settings

    return load_settings(warehouse=str(root / "warehouse.duckdb"))


def test_a_shared_query_is_cut_into_each_series_own_body(server: HTTPServer, tmp_path) -> None:
    server.expect_request(V1_PATH, method="POST").respond_with_handler(per_series)
    settings = make_settings(tmp_path, server)
    entries = [entry("CES0000000001"), entry(ALIAS[0], live_id=ALIAS[1]), entry("CES0000000002")]
    downloads, missing = bls.fetch_many(
        entries, settings, start_year=2019, end_year=2020, client=fast_client(settings)
    )
    assert missing == [] and len(server.log) == 1
    assert payloads(server)[0]["seriesid"] == ["CES0000000001", ALIAS[1], "CES0000000002"]
    for download, asked in zip(
        downloads, ["CES0000000001", ALIAS[1], "CES0000000002"], strict=True
    ):
        answer = json.loads(download.body)
        assert [s["seriesID"] for s in answer["Results"]["series"]] == [asked]
        assert answer["message"] == [f"No Data Available for Series {asked} Year: 2019"]
        table = parse(download)
        monthly = [r for r in ROWS if 2019 <= r[0] <= 2020 and r[1] != "M13"]
        assert set(table["series_id"]) == {download.series_id} and len(table) == len(monthly)


def test_a_failed_batch_names_its_series_and_changes_nothing(
    bls_env: Path, server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLS_API_KEY", KEY)  # v2: two refreshes fit in a day's budget
    remote = bls_catalog(bls_env / "catalog.csv", 60)
    server.expect_request(V2_PATH, method="POST").respond_with_handler(per_series)
    ingest(bls_env)
    before = stored(bls_env)
    server.clear()

    second = set(remote[50:])

    def second_batch_refused(request: Request) -> Response:
        if second & set(request.get_json()["seriesid"]):
            return json_response(bls_answer({}, "REQUEST_NOT_PROCESSED", ["Invalid series."]))
        return per_series(request)

    server.expect_request(V2_PATH, method="POST").respond_with_handler(second_batch_refused)
    with pytest.raises(SourceError) as failure:
        ingest(bls_env)
    message = str(failure.value)
    head = message.split(": BLS", 1)[0]
    assert head.startswith("bls: series ") and "\n" not in message
    assert set(head[len("bls: series ") :].split(", ")) == {*remote[50:-1], ALIAS[0]}
    assert "REQUEST_NOT_PROCESSED" in message and "Invalid series." in message
    windows = len(bls.year_windows(bls.DEFAULT_START_YEAR, bls._this_year(), 20))
    assert len(server.log) == windows + 1  # the first batch whole, the second's first query
    assert stored(bls_env) == before  # warehouse, readers' copy, raw landings


def stored(root: Path) -> dict[Path, bytes]:
    """Every file but the lock's stamp and the day's query count (spent on the failed run)."""
    skip = {"warehouse.duckdb.lock", "bls_budget.json"}
    return {
        p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name not in skip
    }
