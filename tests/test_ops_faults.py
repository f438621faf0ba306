"""Fault injection: a real HTTP server on 127.0.0.1 misbehaves; each fault is either recovered
(the refresh publishes the new data) or fails with one error naming source and series, and after
every failure the published warehouse and the readers' copy are byte-for-byte unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from ops_support import (
    BLS_SERIES,
    FakeSources,
    file_sha,
    fred_csv,
    series_values,
    write_catalog,
)
from ops_support import refresh_without_report as refresh

from decoupling import pipeline
from decoupling.sources import http
from decoupling.sources.base import SourceError
from decoupling.warehouse import readers as exports

REVISED_DATE = "2000-04-01"


@pytest.fixture(scope="module")
def sources():
    server = FakeSources().start()
    yield server
    server.stop()


def _env(monkeypatch: pytest.MonkeyPatch, root: Path, sources: FakeSources) -> None:
    monkeypatch.setenv("DECOUPLING_CATALOG", str(write_catalog(root / "catalog.csv")))
    monkeypatch.setenv("FRED_BASE_URL", sources.url)
    monkeypatch.setenv("BLS_BASE_URL", sources.url)
    monkeypatch.setenv("BLS_API_KEY", "bls-test-key-not-secret")  # v2: 4 queries per fetch
    monkeypatch.setenv("DECOUPLING_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("DECOUPLING_HTTP_RETRIES", "3")
    monkeypatch.setenv("DECOUPLING_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("DECOUPLING_HTTP_MAX_DELAY", "2")
    monkeypatch.setenv("DECOUPLING_FRED_RATE", "0")  # no spacing: the server is local


@pytest.fixture(scope="module")
def baseline(sources, tmp_path_factory):
    root = tmp_path_factory.mktemp("fault-baseline")
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, root, sources)
        http.reset_state()
        result = refresh(root)
    assert result["status"] == "refreshed"
    return root


@pytest.fixture
def world(baseline, sources, tmp_path, monkeypatch):
    """A copy of the baseline warehouse and readers' folder, and a server with one revision."""
    shutil.copytree(baseline, tmp_path, dirs_exist_ok=True, symlinks=True)
    _env(monkeypatch, tmp_path, sources)
    sources.reset()
    http.reset_state()
    revised = dict(series_values("OPHNFB"))
    revised[REVISED_DATE] = revised[REVISED_DATE] + 1.5
    sources.bodies["OPHNFB"] = fred_csv("OPHNFB", revised)
    yield tmp_path
    sources.reset()
    http.reset_state()


def _held(root: Path, date: str) -> list[float]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT value FROM raw.observations WHERE series_id = 'OPHNFB' AND date = ? "
            "ORDER BY load_seq",
            [date],
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


RECOVERABLE = [
    ("OPHNFB", "timeout"),
    ("OPHNFB", "reset"),
    ("OPHNFB", "429"),
    ("OPHNFB", "503"),
    ("OPHNFB", "truncated"),
    ("OPHNFB", "html"),
    ("bls", "503"),
    ("bls", "reset"),
    ("bls", "not_processed"),  # "the system is busy": another attempt helps
]


@pytest.mark.parametrize(("target", "fault"), RECOVERABLE)
def test_transient_fault_is_recovered(world: Path, sources: FakeSources, target, fault) -> None:
    sources.faults[target] = [fault]
    result = refresh(world)
    assert result["status"] == "refreshed"
    assert result["revised_rows"] == 1  # the revision behind the fault arrived
    assert len(sources.requests_for(target)) >= 2  # the fault was met and retried
    old = series_values("OPHNFB")[REVISED_DATE]
    assert _held(world, REVISED_DATE) == [old, old + 1.5]  # a new vintage row, old one kept
    assert exports.current_run(warehouse_settings(world)) == result["run_id"]


def warehouse_settings(root: Path):
    return pipeline.Options(warehouse=str(root / "warehouse.duckdb")).settings()


def test_retry_after_is_honored(world: Path, sources: FakeSources) -> None:
    sources.retry_after = "1"
    sources.faults["OPHNFB"] = ["429"]
    refresh(world)
    first, second = sources.requests_for("OPHNFB")[:2]
    assert second[0] - first[0] >= 0.9  # waited what the server asked, not the 0.01 s back-off


FATAL = [
    ("OPHNFB", "timeout", "fred: series OPHNFB", "timed out"),
    ("OPHNFB", "reset", "fred: series OPHNFB", "connection"),
    ("OPHNFB", "429", "fred: series OPHNFB", "HTTP 429"),
    ("OPHNFB", "503", "fred: series OPHNFB", "HTTP 503"),
    ("OPHNFB", "truncated", "fred: series OPHNFB", "truncated"),
    ("OPHNFB", "html", "fred: series OPHNFB", "HTML page"),
    ("bls", "not_processed", f"bls: series {BLS_SERIES}", "gave up after 3 attempts"),
    ("bls", "daily_limit", f"bls: series {BLS_SERIES}", "daily limit is reached"),
    ("bls", "503", f"bls: series {BLS_SERIES}", "HTTP 503"),
]


@pytest.mark.parametrize(("target", "fault", "names", "says"), FATAL)
def test_persistent_fault_fails_and_changes_nothing(
    world: Path, sources: FakeSources, target, fault, names, says
) -> None:
    published = world / "warehouse.duckdb"
    before = file_sha(published)
    readers_before = exports.current_run(warehouse_settings(world))
    reader_file = (world / "published" / "current" / "warehouse.duckdb").resolve()
    reader_before = file_sha(reader_file)
    sources.faults[target] = [f"always:{fault}"]
    with pytest.raises(SourceError) as failure:
        refresh(world)
    message = str(failure.value)
    assert message.startswith(names) and says in message
    assert "\n" not in message
    assert file_sha(published) == before
    assert exports.current_run(warehouse_settings(world)) == readers_before
    assert file_sha((world / "published" / "current" / "warehouse.duckdb").resolve()) == (
        reader_before
    )
    assert not list(world.glob("*.building*"))


def test_unknown_series_at_fred_is_a_gap_not_a_crash(world: Path, sources: FakeSources) -> None:
    # FRED answers 404 for a series it does not know: that series is unavailable, the rest load.
    sources.bodies.clear()
    catalog = world / "catalog.csv"
    catalog.write_text(catalog.read_text() + "NOSUCH1,fred,,x,x,M,SA,C1,x,,\n")
    result = refresh(world)
    assert "NOSUCH1" in result["unavailable"]
    assert "FRED does not know series NOSUCH1" in result["unavailable"]["NOSUCH1"]


def test_daily_limit_is_not_retried(world: Path, sources: FakeSources) -> None:
    sources.faults["bls"] = ["always:daily_limit"]
    with pytest.raises(SourceError, match="REQUEST_NOT_PROCESSED"):
        refresh(world)
    assert len(sources.requests_for("bls")) == 1  # retrying today cannot help
