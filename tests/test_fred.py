"""FRED source and the shared HTTP helper, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import math
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Response

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources import fred, http
from decoupling.sources.base import SourceError, SourceUnreachable, parse

KEY = "abcdef0123456789abcdef0123456789"
FAST = http.RetryPolicy(
    max_attempts=3, base_delay=0.01, max_delay=0.5, unreachable_attempts=2, unreachable_delay=0.01
)
CSV = b"observation_date,GDP\n2020-01-01,100.5\n2020-04-01,.\n2020-07-01,102.25\n"


def base_url(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def make_settings(tmp_path: Path, base: str | None, key: str | None = None, **kw) -> Settings:
    return Settings(
        warehouse=tmp_path / "warehouse.duckdb",
        raw_dir=tmp_path / "raw",
        output_dir=tmp_path / "out",
        fred_api_key=key,
        fred_base_url=base,
        http_timeout=5.0,
        fred_rate_per_s=kw.pop("fred_rate_per_s", 1000.0),
        **kw,
    )


def entry(series_id: str = "GDP", live_id: str = "") -> Series:
    return Series(
        id=series_id,
        source="fred",
        live_id=live_id,
        title="t",
        units="u",
        frequency="Q",
        seasonal="SA",
        analyses=("C1",),
        license="Public domain",
        snapshot_path="",
        notes="",
    )


def client_log(caplog: pytest.LogCaptureFixture) -> str:
    """Our side's log lines (urllib3 included); the test server's own access log is not ours."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))


