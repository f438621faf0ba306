"""The verdict model (sql/marts/claim_verdicts.sql, sql/marts/claims.sql) on hand-made inputs: every
verdict category each rule kind can give is reached, share_agreeing and moves_most follow the
specifications, and the registry's validation names the file on bad input."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from decoupling.claims import registry
from decoupling.settings import SQL_DIR, ConfigError

VERDICTS_SQL = (SQL_DIR / "marts" / "claim_verdicts.sql").read_text()
CLAIMS_SQL = (SQL_DIR / "marts" / "claims.sql").read_text()

# (metric_id, rule, claimed, threshold, supported margin, partly margin)
METRICS = [
    ("m_within", "within", 90.0, None, 5.0, 15.0),
    ("m_least", "at_least", None, 50.0, 0.0, 25.0),
    ("m_most", "at_most", -50.0, None, 0.0, 25.0),
    ("m_equiv", "equivalence_below", None, 0.0, 1.0, 2.0),
]


def run_verdicts(values: list[tuple], metrics: list[tuple] = METRICS) -> duckdb.DuckDBPyConnection:
    """values: (metric_id, specification, choice, headline, measured, ci_low, ci_high, available)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.claim_registry AS SELECT 'CX' AS claim_id, 'cx' AS claim_name, "
        "'Title' AS title, 'A claim.' AS claim, 'yes' AS bottom_line_supported, "
        "'partly' AS bottom_line_partly_supported, 'no' AS bottom_line_not_supported, "
        "'unclear' AS bottom_line_inconclusive, 'missing' AS bottom_line_not_available"
    )
    con.execute(
        "CREATE TABLE marts.claim_metrics (claim_id VARCHAR, metric_id VARCHAR, position INTEGER, "
        "label VARCHAR, definition VARCHAR, unit VARCHAR, claimed DOUBLE, threshold DOUBLE, "
        "rule VARCHAR, supported_margin DOUBLE, partly_margin DOUBLE, one_sided BOOLEAN, "
        "rule_phrase VARCHAR, rule_text VARCHAR, why VARCHAR, specifications VARCHAR, sources VARCHAR)"
    )
    for position, (metric_id, rule, claimed, threshold, s, p) in enumerate(metrics, start=1):
        con.execute(
            "INSERT INTO marts.claim_metrics VALUES ('CX', ?, ?, ?, 'def', 'unit', ?, ?, ?, ?, ?, "
            "true, 'phrase', 'rule text', 'why', 'specs', NULL)",
            [metric_id, position, metric_id, claimed, threshold, rule, s, p],
        )
    con.execute(
        "CREATE TABLE marts.claim_values (claim_id VARCHAR, metric_id VARCHAR, specification VARCHAR, "
        "choice VARCHAR, headline BOOLEAN, measured DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "period VARCHAR, detail VARCHAR, available BOOLEAN, reason VARCHAR)"
    )
    for metric_id, spec, choice, headline, measured, low, high, available in values:
        con.execute(
            "INSERT INTO marts.claim_values VALUES ('CX', ?, ?, ?, ?, ?, ?, ?, '2000-2020', "
            "'detail', ?, CASE WHEN ? THEN NULL ELSE 'series X not held' END)",
            [metric_id, spec, choice, headline, measured, low, high, available, available],
        )
    con.execute(VERDICTS_SQL)
    con.execute(CLAIMS_SQL)
    return con


