"""Issue 18, items 4 and 5: `query --output` never damages stored files, and each bad setting or
failure is one line with the right exit code, with nothing published ("exit 1 = nothing
published": the readers' copy is built aside and swapped in before the warehouse)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pytest
from ops_support import fred_csv, series_values, stored_files, use_copy, write_snapshot

from decoupling import cli
from decoupling.warehouse import readers


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A hand-made snapshot of the four C1 series and a store refreshed from it (no report)."""
    from ops_support import refresh_without_report

    base = tmp_path_factory.mktemp("hardening")
    snap = write_snapshot(base)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DECOUPLING_CATALOG", str(base / "catalog.csv"))
        mp.setenv("DECOUPLING_SNAPSHOT", str(snap))
        refresh_without_report(base / "store")
    return base


@pytest.fixture
def world(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_copy(built, tmp_path, monkeypatch)
    monkeypatch.setenv("DECOUPLING_SNAPSHOT", str(tmp_path / "snap"))
    monkeypatch.delenv("DECOUPLING_PUBLISH_DIR", raising=False)
    return tmp_path


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# ---- query --output ---------------------------------------------------------------------------


def test_output_refuses_stored_folders_links_and_existing_files(world, capsys):
    store = world / "store"
    warehouse = store / "warehouse.duckdb"
    outside = world / "out"
    outside.mkdir()
    (outside / "hard.csv").hardlink_to(warehouse)
    (outside / "soft.csv").symlink_to(warehouse)
    (outside / "mine.csv").write_text("keep me\n")
    before = stored_files(store)
    refused = {
        "the warehouse itself": warehouse,
        "the readers' copy": store / "published" / "current" / "warehouse.duckdb",
        "the manifest": store / "published" / "current" / "MANIFEST.json",
        "the lock file": store / "warehouse.duckdb.lock",
        "a new file beside the warehouse": store / "new.csv",
        "a new file in the raw folder": store / "raw" / "new.csv",
        "a hard link to the warehouse": outside / "hard.csv",
        "a symlink to the warehouse": outside / "soft.csv",
        "an existing file": outside / "mine.csv",
    }
    (store / "raw").mkdir(exist_ok=True)
    for why, target in refused.items():
        argv = ["query", "SELECT 1 AS x", "--format", "csv", "--output", str(target)]
        assert cli.main(argv) == 2, why
        assert _one_line(capsys).startswith("error: refused: --output"), why
    for why, target in {
        "a hard link, forced": outside / "hard.csv",
        "a symlink, forced": outside / "soft.csv",
    }.items():
        argv = ["query", "SELECT 1 AS x", "--output", str(target), "--force"]
        assert cli.main(argv) == 2, why
        _one_line(capsys)
    assert stored_files(store) == before
    assert (outside / "mine.csv").read_text() == "keep me\n"
    assert not (store / "new.csv").exists() and not (store / "raw" / "new.csv").exists()
    # --force replaces a file of one's own, by rename (never writing through the old inode).
    assert (
        cli.main(["query", "SELECT 7 AS x", "--output", str(outside / "mine.csv"), "--force"]) == 0
    )
    assert (outside / "mine.csv").read_text() == "x\n7\n"


# ---- settings, checked before any work ---------------------------------------------------------


@pytest.mark.parametrize("command", ["refresh", "query", "status"])
def test_bad_warehouse_paths_are_one_line_and_exit_2(world, monkeypatch, capsys, command):
    argv = {"refresh": ["refresh"], "query": ["query", "SELECT 1"], "status": ["status"]}[command]
    folder = world / "a-folder"
    folder.mkdir()
    monkeypatch.setenv("DECOUPLING_WAREHOUSE", str(folder))
    assert cli.main(argv) == 2
    line = _one_line(capsys)
    assert "is a directory" in line and str(folder) in line
    assert not list(world.glob("*.building*"))
    garbage = world / "store" / "not-duckdb.duckdb"
    garbage.write_bytes(b"this is not a database, but long enough to have a header\n" * 10)
    monkeypatch.setenv("DECOUPLING_WAREHOUSE", str(garbage))
    assert cli.main(argv) == 2
    line = _one_line(capsys)
    assert "not a DuckDB file" in line and str(garbage) in line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DECOUPLING_C2_ANCHOR_PRICE", "inf"),
        ("DECOUPLING_C2_ANCHOR_PRICE", "nan"),
        ("DECOUPLING_C2_ANCHOR_YEAR", "-1"),
        ("DECOUPLING_HTTP_TIMEOUT", "inf"),
    ],
)
def test_numbers_must_be_finite_before_any_work(world, monkeypatch, capsys, name, value):
    monkeypatch.setenv(name, value)
    before = stored_files(world / "store")
    assert cli.main(["refresh"]) == 2
    line = _one_line(capsys)
    assert line.startswith("error: ") and name in line
    assert stored_files(world / "store") == before


def test_the_settings_list_matches_the_sql_variables():
    from decoupling.settings import ANALYSIS_NUMBERS
    from decoupling.transform import SQL_VARIABLES

    assert set(ANALYSIS_NUMBERS) == set(SQL_VARIABLES.values())


