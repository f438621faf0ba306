"""BEA Section workbooks and FRED-MD/QD wired as catalog sources: one Download per file, the
catalog ids other code reads, vintages from the files, and a bad FRED-MD/QD file stopping a
refresh with one line and exit 2 while the warehouse stays byte for byte as it was."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from ops_support import stored_files, use_tree, write_catalog

from decoupling import cli
from decoupling.catalog import load_catalog
from decoupling.ingest import fetch_all, parse_all
from decoupling.pipeline import Options, run_refresh
from decoupling.settings import Settings
from decoupling.sources import download_id, shared_file

SNAPSHOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "fred-snapshot"
RAW = SNAPSHOT / "raw"
MD_FILE = RAW / "FRED-MD_2025-08-vintage.csv"
QD_FILE = RAW / "FRED-QD_2025Q2-vintage.csv"
BEA_FILE = RAW / "bea_nipa" / "Section1All_xls_2024-08-29.xlsx"
needs_snapshot = pytest.mark.skipif(
    not MD_FILE.is_file(), reason=f"the shared snapshot is not at {SNAPSHOT}"
)

BEA_CODES = (
    "A362RG A362RC A262RC A024RC A264RC A438RC B456RC A051RC A445RC A463RC A551RC A055RC "
    "B056RC A006RC A008RC A191RG A4002C"
).split()
MD_COLUMNS = ["PAYEMS", "USGOOD", "SRVPRD", "MANEMP", "CUSR0000SAC"]
QD_COLUMNS = (
    "TNWBSHNOx NWPIx TNWMVBSNNCBx TNWMVBSNNCBBDIx CNCFx DPIC96 GDPC1 GDPCTPI PCEPILFE PCECTPI IPDBS"
).split()
EXPECTED_IDS = (
    [f"BEA_{c}" for c in BEA_CODES]
    + [f"FREDMD_{c}" for c in MD_COLUMNS]
    + [f"FREDQD_{c}" for c in QD_COLUMNS]
)


def snapshot_settings(*folders: Path) -> Settings:
    return Settings(
        warehouse=Path("w.duckdb"), raw_dir=Path("raw"), output_dir=Path("out"), snapshots=folders
    )


def test_catalog_names_every_agreed_id_with_its_source_and_units():
    catalog = {e.id: e for e in load_catalog()}
    missing = [i for i in EXPECTED_IDS if i not in catalog]
    assert not missing
    for code in BEA_CODES:
        entry = catalog[f"BEA_{code}"]
        assert (entry.source, entry.frequency) == ("bea", "Q")
        assert {"C1", "C3", "C4"} >= set(entry.analyses)
        published_as = "Index 2017=100" if code.endswith("RG") else "Millions of dollars"
        assert published_as in entry.units, entry.id
        assert download_id(entry) == "BEA_NIPA_SECTION1"
    for column in MD_COLUMNS:
        entry = catalog[f"FREDMD_{column}"]
        assert (entry.source, entry.frequency, download_id(entry)) == ("fred_md", "M", "FRED_MD")
    for column in QD_COLUMNS:
        entry = catalog[f"FREDQD_{column}"]
        assert (entry.source, entry.frequency, download_id(entry)) == ("fred_md", "Q", "FRED_QD")
    # All BEA rows share one file, all FRED-QD rows another: each is fetched once a run.
    for live in (True, False):
        assert len({shared_file(catalog[f"BEA_{c}"], live) for c in BEA_CODES}) == 1
        assert len({shared_file(catalog[f"FREDQD_{c}"], live) for c in QD_COLUMNS}) == 1


@needs_snapshot
def test_snapshot_run_fetches_each_file_once_and_names_its_vintage():
    entries = [e for e in load_catalog() if e.id in EXPECTED_IDS]
    fetched = fetch_all(entries, snapshot_settings(SNAPSHOT))
    assert not fetched.unavailable
    by_id = {d.series_id: d for d in fetched.downloads}
    assert sorted(by_id) == ["BEA_NIPA_SECTION1", "FRED_MD", "FRED_QD"]
    assert len(fetched.downloads) == 3
    assert "2024-08-29" in by_id["BEA_NIPA_SECTION1"].vintage
    assert "2025-08" in by_id["FRED_MD"].vintage
    assert "2025Q2" in by_id["FRED_QD"].vintage
    # Read in place, not copied.
    assert by_id["FRED_MD"].url == MD_FILE.resolve().as_uri()
    assert by_id["BEA_NIPA_SECTION1"].url == BEA_FILE.resolve().as_uri()

    frames = pd.concat([f for _, f in parse_all(fetched.downloads, from_snapshot=True)])
    assert set(frames["series_id"]) == set(EXPECTED_IDS)


def _md_cell(path: Path, column: str, sasdate: str) -> float:
    """The value the published CSV holds, read with pandas directly (not through the parser)."""
    table = pd.read_csv(path, dtype=str)
    row = table[table["sasdate"] == sasdate]
    return float(row[column].iloc[0])


@needs_snapshot
def test_values_match_the_files_read_independently():
    entries = [e for e in load_catalog() if e.id in EXPECTED_IDS]
    fetched = fetch_all(entries, snapshot_settings(SNAPSHOT))
    frame = pd.concat([f for _, f in parse_all(fetched.downloads, from_snapshot=True)])

    def value(series_id: str, day: str) -> float:
        hit = frame[(frame["series_id"] == series_id) & (frame["date"] == pd.Timestamp(day))]
        assert len(hit) == 1, (series_id, day)
        return float(hit["value"].iloc[0])

    assert value("FREDMD_PAYEMS", "2025-07-01") == _md_cell(MD_FILE, "PAYEMS", "7/1/2025")
    # FRED-QD dates a quarter by its last month; the warehouse by its first.
    assert value("FREDQD_NWPIx", "2025-04-01") == _md_cell(QD_FILE, "NWPIx", "6/1/2025")

    # BEA: the workbook's sheet read with pandas (calamine engine) by line number.
    sheet = pd.read_excel(BEA_FILE, sheet_name="T10704-Q", header=None, engine="calamine")
    header_row = sheet.index[sheet[0] == "Line"][0]
    line_11 = sheet[(sheet[0] == "11") & (sheet[2] == "A362RG")].iloc[0]
    column = list(sheet.iloc[header_row]).index("2024Q2")
    assert value("BEA_A362RG", "2024-04-01") == pytest.approx(float(line_11[column]))
    line_2 = pd.read_excel(BEA_FILE, sheet_name="T11000-Q", header=None, engine="calamine")
    comp = line_2[line_2[2] == "A4002C"].iloc[0]
    column = list(line_2.iloc[header_row]).index("1979Q4")
    assert value("BEA_A4002C", "1979-10-01") == pytest.approx(float(comp[column]))


# --- a bad FRED-MD/QD file stops the refresh: one line, exit 2, nothing touched --------------


def _md_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _drop_column(rows: list[list[str]], name: str) -> list[list[str]]:
    at = rows[0].index(name)
    return [r[:at] + r[at + 1 :] for r in rows]


def _transform_row_after_data(rows: list[list[str]]) -> list[list[str]]:
    return [rows[0], *rows[2:5], rows[1], *rows[5:]]


def _non_numeric(rows: list[list[str]], column: str) -> list[list[str]]:
    at = rows[0].index(column)
    rows = [list(r) for r in rows]
    rows[100][at] = "12x.5"
    return rows


DAMAGE = {
    "missing column": (MD_FILE, lambda rows: _drop_column(rows, "SRVPRD"), "column SRVPRD"),
    "transformation codes out of place": (MD_FILE, _transform_row_after_data, "line 5"),
    "non-numeric value": (QD_FILE, lambda rows: _non_numeric(rows, "NWPIx"), "'12x.5'"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A small catalog (the four C1 series of ops_support and the FRED-MD/QD rows) and a
    warehouse built from the real snapshot with it."""
    if not MD_FILE.is_file():
        pytest.skip(f"the shared snapshot is not at {SNAPSHOT}")
    base = tmp_path_factory.mktemp("fredmd_e2e")
    catalog = write_catalog(base / "catalog.csv", with_bls=False)
    real = (Path(__file__).resolve().parents[1] / "decoupling" / "catalog.csv").read_text()
    extra = [line for line in real.splitlines() if line.startswith(("FREDMD_", "FREDQD_"))]
    catalog.write_text(catalog.read_text() + "\n".join(extra) + "\n")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, base)
        # Plain functions (no engine) for the baseline; the damaged runs go through the CLI.
        run_refresh(Options(snapshots=[str(SNAPSHOT)], quiet=True))
    assert (base / "store" / "warehouse.duckdb").is_file()
    return base


