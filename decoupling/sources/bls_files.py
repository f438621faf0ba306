"""BLS workbooks that are not in the BLS API: total-economy hours and employment, R-CPI-U-RS.

Catalog entries name the file by `live_id`:
- `total-economy-hours`: /productivity/tables/total-economy-hours-employment.xlsx, parsed by
  `te_hours_xlsx` into TOTAL_ECONOMY_HOURS_ALL_WORKERS (billions of hours, quarterly values at an
  annual rate), TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS (millions of jobs) and the hours of the
  components that are not employees (nonfarm proprietors, unpaid family workers, farm), all from
  one file, so employee hours (computed in SQL, staging.total_economy_hours) are of one release.
- `r-cpi-u-rs`: /cpi/research-series/r-cpi-u-rs-allitems.xlsx, parsed by `cpi_u_rs_xlsx` into
  CPI_U_RS (monthly, index December 1977 = 100).

Requests go through the shared client (decoupling.sources.http: retries, rate limit, User-Agent from
settings; BLS answers 403 to a User-Agent that names no contact). BLS_BASE_URL replaces scheme
and host and keeps the path. `get_file` is also what the OEWS source downloads its zips with.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources.base import Download, SourceError, body_parser, read_once
from decoupling.sources.http import HttpClient, HttpStatusError, client, rebase

SOURCE = "bls_file"
LIVE_HOST = "https://www.bls.gov"
FILES = {
    "total-economy-hours": (
        "/productivity/tables/total-economy-hours-employment.xlsx",
        "te_hours_xlsx",
    ),
    "r-cpi-u-rs": ("/cpi/research-series/r-cpi-u-rs-allitems.xlsx", "cpi_u_rs_xlsx"),
}

# Files a snapshot may hold whole (catalog snapshot_path), read by `snapshot_download`.
SNAPSHOT_FILES = ("total-economy-hours",)
# Total-economy rows: series id -> (Basis, Component, Measure, the Units the file must state);
# the Sector is always "Total economy".
TE_SECTOR = "total economy"
_HOURS = ("hours worked", "billions of hours")
TE_SERIES = {
    "TOTAL_ECONOMY_HOURS_ALL_WORKERS": ("all workers", "total u.s. economy", *_HOURS),
    "TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS": (
        "all workers",
        "total u.s. economy",
        "employment",
        "millions of jobs",
    ),
    # The hours that are not employees' (their pay is proprietors' income or nothing); farm is
    # published for employees and operators together only.
    "TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS": (
        "proprietors",
        "nonfarm business: non-employees: proprietors",
        *_HOURS,
    ),
    "TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS": (
        "unpaid family workers",
        "nonfarm business: non-employees: unpaid family workers",
        *_HOURS,
    ),
    "TOTAL_ECONOMY_HOURS_FARM": ("all workers", "farm", *_HOURS),
}
# Series every file must hold; a component may be left out unless its own entry asked for it.
TE_REQUIRED = ("TOTAL_ECONOMY_HOURS_ALL_WORKERS", "TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS")
# The file states its release on its title rows: "Data released January 8, 2026; ...".
TE_RELEASE = re.compile(r"data released\s+([A-Za-z]+\.? \d{1,2}, \d{4})", re.I)
MISSING = {"", "N.A.", "NA", "-", "(NA)"}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def file_url(live_id: str, settings: Settings) -> str:
    """The published file's URL; BLS_BASE_URL replaces scheme and host and keeps the path."""
    return rebase(LIVE_HOST + FILES[live_id][0], settings.bls_base_url)


def get_file(
    http: HttpClient, url: str, series_id: str, allow_404: bool = False
) -> tuple[bytes, datetime, str | None] | None:
    """GET one published file: (body, accessed_at, Last-Modified), or None for an allowed 404.

    The shared client retries 429/5xx and refuses HTML pages; a 403 gets the usual BLS cause.
    """
    accessed_at = datetime.now(UTC)
    try:
        response = http.get(url, series_id)
    except HttpStatusError as exc:
        if exc.status == 404 and allow_404:
            return None
        if exc.status == 403:
            raise SourceError(
                exc.source,
                series_id,
                f"{exc.problem}; BLS refuses a User-Agent without a contact: "
                "set DECOUPLING_CONTACT (or DECOUPLING_USER_AGENT)",
            ) from None
        raise
    return response.content, accessed_at, response.headers.get("Last-Modified")


