"""flows/ holds the Prefect flows only: short compositions of tasks that call the library."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from prefect.cache_policies import NO_CACHE
from prefect.tasks import Task

FLOWS = Path(__file__).resolve().parents[1] / "flows"
MODULES = sorted(p for p in FLOWS.glob("*.py") if p.name != "__init__.py")
# The steps that reach a source over the network, and so retry a passing fault.
NETWORK_TASKS = {"fetch", "ingest", "fetch-vintages"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_flow_module_is_short_and_holds_no_analysis(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) < 150
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert "prefect" in imported
    assert not imported & {"pandas", "duckdb", "numpy"}, imported
    strings = [n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant)]
    sql = [s for s in strings if isinstance(s, str) and s.lstrip().upper().startswith("SELECT ")]
    assert not sql


def _tasks() -> list[Task]:
    found = {}
    for path in MODULES:
        module = importlib.import_module(f"flows.{path.stem}")
        found.update({id(v): v for v in vars(module).values() if isinstance(v, Task)})
    return list(found.values())


def test_no_task_is_cached_and_network_tasks_retry() -> None:
    tasks = _tasks()
    assert {t.name for t in tasks} >= NETWORK_TASKS | {"load-transform-publish", "report"}
    for task in tasks:
        # A cache key would hash the task's inputs: every fetched file's bytes.
        assert task.cache_policy is NO_CACHE, task.name
        if task.name in NETWORK_TASKS:
            assert (task.retries, task.retry_delay_seconds) == (2, 30), task.name
            assert task.retry_condition_fn is not None, task.name
        else:
            assert task.retries == 0, task.name