def _environment(mp: pytest.MonkeyPatch, root: Path) -> None:
    use_tree(root, mp)
    mp.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    mp.setenv("FRED_MD_BASE_URL", "http://127.0.0.1:9")  # nothing may go out


@pytest.mark.e2e
@pytest.mark.usefixtures("patient_engine", "quiet_prefect")
@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_bad_fred_md_file_stops_the_refresh(built, tmp_path, monkeypatch, capsys, case):
    shutil.copytree(built, tmp_path, dirs_exist_ok=True, symlinks=True)
    _environment(monkeypatch, tmp_path)
    source, damage, says = DAMAGE[case]
    front = tmp_path / "front"
    _write_rows(front / "raw" / source.name, damage(_md_rows(source)))
    store = tmp_path / "store"
    published = store / "warehouse.duckdb"
    assert published.is_file()
    before = stored_files(store)

    code = cli.main(["refresh", "--snapshot", str(front), "--snapshot", str(SNAPSHOT)])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert "Traceback" not in err
    assert code == 2
    assert len(errors) == 1, errors
    assert source.name in errors[0] and says in errors[0], errors[0]
    assert stored_files(store) == before


# --- live paths against a local server ------------------------------------------------------


def live_settings(server_url: str, **extra) -> Settings:
    return Settings(
        warehouse=Path("w.duckdb"),
        raw_dir=Path("raw"),
        output_dir=Path("out"),
        http_timeout=5.0,
        http_retries=1,
        http_backoff_s=0.0,
        **extra,
    )


