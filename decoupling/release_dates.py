"""Release and access dates of an input, for the provenance table and the bundle's manifest.

A vintage is the source's release, never a file's date on disk:
- a snapshot file: the release date its folder's manifest.csv (or SOURCES.md) states, and the
  access date it states ("accessed ...", else the date the copy was committed);
- a live download: the access time its landing sidecar records (meta.downloads.accessed_at);
  with a FRED key, FRED's last_updated (or realtime_start) as the release date;
- otherwise "unknown".
Snapshot and bundle downloads carry theirs in the vintage text: "released D; accessed D".
"""

from __future__ import annotations

import csv
import functools
import re
from datetime import datetime
from pathlib import Path

UNKNOWN = "unknown"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}"
_ISO = r"\d{4}-\d{2}-\d{2}"
# Most specific first: a stated publication date, then a dated vintage.
_RELEASE = (
    re.compile(rf"(?:data published|published|release of|released)\s+({_MONTH}|{_ISO})", re.I),
    re.compile(rf"vintage of [^()]*\(({_MONTH})\)", re.I),
    re.compile(rf"(?:vintage of|realtime_start=)\s*({_ISO})", re.I),
)
_ACCESSED = re.compile(rf"accessed\s+({_ISO})", re.I)
_COMMITTED = re.compile(rf"committed\s+({_ISO})", re.I)
_TAGGED_RELEASE = re.compile(rf"released ({_ISO})")
_TAGGED_ACCESS = re.compile(rf"accessed ({_ISO})")
_LIVE_SOURCES = ("fred", "bls", "bls_file", "oews")


def _iso(text: str) -> str:
    if re.fullmatch(_ISO, text):
        return text
    cleaned = text.replace(".", "")
    for fmt in ("%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return UNKNOWN


def from_notes(text: str) -> tuple[str, str]:
    """(release date, access date) stated in a snapshot manifest's source and notes text."""
    release = UNKNOWN
    for pattern in _RELEASE:
        match = pattern.search(text)
        if match:
            release = _iso(match.group(1))
            break
    accessed = _ACCESSED.search(text)
    if accessed:
        return release, accessed.group(1)
    committed = sorted(_COMMITTED.findall(text))
    # A copy committed on a date was downloaded on or before it: the latest such date.
    return release, committed[-1] if committed else UNKNOWN


@functools.cache
def _manifest(folder: Path) -> dict[str, str]:
    """relative file -> its source and notes text, from the folder's manifest.csv."""
    path = folder / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return {
                (row.get("file") or "").strip(): f"{row.get('source', '')} {row.get('notes', '')}"
                for row in csv.DictReader(handle)
            }
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}


@functools.cache
def _sources_md(folder: Path) -> dict[str, str]:
    """relative file -> its entry in the folder's SOURCES.md ("- **file** — source: ...")."""
    path = folder / "SOURCES.md"
    if not path.is_file():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"- \*\*(.+?)\*\*\s*[—-]\s*(.*)", line)
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


def snapshot_dates(folder: Path, file: Path) -> tuple[str, str]:
    """(release date, access date) of a snapshot file, from its folder's manifest or SOURCES.md."""
    try:
        relative = file.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        relative = file.name
    text = _manifest(folder.resolve()).get(relative) or _sources_md(folder.resolve()).get(relative)
    return from_notes(text) if text else (UNKNOWN, UNKNOWN)


def snapshot_vintage(folder: Path, file: Path) -> str:
    """The vintage text of a snapshot download: where from, released, accessed."""
    release, accessed = snapshot_dates(folder, file)
    return f"snapshot {folder.name}; released {release}; accessed {accessed}"


def dates(source: str | None, vintage: str | None, accessed_at) -> tuple[str, str]:
    """(release date, access date) of a download as meta.downloads records it."""
    vintage = vintage or ""
    tagged_release = _TAGGED_RELEASE.search(vintage)
    tagged_access = _TAGGED_ACCESS.search(vintage)
    if tagged_release or tagged_access or source in ("snapshot", "bundle"):
        # A snapshot or bundle read is not an access of the source: only stated dates count,
        # the file's own included ("BEA NIPA Section 1, data published 2024-08-29").
        return (
            tagged_release.group(1) if tagged_release else from_notes(vintage)[0],
            tagged_access.group(1) if tagged_access else UNKNOWN,
        )
    release = UNKNOWN
    if source == "fred" and re.match(_ISO, vintage):
        release = vintage[:10]  # FRED's last_updated (API, with a key)
    access = UNKNOWN
    if source in _LIVE_SOURCES and accessed_at is not None and accessed_at == accessed_at:
        access = f"{accessed_at:%Y-%m-%d}"
    return release, access
