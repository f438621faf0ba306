"""Bad input through the command line: one clear line, exit code 2, nothing stored touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_support import stored_files, use_copy, write_snapshot

from decoupling import cli
from decoupling.pipeline import Options, run_refresh

pytestmark = pytest.mark.usefixtures("patient_engine")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A hand-made snapshot of the four C1 series and a warehouse built from it."""
    base = tmp_path_factory.mktemp("badinput")
    snap = write_snapshot(base)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DECOUPLING_CATALOG", str(base / "catalog.csv"))
        run_refresh(
            Options(
                snapshots=[str(snap)],
                warehouse=str(base / "store" / "warehouse.duckdb"),
                output_dir=str(base / "store" / "output"),
                raw_dir=str(base / "store" / "raw"),
                quiet=True,
            )
        )
    return base


@pytest.fixture
def world(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_copy(built, tmp_path, monkeypatch)
    # cli.main sets this (and PREFECT_LOGGING_LEVEL, which use_copy sets) for its Prefect run;
    # set here, it is undone after the test.
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # Nothing may go out: any live request would hit a closed port.
    monkeypatch.setenv("FRED_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("BLS_BASE_URL", "http://127.0.0.1:9")
    return tmp_path


def _run(argv: list[str], capsys) -> tuple[int, list[str]]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.startswith("error:")]


def _corrupt(world: Path, series: str, body: bytes) -> list[str]:
    (world / "snap" / f"{series}.csv").write_bytes(body)
    return ["refresh", "--snapshot", str(world / "snap")]


def _bad_catalog(world: Path, old: str, new: str) -> list[str]:
    catalog = world / "catalog.csv"
    catalog.write_text(catalog.read_text().replace(old, new, 1))
    return ["refresh", "--snapshot", str(world / "snap")]


CASES = {
    "path traversal in a series id": (
        lambda w: ["refresh", "--snapshot", str(w / "snap"), "--series", "../../etc/passwd"],
        "invalid series id",
    ),
    "injection in a series id": (
        lambda w: ["refresh", "--series", "OPHNFB';DROP TABLE raw.observations;--"],
        "invalid series id",
    ),
    "unknown series": (
        lambda w: ["refresh", "--snapshot", str(w / "snap"), "--series", "NOSUCHSERIES"],
        "unknown series NOSUCHSERIES",
    ),
    "snapshot path that does not exist": (
        lambda w: ["refresh", "--snapshot", str(w / "snap" / ".." / ".." / "nowhere")],
        "snapshot folder not found",
    ),
    "snapshot folder holding none of the series": (
        lambda w: ["refresh", "--snapshot", str(w / "store")],
        "holds none of the requested series",
    ),
    "empty snapshot file": (lambda w: _corrupt(w, "OPHNFB", b""), "is empty"),
    "corrupt snapshot file": (
        lambda w: _corrupt(w, "OPHNFB", b"observation_date,OPHNFB\n2020-01-01,12x.5\n"),
        "bad snapshot file: snapshot: series OPHNFB",
    ),
    "HTML saved as a snapshot file": (
        lambda w: _corrupt(w, "COMPRNFB", b"<html><body>Error</body></html>"),
        "series COMPRNFB",
    ),
    "catalog entry with a missing field": (
        lambda w: _bad_catalog(w, "COMPRNFB (test)", ""),
        "field 'title' is empty",
    ),
    "catalog snapshot_path escaping the folder": (
        lambda w: _bad_catalog(w, "C1,Public domain,,", "C1,Public domain,../../etc/*,"),
        "must stay inside the snapshot folder",
    ),
    "write statement in query": (
        lambda w: ["query", "DROP TABLE marts.claims"],
        "refused: DROP",
    ),
    "COPY TO in query": (
        lambda w: ["query", f"COPY marts.claims TO '{w / 'leak.csv'}'"],
        "refused: COPY",
    ),
    "ATTACH in query": (
        lambda w: ["query", f"ATTACH '{w / 'other.duckdb'}' AS other"],
        "refused: ATTACH",
    ),
    "injection after a SELECT": (
        lambda w: ["query", "SELECT 1; DELETE FROM raw.observations"],
        "refused: DELETE",
    ),
    "invalid cron": (lambda w: ["serve", "--cron", "0 6 99 * *"], "invalid cron expression"),
    "transform without a warehouse": (
        lambda w: ["transform", "--warehouse", str(w / "none" / "warehouse.duckdb")],
        "no warehouse at",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_one_line_exit_2_nothing_touched(world: Path, capsys, case: str) -> None:
    make_argv, says = CASES[case]
    before = stored_files(world / "store")
    code, errors = _run(make_argv(world), capsys)
    assert code == 2
    assert len(errors) == 1 and says in errors[0], errors
    assert stored_files(world / "store") == before
    assert not (world / "leak.csv").exists() and not (world / "other.duckdb").exists()


def test_bad_setting_is_one_line(world: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DECOUPLING_HTTP_RETRIES", "many")
    before = stored_files(world / "store")
    code, errors = _run(["refresh"], capsys)
    assert code == 2 and errors == ["error: DECOUPLING_HTTP_RETRIES='many' is not a number"]
    assert stored_files(world / "store") == before
