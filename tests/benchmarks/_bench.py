"""Helpers for the timed runs in tests/benchmarks (run by `make bench`, never by `make test`).

Every figure is the median of BENCH_RUNS runs (default 3) with min and max, printed beside the
reference measured in the same session, so a busy machine slows both alike. Nothing here fails a
run on time: each line says whether its target is met.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO.parent / "shared" / "fred-snapshot"
RUNS = max(int(os.environ.get("BENCH_RUNS", "3")), 1)
# In-process figures time this checkout's code, whatever the virtual environment installed.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@dataclass
class Stats:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, unit: str = "s", digits: int = 2) -> str:
        low, high = min(self.values), max(self.values)
        return (
            f"{self.median:.{digits}f} {unit} (min {low:.{digits}f}, max {high:.{digits}f}, "
            f"n={len(self.values)})"
        )


def load_average() -> str:
    """The machine's 1-minute load: context for every figure on a shared machine."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def line(figure: str, text: str) -> None:
    """One figure a line, easy to grep: `BENCH <figure>: ...`."""
    print(f"BENCH {figure}: {text}", flush=True)


def verdict(ok: bool) -> str:
    return "target met" if ok else "target NOT met"


def child_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a child run: this checkout's code, its own Prefect home, no keys."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FRED_API_KEY", "BLS_API_KEY", "PREFECT_API_URL", "DECOUPLING_SNAPSHOT")
    }
    # A refresh as a user runs it writes the PDF: tests/conftest.py turns it off for the tests,
    # and this process loads that conftest too.
    env["DECOUPLING_REPORT_PDF"] = "1"
    env.update(
        PYTHONPATH=str(REPO),
        PREFECT_HOME=str(root / "prefect-home"),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DECOUPLING_OUTPUT_DIR=str(root / "output"),
        DECOUPLING_RAW_DIR=str(root / "raw"),
    )
    env.update(extra)
    return env


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB (0 once it is gone)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for text in handle:
                    if text.startswith("VmRSS:"):
                        total += int(text.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


@dataclass
class ChildRun:
    seconds: float
    returncode: int
    max_rss_mb: float  # the largest single process of the tree (kernel's ru_maxrss)
    tree_peak_mb: float  # the largest sum over the whole tree, sampled every 50 ms
    cpu_seconds: float  # user + system time of the process and the children it waited for
    stdout: str
    stderr: str


def run_child(argv: list[str], env: dict[str, str], log: Path) -> ChildRun:
    """Run a command to its end: wall time, exit code and peak memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log.with_suffix(".out"), log.with_suffix(".err")
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=err)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(process.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        seconds=seconds,
        returncode=process.returncode,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=peak[0] / 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        stdout=out_path.read_text(),
        stderr=err_path.read_text(),
    )


def python() -> str:
    return sys.executable
