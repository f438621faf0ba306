"""Progress goes through `logging`: one handler for the CLI (plain lines or Rich bars), Prefect's
run log inside a flow, item lines only with --verbose, nothing passed down as a callable."""

from __future__ import annotations

import inspect
import io
import logging

import pytest

from decoupling import logs
from decoupling.logs import step

ITEM = "series fetched 3/77: OPHNFB"
STAGE = "fetched 77 series (77 unchanged) in 0.4 s"


@pytest.fixture()
def cli_handler():
    # An in-process flow earlier in the session may have left Prefect's API handler on our
    # logger (PREFECT_LOGGING_EXTRA_LOGGERS): these tests count handlers, so start from none.
    logger = logging.getLogger("decoupling")
    inherited = list(logger.handlers)
    for handler in inherited:
        logger.removeHandler(handler)
    installed = []

    def install(**kwargs):
        stream = kwargs.pop("stream", None) or io.StringIO()
        installed.append(logs.install(stream=stream, **kwargs))
        return stream

    yield install
    for handler in installed:
        logs.uninstall(handler)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    for handler in inherited:
        logger.addHandler(handler)


def _emit(name: str = "decoupling.ingest") -> None:
    log = logging.getLogger(name)
    log.debug(ITEM, extra=step("fetch", 3, 77))
    log.info(STAGE)
    log.warning("chart rule: c1_gap: no data")


def test_plain_lines_stage_lines_only_by_default(cli_handler):
    stream = cli_handler()
    _emit()
    assert stream.getvalue().splitlines() == [STAGE, "warning: chart rule: c1_gap: no data"]


def test_verbose_adds_the_item_lines_and_quiet_keeps_only_warnings(cli_handler):
    stream = cli_handler(verbose=True)
    _emit()
    assert stream.getvalue().splitlines()[0] == ITEM
    quiet = cli_handler(quiet=True)  # replaces the verbose handler: lines are not doubled
    _emit("decoupling.transform")
    assert quiet.getvalue().splitlines() == ["warning: chart rule: c1_gap: no data"]
    assert stream.getvalue().count(ITEM) == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_per_stage_and_the_stage_line(cli_handler):
    stream = cli_handler(stream=_Terminal())
    handler = next(
        h for h in logging.getLogger("decoupling").handlers if getattr(h, "_decoupling_cli", False)
    )
    assert isinstance(handler, logs.RichHandler)
    log = logging.getLogger("decoupling.transform")
    log.debug("SQL model 1/2: staging.a", extra=step("transform", 1, 2))
    assert [t.completed for t in handler.progress.tasks] == [1]  # the bar moved
    log.info("built 2 models, 1 assertions passed in 0.1 s")
    assert not handler.progress.tasks  # the stage line closes its bar
    text = stream.getvalue()
    assert "built 2 models" in text and "SQL model 1/2" not in text


def test_no_module_takes_a_progress_callable():
    from decoupling import ingest, pipeline, transform, vintages
    from decoupling.report import build
    from decoupling.warehouse import readers

    functions = [
        ingest.fetch_all,
        ingest.load,
        pipeline.fetch_for,
        pipeline.refresh_locked,
        pipeline.load_into,
        transform.run,
        transform.run_models,
        build.build_report,
        build.gather,
        readers.publish,
        vintages.fetch_vintages,
        vintages.load_vintages,
    ]
    for function in functions:
        assert "progress" not in inspect.signature(function).parameters, function.__qualname__


def test_lines_inside_a_flow_reach_the_run_log_once(cli_handler, monkeypatch):
    """PREFECT_LOGGING_EXTRA_LOGGERS=decoupling (set by the CLI) gives our logger Prefect's API
    handler: the run's log gets the line, and our handler prints it once."""
    from prefect import flow
    from prefect.logging.handlers import APILogHandler
    from prefect.testing.utilities import prefect_test_harness

    sent: list[str] = []
    monkeypatch.setattr(
        APILogHandler, "emit", lambda self, record: sent.append(record.getMessage())
    )
    logger = logging.getLogger("decoupling")
    api = APILogHandler()
    logger.addHandler(api)  # what Prefect's setup does for an extra logger
    try:
        stream = cli_handler()

        @flow(name="progress-probe")
        def probe() -> None:
            logging.getLogger("decoupling.transform").info("built 6 models in 0.1 s")

        with prefect_test_harness(server_startup_timeout=180):  # a busy shared machine
            probe()
    finally:
        logger.removeHandler(api)
    assert sent.count("built 6 models in 0.1 s") == 1
    assert stream.getvalue().count("built 6 models in 0.1 s") == 1


def test_report_reports_sections_and_charts(refreshed, tmp_path, caplog, with_pdf):
    from decoupling.report.build import build_report
    from decoupling.settings import load_settings

    settings = load_settings(
        warehouse=str(refreshed["settings"].warehouse), output_dir=str(tmp_path / "out")
    )
    with caplog.at_level(logging.DEBUG, logger="decoupling"):
        build_report(settings)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("decoupling")]
    charts = sorted(p.stem for p in (tmp_path / "out" / "charts").glob("*.svg"))
    assert charts
    assert any(m.startswith("report section 1/") for m in messages)
    drawn = [m for m in messages if m.startswith("chart drawn ")]
    assert [m.split(" ")[2] for m in drawn] == [
        f"{i}/{len(charts)}:" for i in range(1, len(charts) + 1)
    ]
    assert sorted(m.split(": ", 1)[1] for m in drawn) == charts
    pages = int(messages[-1].split("(")[1].split()[0])
    assert (
        messages[-1] == f"report: {tmp_path / 'out' / 'report.html'} ({pages} pages PDF beside it)"
    )
    assert pages > 1
