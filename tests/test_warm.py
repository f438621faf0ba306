"""Background imports during the engine's start-up: they load modules and never raise."""

from __future__ import annotations

import sys

from decoupling import engine as warm


def test_start_imports_in_the_background_and_ignores_failures():
    sys.modules.pop("colorsys", None)
    thread = warm.start(("no_such_module_for_decoupling", "colorsys"))
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "colorsys" in sys.modules  # the failure before it did not stop the rest


def test_report_likely_only_when_the_report_will_be_drawn(tmp_path):
    from decoupling.settings import Settings

    settings = Settings(
        warehouse=tmp_path / "w.duckdb", raw_dir=tmp_path / "raw", output_dir=tmp_path / "out"
    )
    assert warm.report_likely("refresh", settings)  # nothing built yet
    assert warm.report_likely("report", settings)
    assert not warm.report_likely("ingest", settings)
    settings.warehouse.write_bytes(b"")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.html").write_bytes(b"")
    assert not warm.report_likely("refresh", settings)  # may well be unchanged
    assert warm.report_likely("refresh", settings, force=True)
