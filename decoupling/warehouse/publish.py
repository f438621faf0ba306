"""Build-aside publishing: writers work on a copy; a complete, checkpointed copy replaces the
published file with an atomic rename, so readers and a killed run see the old warehouse or the
new one, never a mix.

Order, so that a failure at any point publishes nothing: the warehouse is built aside
(`<warehouse>.building`), the readers' version is built aside from that copy
(`published/.<run>.building`), and only then, with SIGINT and SIGTERM held back, the readers'
version is swapped in, then the warehouse. Nothing is left behind on failure.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from decoupling.settings import Settings
from decoupling.warehouse.connection import connect
from decoupling.warehouse.schema import init_schema

# What this process has published, in order: the CLI's "interrupted" line says it.
PUBLISHED: list[str] = []
# Tests name a point here to make it fail as a full disk would (DECOUPLING_FAULT=enospc:POINT).
FAULT_VARIABLE = "DECOUPLING_FAULT"

log = logging.getLogger(__name__)


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def outcome() -> str:
    if not PUBLISHED:
        return "nothing published"
    return (
        f"{' and '.join(PUBLISHED)} published before the interrupt; "
        "the report may be older (run 'decoupling report')"
    )


def fault(point: str) -> None:
    """Fault hooks for tests, at named points of a publish: DECOUPLING_FAULT=enospc:<point>
    fails there as a full disk would; pause:<point> waits there (for a signal) up to 60 s."""
    wanted = os.environ.get(FAULT_VARIABLE, "")
    if wanted == f"enospc:{point}":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), point)
    if wanted == f"pause:{point}":
        log.warning("paused at %s (test hook %s)", point, FAULT_VARIABLE)
        time.sleep(60)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the swaps run: a Ctrl-C lands before or after them,
    never between the readers' swap and the warehouse's."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _discard(*paths: Path) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextmanager
def staged(settings: Settings, run_id: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a writable copy of the warehouse; publish it only if the block completes.

    With `run_id`, the readers' version of that run is built from the copy and swapped in
    first (see the module's note). Must be used under `refresh_lock`. On any error the copies
    are discarded and the published warehouse and readers' version are untouched.
    """
    from decoupling.warehouse import readers

    published = settings.warehouse
    published.parent.mkdir(parents=True, exist_ok=True)
    building = published.with_name(published.name + ".building")
    wal = building.with_name(building.name + ".wal")
    _discard(building, wal)  # a killed run's copy: never published
    version = None
    try:
        if published.is_file():
            shutil.copyfile(published, building)
        fault("warehouse")
        con = connect(building)
        try:
            init_schema(con)
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with building.open("rb+") as handle:
            os.fsync(handle.fileno())
        if run_id is not None:
            version = readers.build(settings, run_id, building)
        with signals_held():
            if version is not None:
                readers.swap_in(settings, run_id, version)
                PUBLISHED.append("readers' copy")
            os.replace(building, published)
            _fsync_dir(published.parent)
            PUBLISHED.append("warehouse")
    except BaseException:
        _discard(building, wal)
        if version is not None:
            _discard(version)
        raise
