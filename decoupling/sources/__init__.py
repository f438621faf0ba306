"""One small module per source. Each live source has `fetch(entry, settings) -> list[Download]`."""

from __future__ import annotations

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources.base import Download, SourceGap


def fetch_live(entry: Series, settings: Settings) -> list[Download]:
    """Download one catalog entry from its live source."""
    from decoupling.sources import bls, bls_files, fred, oews

    if not entry.has_live_source:
        raise SourceGap(entry.source, entry.id, "has no live source (snapshot only)")
    modules = {"fred": fred, "bls": bls, "bls_file": bls_files, "oews": oews}
    return modules[entry.source].fetch(entry, settings)
