"""The engine floor: an empty Prefect flow, started the way the CLI starts the refresh flow
(its temporary server spawned first by decoupling.engine, the run attached to it)."""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # as the CLI

from decoupling import engine  # noqa: E402

started = engine.start_engine()

from prefect import flow  # noqa: E402


@flow(name="empty")
def empty(options: dict) -> dict:
    return {}


if __name__ == "__main__":
    if started is not None:
        started.join()
    empty({})  # the server is stopped at exit, after Prefect has sent its logs
