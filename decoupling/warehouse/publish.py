"""Build-aside publishing: writers work on a copy; a complete, checkpointed copy replaces the
published file with an atomic rename, so readers and a killed run see the old warehouse or the
new one, never a mix."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import duckdb

from decoupling.settings import Settings
from decoupling.warehouse.connection import connect
from decoupling.warehouse.schema import init_schema


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


@contextmanager
def staged(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a writable copy of the warehouse; publish it only if the block completes.

    Must be used under `refresh_lock`. On any error the copy is discarded and the published
    warehouse is untouched.
    """
    published = settings.warehouse
    published.parent.mkdir(parents=True, exist_ok=True)
    building = published.with_name(published.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a killed run's copy: never published
    if published.is_file():
        shutil.copyfile(published, building)
    con = connect(building)
    try:
        init_schema(con)
        yield con
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    with building.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(building, published)
    directory = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
