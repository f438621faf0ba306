"""`decoupling claims --explain C3`: the rule, the inputs and the arithmetic, from the warehouse."""

from __future__ import annotations

import shutil

import pytest

from decoupling.claims.explain import explain
from decoupling.settings import ConfigError


def test_explain_prints_rule_inputs_and_arithmetic(refreshed, warehouse_ro, tmp_path):
    # A copy: DuckDB refuses a second connection with another configuration to a file this
    # process already holds open (warehouse_ro).
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(refreshed["settings"].warehouse, copy)
    text = explain("c3", str(copy))
    head = warehouse_ro.execute(
        "SELECT measured, ci_low, ci_high, verdict, rule FROM marts.claims "
        "WHERE metric_id = 'c3_trend_2008_latest'"
    ).fetchone()
    assert text.startswith("C3  ")
    assert head[4] in text  # the rule as the registry states it
    # The headline figure and both ends of its interval, each compared with the margin.
    for value in head[:3]:
        assert f"{value:.4g} against 0 + 1 = 1 (supported)" in text
    assert f"verdict: {head[3]}." in text
    n = warehouse_ro.execute(
        "SELECT count(*) FROM marts.claim_verdicts WHERE metric_id = 'c3_trend_2008_latest'"
    ).fetchone()[0]
    assert f"{n} specifications" in text


def _copy(refreshed, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(refreshed["settings"].warehouse, copy)
    return copy


def test_explain_unknown_claim_is_one_line_error(refreshed, tmp_path):
    with pytest.raises(ConfigError) as error:
        explain("C99", str(_copy(refreshed, tmp_path)))
    assert "C99" in str(error.value) and "\n" not in str(error.value)
