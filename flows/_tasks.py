"""Tasks shared by the flows: each calls one library step. Network tasks declare their retries."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from decoupling import history, pipeline
from decoupling.ingest import Fetched
from decoupling.settings import Options
from decoupling.sources.base import retry_worthy

# A served or deployed run has no CLI handler: its stage lines (INFO) must pass the library
# logger's level to reach the run's log through the handler Prefect puts on `decoupling`.
if logging.getLogger("decoupling").level == logging.NOTSET:
    logging.getLogger("decoupling").setLevel(logging.INFO)


def _transient(task, task_run, state) -> bool:  # Prefect's retry_condition_fn signature
    """Retry a fetch only for a passing fault (5xx after the HTTP layer's own retries, a reset):
    never bad input, a gap, or an unreachable source."""
    try:
        state.result()
    except Exception as exc:
        return retry_worthy(exc)
    return False


def step(name: str, network: bool = False) -> Any:
    """A flow's task. None is cached (each writes the warehouse or the report), and a cache key
    would hash the inputs: the fetched files, megabytes, whose workbooks' release dates are read
    only when needed. A network step retries twice, 30 s apart, for a passing fault only."""
    if network:
        return task(
            name=name,
            retries=2,
            retry_delay_seconds=30,
            retry_condition_fn=_transient,
            cache_policy=NO_CACHE,
        )
    return task(name=name, cache_policy=NO_CACHE)


@step("fetch", network=True)
def fetch(options: Options) -> Fetched:
    return pipeline.fetch_for(options, options.settings())


@step("load-transform-publish")
def publish(options: Options, fetched: Fetched, started: datetime) -> dict:
    return pipeline.refresh_locked(options, options.settings(), fetched, started)


@step("report")
def report(options: Options) -> dict:
    return pipeline.run_report(options)


@step("verdict-changes")
def announce(options: Options, run_id: str) -> dict:
    return history.announce(options.settings(), run_id)
