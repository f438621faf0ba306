"""Tasks shared by the flows: each calls one library step. Network tasks declare their retries."""

from __future__ import annotations

import logging
from datetime import datetime

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


# No task is cached (each writes the warehouse or the report), and a cache key would hash the
# inputs: the fetched files, megabytes, whose workbook release dates are read only when needed.
UNCACHED = NO_CACHE


def _transient(task, task_run, state) -> bool:  # Prefect's retry_condition_fn signature
    """Retry a fetch only for a passing fault (5xx after the HTTP layer's own retries, a reset):
    never bad input, a gap, or an unreachable source."""
    try:
        state.result()
    except Exception as exc:
        return retry_worthy(exc)
    return False


@task(
    name="fetch",
    retries=2,
    retry_delay_seconds=30,
    retry_condition_fn=_transient,
    cache_policy=UNCACHED,
)
def fetch(options: Options) -> Fetched:
    return pipeline.fetch_for(options, options.settings())


@task(name="load-transform-publish", cache_policy=UNCACHED)
def publish(options: Options, fetched: Fetched, started: datetime) -> dict:
    return pipeline.refresh_locked(options, options.settings(), fetched, started)


@task(name="report", cache_policy=UNCACHED)
def report(options: Options) -> dict:
    return pipeline.run_report(options)


@task(name="verdict-changes", cache_policy=UNCACHED)
def announce(options: Options, run_id: str) -> dict:
    return history.announce(options.settings(), run_id)
