"""`serve --vintages-cron`: what is registered, and the one-line refusals (exit 2) before anything
is registered. The served runs themselves are in test_team_postgres.py."""

from __future__ import annotations

import pytest

from decoupling import cli
from flows import deployments


def test_serve_registers_the_vintages_flow_beside_the_refresh(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FRED_API_KEY", "fredfakekey0123456789abcdef0123")
    warehouse = str(tmp_path / "warehouse.duckdb")
    args = cli._parser().parse_args(
        ["serve", "--vintages-cron", "0 5 2 1,7 *", "--warehouse", warehouse, "--name", "team"]
    )
    refresh, vintages = deployments.served_deployments(args)
    assert (refresh.flow_name, refresh.name) == ("refresh", "team")
    assert (vintages.flow_name, vintages.name) == ("vintages", "team-vintages")
    assert [s.schedule.cron for s in refresh.schedules] == [deployments.DEFAULT_CRON]
    assert [s.schedule.cron for s in vintages.schedules] == ["0 5 2 1,7 *"]
    # No dates: each scheduled run computes them on its own day; the key is no parameter.
    assert vintages.parameters == {"warehouse_path": warehouse, "wait": True, "quiet": True}
    assert "fredfakekey" not in repr(vintages.parameters) + repr(refresh.parameters)


def test_without_vintages_cron_only_the_refresh_is_served() -> None:
    (only,) = deployments.served_deployments(cli._parser().parse_args(["serve"]))
    assert only.flow_name == "refresh"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--vintages-cron", "0 5 2 1,7 *"], "ALFRED vintages need FRED_API_KEY"),
        (["serve", "--vintages-cron", "61 * * * *"], "invalid cron expression '61 * * * *'"),
    ],
)
def test_serve_refuses_before_registering(argv, message, capsys, monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)  # it would fail later, on the server
    assert cli.main(argv) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
