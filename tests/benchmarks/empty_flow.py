"""The engine floor: an empty Prefect flow, started the way the CLI starts the refresh flow."""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow  # noqa: E402


@flow(name="empty")
def empty(options: dict) -> dict:
    return {}


if __name__ == "__main__":
    empty({})
