"""Snapshot files that must be refused before anything is stored: a date given twice, a value
that is not finite, a file far larger than any real one. The error names the file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from decoupling.catalog import Series
from decoupling.ingest import fetch_all, parse_all
from decoupling.settings import ConfigError, Settings
from decoupling.sources import snapshot

SNAPSHOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "fred-snapshot"


def entry(series_id: str = "OPHNFB") -> Series:
    return Series(
        id=series_id,
        source="fred",
        live_id="",
        title="t",
        units="u",
        frequency="Q",
        seasonal="SA",
        analyses=("C1",),
        license="PD",
        snapshot_path="",
        notes="",
    )


def refresh_parse(folder: Path) -> None:
    """What a snapshot refresh does before it writes anything: fetch, then parse every file."""
    settings = Settings(
        warehouse=Path("w.duckdb"), raw_dir=Path("raw"), output_dir=Path("o"), snapshots=(folder,)
    )
    fetched = fetch_all([entry()], settings)
    parse_all(fetched.downloads, from_snapshot=True)


def write(folder: Path, text: str) -> Path:
    path = folder / "OPHNFB.csv"
    path.write_text(text)
    return path


def test_a_good_file_parses(tmp_path):
    write(tmp_path, "observation_date,OPHNFB\n2020-01-01,1.5\n2020-04-01,\n")
    refresh_parse(tmp_path)


@pytest.mark.parametrize(
    "text, says",
    [
        (
            "observation_date,OPHNFB\n2020-01-01,1.5\n2020-04-01,2\n2020-01-01,9\n",
            "line 4: date 2020-01-01 appears twice (also on line 2)",
        ),
        ("observation_date,OPHNFB\n2020-01-01,1.5\n2020-04-01,inf\n", "line 3: value 'inf'"),
        ("observation_date,OPHNFB\n2020-01-01,-Infinity\n", "line 2: value '-Infinity'"),
        ("observation_date,OPHNFB\n2020-01-01,1e999\n", "line 2: value '1e999' is not finite"),
        ("observation_date,OPHNFB\n2020-01-01,1.5\n2020-04-01,nan\n", "line 3: column"),
    ],
)
def test_bad_values_are_refused_naming_file_and_line(tmp_path, text, says):
    write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        refresh_parse(tmp_path)
    message = str(error.value)
    assert "OPHNFB.csv" in message and says in message, message
    assert "\n" not in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, "observation_date,OPHNFB\n2020-01-01,1.5\n")
    # A sparse file: over the limit on disk without writing 40 MB.
    with path.open("r+b") as handle:
        handle.truncate(snapshot.MAX_FILE_BYTES + 1)
    reads = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or b"")
    with pytest.raises(ConfigError) as error:
        refresh_parse(tmp_path)
    assert str(path) in str(error.value) and "over the limit" in str(error.value)
    assert reads == []


@pytest.mark.skipif(not SNAPSHOT.is_dir(), reason=f"the shared snapshot is not at {SNAPSHOT}")
def test_the_limit_is_ten_times_the_largest_real_file():
    largest = max(
        os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(SNAPSHOT)
        for name in names
    )
    assert largest * 9 < snapshot.MAX_FILE_BYTES <= largest * 11


def test_a_landed_json_body_keeps_its_own_file_and_replays(tmp_path):
    """A BLS answer is JSON, like its sidecar: both are kept, and the raw folder replays the body
    (the sidecar once overwrote it, and a replay parsed the sidecar)."""
    import hashlib
    import json

    from decoupling import landing
    from decoupling.sources.base import Download

    body = json.dumps({"status": "REQUEST_SUCCEEDED", "Results": {"series": []}}).encode()
    download = Download(
        source="bls",
        series_id="OPHNFB",
        url="https://api.bls.gov/publicAPI/v2/timeseries/data/",
        body=body,
        fmt="bls_json",
        license="PD",
        extension="json",
    )
    sidecar = landing.land(download, 0, tmp_path)
    kept = landing.body_path(sidecar, "json")
    assert kept != sidecar and kept.read_bytes() == body
    assert json.loads(sidecar.read_text())["sha256"] == hashlib.sha256(body).hexdigest()
    (replayed,) = snapshot._landings(tmp_path, entry())
    assert replayed.body == body and replayed.extension == "json"
    assert landing.land(download, 0, tmp_path) == sidecar  # the same body is not landed twice
