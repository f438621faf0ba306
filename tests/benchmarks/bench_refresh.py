"""Figures 1 and 2: the full offline refresh and the unchanged second refresh, against the engine
floor (an empty Prefect flow on an ephemeral server), all as separate processes run the way a
user runs them (`python -m decoupling.cli refresh --snapshot ...`). With BENCH_REFERENCE=<commit>,
that commit's full and unchanged refreshes run in turn with ours (its tree exported, this
environment's packages), for "no slower than <commit>" on the same machine at the same time."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from _bench import (
    REPO,
    RUNS,
    SNAPSHOT,
    ChildRun,
    Stats,
    child_env,
    line,
    load_average,
    python,
    run_child,
    verdict,
)

FULL_TARGET = 1.5  # x the floor
INCREMENTAL_TARGET = 1.1
MEMORY_TARGET_MB = 1024


def _reference_command(rev: str, where: Path) -> tuple[list[str], str]:
    """The full refresh of an earlier commit (BENCH_REFERENCE=<rev>), from an export of its tree
    run with this environment's packages: (command, the code's folder for PYTHONPATH)."""
    where.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    package = "decoupling" if (where / "decoupling" / "cli.py").is_file() else "flows"
    # -P: the folder the child starts in (this checkout) must not shadow the export's packages.
    command = [python(), "-P", "-m", f"{package}.cli", "refresh", "--snapshot", str(SNAPSHOT)]
    return command, str(where)


def _status(run: ChildRun) -> str:
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])["status"]


def test_refresh_against_engine_floor(tmp_path):
    if not (SNAPSHOT / "OPHNFB.csv").is_file():
        pytest.skip(f"the shared snapshot is not at {SNAPSHOT}")
    load_before = load_average()
    floor, full, incremental = [], [], []
    empty_flow = [python(), str(REPO / "tests" / "benchmarks" / "empty_flow.py")]
    # One Prefect home for every run, as a user has: its first start creates Prefect's database,
    # a one-off cost shown on its own line and kept out of the floor.
    home = tmp_path / "prefect-home"
    reference_rev = os.environ.get("BENCH_REFERENCE")
    reference, reference_runs, reference_unchanged = None, [], []
    if reference_rev:
        reference = _reference_command(reference_rev, tmp_path / "reference-code")
    first_start = run_child(
        empty_flow, child_env(tmp_path, PREFECT_HOME=str(home)), tmp_path / "first"
    )
    assert first_start.returncode == 0, first_start.stderr[-2000:]
    for index in range(RUNS):
        # Interleaved, so a busy spell on the shared machine hits every figure alike.
        root = tmp_path / f"round{index}"
        env = child_env(root, PREFECT_HOME=str(home))
        empty = run_child(empty_flow, env, root / "logs" / "floor")
        assert empty.returncode == 0, empty.stderr[-2000:]
        floor.append(empty)
        refresh = [
            python(),
            "-m",
            "decoupling.cli",
            "refresh",
            "--json",  # the summary line _status reads (printed only when asked)
            "--snapshot",
            str(SNAPSHOT),
            "--warehouse",
            str(root / "warehouse.duckdb"),
        ]
        first = run_child(refresh, env, root / "logs" / "full")
        assert _status(first) == "refreshed"
        assert (root / "output" / "report.pdf").is_file(), "the timed refresh wrote no PDF"
        full.append(first)
        second = run_child(refresh, env, root / "logs" / "incremental")
        assert _status(second) == "unchanged"
        incremental.append(second)
        if reference:
            command, code = reference
            ref_root = tmp_path / f"reference{index}"
            ref_env = child_env(ref_root, PREFECT_HOME=str(home), PYTHONPATH=code)
            ref_env["DECOUPLING_WAREHOUSE"] = str(ref_root / "warehouse.duckdb")
            ref_env["DECOUPLING_PUBLISH_DIR"] = str(ref_root / "published")
            ran = run_child(command, ref_env, ref_root / "logs" / "full")
            assert ran.returncode == 0, ran.stderr[-2000:]
            reference_runs.append(ran)
            again = run_child(command, ref_env, ref_root / "logs" / "incremental")
            # Its last line is the summary too (printed unless --quiet, at 31876f9).
            assert _status(again) == "unchanged"
            reference_unchanged.append(again)

    floor_s = Stats([r.seconds for r in floor])
    full_s = Stats([r.seconds for r in full])
    incr_s = Stats([r.seconds for r in incremental])
    own = Stats([f.seconds - e.seconds for f, e in zip(full, floor, strict=True)])
    full_ratio = full_s.median / floor_s.median
    incr_ratio = incr_s.median / floor_s.median
    line(
        "first start of Prefect in a new PREFECT_HOME (creates its database; once per home)",
        f"{first_start.seconds:.2f} s (n=1)",
    )
    line("engine floor (empty flow, ephemeral server)", floor_s.show())
    line(
        "full offline refresh",
        f"{full_s.show()} vs floor {floor_s.median:.2f} s = {full_ratio:.2f}x "
        f"(target <= {FULL_TARGET}x: {verdict(full_ratio <= FULL_TARGET)})",
    )
    line("pipeline's own seconds (full minus floor, per round)", own.show())
    rss = Stats([r.max_rss_mb for r in full])
    tree = Stats([r.tree_peak_mb for r in full])
    floor_tree = Stats([r.tree_peak_mb for r in floor])
    line(
        "peak memory of the refresh, largest process",
        f"{rss.show('MB', 0)} (target < {MEMORY_TARGET_MB} MB: "
        f"{verdict(max(rss.values) < MEMORY_TARGET_MB)})",
    )
    line(
        "peak memory of the refresh, whole process tree (engine server included)",
        f"{tree.show('MB', 0)} vs empty flow's tree {floor_tree.median:.0f} MB "
        f"(target < {MEMORY_TARGET_MB} MB: {verdict(max(tree.values) < MEMORY_TARGET_MB)})",
    )
    line(
        "incremental refresh (unchanged snapshot)",
        f"{incr_s.show()} vs floor {floor_s.median:.2f} s = {incr_ratio:.2f}x "
        f"(target <= {INCREMENTAL_TARGET}x: {verdict(incr_ratio <= INCREMENTAL_TARGET)})",
    )
    # CPU seconds barely depend on what else the shared machine runs: the steadier comparison.
    floor_cpu = Stats([r.cpu_seconds for r in floor])
    full_cpu = Stats([r.cpu_seconds for r in full])
    incr_cpu = Stats([r.cpu_seconds for r in incremental])
    line(
        "CPU seconds (process and engine server)",
        f"floor {floor_cpu.show()}; full {full_cpu.show()} = "
        f"{full_cpu.median / floor_cpu.median:.2f}x; incremental {incr_cpu.show()} = "
        f"{incr_cpu.median / floor_cpu.median:.2f}x",
    )
    if reference_runs:
        ref_s = Stats([r.seconds for r in reference_runs])
        ref_cpu = Stats([r.cpu_seconds for r in reference_runs])
        line(
            f"full offline refresh of {reference_rev} (BENCH_REFERENCE), run in turn with ours",
            f"{ref_s.show()}; ours = {full_s.median / ref_s.median:.2f}x its time, "
            f"{full_cpu.median / ref_cpu.median:.2f}x its CPU seconds "
            f"(target <= 1.0x: {verdict(full_s.median <= ref_s.median)})",
        )
        ref_incr = Stats([r.seconds for r in reference_unchanged])
        line(
            f"unchanged second refresh of {reference_rev} (BENCH_REFERENCE), run in turn with ours",
            f"{ref_incr.show()}; ours = {incr_s.median / ref_incr.median:.2f}x its time "
            f"(target <= 1.0x: {verdict(incr_s.median <= ref_incr.median)})",
        )
    line("machine load (1-min average) before / after", f"{load_before} / {load_average()}")
