"""Issue 18 item 7: a hostile server cannot hold a download forever or fill the memory. Every
request has a total deadline (send to last byte) and a cap on decoded bytes; exceeding either is
one line naming source, series, host and the bound, and is not retried.

The servers are real, on 127.0.0.1, started here. No timing is asserted: the outcome is (the
error, and how much the server managed to send or the client held)."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ops_support import stored_files

from decoupling.settings import ConfigError, load_settings
from decoupling.sources import http
from decoupling.sources.base import SourceError

CSV = b"observation_date,GDP\n" + b"".join(
    f"{1950 + i // 4}-{1 + 3 * (i % 4):02d}-01,{100 + i}.5\n".encode() for i in range(300)
)
DRIP_BODY = 1000  # bytes the drip path would send, one every DRIP_S seconds
DRIP_S = 0.5
ENDLESS_LIMIT = 1_000_000_000  # the server gives up here, so a client that never stops fails
BOMB_MB = 50


def _bomb(megabytes: int) -> bytes:
    """`megabytes` MB of zeros, gzip-compressed (about 1000:1), built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * 1_000_000
    return b"".join([packer.compress(zeros) for _ in range(megabytes)] + [packer.flush()])


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client hanging up mid-body is the point of these tests


class Hostile:
    """A threaded HTTP server whose paths misbehave; it counts requests and body bytes sent."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()
        self.bomb = _bomb(BOMB_MB)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                owner.hits[path] += 1
                try:
                    getattr(owner, "serve_" + path.strip("/").replace("-", "_"))(self, path)
                except OSError:
                    pass  # the client hung up

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    @staticmethod
    def _head(handler, status: int = 200, **headers: str) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()

    def serve_drip(self, handler, path: str) -> None:
        self._head(handler, Content_Length=str(DRIP_BODY))
        for _ in range(DRIP_BODY):
            handler.wfile.write(b"7")
            handler.wfile.flush()
            self.sent[path] += 1
            time.sleep(DRIP_S)

    def _endless(self, handler, path: str, chunked: bool, status: int = 200, **headers) -> None:
        handler.close_connection = True
        if chunked:
            self._head(handler, status, Transfer_Encoding="chunked", **headers)
        else:
            self._head(handler, status, Connection="close", **headers)
        piece = b"9" * 65536
        framed = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
        while self.sent[path] < ENDLESS_LIMIT:
            handler.wfile.write(framed)
            self.sent[path] += len(piece)

    def serve_endless(self, handler, path: str) -> None:
        self._endless(handler, path, chunked=False)

    def serve_endless_chunked(self, handler, path: str) -> None:
        self._endless(handler, path, chunked=True)

    def serve_redirect_endless(self, handler, path: str) -> None:
        # A redirect whose own body never ends: requests would read it whole before following.
        self._endless(handler, path, chunked=False, status=302, Location="/gzip")

    def serve_error_endless(self, handler, path: str) -> None:
        self._endless(handler, path, chunked=False, status=503)

    def serve_announced(self, handler, path: str) -> None:
        self._head(handler, Content_Length=str(5 * 10**9))
        handler.wfile.write(b"x" * 1000)
        self.sent[path] += 1000

    def serve_bomb(self, handler, path: str) -> None:
        self._head(handler, Content_Encoding="gzip", Content_Length=str(len(self.bomb)))
        handler.wfile.write(self.bomb)
        self.sent[path] += len(self.bomb)

    def serve_gzip(self, handler, path: str) -> None:
        body = gzip.compress(CSV)
        self._head(
            handler, Content_Type="text/csv", Content_Encoding="gzip", Content_Length=str(len(body))
        )
        handler.wfile.write(body)
        self.sent[path] += len(body)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def hostile():
    server = Hostile()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh(hostile):
    hostile.sent.clear()
    hostile.hits.clear()
    http.reset_state()
    yield
    http.reset_state()


def client(deadline: float = 60.0, max_bytes: int = 1_000_000) -> http.HttpClient:
    # Quick retries, so a bound that were retried would show as more than one request.
    retry = http.RetryPolicy(max_attempts=3, base_delay=0, unreachable_attempts=1)
    return http.HttpClient(
        "fred",
        user_agent="test",
        timeout=5.0,
        rate_per_s=None,
        retry=retry,
        deadline=deadline,
        max_bytes=max_bytes,
    )


def held_peak(call) -> tuple[object, int]:
    """(what `call` returned or raised, the peak of Python memory allocated while it ran)."""
    tracemalloc.start()
    try:
        try:
            outcome: object = call()
        except SourceError as exc:
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_drip_stops_at_the_deadline(hostile):
    with pytest.raises(http.ResponseTooSlow) as failure:
        client(deadline=2.0).get(hostile.url("/drip"), "GDP")
    message = str(failure.value)
    host = hostile.url("").split("//")[1]
    assert message.startswith("fred: series GDP: no complete answer from " + host)
    assert "within 2 s" in message and "DECOUPLING_HTTP_DEADLINE" in message
    assert "\n" not in message
    assert hostile.hits["/drip"] == 1  # not retried
    # The read stopped: the server got a few bytes out of the 1000 it would have dripped.
    assert 0 < hostile.sent["/drip"] < DRIP_BODY / 10


@pytest.mark.parametrize("path", ["/endless", "/endless-chunked"])
def test_an_endless_body_stops_at_the_cap(hostile, path):
    failure, peak = held_peak(lambda: client(max_bytes=1_000_000).get(hostile.url(path), "GDP"))
    assert isinstance(failure, http.ResponseTooLarge), failure
    message = str(failure)
    assert message.startswith("fred: series GDP: stopped after 1 MB from 127.0.0.1:")
    assert "DECOUPLING_HTTP_MAX_BYTES=1000000" in message and "\n" not in message
    assert hostile.hits[path] == 1  # a cap is never retried
    # What the server pushed before the client hung up: the cap plus socket buffers, not 1 GB.
    assert hostile.sent[path] < 64_000_000
    assert peak < 16_000_000


def test_a_gzip_bomb_stops_at_the_cap_while_decompressing(hostile):
    assert len(hostile.bomb) < 200_000  # 50 MB of zeros in well under 1% of that
    failure, peak = held_peak(lambda: client(max_bytes=1_000_000).get(hostile.url("/bomb"), "GDP"))
    assert isinstance(failure, http.ResponseTooLarge), failure
    assert str(failure).startswith("fred: series GDP: stopped after 1 MB from 127.0.0.1:")
    assert hostile.hits["/bomb"] == 1
    # Decoded whole it is 50 MB; stopped at the cap, the client never held more than a few.
    assert peak < 16_000_000


def test_an_announced_size_over_the_cap_is_refused_before_reading(hostile):
    with pytest.raises(http.ResponseTooLarge) as failure:
        client(max_bytes=1_000_000).get(hostile.url("/announced"), "GDP")
    assert "stopped before reading: 127.0.0.1:" in str(failure.value)
    assert "announced 5e+03 MB" in str(failure.value)


def test_a_normal_gzip_body_is_decoded(hostile):
    response = client(max_bytes=len(CSV)).get(hostile.url("/gzip"), "GDP", expect="csv")
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.content == CSV  # decoded, exactly at the cap still accepted
    assert hostile.sent["/gzip"] < len(CSV)  # it did travel compressed


def test_a_redirect_with_an_endless_body_is_followed_without_reading_it_all(hostile):
    response, peak = held_peak(
        lambda: client(max_bytes=1_000_000).get(hostile.url("/redirect-endless"), "GDP")
    )
    assert not isinstance(response, SourceError), response
    assert response.content == CSV and hostile.hits["/gzip"] == 1
    assert hostile.sent["/redirect-endless"] < 64_000_000 and peak < 16_000_000


def test_an_error_page_without_end_is_cut_and_retried(hostile):
    with pytest.raises(http.SourceRetriesExhausted) as failure:
        client(max_bytes=1_000_000).get(hostile.url("/error-endless"), "GDP")
    assert "gave up after 3 attempts: HTTP 503" in str(failure.value)
    assert hostile.hits["/error-endless"] == 3
    assert hostile.sent["/error-endless"] < 3 * 64_000_000


# ---- settings ---------------------------------------------------------------------------------


def test_bounds_come_from_the_environment(monkeypatch, tmp_path, hostile):
    monkeypatch.setenv("DECOUPLING_HTTP_TIMEOUT", "5")
    settings = load_settings(warehouse=str(tmp_path / "w.duckdb"))
    default = http.client("fred", settings)
    assert (default.deadline, default.max_bytes) == (60.0, http.DEFAULT_MAX_BYTES)
    monkeypatch.setenv("DECOUPLING_HTTP_TIMEOUT", "30")
    assert http.client("fred", load_settings(warehouse=str(tmp_path / "w.duckdb"))).deadline == 120
    monkeypatch.setenv("DECOUPLING_HTTP_DEADLINE", "2")
    monkeypatch.setenv("DECOUPLING_HTTP_MAX_BYTES", "1000000")
    bounded = http.client("fred", load_settings(warehouse=str(tmp_path / "w.duckdb")))
    assert (bounded.deadline, bounded.max_bytes) == (2.0, 1_000_000)
    with pytest.raises(http.ResponseTooLarge, match="stopped after 1 MB"):
        bounded.get(hostile.url("/endless"), "GDP")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DECOUPLING_HTTP_DEADLINE", "0"),
        ("DECOUPLING_HTTP_DEADLINE", "soon"),
        ("DECOUPLING_HTTP_MAX_BYTES", "0"),
        ("DECOUPLING_HTTP_MAX_BYTES", "0.5"),
        ("DECOUPLING_HTTP_MAX_BYTES", "-1"),
    ],
)
def test_bad_bounds_are_config_errors(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings(warehouse=str(tmp_path / "w.duckdb"))


# ---- through the CLI: one line, exit 1, the warehouse unchanged --------------------------------


@pytest.fixture(scope="module")
def sources():
    from ops_support import FakeSources

    server = FakeSources().start()
    yield server
    server.stop()


@pytest.fixture
def live(sources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store refreshed from the local FRED, and the environment of a live refresh into it.

    Requested before `patient_engine`: Prefect reads its log level when first imported."""
    from ops_support import refresh_without_report, write_catalog

    catalog = write_catalog(tmp_path / "catalog.csv", with_bls=False)
    monkeypatch.setenv("DECOUPLING_CATALOG", str(catalog))
    monkeypatch.setenv("DECOUPLING_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DECOUPLING_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("DECOUPLING_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("FRED_BASE_URL", sources.url)
    monkeypatch.setenv("DECOUPLING_FRED_RATE", "0")
    monkeypatch.setenv("DECOUPLING_HTTP_RETRIES", "3")
    monkeypatch.setenv("DECOUPLING_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "CRITICAL")
    monkeypatch.delenv("DECOUPLING_SNAPSHOT", raising=False)
    monkeypatch.delenv("DECOUPLING_PUBLISH_DIR", raising=False)
    sources.reset()
    assert refresh_without_report(tmp_path)["status"] == "refreshed"
    return tmp_path


@pytest.mark.parametrize(
    ("fault", "bound", "says"),
    [
        ("endless", ("DECOUPLING_HTTP_MAX_BYTES", "1000000"), "stopped after 1 MB from"),
        ("drip", ("DECOUPLING_HTTP_DEADLINE", "2"), "no complete answer from"),
    ],
)
def test_a_refresh_against_a_hostile_source_is_one_line(
    live, patient_engine, sources, monkeypatch, capsys, fault, bound, says
):
    from decoupling import cli

    capsys.readouterr()
    stored = stored_files(live)
    sources.reset()  # the baseline's requests
    monkeypatch.setenv(*bound)
    sources.bodies["OPHNFB"] = b"observation_date,OPHNFB\n1947-01-01,1.0\n"  # a revision
    sources.faults["OPHNFB"] = [f"always:{fault}"]
    assert cli.main(["refresh", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: fred: series OPHNFB: " + says), err[0]
    assert len(sources.requests_for("OPHNFB")) == 1  # neither bound is retried, nor the task
    assert sources.sent["OPHNFB"] < 64_000_000
    assert stored_files(live) == stored  # warehouse, readers' copy and raw landings untouched