def fetch(entry: Series, settings: Settings, http: HttpClient | None = None) -> list[Download]:
    """Download the workbook an entry's live_id names (`http`: a client to use, e.g. in tests)."""
    if entry.live_id not in FILES:
        raise SourceError(
            SOURCE, entry.id, f"unknown live_id {entry.live_id!r} (known: {', '.join(FILES)})"
        )
    url = file_url(entry.live_id, settings)
    got = get_file(http or client(SOURCE, settings), url, entry.id)
    assert got is not None  # only an allowed 404 gives None
    body, accessed_at, last_modified = got
    return [
        Download(
            source=SOURCE,
            series_id=entry.id,
            url=url,
            body=body,
            fmt=FILES[entry.live_id][1],
            license=entry.license,
            accessed_at=accessed_at,
            vintage=f"Last-Modified {last_modified}" if last_modified else None,
            extension="xlsx",
        )
    ]


def for_entry(download: Download, entry: Series) -> Download:
    """The download of a file another entry fetched this run, as this entry's own (recorded
    under its series key in meta.downloads), without downloading the file again."""
    return replace(download, series_id=entry.id, license=entry.license)


# ---------------------------------------------------------------------------------------------
# Parsing


def _sheets(body: bytes, first_of: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of plain values, read with calamine (the project's one Excel reader).
    With `first_of`, only the first of those sheets the workbook has is read; the others map
    to no rows (their names are still there, for errors listing them)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    try:
        names = list(book.sheet_names)
        wanted = next(([n] for n in first_of if n in names), []) if first_of else names
        return {name: _rows(book, name) if name in wanted else [] for name in names}
    finally:
        book.close()


def _each_sheet(body: bytes) -> Iterator[list[tuple[Any, ...]]]:
    """Each sheet's rows in workbook order, a sheet read only when the caller gets to it."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    try:
        for name in book.sheet_names:
            yield _rows(book, name)
    finally:
        book.close()


def _rows(book: Any, name: str) -> list[tuple[Any, ...]]:
    return [
        tuple(_plain(cell) for cell in row)
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    ]


def _plain(cell: Any) -> Any:
    # calamine gives '' for an empty cell and 1.0 for a whole number typed in a cell (a year, a
    # quarter); the parsers expect None and 1, as a spreadsheet shows them.
    if cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def _text(cell: Any) -> str:
    return "" if cell is None else " ".join(str(cell).split())


def _value(cell: Any, where: str) -> float | None:
    if cell is None:
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    text = _text(cell)
    if text in MISSING:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a number") from None


def _trimmed(series_id: str, points: dict[pd.Timestamp, float | None]) -> pd.DataFrame:
    """One series, sorted; leading and trailing missing values dropped, inner ones kept as NaN."""
    dates = sorted(points)
    known = [d for d in dates if points[d] is not None]
    if not known:
        return pd.DataFrame(columns=["series_id", "date", "value"])
    dates = [d for d in dates if known[0] <= d <= known[-1]]
    return pd.DataFrame(
        {
            "series_id": pd.Series([series_id] * len(dates), dtype="string"),
            "date": pd.Series(dates, dtype="datetime64[ns]"),
            "value": pd.Series([points[d] for d in dates], dtype="float64"),
        }
    )


def _te_series(cells: list[Any], where: str) -> str | None:
    """The series id a row's Sector, Basis, Component, Measure and Units name (None: not ours);
    a row of ours in other units than expected is refused."""
    sector, basis, component, measure, units = (_text(c).lower() for c in cells)
    if sector != TE_SECTOR:
        return None
    for sid, (want_basis, want_component, want_measure, want_units) in TE_SERIES.items():
        if (basis, component, measure) == (want_basis, want_component, want_measure):
            if units != want_units:
                raise SourceError(SOURCE, sid, f"{where}: units {units!r}, expected {want_units!r}")
            return sid
    return None


def _te_machine_readable(rows: list[tuple[Any, ...]], series_id: str) -> dict[str, dict]:
    header = [_text(c).lower() for c in rows[0]]
    needed = ("sector", "basis", "component", "measure", "units", "year", "qtr", "value")
    missing = [c for c in needed if c not in header]
    if missing:
        raise SourceError(
            SOURCE, series_id, f"sheet MachineReadable has no column {', '.join(missing)}"
        )
    at = {name: header.index(name) for name in needed}
    found: dict[str, dict] = {sid: {} for sid in TE_SERIES}
    # Some 9,000 rows name a few dozen series: each name is matched once.
    matched: dict[tuple[Any, ...], str | None] = {}
    for number, row in enumerate(rows[1:], start=2):
        where = f"MachineReadable row {number}"
        names = tuple(row[at[c]] for c in ("sector", "basis", "component", "measure", "units"))
        if names not in matched:
            matched[names] = _te_series(list(names), where)
        sid = matched[names]
        if sid is None:
            continue
        quarter = row[at["qtr"]]
        if str(quarter).strip() not in ("1", "2", "3", "4"):
            continue  # annual rows, if BLS adds them
        when = pd.Timestamp(int(row[at["year"]]), 3 * int(quarter) - 2, 1)
        found[sid][when] = _value(row[at["value"]], where)
    return found


def _te_quarterly(rows: list[tuple[Any, ...]], series_id: str) -> dict[str, dict]:
    """The wide Quarterly sheet: Sector, Basis, Component, Measure, Units, '1947 Q1', ..."""
    header_at = next(
        (
            i
            for i, r in enumerate(rows[:10])
            if [_text(c).lower() for c in r[:2]] == ["sector", "basis"]
        ),
        None,
    )
    if header_at is None:
        raise SourceError(SOURCE, series_id, "sheet Quarterly has no header row (Sector, Basis)")
    periods = {}
    for index, cell in enumerate(rows[header_at]):
        match = re.fullmatch(r"(\d{4}) Q([1-4])", _text(cell))
        if match:
            periods[index] = pd.Timestamp(int(match.group(1)), 3 * int(match.group(2)) - 2, 1)
    found: dict[str, dict] = {sid: {} for sid in TE_SERIES}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        where = f"Quarterly row {number}"
        sid = _te_series(list(row[:5]), where)
        if sid is not None:
            for index, when in periods.items():
                found[sid][when] = _value(row[index], where)
    return found


def te_release(body: bytes) -> str | None:
    """The release date the total-economy workbook states ("Data released January 8, 2026"), as
    YYYY-MM-DD; None when no title row states one. Sheets are read in order until one states
    it (the first, Quarterly, does: the 9,000-row MachineReadable sheet is not read for it)."""
    for rows in _each_sheet(body):
        for row in rows[:5]:
            for cell in row:
                match = TE_RELEASE.search(_text(cell))
                if match:
                    text = match.group(1).replace(".", "")
                    for fmt in ("%B %d, %Y", "%b %d, %Y"):
                        try:
                            return datetime.strptime(text, fmt).date().isoformat()
                        except ValueError:
                            continue
    return None


@body_parser("te_hours_xlsx")
def parse_te_hours(body: bytes, series_id: str) -> pd.DataFrame:
    """Every total-economy series of the file (TE_SERIES), whichever entry asked: the two totals
    and the asking entry's own series must be there, other components may be absent."""
    found = read_once("te_hours", body, lambda: _te_found(body, series_id))
    held = {sid for sid, points in found.items() if any(v is not None for v in points.values())}
    required = [*TE_REQUIRED, *([series_id] if series_id in TE_SERIES else [])]
    empty = [sid for sid in dict.fromkeys(required) if sid not in held]
    if empty:
        names = "; ".join(" / ".join(TE_SERIES[sid][:3]) for sid in empty)
        raise SourceError(
            SOURCE, series_id, f"no rows for {', '.join(empty)} (Total economy / {names})"
        )
    return pd.concat(
        [_trimmed(sid, points) for sid, points in found.items() if sid in held],
        ignore_index=True,
    )


def _te_found(body: bytes, series_id: str) -> dict[str, dict]:
    """Every TE_SERIES' points in the workbook (errors name the series that asked)."""
    sheets = _sheets(body, first_of=("MachineReadable", "Quarterly"))
    try:
        if "MachineReadable" in sheets:
            found = _te_machine_readable(sheets["MachineReadable"], series_id)
        elif "Quarterly" in sheets:
            found = _te_quarterly(sheets["Quarterly"], series_id)
        else:
            raise SourceError(
                SOURCE,
                series_id,
                f"no sheet MachineReadable or Quarterly (sheets: {', '.join(sheets)})",
            )
    except ValueError as exc:
        raise SourceError(SOURCE, series_id, str(exc)) from None
    return found


def snapshot_download(folder: Path, path: Path, entry: Series, stamp: datetime) -> Download:
    """The total-economy workbook in a snapshot folder, read in place; its release is the one the
    workbook states, so every series read from it carries the same vintage."""
    from decoupling import release_dates
    from decoupling.sources.snapshot import read_file

    body = read_file(path, entry.id)
    _, accessed = release_dates.snapshot_dates(folder, path)

    def read_release() -> str | None:
        try:
            return te_release(body)
        except Exception as exc:  # calamine raises several kinds for a file not a workbook
            problem = " ".join(str(exc).split())
            raise SourceError(
                SOURCE, entry.id, f"{path.name} is not a readable workbook: {problem}"
            ) from None

    # The release is read only when the workbook is loaded, and once for the several entries
    # that read it whole from a snapshot.
    release = read_once("te_release", body, lambda: functools.cache(read_release))

    def vintage() -> str:
        return (
            f"snapshot {folder.name}; released {release() or release_dates.UNKNOWN}; "
            f"accessed {accessed}"
        )

    return Download(
        source="snapshot",
        series_id=entry.id,
        url=path.resolve().as_uri(),
        body=body,
        fmt=FILES["total-economy-hours"][1],
        license=entry.license,
        accessed_at=stamp,
        vintage=vintage,
        extension="xlsx",
    )


def _cpi_header(sheets: dict[str, list[tuple[Any, ...]]]) -> tuple[str, int, list[str]] | None:
    """(sheet, row index, upper-case labels) of the first row holding YEAR and JAN..DEC."""
    for name, rows in sheets.items():
        for index, row in enumerate(rows[:30]):
            labels = [_text(c).upper() for c in row]
            if "YEAR" in labels and all(m in labels for m in MONTHS):
                return name, index, labels
    return None


@body_parser("cpi_u_rs_xlsx")
def parse_cpi_u_rs(body: bytes, series_id: str) -> pd.DataFrame:
    """R-CPI-U-RS all items: title rows, then YEAR, JAN..DEC, AVG; one row a year."""
    sheets = _sheets(body)
    found = _cpi_header(sheets)
    if found is None:
        raise SourceError(
            SOURCE,
            series_id,
            f"no sheet with a header row YEAR, JAN..DEC (sheets: {', '.join(sheets)})",
        )
    name, header_at, labels = found
    rows = sheets[name]
    year_at = labels.index("YEAR")
    month_at = [labels.index(m) for m in MONTHS]
    points: dict[pd.Timestamp, float | None] = {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        year = _text(row[year_at] if year_at < len(row) else None)
        if not re.fullmatch(r"\d{4}(\.0)?", year):
            continue  # blank or footnote rows
        for month, index in enumerate(month_at, start=1):
            cell = row[index] if index < len(row) else None
            where = f"sheet {name!r} row {number} {MONTHS[month - 1]}"
            try:
                points[pd.Timestamp(int(float(year)), month, 1)] = _value(cell, where)
            except ValueError as exc:
                raise SourceError(SOURCE, series_id, str(exc)) from None
    if not any(v is not None for v in points.values()):
        raise SourceError(SOURCE, series_id, f"sheet {name!r} holds no index values")
    return _trimmed(series_id, points)