def verdict_of(metric_id: str, measured, low=None, high=None, available=True) -> str:
    con = run_verdicts([(metric_id, "h", "headline", True, measured, low, high, available)])
    return con.execute(
        "SELECT verdict FROM marts.claims WHERE metric_id = ?", [metric_id]
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("metric_id", "measured", "low", "high", "expected"),
    [
        # within 90, +-5 / +-15 (two-sided)
        ("m_within", 93.0, None, None, "supported"),
        ("m_within", 80.0, None, None, "partly supported"),
        ("m_within", 106.0, None, None, "not supported"),
        ("m_within", 92.0, 86.0, 98.0, "inconclusive"),
        ("m_within", 91.0, 88.0, 94.0, "supported"),
        # at_least 50, supported >= 50, partly >= 25
        ("m_least", 60.0, None, None, "supported"),
        ("m_least", 30.0, None, None, "partly supported"),
        ("m_least", 11.0, None, None, "not supported"),
        ("m_least", 55.0, 40.0, 70.0, "inconclusive"),
        # at_most -50, supported <= -50, partly <= -25
        ("m_most", -98.0, None, None, "supported"),
        ("m_most", -30.0, None, None, "partly supported"),
        ("m_most", 10.0, None, None, "not supported"),
        # equivalence below 0 + 1 (partly + 2): the whole interval decides
        ("m_equiv", -4.0, -5.8, -2.7, "supported"),
        ("m_equiv", 0.5, 0.1, 1.5, "inconclusive"),
        ("m_equiv", 1.5, 1.2, 1.8, "partly supported"),
        ("m_equiv", 6.0, 4.0, 8.0, "not supported"),
        ("m_equiv", 0.4, -2.4, 3.3, "inconclusive"),
    ],
)
def test_every_verdict_is_reachable(metric_id, measured, low, high, expected):
    assert verdict_of(metric_id, measured, low, high) == expected


def test_not_available_keeps_its_reason():
    con = run_verdicts([("m_within", "h", "headline", True, None, None, None, False)])
    verdict, detail = con.execute(
        "SELECT verdict, detail FROM marts.claims WHERE metric_id = 'm_within'"
    ).fetchone()
    assert verdict == "not available"
    assert "series X not held" in detail


def test_not_testable_without_a_figure_or_a_required_interval():
    assert verdict_of("m_equiv", 0.3) == "not testable"  # equivalence needs the interval
    assert verdict_of("m_within", None) == "not testable"  # available, but nothing measured


def test_metric_without_values_is_listed_as_not_available():
    con = run_verdicts([("m_within", "h", "headline", True, 91.0, None, None, True)])
    rows = dict(con.execute("SELECT metric_id, verdict FROM marts.claims").fetchall())
    assert rows["m_within"] == "supported"
    assert rows["m_least"] == "not available"


def test_share_agreeing_and_moves_most_follow_the_specifications():
    values = [
        ("m_within", "EPI", "headline", True, 91.0, None, None, True),
        ("m_within", "CPI-U", "deflator", False, 93.0, None, None, True),  # agrees
        ("m_within", "PCE", "deflator", False, 110.0, None, None, True),  # not supported
        ("m_within", "NFB", "productivity", False, 97.0, None, None, True),  # partly
        ("m_within", "NFB2", "productivity", False, 120.0, None, None, True),  # not supported
        ("m_within", "metro", "area", False, None, None, None, False),  # not judged
    ]
    con = run_verdicts(values)
    share, moves, n = con.execute(
        "SELECT share_agreeing, moves_most, n_specifications FROM marts.claims "
        "WHERE metric_id = 'm_within'"
    ).fetchone()
    assert share == pytest.approx(2 / 5)  # EPI and CPI-U of the five judged
    assert n == 6
    assert moves.startswith("productivity (changes the verdict in 2 of 2")


def test_claim_verdict_and_bottom_line():
    values = [
        ("m_within", "h", "headline", True, 91.0, None, None, True),
        ("m_least", "h", "headline", True, 10.0, None, None, True),
    ]
    con = run_verdicts(values, METRICS[:2])
    rows = con.execute("SELECT DISTINCT claim_verdict, bottom_line FROM marts.claims").fetchall()
    assert rows == [("partly supported", "partly")]


def write_claim(folder: Path, text: str) -> Path:
    path = folder / "claims" / "cx_test" / "claim.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


GOOD = """
id = "CX"
title = "T"
claim = "C"
[bottom_line]
supported = "a"
partly_supported = "b"
not_supported = "c"
inconclusive = "d"
not_available = "e"
[[metrics]]
metric_id = "cx_one"
label = "l"
definition = "d"
unit = "percent"
claimed = 1.0
rule = "within"
supported = 1.0
partly = 2.0
one_sided = false
rule_phrase = "p"
rule_text = "t"
why = "w"
specifications = "s"
"""


