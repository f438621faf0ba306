"""The refresh fingerprint: what a warehouse's models and report were built from, so an unchanged
refresh can do nothing, whatever command ran before it.

Two halves, recorded together in meta.runs.fingerprint as `<inputs>.<code>`:
- inputs: the download in force for every series key (series key -> sha256), after this run;
- code: SQL, templates, Python code, the catalog and the analysis parameters.
A run that built the models (refresh, transform) records both; one that did not (ingest) records
only the inputs, so the next refresh sees its models as stale.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from decoupling.catalog import catalog_path
from decoupling.settings import PROJECT_ROOT, SQL_DIR, TEMPLATES_DIR
from decoupling.sources.base import Download


def inputs(current: Mapping[str, str]) -> str:
    """Digest of the download in force per series key (key -> sha256)."""
    digest = hashlib.sha256()
    for key, sha in sorted(current.items()):
        digest.update(f"{key}:{sha}\n".encode())
    return digest.hexdigest()


def code() -> str:
    """Digest of everything but the data that the models and report depend on."""
    digest = hashlib.sha256()
    for folder, pattern in (
        (SQL_DIR, "*.sql"),
        (TEMPLATES_DIR, "*"),
        (PROJECT_ROOT / "decoupling", "*.py"),
        (PROJECT_ROOT / "flows", "*.py"),
    ):
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                # The path relative to the folder: a file moved between claims is a change.
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    digest.update(catalog_path().read_bytes())
    # Analysis parameters change the marts as much as the inputs do.
    from decoupling.transform import SQL_VARIABLES
    from decoupling.transform.python_models import PARAMETERS

    for name in sorted({*SQL_VARIABLES.values(), *PARAMETERS}):
        digest.update(f"{name}={os.environ.get(name, '').strip()}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class State:
    """What a build was made from; `code` is '' when the run built no models."""

    inputs: str
    code: str

    def __str__(self) -> str:
        return f"{self.inputs}.{self.code}"

    @classmethod
    def parse(cls, text: str | None) -> State | None:
        """The state a meta.runs.fingerprint records (None for runs of older versions)."""
        if not text or text.count(".") != 1:
            return None
        data, built = text.split(".")
        return cls(data, built)

    @property
    def built(self) -> bool:
        return bool(self.code)


def predicted_inputs(
    current: Mapping[str, str],
    downloads: list[Download],
    reused: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, str]:
    """The download in force per key once this run's downloads are loaded: the later one wins."""
    after = dict(current)
    for key, sha in (reused or {}).values():
        after[key] = sha
    for download in downloads:
        after[download.key] = download.sha256
    return after


def of(downloads: list[Download], reused: dict[str, tuple[str, str]] | None = None) -> str:
    """One digest of a set of downloads and the code (kept for callers of the single-digest form)."""
    return str(State(inputs(predicted_inputs({}, downloads, reused)), code()))
