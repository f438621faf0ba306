"""One writer at a time: an flock on a file beside the warehouse."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from decoupling.settings import ConfigError, Settings


class WarehouseBusy(ConfigError):
    """Another refresh holds the lock."""


@contextmanager
def refresh_lock(settings: Settings, wait: bool = False, record: bool = True) -> Iterator[None]:
    """One writer at a time. A second refresh exits at once with a clear line (or waits)."""
    try:
        settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = settings.lock_path.open("a+")
    except OSError as exc:  # read-only file system, no permission
        raise ConfigError(
            f"cannot write the lock file {settings.lock_path} beside the warehouse: "
            f"{exc.strerror or exc}"
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseBusy(
                f"another refresh is running ({holder}); wait for it or pass --wait"
            ) from None
        if record:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).isoformat()}))
            handle.flush()
        yield
    finally:
        handle.close()


def lock_holder(settings: Settings) -> int | None:
    """Pid of the process holding the refresh lock, read from /proc/locks (Linux) without
    touching the lock, so asking never makes a starting refresh think it is busy."""
    try:
        inode = settings.lock_path.stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if "FLOCK" in fields and len(fields) >= 6 and fields[5].endswith(f":{inode}"):
            return int(fields[4])
    return None


def check_not_busy(settings: Settings) -> None:
    """Raise WarehouseBusy now if a refresh holds the lock (the run itself locks again later)."""
    with refresh_lock(settings, wait=False, record=False):
        pass
