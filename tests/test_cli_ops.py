"""The command line as a person meets it: no abbreviations, help with a description and an
example, --output choosing its format from the extension, and a status table with titles and
blanks (no NULL) that says what an expanding entry such as OEWS_NATIONAL holds."""

from __future__ import annotations

import json

import duckdb
import pytest

from decoupling import cli


def test_abbreviations_are_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["refresh", "--serie", "OPHNFB"])
    assert stop.value.code == 2
    assert "--serie" in capsys.readouterr().err


def test_every_subcommand_has_a_description_and_an_example(capsys):
    parser = cli._parser()
    commands = parser._subparsers._group_actions[0].choices
    assert set(commands) == set(cli.COMMANDS)
    for name, sub in commands.items():
        text = sub.format_help()
        _, description, example = cli.COMMANDS[name]
        assert description.split()[0] in text, name
        assert "example:" in text and example in text, name
        assert example.split()[0] in ("decoupling", "FRED_API_KEY=...")


@pytest.fixture()
def small_warehouse(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE numbers AS SELECT range AS n, range * 0.5 AS half FROM range(3)")
    con.close()
    return path


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        (".csv", lambda text: text.splitlines()[0] == "n,half"),
        (".json", lambda text: json.loads(text)[2] == {"n": 2, "half": 1.0}),
        (".txt", lambda text: "(3 rows)" in text),
    ],
)
def test_output_infers_the_format_from_the_extension(small_warehouse, tmp_path, suffix, check):
    target = tmp_path / f"result{suffix}"
    code = cli.main(
        ["query", "SELECT * FROM numbers ORDER BY n", "--output", str(target)]
        + ["--warehouse", str(small_warehouse)]
    )
    assert code == 0
    assert check(target.read_text()), target.read_text()


def test_output_parquet_from_the_extension(small_warehouse, tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "result.parquet"
    argv = ["query", "SELECT * FROM numbers", "--output", str(target)]
    assert cli.main([*argv, "--warehouse", str(small_warehouse)]) == 0
    assert pq.read_table(target).column_names == ["n", "half"]


def test_an_unknown_extension_needs_format(small_warehouse, tmp_path, capsys):
    target = tmp_path / "result.xlsx"
    argv = ["query", "SELECT 1", "--output", str(target), "--warehouse", str(small_warehouse)]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--format" in err[0]
    assert not target.exists()


def test_status_shows_titles_blanks_and_what_oews_holds(refreshed, capsys):
    warehouse = str(refreshed["settings"].warehouse)
    assert cli.main(["status", "--warehouse", warehouse]) == 0
    out = capsys.readouterr().out
    assert "NULL" not in out
    con = duckdb.connect(warehouse, read_only=True)
    title = con.execute("SELECT title FROM meta.series WHERE id = 'OPHNFB'").fetchall()[0][0]
    parts = con.execute(
        "SELECT count(DISTINCT o.series_id) FROM raw.observations o JOIN meta.downloads d "
        "ON o.download_sha256 = d.sha256 WHERE d.series_id = 'OEWS_NATIONAL'"
    ).fetchall()[0][0]
    con.close()
    assert title[:30] in out
    oews = next(line for line in out.splitlines() if line.startswith("OEWS_NATIONAL "))
    assert parts > 100 and f"{parts:,}" in oews, oews
    assert " 0 " not in oews  # not "available, obs 0"
