"""Verdict history and alerts on hand-made scorecards (no Prefect server): what is recorded, what
counts as a change (a verdict that changed, a figure past its margin), the WARNING lines, the
webhook's body, and that a webhook's secret never reaches a log line."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pytest

from decoupling import history
from decoupling.settings import load_settings
from decoupling.warehouse import init_schema

T0 = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
SECRET = "T000/B000/s3cr3tw3bh00kt0k3n"


def _scorecard(con, rows: list[tuple], with_margin: bool = False) -> None:
    """marts.claims as the scorecard model builds it (with the registry's margin if asked)."""
    columns = "claim_id VARCHAR, metric VARCHAR, measured DOUBLE, unit VARCHAR, verdict VARCHAR"
    if with_margin:
        columns += ", metric_id VARCHAR, margin DOUBLE"
    con.execute(f"CREATE OR REPLACE TABLE marts.claims ({columns})")
    for row in rows:
        con.execute(f"INSERT INTO marts.claims VALUES ({', '.join('?' * len(row))})", list(row))


@pytest.fixture
def con(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    for schema in ("raw", "meta", "staging", "marts"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    init_schema(con)
    con.execute("CREATE TABLE meta.series (id VARCHAR, analyses VARCHAR)")
    con.execute("INSERT INTO meta.series VALUES ('PRS85006173', 'C1;C5'), ('TV', 'C2')")
    received = {"PRS85006173": T0, "TV": T0 - timedelta(days=30)}
    for series_id, at in received.items():
        con.execute(
            "INSERT INTO meta.downloads (sha256, series_key, series_id, source, url, fmt, "
            "accessed_at, rows, run_id) VALUES ('x', ?, ?, 'snapshot', 'file:x', 'csv', ?, 1, 'r0')",
            [series_id, series_id, at],
        )
    yield con
    con.close()


FIRST = [
    ("C2", "TV price change", -97.3, "percent", "supported"),
    ("C2", "barber pay change", 108.0, "percent", "not supported"),
    ("C5", "labor share change", -14.8, "percent", "supported"),
]


def test_history_appends_each_run_with_its_vintage(con) -> None:
    _scorecard(con, FIRST)
    assert history.record(con, "r1", T0) == 3
    assert history.record(con, "r2", T0 + timedelta(hours=1)) == 3
    rows = con.execute(
        "SELECT run_id, claim_id, metric, measured, verdict, data_vintage "
        "FROM meta.verdict_history ORDER BY run_id, claim_id, metric"
    ).fetchall()
    assert [r[0] for r in rows] == ["r1"] * 3 + ["r2"] * 3
    vintages = {r[1]: r[5] for r in rows}
    assert vintages["C5"] == T0  # PRS85006173 is a C5 series
    assert vintages["C2"] == T0 - timedelta(days=30)
    # The same scorecard twice: nothing changed.
    assert history.verdict_changes(con, "r2") == []
    assert history.verdict_changes(con, "r1") == []  # the first run has nothing to compare


def test_a_flipped_verdict_and_a_move_past_the_default_margin_are_changes(con) -> None:
    _scorecard(con, FIRST)
    history.record(con, "r1", T0)
    second = [
        ("C2", "TV price change", -97.3 * 1.04, "percent", "supported"),  # 4%: within 5%
        ("C2", "barber pay change", 108.0 * 1.06, "percent", "not supported"),  # 6%: past it
        ("C5", "labor share change", 3.5, "percent", "not supported"),
    ]
    _scorecard(con, second)
    history.record(con, "r2", T0 + timedelta(days=1))
    changes = {(c["claim_id"], c["metric"]): c for c in history.verdict_changes(con)}
    assert set(changes) == {("C2", "barber pay change"), ("C5", "labor share change")}
    flip = changes[("C5", "labor share change")]
    assert (flip["what"], flip["verdict_before"], flip["verdict_after"]) == (
        "verdict",
        "supported",
        "not supported",
    )
    assert (flip["measured_before"], flip["measured_after"]) == (-14.8, 3.5)
    assert "C5" in flip["line"] and "-14.80" in flip["line"] and "3.50" in flip["line"]
    moved = changes[("C2", "barber pay change")]
    assert moved["what"] == "moved"
    assert moved["margin"] == pytest.approx(history.DEFAULT_RELATIVE_MARGIN * 108.0)


def test_the_registry_margin_wins_over_the_default(con) -> None:
    _scorecard(con, [("C5", "labor share change", -14.8, "percent", "supported", "m1", 0.5)], True)
    history.record(con, "r1", T0)
    # 0.6 is 4% of the old value (inside the default) but past the registry's 0.5.
    _scorecard(con, [("C5", "labor share change", -14.2, "percent", "supported", "m1", 0.5)], True)
    history.record(con, "r2", T0 + timedelta(days=1))
    (change,) = history.verdict_changes(con)
    assert change["what"] == "moved" and change["margin"] == 0.5
    # A relabelled metric is still the same metric: rows pair on the registry's metric id.
    _scorecard(
        con, [("C5", "labor share, renamed", -14.3, "percent", "supported", "m1", 0.5)], True
    )
    history.record(con, "r3", T0 + timedelta(days=2))
    assert history.verdict_changes(con, "r3") == []


def test_a_one_sided_rule_alerts_past_its_partly_band_not_on_rounding(con) -> None:
    """A one-sided rule's supported margin is 0: a move of 1e-12 is no alert; the partly band
    (5 here) is the margin, and a move past it is."""
    con.execute("CREATE OR REPLACE TABLE marts.claims (claim_id VARCHAR, metric VARCHAR, "
                "measured DOUBLE, unit VARCHAR, verdict VARCHAR, metric_id VARCHAR, "
                "margin DOUBLE, partly_margin DOUBLE)")  # fmt: skip

    def run(run_id: str, measured: float, day: int) -> list[dict]:
        con.execute("DELETE FROM marts.claims")
        con.execute(
            "INSERT INTO marts.claims VALUES ('C6', 'service share change', ?, 'pp', "
            "'supported', 'c6', 0.0, 5.0)",
            [measured],
        )
        history.record(con, run_id, T0 + timedelta(days=day))
        return history.verdict_changes(con, run_id)

    run("r1", 14.09, 0)
    assert run("r2", 14.09 + 1e-12, 1) == []
    (change,) = run("r3", 20.0, 2)
    assert change["what"] == "moved" and change["margin"] == 5.0


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def hook():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _flipped_warehouse(con, tmp_path: Path) -> None:
    _scorecard(con, FIRST)
    history.record(con, "r1", T0)
    _scorecard(con, [*FIRST[:2], ("C5", "labor share change", 3.5, "percent", "not supported")])
    history.record(con, "r2", T0 + timedelta(days=1))
    con.execute("CHECKPOINT")


def test_announce_warns_and_posts_the_markdown(
    con, tmp_path: Path, hook: HTTPServer, caplog, monkeypatch
) -> None:
    _flipped_warehouse(con, tmp_path)
    con.close()
    url = f"http://127.0.0.1:{hook.server_port}/hooks/{SECRET}?token={SECRET}"
    monkeypatch.setenv(history.WEBHOOK_ENV, url)
    settings = load_settings(warehouse=str(tmp_path / "warehouse.duckdb"))
    with caplog.at_level(logging.WARNING, logger="decoupling"):
        result = history.announce(settings, "r2")
    assert result == {"changes": 1, "scorecard_rows": 3, "webhook_posted": True}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "C5" in warnings[0] and "supported -> not supported" in warnings[0]
    assert "-14.80" in warnings[0] and "3.50" in warnings[0]
    ((path, body),) = _Hook.received
    assert path == f"/hooks/{SECRET}?token={SECRET}"
    assert "r2" in body["text"] and "C5 verdict changed" in body["text"]


def test_a_failing_webhook_is_a_warning_without_its_secret(
    con, tmp_path: Path, caplog, monkeypatch
) -> None:
    _flipped_warehouse(con, tmp_path)
    con.close()
    # A port nothing listens on (port 9, discard, is closed on the test machines).
    monkeypatch.setenv(history.WEBHOOK_ENV, f"http://127.0.0.1:9/hooks/{SECRET}")
    settings = load_settings(warehouse=str(tmp_path / "warehouse.duckdb"))
    with caplog.at_level(logging.WARNING, logger="decoupling"):
        result = history.announce(settings, "r2")
    assert result["webhook_posted"] is False
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "alert webhook http://127.0.0.1:9 failed" in text
    assert SECRET not in text


def test_no_change_posts_nothing(con, tmp_path: Path, hook: HTTPServer, monkeypatch) -> None:
    _scorecard(con, FIRST)
    history.record(con, "r1", T0)
    history.record(con, "r2", T0 + timedelta(days=1))
    con.execute("CHECKPOINT")
    con.close()
    monkeypatch.setenv(history.WEBHOOK_ENV, f"http://127.0.0.1:{hook.server_port}/x")
    settings = load_settings(warehouse=str(tmp_path / "warehouse.duckdb"))
    assert history.announce(settings, "r2")["webhook_posted"] is False
    assert _Hook.received == []
    assert "no verdict changed" in history.markdown([], "r2")