def test_registry_reads_a_good_file(tmp_path):
    write_claim(tmp_path, GOOD)
    claims, metrics = registry.load_registry(tmp_path)
    assert claims[0]["claim_id"] == "CX" and claims[0]["claim_name"] == "cx_test"
    assert metrics[0]["rule"] == "within" and metrics[0]["partly_margin"] == 2.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('rule = "within"', 'rule = "roughly"'), "unknown rule kind 'roughly'"),
        (('why = "w"\n', ""), "missing field(s) why"),
        (("partly = 2.0", "partly = 0.5"), "partly margin 0.5 is below supported 1.0"),
        (('not_available = "e"\n', ""), "no sentence for not_available"),
    ],
)
def test_registry_rejects_bad_files_naming_them(tmp_path, change, message):
    path = write_claim(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as error:
        registry.load_registry(tmp_path)
    assert str(path) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)


def test_registry_rejects_a_duplicate_metric_id(tmp_path):
    write_claim(tmp_path, GOOD)
    other = tmp_path / "claims" / "cy_test" / "claim.toml"
    other.parent.mkdir(parents=True)
    other.write_text(GOOD.replace('id = "CX"', 'id = "CY"'))
    with pytest.raises(ConfigError, match="duplicate metric_id cx_one"):
        registry.load_registry(tmp_path)


def test_the_project_registry_loads_every_claim():
    claims, metrics = registry.load_registry()
    assert {c["claim_id"] for c in claims} >= {"C1", "C2", "C3", "C4", "C5"}
    assert all(m["rule_text"] and m["why"] for m in metrics)


def test_committed_methods_file_is_current():
    committed = registry.METHODS_PATH.read_text(encoding="utf-8")
    assert committed == registry.render_methods(), (
        "docs/methods.md is stale: run python -m decoupling.claims.registry"
    )


def _registry_rows() -> list[dict]:
    return registry.load_registry()[1]


def _value_for(metric: dict, verdict: str) -> float:
    """A figure that the metric's own rule should judge `verdict` (worked out here, not in SQL)."""
    ref = metric["claimed"] if metric["claimed"] is not None else (metric["threshold"] or 0.0)
    s, p = metric["supported_margin"], metric["partly_margin"]
    # Distance from ref, in the direction that weakens the claim.
    distance = {"supported": s / 2, "partly supported": (s + p) / 2, "not supported": p + 1}[
        verdict
    ]
    return (
        ref + distance
        if metric["rule"] in ("within", "at_most", "equivalence_below")
        else (ref - distance)
    )


@pytest.mark.parametrize("metric", _registry_rows(), ids=lambda m: m["metric_id"])
def test_every_category_each_registered_metric_can_reach(metric):
    """Run the project's own rules on hand-made figures: every verdict its margins allow."""
    rows = [
        (
            metric["metric_id"],
            metric["rule"],
            metric["claimed"],
            metric["threshold"],
            metric["supported_margin"],
            metric["partly_margin"],
        )
    ]
    reachable = ["supported", "not supported"]
    if metric["partly_margin"] > metric["supported_margin"]:
        reachable.append("partly supported")
    interval = metric["rule"] == "equivalence_below"
    for expected in reachable:
        x = _value_for(metric, expected)
        low, high = (x - 1e-6, x + 1e-6) if interval else (None, None)
        con = run_verdicts([(metric["metric_id"], "h", "headline", True, x, low, high, True)], rows)
        got = con.execute("SELECT verdict FROM marts.claims").fetchone()[0]
        assert got == expected, (metric["metric_id"], x)
    # An interval reaching from the supported side to beyond the partly margin: inconclusive.
    lo, hi = _value_for(metric, "supported"), _value_for(metric, "not supported")
    con = run_verdicts(
        [(metric["metric_id"], "h", "headline", True, lo, min(lo, hi), max(lo, hi), True)], rows
    )
    assert con.execute("SELECT verdict FROM marts.claims").fetchone()[0] == "inconclusive"
    con = run_verdicts(
        [(metric["metric_id"], "h", "headline", True, None, None, None, False)], rows
    )
    assert con.execute("SELECT verdict FROM marts.claims").fetchone()[0] == "not available"
    con = run_verdicts([(metric["metric_id"], "h", "headline", True, None, None, None, True)], rows)
    assert con.execute("SELECT verdict FROM marts.claims").fetchone()[0] == "not testable"