class Sleeps(list):
    """Records back-off waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast_client(settings: Settings, sleeps: Sleeps | None = None) -> http.HttpClient:
    return http.client(
        "fred", settings, retry=FAST, sleep=sleeps if sleeps is not None else Sleeps()
    )


def obs_json(rows: list[tuple[str, str]], **extra) -> dict:
    return {
        "realtime_start": "2025-01-01",
        "realtime_end": "2025-01-01",
        "count": len(rows),
        "offset": 0,
        "limit": 100000,
        "observations": [
            {"realtime_start": "2025-01-01", "realtime_end": "2025-01-01", "date": d, "value": v}
            for d, v in rows
        ],
        **extra,
    }


SERIES_JSON = {
    "seriess": [
        {
            "id": "GDP",
            "title": "Gross Domestic Product",
            "units": "Billions of Dollars",
            "frequency": "Quarterly",
            "last_updated": "2025-10-30 07:53:01-05",
        }
    ]
}


# --- keyless graph CSV ----------------------------------------------------------------------


def test_keyless_success_keeps_path_and_parses(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(
        "/graph/fredgraph.csv", method="GET", query_string={"id": "GDP"}
    ).respond_with_data(CSV, content_type="text/csv")
    settings = make_settings(tmp_path, base_url(server))
    [download] = fred.fetch(entry(), settings, client=fast_client(settings))

    assert download.url == f"{base_url(server)}/graph/fredgraph.csv?id=GDP"
    assert (download.source, download.fmt, download.extension) == ("fred", "fred_csv", "csv")
    assert download.vintage is None and download.body == CSV
    table = parse(download)
    assert list(table["date"].dt.strftime("%Y-%m-%d")) == ["2020-01-01", "2020-04-01", "2020-07-01"]
    assert table["value"].iloc[0] == 100.5 and math.isnan(table["value"].iloc[1])
    request = server.log[0][0]
    assert request.headers["User-Agent"] == settings.user_agent
    assert http.requests_made("fred") == 1


def test_keyless_uses_live_id(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request(
        "/graph/fredgraph.csv", query_string={"id": "A362RC1Q027SBEA"}
    ).respond_with_data("observation_date,A362RC1Q027SBEA\n2020-01-01,1\n")
    settings = make_settings(tmp_path, base_url(server))
    [download] = fred.fetch(entry("NDP", "A362RC1Q027SBEA"), settings, client=fast_client(settings))
    assert download.series_id == "NDP"
    assert parse(download)["value"].tolist() == [1.0]


@pytest.mark.parametrize("status", [400, 404])
def test_keyless_unknown_series_fails_fast(server: HTTPServer, tmp_path: Path, status: int) -> None:
    server.expect_request("/graph/fredgraph.csv").respond_with_data("Bad Request", status=status)
    settings = make_settings(tmp_path, base_url(server))
    sleeps = Sleeps()
    with pytest.raises(SourceError) as info:
        fred.fetch(entry("NOSUCH"), settings, client=fast_client(settings, sleeps))
    assert "NOSUCH" in str(info.value) and f"HTTP {status}" in str(info.value)
    assert not isinstance(info.value, SourceUnreachable)
    assert len(server.log) == 1 and sleeps == []


def test_429_with_retry_after_then_success(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_oneshot_request("/graph/fredgraph.csv").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "2"}
    )
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    server.expect_oneshot_request("/graph/fredgraph.csv").respond_with_data(
        "", status=503, headers={"Retry-After": later}
    )
    server.expect_request("/graph/fredgraph.csv").respond_with_data(CSV)
    settings = make_settings(tmp_path, base_url(server))
    sleeps = Sleeps()
    client = http.client(
        "fred", settings, retry=http.RetryPolicy(base_delay=0.01, max_delay=60), sleep=sleeps
    )
    [download] = fred.fetch(entry(), settings, client=client)
    assert parse(download)["value"].iloc[2] == 102.25
    assert len(server.log) == 3
    assert sleeps[0] == 2.0  # Retry-After in seconds
    assert 3.0 <= sleeps[1] <= 5.0  # Retry-After as an HTTP date
    assert http.requests_made("fred") == 3


def test_retry_after_is_capped(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_oneshot_request("/graph/fredgraph.csv").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    server.expect_request("/graph/fredgraph.csv").respond_with_data(CSV)
    settings = make_settings(tmp_path, base_url(server))
    sleeps = Sleeps()
    fred.fetch(entry(), settings, client=fast_client(settings, sleeps))
    assert sleeps == [FAST.max_delay]


def test_5xx_until_attempts_run_out(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/graph/fredgraph.csv").respond_with_data("oops", status=502)
    settings = make_settings(tmp_path, base_url(server))
    sleeps = Sleeps()
    with pytest.raises(SourceError) as info:
        fred.fetch(entry(), settings, client=fast_client(settings, sleeps))
    message = str(info.value)
    assert message.startswith("fred: series GDP:") and "\n" not in message
    assert "HTTP 502" in message and "3 attempts" in message
    assert len(server.log) == FAST.max_attempts == 3
    assert sleeps == [0.01, 0.02]  # exponential back-off


def test_truncated_body_is_retried_then_fails(server: HTTPServer, tmp_path: Path) -> None:
    # A streamed body keeps the declared Content-Length: the connection ends 466 bytes short.
    server.expect_request("/graph/fredgraph.csv").respond_with_handler(
        lambda request: Response(iter([CSV[:34]]), headers={"Content-Length": "500"})
    )
    settings = make_settings(tmp_path, base_url(server))
    with pytest.raises(SourceError) as info:
        fred.fetch(entry(), settings, client=fast_client(settings))
    assert "series GDP" in str(info.value) and "truncated" in str(info.value)
    assert len(server.log) == 3


def test_truncated_then_good_body_succeeds(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_oneshot_request("/graph/fredgraph.csv").respond_with_response(
        Response(iter([CSV[:20]]), headers={"Content-Length": str(len(CSV))})
    )
    server.expect_request("/graph/fredgraph.csv").respond_with_data(CSV)
    settings = make_settings(tmp_path, base_url(server))
    [download] = fred.fetch(entry(), settings, client=fast_client(settings))
    assert download.body == CSV and len(server.log) == 2


def test_html_body_is_rejected(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/graph/fredgraph.csv").respond_with_data(
        "<!DOCTYPE html><html><body>Maintenance</body></html>", content_type="text/html"
    )
    settings = make_settings(tmp_path, base_url(server))
    with pytest.raises(SourceError) as info:
        fred.fetch(entry(), settings, client=fast_client(settings))
    assert "series GDP" in str(info.value) and "HTML" in str(info.value)
    assert len(server.log) == 3


def test_body_problem_checks_content_length() -> None:
    response = requests.Response()
    response._content = b"short"
    response.headers["Content-Length"] = "50"
    assert "truncated" in (http.body_problem(response) or "")
    response.headers["Content-Length"] = "5"
    assert http.body_problem(response) is None
    response.headers["Content-Encoding"] = "gzip"  # length of compressed bytes: not comparable
    response.headers["Content-Length"] = "50"
    assert http.body_problem(response) is None
    response._content = b"not json"
    assert "JSON" in (http.body_problem(response, expect="json") or "")


# --- JSON API -------------------------------------------------------------------------------


def expect_api(server: HTTPServer, observations: dict | None = None) -> None:
    server.expect_request(
        "/fred/series", query_string={"series_id": "GDP", "api_key": KEY, "file_type": "json"}
    ).respond_with_json(SERIES_JSON)
    server.expect_request("/fred/series/observations").respond_with_json(
        observations
        or obs_json([("2020-01-01", "100.5"), ("2020-04-01", "."), ("2020-07-01", "102.25")])
    )


def test_api_success_keeps_paths_and_hides_key(server: HTTPServer, tmp_path: Path) -> None:
    expect_api(server)
    settings = make_settings(tmp_path, base_url(server), key=KEY)
    [download] = fred.fetch(entry(), settings, client=fast_client(settings))

    assert [r.path for r, _ in server.log] == ["/fred/series", "/fred/series/observations"]
    obs_request = server.log[1][0]
    assert obs_request.args["api_key"] == KEY and obs_request.args["series_id"] == "GDP"
    assert obs_request.args["file_type"] == "json"
    assert (download.fmt, download.extension) == ("fred_json", "json")
    assert download.vintage == "2025-10-30 07:53:01-05"
    assert download.url.startswith(f"{base_url(server)}/fred/series/observations?")
    assert "api_key=***" in download.url
    assert KEY not in download.url and KEY.encode() not in download.body
    table = parse(download)
    assert table["value"].iloc[0] == 100.5 and math.isnan(table["value"].iloc[1])
    assert table["date"].iloc[2] == datetime(2020, 7, 1)


def test_api_unknown_series_one_request_and_no_key(
    server: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.expect_request("/fred/series").respond_with_json(
        {"error_code": 400, "error_message": "Bad Request.  The series does not exist."},
        status=400,
    )
    settings = make_settings(tmp_path, base_url(server), key=KEY)
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError) as info:
        fred.fetch(entry("NOSUCH"), settings, client=fast_client(settings))
    message = str(info.value)
    assert "NOSUCH" in message and "does not exist" in message
    assert KEY not in message and KEY not in repr(info.value.args)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert len(server.log) == 1
    assert KEY not in client_log(caplog)


def test_api_key_never_in_errors_or_logs(
    server: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The server misbehaves by echoing the key: it must still not reach messages or logs.
    server.expect_request("/fred/series").respond_with_data(f"error for key {KEY}", status=500)
    settings = make_settings(tmp_path, base_url(server), key=KEY)
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError) as info:
        fred.fetch(entry(), settings, client=fast_client(settings))
    assert KEY not in str(info.value) and "api_key=***" in str(info.value)
    assert "retrying" in client_log(caplog) and KEY not in client_log(caplog)


def test_api_body_echoing_key_is_scrubbed(server: HTTPServer, tmp_path: Path) -> None:
    expect_api(server, obs_json([("2020-01-01", "1")], note=f"key {KEY}"))
    settings = make_settings(tmp_path, base_url(server), key=KEY)
    [download] = fred.fetch(entry(), settings, client=fast_client(settings))
    assert KEY.encode() not in download.body
    assert parse(download)["value"].tolist() == [1.0]


def test_api_pages_long_series(server: HTTPServer, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(fred, "PAGE_LIMIT", 2)
    server.expect_request("/fred/series").respond_with_json(SERIES_JSON)
    rows = [("2020-01-01", "1"), ("2020-04-01", "2"), ("2020-07-01", "3")]
    first = obs_json(rows[:2]) | {"count": 3}
    second = obs_json(rows[2:]) | {"count": 3, "offset": 2}
    server.expect_request(
        "/fred/series/observations",
        query_string={"series_id": "GDP", "api_key": KEY, "file_type": "json", "limit": "2"},
    ).respond_with_json(first)
    server.expect_request("/fred/series/observations").respond_with_json(second)
    settings = make_settings(tmp_path, base_url(server), key=KEY)
    [download] = fred.fetch(entry(), settings, client=fast_client(settings))
    assert server.log[2][0].args["offset"] == "2"
    assert parse(download)["value"].tolist() == [1.0, 2.0, 3.0]


def test_last_updated(server: HTTPServer, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, base_url(server))
    assert fred.last_updated(entry(), settings) is None  # keyless: nothing asked
    assert server.log == []
    expect_api(server)
    keyed = make_settings(tmp_path, base_url(server), key=KEY)
    assert fred.last_updated(entry(), keyed, client=fast_client(keyed)) == "2025-10-30 07:53:01-05"


def test_fetch_vintages(server: HTTPServer, tmp_path: Path) -> None:
    payload = {
        "realtime_start": "2020-05-01",
        "realtime_end": "2020-09-01",
        "count": 4,
        "offset": 0,
        "observations": [
            {
                "realtime_start": "2020-05-01",
                "realtime_end": "2020-07-30",
                "date": "2020-01-01",
                "value": "100",
            },
            {
                "realtime_start": "2020-07-31",
                "realtime_end": "9999-12-31",
                "date": "2020-01-01",
                "value": "101",
            },
            {
                "realtime_start": "2020-07-31",
                "realtime_end": "9999-12-31",
                "date": "2020-04-01",
                "value": ".",
            },
            {
                "realtime_start": "2020-09-01",
                "realtime_end": "9999-12-31",
                "date": "2020-07-01",
                "value": "99",
            },
        ],
    }
    server.expect_request("/fred/series/observations").respond_with_json(payload)
    settings = make_settings(tmp_path, base_url(server), key=KEY)
    downloads = fred.fetch_vintages(
        entry(), settings, ["2020-09-01", "2020-05-01", "2020-05-01"], client=fast_client(settings)
    )
    assert server.log[0][0].args["vintage_dates"] == "2020-05-01,2020-09-01"
    assert len(server.log) == 1
    assert [d.vintage for d in downloads] == ["2020-05-01", "2020-09-01"]
    assert all(KEY not in d.url and KEY.encode() not in d.body for d in downloads)
    early, late = (parse(d) for d in downloads)
    assert early["value"].tolist() == [100.0]
    assert late["value"].iloc[0] == 101.0 and math.isnan(late["value"].iloc[1])
    assert late["value"].iloc[2] == 99.0


def test_vintage_chunks_respect_limits() -> None:
    days = [(datetime(1990, 1, 1) + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(450)]
    chunks = fred._vintage_chunks(days)
    assert sum(len(c) for c in chunks) == 450
    assert all(len(c) <= fred.VINTAGES_PER_REQUEST for c in chunks)
    assert all(len(",".join(c)) <= fred.VINTAGE_PARAM_MAX_CHARS for c in chunks)


def test_fred_json_parser_rejects_errors() -> None:
    body = json.dumps({"error_code": 400, "error_message": "Bad Request."}).encode()
    with pytest.raises(ValueError, match="Bad Request"):
        fred.parse_fred_json(body, "GDP")


# --- rate limit, base url, offline ----------------------------------------------------------


def test_rate_limiter_spaces_requests(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/graph/fredgraph.csv").respond_with_data(CSV)
    rate, n = 20.0, 6
    settings = make_settings(tmp_path, base_url(server), fred_rate_per_s=rate)
    client = fast_client(settings)
    started = time.monotonic()
    for _ in range(n):
        fred.fetch(entry(), settings, client=client)
    assert time.monotonic() - started >= (n - 1) / rate * 0.95  # clock granularity margin
    assert len(server.log) == n


def test_rate_limiter_is_shared_by_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    limiter = http.RateLimiter(50.0)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: limiter.acquire(), range(8)))
    assert time.monotonic() - started >= 7 / 50.0 * 0.95


def test_rebase_keeps_paths() -> None:
    assert (
        http.rebase(
            "https://fred.stlouisfed.org/graph/fredgraph.csv?id=GDP", "http://127.0.0.1:8080"
        )
        == "http://127.0.0.1:8080/graph/fredgraph.csv?id=GDP"
    )
    assert (
        http.rebase("https://api.stlouisfed.org/fred/series/observations?a=1", "http://m:1/mirror/")
        == "http://m:1/mirror/fred/series/observations?a=1"
    )
    assert http.redact_url(f"http://h/p?series_id=X&api_key={KEY}", ()) == (
        "http://h/p?series_id=X&api_key=***"
    )


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_host_stops_fast(tmp_path: Path) -> None:
    port = closed_port()
    settings = make_settings(tmp_path, f"http://127.0.0.1:{port}", key=KEY)
    started = time.monotonic()
    with pytest.raises(SourceUnreachable) as info:
        fred.fetch(entry(), settings, client=fast_client(settings))
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "series GDP" in message
    assert "set DECOUPLING_SNAPSHOT=../shared/fred-snapshot or pass --snapshot DIR" in message
    assert KEY not in message
    assert http.requests_made("fred") == FAST.unreachable_attempts
    # The host is now known unreachable: the next series fails at once, sending nothing.
    with pytest.raises(SourceUnreachable):
        fred.fetch(entry("GDPC1"), settings, client=fast_client(settings))
    assert http.requests_made("fred") == FAST.unreachable_attempts


def test_unreachable_with_default_policy_is_quick(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    with pytest.raises(SourceUnreachable):
        fred.fetch(entry(), settings)  # default retry policy and real sleeps
    assert time.monotonic() - started < 5


def test_dns_failure_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # no resolver is ever asked
    settings = make_settings(tmp_path, None, key=KEY)
    with pytest.raises(SourceUnreachable) as info:
        fred.fetch(entry(), settings, client=fast_client(settings))
    message = str(info.value)
    assert "api.stlouisfed.org" in message and "DNS lookup failed" in message
    assert "--snapshot DIR" in message and KEY not in message
