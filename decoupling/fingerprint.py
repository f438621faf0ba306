"""The refresh fingerprint: one digest of everything a refresh's output depends on, so an
unchanged refresh can do nothing."""

from __future__ import annotations

import hashlib
import os

from decoupling.catalog import catalog_path
from decoupling.settings import PROJECT_ROOT, SQL_DIR, TEMPLATES_DIR
from decoupling.sources.base import Download


def of(downloads: list[Download], reused: dict[str, tuple[str, str]] | None = None) -> str:
    """Everything a refresh's output depends on: inputs, SQL, catalog, templates and code."""
    digest = hashlib.sha256()
    pairs = [(d.key, d.sha256) for d in downloads] + list((reused or {}).values())
    for key, sha in sorted(pairs):
        digest.update(f"{key}:{sha}\n".encode())
    for folder, pattern in (
        (SQL_DIR, "*.sql"),
        (TEMPLATES_DIR, "*"),
        (PROJECT_ROOT / "decoupling", "*.py"),
        (PROJECT_ROOT / "flows", "*.py"),
    ):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    digest.update(catalog_path().read_bytes())
    # Analysis parameters change the marts as much as the inputs do.
    from decoupling.transform import SQL_VARIABLES
    from decoupling.transform.python_models import PARAMETERS

    for name in sorted({*SQL_VARIABLES.values(), *PARAMETERS}):
        digest.update(f"{name}={os.environ.get(name, '').strip()}\n".encode())
    return digest.hexdigest()
