"""Shared fixtures: the real snapshot in ../shared, and one warehouse refreshed from it per session."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# DECOUPLING_TEST_SHARED points elsewhere (e.g. a missing folder, to try a fresh clone).
SNAPSHOT = (
    Path(os.environ.get("DECOUPLING_TEST_SHARED") or REPO.parent / "shared") / "fred-snapshot"
)
BUNDLE = REPO / "bundle"

# Prefect logs "Stopping temporary server" at interpreter exit, after pytest has closed its
# captured streams; without this, logging prints a traceback for it below the summary line.
logging.raiseExceptions = False

# Keep Prefect's state and the suite's environment out of the user's home and shell.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
for _var in ("FRED_API_KEY", "BLS_API_KEY", "DECOUPLING_SNAPSHOT", "FRED_BASE_URL", "BLS_BASE_URL"):
    os.environ.pop(_var, None)
for _var in ("BEA_API_KEY", "BEA_BASE_URL", "FRED_MD_BASE_URL"):
    os.environ.pop(_var, None)


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    if not (SNAPSHOT / "OPHNFB.csv").is_file():
        pytest.skip(f"the shared snapshot is not at {SNAPSHOT} (tests that read real data need it)")
    return SNAPSHOT


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real snapshot when ../shared is there, else the committed replication bundle: the core
    path (refresh, transform, report) runs from a fresh clone without ../shared."""
    if (SNAPSHOT / "OPHNFB.csv").is_file():
        return SNAPSHOT
    if (BUNDLE / "manifest.json").is_file():
        return BUNDLE
    pytest.skip(f"neither the shared snapshot ({SNAPSHOT}) nor the bundle ({BUNDLE}) is there")


@pytest.fixture()
def full_snapshot(data_dir) -> None:
    """For figures that the README or a test states for the shared snapshot: the bundle holds the
    report's inputs, not every series behind them (e.g. each multiverse variant, every vintage)."""
    if data_dir != SNAPSHOT:
        pytest.skip(
            f"states figures of the full snapshot ({SNAPSHOT} is absent; ran from the bundle)"
        )


@pytest.fixture(scope="session", autouse=True)
def html_reports_by_default():
    """Refreshes in tests write the HTML report only: the PDF is half a refresh's time and has
    its own tests (the session warehouse's report, one end-to-end run under Prefect, and the tests
    that set DECOUPLING_REPORT_PDF=1 themselves)."""
    previous = os.environ.get("DECOUPLING_REPORT_PDF")
    os.environ["DECOUPLING_REPORT_PDF"] = "0"
    yield
    if previous is None:
        os.environ.pop("DECOUPLING_REPORT_PDF", None)
    else:
        os.environ["DECOUPLING_REPORT_PDF"] = previous


@pytest.fixture()
def with_pdf(monkeypatch):
    """This test's refreshes and reports write report.pdf too."""
    monkeypatch.setenv("DECOUPLING_REPORT_PDF", "1")


@pytest.fixture(scope="session", autouse=True)
def prefect_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    return home


@pytest.fixture()
def patient_engine():
    """The shared test machine can be slow to start Prefect's local server: allow 2 minutes."""
    from prefect.settings import (
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    with temporary_settings(updates={PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: 120}):
        yield


@pytest.fixture
def quiet_prefect():
    """Prefect's console logs at CRITICAL, as cli.main asks with PREFECT_LOGGING_LEVEL. The
    variable acts only where Prefect sets up its logging after it is set, so in a test process
    it depends on which test imported Prefect first."""
    import prefect.main  # noqa: F401 (sets up Prefect's logging now, not over this level later)

    logger = logging.getLogger("prefect")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(before)


@pytest.fixture(scope="session")
def refreshed(data_dir, tmp_path_factory):
    """A warehouse and report built once from the real snapshot, or from the bundle without it
    (plain functions, no engine).

    Read-only for tests: copy the warehouse before changing anything.
    """
    from decoupling.pipeline import Options, run_refresh

    root = tmp_path_factory.mktemp("refreshed")
    os.environ["DECOUPLING_REPORT_PDF"] = "1"  # the PDF tests read this report's PDF
    options = Options(
        snapshots=[str(data_dir)],
        warehouse=str(root / "warehouse.duckdb"),
        output_dir=str(root / "output"),
        raw_dir=str(root / "raw"),
        quiet=True,
    )
    try:
        result = run_refresh(options)
    finally:
        os.environ["DECOUPLING_REPORT_PDF"] = "0"
    return {"options": options, "settings": options.settings(), "result": result, "root": root}


@pytest.fixture()
def warehouse_ro(refreshed):
    """A read-only connection to the session warehouse."""
    import duckdb

    con = duckdb.connect(str(refreshed["settings"].warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def warehouse_copy(refreshed, tmp_path) -> Path:
    """A private copy of the session warehouse, for a test that changes it (or might)."""
    import shutil

    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(refreshed["settings"].warehouse, copy)
    return copy


# The FRED and BLS client tests share one local HTTP server per module and start each test with
# fresh rate-limiter, budget and unreachable-host state.
@pytest.fixture(scope="module")
def _server():
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(_server):
    yield _server
    _server.clear()


@pytest.fixture(autouse=True)
def _fresh_http_state():
    from decoupling.sources import http

    http.reset_state()
    yield
    http.reset_state()
