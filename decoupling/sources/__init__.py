"""One small module per source. Each live source has `fetch(entry, settings) -> list[Download]`."""

from __future__ import annotations

import warnings

# requests tries urllib3's optional SOCKS support on import and urllib3 warns (DependencyWarning)
# when PySocks is absent; no source uses a SOCKS proxy, and the warning reached users' stderr.
warnings.filterwarnings("ignore", message=r"SOCKS support in urllib3 requires")

from decoupling.catalog import Series  # noqa: E402
from decoupling.settings import Settings  # noqa: E402
from decoupling.sources.base import Download, SourceGap  # noqa: E402

# Sources whose one published file holds many catalog series (BEA Section workbooks, FRED-MD/QD):
# the rows of one file share a Download, fetched and parsed once a run.
SHARED_FILE_SOURCES = ("bea", "fred_md")


def fetch_live(entry: Series, settings: Settings) -> list[Download]:
    """Download one catalog entry from its live source."""
    from decoupling.sources import bea, bls, bls_files, fred, fred_md, oews

    if not entry.has_live_source:
        raise SourceGap(entry.source, entry.id, "has no live source (snapshot only)")
    fetchers = {
        "fred": fred.fetch,
        "bls": bls.fetch,
        "bls_file": bls_files.fetch,
        "oews": oews.fetch,
        "bea": bea.fetch_live,
        "fred_md": fred_md.fetch_live,
    }
    return fetchers[entry.source](entry, settings)


def download_id(entry: Series) -> str:
    """The series id of the Download that carries the entry (its own id, or its shared file's)."""
    from decoupling.sources import bea, fred_md

    if entry.source == "bea":
        return bea.download_id(entry)
    if entry.source == "fred_md":
        return fred_md.download_id(entry)
    return entry.id


def shared_file(entry: Series, live: bool) -> str | None:
    """A key naming the file an entry shares with other entries this run (None: a file of its own).

    A live BLS workbook (`live_id`: the total-economy one holds five series) is shared too when
    fetched `live`; from a snapshot each entry reads it itself (`read_once` reads it once).
    """
    if entry.source == "bls_file":
        return f"bls_file:{entry.live_id}" if live and entry.has_live_source else None
    if entry.source not in SHARED_FILE_SOURCES:
        return None
    return f"{entry.source}:{download_id(entry)}:{entry.snapshot_path}"
