"""The DuckDB warehouse: schema, loading, the writers' lock, and build-aside publishing.

Writers never touch the published file. `staged()` copies it aside, the caller writes the copy,
and only a complete, checkpointed copy replaces the published file (an atomic rename), so readers
and a killed run both see either the old warehouse or the new one, never a mix.
"""

from decoupling.warehouse.connection import (
    connect,
    connect_published,
    fred_last_updated,
    known_downloads,
    last_refresh,
)
from decoupling.warehouse.load import Change, load_download, load_downloads
from decoupling.warehouse.lock import WarehouseBusy, check_not_busy, lock_holder, refresh_lock
from decoupling.warehouse.publish import new_run_id, staged
from decoupling.warehouse.schema import DDL, SCHEMAS, init_schema, write_catalog

__all__ = [
    "DDL",
    "SCHEMAS",
    "Change",
    "WarehouseBusy",
    "check_not_busy",
    "connect",
    "connect_published",
    "fred_last_updated",
    "init_schema",
    "known_downloads",
    "last_refresh",
    "load_download",
    "load_downloads",
    "lock_holder",
    "new_run_id",
    "refresh_lock",
    "staged",
    "write_catalog",
]
