"""Raw landing: keep every download as the file received plus a JSON sidecar.

Layout: `<raw_dir>/<source>/<series key>/<UTC stamp>-<sha12>.<ext>` and the same name `.json`
(a JSON body is `<stem>.body.json`, so the sidecar does not overwrite it).
The folder replays like a snapshot (see decoupling/sources/snapshot.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from decoupling.settings import redact
from decoupling.sources.base import Download


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


BODY_TAG = ".body"  # a JSON body beside its JSON sidecar: <stem>.body.json


def body_path(sidecar: Path, extension: str) -> Path:
    """The body beside a sidecar `<stem>.json`: `<stem>.<ext>`, or `<stem>.body.json` for a JSON
    body, which would otherwise be the sidecar's own name."""
    if extension == "json":
        return sidecar.with_name(sidecar.stem + BODY_TAG + ".json")
    return sidecar.with_suffix("." + extension)


def is_sidecar(path: Path) -> bool:
    return path.suffix == ".json" and not path.name.endswith(BODY_TAG + ".json")


def land(download: Download, rows: int, raw_dir: Path, secrets: tuple[str, ...] = ()) -> Path:
    """Write the body and its sidecar (sidecar last, so a sidecar always has its body).

    A body already landed with the same checksum is not written again.
    """
    folder = raw_dir / download.source / download.key
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob(f"*-{download.sha256[:12]}.json"))
    if existing:
        return existing[-1]
    stem = f"{download.accessed_at:%Y%m%dT%H%M%S%fZ}-{download.sha256[:12]}"
    sidecar_path = folder / f"{stem}.json"
    body = body_path(sidecar_path, download.extension)
    sidecar = {
        "source": download.source,
        "series_id": download.series_id,
        "part": download.part,
        "url": redact(download.url, secrets),
        "accessed_at": download.accessed_at.isoformat(),
        "sha256": download.sha256,
        "bytes": len(download.body),
        "rows": rows,
        "license": download.license,
        "fmt": download.fmt,
        "extension": download.extension,
        "vintage": redact(download.vintage, secrets) if download.vintage else None,
    }
    _atomic_write(body, download.body)
    _atomic_write(sidecar_path, json.dumps(sidecar, indent=2).encode())
    return sidecar_path