def test_a_catalog_with_a_bad_byte_is_one_line(world, capsys):
    catalog = world / "catalog.csv"
    catalog.write_bytes(catalog.read_bytes().replace(b"(test)", b"(t\xe9st)", 1))
    assert cli.main(["refresh"]) == 2
    line = _one_line(capsys)
    assert "not UTF-8" in line and "line 2" in line and str(catalog) in line


def test_a_read_only_file_system_under_the_lock_is_one_line(world, monkeypatch, capsys):
    lock = world / "store" / "warehouse.duckdb.lock"
    real_open = Path.open

    def read_only(self, *args, **kwargs):
        if self == lock:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", read_only)
    assert cli.main(["refresh"]) == 2
    line = _one_line(capsys)
    assert "Read-only file system" in line and str(lock) in line


# ---- publish order: exit 1 means nothing published ---------------------------------------------


def _revise(world: Path) -> None:
    values = series_values("OPHNFB")
    values["2001-01-01"] += 2.0
    (world / "snap" / "OPHNFB.csv").write_bytes(fred_csv("OPHNFB", values))


@pytest.mark.parametrize("point", ["warehouse", "readers"])
def test_a_full_disk_publishes_nothing_and_leaves_nothing(world, monkeypatch, point):
    from ops_support import refresh_without_report

    store = world / "store"
    _revise(world)
    before = stored_files(store)
    run_before = readers.current_run(_settings(store))
    monkeypatch.setenv("DECOUPLING_FAULT", f"enospc:{point}")
    with pytest.raises(OSError) as failure:
        refresh_without_report(store)
    assert failure.value.errno == errno.ENOSPC
    assert stored_files(store) == before  # the warehouse and the readers' copy both unchanged
    assert readers.current_run(_settings(store)) == run_before
    assert not list(store.glob("*.building*"))
    assert not list((store / "published").glob(".*building"))
    monkeypatch.delenv("DECOUPLING_FAULT")
    assert refresh_without_report(store)["status"] == "refreshed"  # and the next run goes on


def test_a_full_disk_through_the_cli_is_one_line_exit_1(world, monkeypatch, capsys, patient_engine):
    store = world / "store"
    _revise(world)
    before = stored_files(store)
    monkeypatch.setenv("DECOUPLING_FAULT", "enospc:readers")
    assert cli.main(["refresh", "--quiet"]) == 1
    line = _one_line(capsys)
    assert line.startswith("error: No space left on device") and "nothing published" in line
    assert stored_files(store) == before


def test_an_apostrophe_in_the_publish_folder(world, monkeypatch):
    from ops_support import refresh_without_report

    folder = world / "o'brien's copy"
    monkeypatch.setenv("DECOUPLING_PUBLISH_DIR", str(folder))
    _revise(world)
    result = refresh_without_report(world / "store")
    manifest = folder / "current" / "MANIFEST.json"
    assert readers.current_run(_settings(world / "store")) == result["run_id"], manifest
    parquet = sorted((folder / "current" / "parquet").glob("*.parquet"))
    assert parquet
    con = duckdb.connect()
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet[0])]).fetchall()
    assert rows[0][0] >= 0


def _settings(store: Path):
    from decoupling.settings import load_settings

    return load_settings(warehouse=str(store / "warehouse.duckdb"))


# ---- the report is part of the publish, under the lock ------------------------------------------


def test_the_report_is_written_under_the_lock(world, monkeypatch, capsys):
    from decoupling import status as status_mod
    from decoupling import warehouse
    from decoupling.pipeline import Options, run_refresh
    from decoupling.report import build

    seen = {}

    def report_probe(settings):
        seen["holder"] = warehouse.lock_holder(settings)
        try:
            warehouse.check_not_busy(settings)  # what a second refresh does first
            seen["second"] = "accepted"
        except warehouse.WarehouseBusy:
            seen["second"] = "refused"
        status_mod._print_operations(str(settings.warehouse))
        seen["status"] = capsys.readouterr().out
        return {}

    monkeypatch.setattr(build, "build_report", report_probe)
    _revise(world)
    store = world / "store"
    result = run_refresh(Options(warehouse=str(store / "warehouse.duckdb"), quiet=True))
    assert result["status"] == "refreshed"
    assert seen["holder"] == os.getpid()
    assert seen["second"] == "refused"
    assert f"refresh running: yes (pid {os.getpid()})" in seen["status"]


def _can_mount() -> bool:
    import subprocess

    try:
        probe = subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def test_a_real_read_only_mount_is_one_line_exit_2(world):
    """The same through a real read-only bind mount (a private mount namespace)."""
    import subprocess
    import sys

    if not _can_mount():
        pytest.skip("no private mount namespace here (unshare -m needs root or user namespaces)")
    store = world / "store"
    (store / "warehouse.duckdb.lock").unlink(missing_ok=True)
    before = stored_files(store)
    script = (
        f"mount --bind '{store}' '{store}' && mount -o remount,ro,bind '{store}' && "
        f"exec '{sys.executable}' -m decoupling.cli refresh"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
        cwd=Path(__file__).resolve().parents[1],
    )
    err = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(err) == 1 and "Read-only file system" in err[0], err
    assert stored_files(store) == before
