"""C4 Kalecki identity: exact closure on a hand-made consistent example, the remainder path, the
residual (input check) on the real snapshot in one vintage and mixed, and "not available"."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from decoupling import catalog, ingest, transform, warehouse
from decoupling.pipeline import load_into
from decoupling.settings import load_settings

FIXTURE = Path(__file__).parent / "fixtures" / "kalecki"
KALECKI = [
    "CPATAX",
    "W170RC1Q027SBEA",
    "GPDI",
    "COFC",
    "PSAVE",
    "TGDEF",
    "NETFI",
    "DIVIDEND",
    "A030RC1Q027SBEA",
    "GDP",
    "GDI",
]


def build_warehouse(
    root: Path, folders: list[Path], series: list[str]
) -> duckdb.DuckDBPyConnection:
    """Ingest `series` from the snapshot folders (first wins) and run every model (no assertions:
    the C1 scorecard assertion needs series these small builds leave out on purpose)."""
    settings = load_settings(
        [str(f) for f in folders],
        str(root / "warehouse.duckdb"),
        quiet=True,
        raw_dir=str(root / "raw"),
        output_dir=str(root / "out"),
    )
    entries = catalog.select(catalog.load_catalog(), series)
    fetched = ingest.fetch_all(entries, settings)
    con = warehouse.connect(settings.warehouse)
    warehouse.init_schema(con)
    parsed = ingest.parse_all(fetched.downloads, from_snapshot=True)
    load_into(con, settings, parsed, fetched, "test-run")
    transform.run_models(con)
    return con


def read(con, sql: str):
    return con.execute(sql).df()


def test_identity_closes_exactly_on_consistent_example(tmp_path):
    con = build_warehouse(tmp_path, [FIXTURE], KALECKI)
    table = read(con, "SELECT * FROM marts.kalecki ORDER BY date")
    assert len(table) == 4
    assert set(table["path"]) == {"full"}
    assert set(table["investment_series"]) == {"W170RC1Q027SBEA"}
    assert table["identity_residual"].abs().max() < 1e-9
    assert table["discrepancy_check"].abs().max() < 1e-9
    # Foreign saving is minus the current account, and the sum is what the identity uses.
    netfi = read(con, "SELECT date, value FROM staging.observations WHERE series_id = 'NETFI'")
    assert list(table["foreign_saving"]) == list(-netfi.sort_values("date")["value"])
    assert not table["mixed_vintage"].any()
    decades = read(con, "SELECT * FROM marts.kalecki_decades")
    assert list(decades["decade"]) == [2020] and list(decades["quarters"]) == [4]
    assert decades["profits_pct_gdp"].iloc[0] == pytest.approx(table["profits_pct_gdp"].mean())
    claims = read(con, "SELECT * FROM marts.claims WHERE claim_id = 'C4'")
    residual_row = claims[claims["metric_id"] == "c4_identity_residual"].iloc[0]
    assert residual_row["verdict"] == "supported"
    assert residual_row["measured"] < 1e-9


def test_identity_detects_a_wrong_term(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(FIXTURE, folder)
    dividends = folder / "DIVIDEND.csv"
    dividends.write_text(dividends.read_text().replace("120.0", "170.0"))
    con = build_warehouse(tmp_path, [folder], KALECKI)
    table = read(con, "SELECT date, identity_residual FROM marts.kalecki ORDER BY date")
    assert table["identity_residual"].iloc[0] == pytest.approx(-50.0)
    assert table["identity_residual"].iloc[1:].abs().max() < 1e-9


def test_remainder_path_when_government_and_foreign_saving_are_missing(tmp_path):
    held = [s for s in KALECKI if s not in ("TGDEF", "NETFI", "W170RC1Q027SBEA")]
    con = build_warehouse(tmp_path, [FIXTURE], held)
    table = read(con, "SELECT * FROM marts.kalecki ORDER BY date")
    assert set(table["path"]) == {"remainder"}
    assert table["identity_residual"].isna().all()
    # The remainder is government + foreign saving net of government investment.
    fixture = {
        s: [float(line.split(",")[1]) for line in (FIXTURE / f"{s}.csv").read_text().split()[1:]]
        for s in ("TGDEF", "NETFI", "W170RC1Q027SBEA", "GPDI")
    }
    expected = [
        tg - nf - (w - g)
        for tg, nf, w, g in zip(
            fixture["TGDEF"],
            fixture["NETFI"],
            fixture["W170RC1Q027SBEA"],
            fixture["GPDI"],
            strict=True,
        )
    ]
    assert list(table["government_foreign_saving"]) == pytest.approx(expected)
    avail = read(con, "SELECT * FROM marts.availability_c3_c5 WHERE analysis = 'kalecki_full'")
    assert not avail["available"].iloc[0]
    assert "TGDEF" in avail["reason"].iloc[0] and "NETFI" in avail["reason"].iloc[0]
    claims = read(con, "SELECT * FROM marts.claims WHERE claim_id = 'C4'")
    residual_row = claims[claims["metric_id"] == "c4_identity_residual"].iloc[0]
    # Closed with a remainder, the residual is zero by construction: it cannot test the claim.
    assert residual_row["verdict"] == "not testable"
    assert "remainder" in residual_row["detail"] and "TGDEF" in residual_row["detail"]


def test_sections_report_missing_analyses_and_build_the_rest(tmp_path):
    from decoupling.claims import c3_investment_rate as c3
    from decoupling.claims import c4_kalecki_profits as c4
    from decoupling.claims import c5_where_gains_went as c5

    held = [s for s in KALECKI if s not in ("TGDEF", "NETFI", "W170RC1Q027SBEA")]
    con = build_warehouse(tmp_path, [FIXTURE], held)
    kalecki = c4.section(con)
    assert kalecki.available and kalecki.context["path"] == "remainder"
    assert kalecki.charts and not kalecki.charts[0].data.empty
    investment = c3.section(con)  # PNFI and CPROFIT were not loaded
    assert not investment.available
    assert "PNFI" in investment.reason and "CPROFIT" in investment.reason
    shares = c5.section(con)
    assert not shares.available and "PRS85006173" in shares.reason


def test_snapshot_residual_near_zero_in_one_vintage(snapshot_dir, tmp_path):
    series = ["CPATAX", "GPDI", "COFC", "PSAVE", "DIVIDEND", "A030RC1Q027SBEA", "GDP", "GDI"]
    con = build_warehouse(tmp_path, [snapshot_dir / "nipa_2024-08", snapshot_dir], series)
    table = read(con, "SELECT * FROM marts.kalecki ORDER BY date")
    assert len(table) > 250
    # GDP, GDI and the discrepancy come from the one August-2024 release: rounding only.
    assert table["discrepancy_check"].abs().max() < 0.01
    release = read(
        con,
        "SELECT series_id, release FROM staging.series_release "
        "WHERE series_id IN ('GDP', 'GDI', 'A030RC1Q027SBEA')",
    )
    assert release["release"].nunique() == 1 and "nipa_2024-08" in release["release"].iloc[0]
    # GPDI and PSAVE are not in that release: the remainder still mixes vintages, and says so.
    assert table["mixed_vintage"].all()


def test_snapshot_residual_reported_on_mixed_default(warehouse_ro, refreshed, full_snapshot):
    table = warehouse_ro.execute("SELECT * FROM marts.kalecki ORDER BY date").df()
    worst = table["discrepancy_check_pct_gdp"].abs().max()
    assert worst > 0.5  # GDI of 2022 against GDP of 2025: not hidden
    assert table["mixed_vintage"].all()
    detail = warehouse_ro.execute(
        "SELECT detail FROM marts.claims WHERE metric_id = 'c4_identity_residual'"
    ).fetchall()[0][0]
    assert f"{worst:.2f}% of GDP" in detail and "different releases" in detail
    html = (refreshed["settings"].output_dir / "report.html").read_text()
    c4_part = html[html.index('id="c4"') : html.index('id="c5"')]
    assert "Path that ran: remainder" in c4_part
    assert "Vintages mixed" in c4_part
    assert f"{worst:.2f}% of GDP" in c4_part


def test_snapshot_marks_live_only_analyses_not_available(warehouse_ro, refreshed):
    avail = (
        warehouse_ro.execute("SELECT analysis, available, reason FROM marts.availability_c3_c5")
        .df()
        .set_index("analysis")
    )
    for analysis, series_id in (
        ("nfc_fa_gross", "BOGZ1FA105013005Q"),
        ("steady_state", "BOGZ1FA105013005Q"),
        ("kalecki_full", "TGDEF"),
    ):
        assert not avail.loc[analysis, "available"]
        assert f"{series_id}: not in the snapshot" in avail.loc[analysis, "reason"]
    for analysis in ("pnfi_cprofit", "gpdi_cprofit", "kalecki_remainder", "nfb_labor_share"):
        assert avail.loc[analysis, "available"]
    defs = {
        r[0]
        for r in warehouse_ro.execute(
            "SELECT DISTINCT definition FROM marts.investment_rate"
        ).fetchall()
    }
    assert "pnfi_cprofit" in defs and "nfc_fa_gross" not in defs
    html = (refreshed["settings"].output_dir / "report.html").read_text()
    c3_part = html[html.index('id="c3"') : html.index('id="c4"')]
    assert "<b>not available</b> (BOGZ1FA105013005Q: not in the snapshot" in c3_part
    assert "Not available: BOGZ1FA105013005Q: not in the snapshot" in c3_part  # steady state
    assert (refreshed["settings"].output_dir / "data" / "c3_investment_rate.csv").is_file()


def test_full_path_from_live_fred_on_a_local_server(tmp_path, monkeypatch):
    """The live-only series (TGDEF, NETFI, W170RC1Q027SBEA) through the keyless FRED client,
    served from the hand-made example by a real HTTP server on 127.0.0.1."""
    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response

    from decoupling.sources import http

    def serve(request: Request) -> Response:
        series_id = request.args.get("id", "")
        path = FIXTURE / f"{series_id}.csv"
        if not path.is_file():
            return Response("Bad Request", status=400)
        return Response(path.read_bytes(), content_type="text/csv")

    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/graph/fredgraph.csv").respond_with_handler(serve)
    server.start()
    http.reset_state()
    try:
        monkeypatch.setenv("FRED_BASE_URL", f"http://127.0.0.1:{server.port}")
        monkeypatch.setenv("DECOUPLING_FRED_RATE", "50")
        settings = load_settings(
            [],
            str(tmp_path / "warehouse.duckdb"),
            quiet=True,
            raw_dir=str(tmp_path / "raw"),
            output_dir=str(tmp_path / "out"),
        )
        entries = catalog.select(catalog.load_catalog(), KALECKI)
        fetched = ingest.fetch_all(entries, settings)
        assert not fetched.unavailable
        assert {d.source for d in fetched.downloads} == {"fred"}
        con = warehouse.connect(settings.warehouse)
        warehouse.init_schema(con)
        parsed = ingest.parse_all(fetched.downloads)
        load_into(con, settings, parsed, fetched, "live-run")
        transform.run_models(con)
    finally:
        server.clear()
        server.stop()
        http.reset_state()
    table = read(con, "SELECT * FROM marts.kalecki ORDER BY date")
    assert set(table["path"]) == {"full"} and len(table) == 4
    assert table["identity_residual"].abs().max() < 1e-9
    assert not table["mixed_vintage"].any()  # one live pull is one release
    avail = read(
        con, "SELECT available FROM marts.availability_c3_c5 WHERE analysis = 'kalecki_full'"
    )
    assert bool(avail["available"].iloc[0])