def test_fred_md_live_fetch_goes_to_the_mirror_and_parses(server):
    from decoupling.sources import fred_md
    from decoupling.sources.base import parse

    header = "sasdate," + ",".join(MD_COLUMNS)
    body = "\r\n".join(
        [header, "Transform:," + ",".join(["5"] * 5), "1/1/2000," + ",".join(["100"] * 5)]
    )
    path = fred_md.BASE_PATH + "/monthly/current.csv"
    server.expect_request(path).respond_with_data(body, content_type="text/csv")
    entry = next(e for e in load_catalog() if e.id == "FREDMD_PAYEMS")
    settings = live_settings("", fred_md_base_url=server.url_for("/").rstrip("/"))
    (download,) = fred_md.fetch_live(entry, settings)
    assert download.url == server.url_for(path)
    assert (download.series_id, download.source) == ("FRED_MD", "fred_md")
    assert download.vintage.startswith("FRED-MD current file as of ")
    frame = parse(download)
    assert set(frame["series_id"]) == {f"FREDMD_{c}" for c in MD_COLUMNS}


def _bea_answer(table: str, code: str) -> dict:
    return {
        "BEAAPI": {
            "Request": {"RequestParam": [{"ParameterName": "USERID", "ParameterValue": "k3y"}]},
            "Results": {
                "Notes": [{"NoteText": f"Table {table} - LastRevised: August 29, 2024"}],
                "Data": [
                    {
                        "TableName": table,
                        "SeriesCode": code,
                        "LineNumber": "1",
                        "LineDescription": "x",
                        "TimePeriod": "2024Q2",
                        "DataValue": "1,234.5",
                    }
                ],
            },
        }
    }


def test_bea_live_api_masks_the_key_and_names_the_release(server):
    import json

    from werkzeug import Response

    from decoupling.sources import bea

    entries = [e for e in load_catalog() if e.source == "bea"]
    first_code = {}
    for entry in entries:
        first_code.setdefault(bea.table_of(entry), bea.code_of(entry))

    def answer(request):
        table = request.args["TableName"]
        assert request.args["UserID"] == "k3y"
        return Response(
            json.dumps(_bea_answer(table, first_code[table])), mimetype="application/json"
        )

    server.expect_request(bea.API_PATH).respond_with_handler(answer)
    settings = live_settings("", bea_api_key="k3y", bea_base_url=server.url_for("/").rstrip("/"))
    downloads = bea.fetch_live(entries[0], settings)
    assert sorted(d.part for d in downloads) == sorted(first_code)
    for download in downloads:
        assert b"k3y" not in download.body and "k3y" not in download.url
        assert download.vintage == f"BEA NIPA table {download.part}, data published 2024-08-29"
    # A catalog code the answer lacks is an error naming it, not a silent gap.
    from decoupling.sources.base import SourceError, parse

    ndp = parse(next(d for d in downloads if d.part == "T10704"))
    assert list(ndp["series_id"]) == ["BEA_A362RG"] and list(ndp["value"]) == [1234.5]
    with pytest.raises(SourceError, match="not in the answer"):
        parse(next(d for d in downloads if d.part == "T10705"))
