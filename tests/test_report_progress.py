"""Progress lines: shown once (stderr outside Prefect, the run logger inside), silent with --quiet."""

from __future__ import annotations

import logging

from decoupling.pipeline import progress_printer


def test_progress_prints_once_and_quiet_prints_nothing(capsys):
    progress_printer(quiet=False)("series fetched 3/77: OPHNFB")
    captured = capsys.readouterr()
    assert captured.err.count("series fetched 3/77: OPHNFB") == 1
    assert captured.out == ""
    progress_printer(quiet=True)("series fetched 4/77: AHETPI")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_progress_inside_a_flow_goes_to_the_run_logger_only(capsys, caplog):
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness

    @flow(name="progress-probe")
    def probe() -> None:
        progress_printer(quiet=False)("SQL model 2/6: staging.annual")

    with prefect_test_harness(), caplog.at_level(logging.INFO):
        probe()
    records = [r for r in caplog.records if r.getMessage() == "SQL model 2/6: staging.annual"]
    assert len(records) == 1 and records[0].name.startswith("prefect.flow_runs")
    assert "SQL model 2/6" not in capsys.readouterr().err  # not printed a second time


def test_report_reports_sections_and_charts(refreshed, tmp_path):
    from decoupling.report.build import build_report
    from decoupling.settings import load_settings

    settings = load_settings(
        warehouse=str(refreshed["settings"].warehouse), output_dir=str(tmp_path / "out")
    )
    messages: list[str] = []
    build_report(settings, messages.append)
    charts = sorted(p.stem for p in (tmp_path / "out" / "charts").glob("*.svg"))
    assert charts
    assert any(m.startswith("report section 1/") for m in messages)
    drawn = [m for m in messages if m.startswith("chart drawn ")]
    assert [m.split(" ")[2] for m in drawn] == [
        f"{i}/{len(charts)}:" for i in range(1, len(charts) + 1)
    ]
    assert sorted(m.split(": ", 1)[1] for m in drawn) == charts
    assert messages[-1].startswith("report written:") and "pages)" in messages[-1]
