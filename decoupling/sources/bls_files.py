"""BLS workbooks that are not in the BLS API: total-economy hours and employment, R-CPI-U-RS.

Catalog entries name the file by `live_id`:
- `total-economy-hours`: /productivity/tables/total-economy-hours-employment.xlsx, parsed by
  `te_hours_xlsx` into TOTAL_ECONOMY_HOURS_ALL_WORKERS (billions of hours, quarterly values at an
  annual rate) and TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS (millions of jobs), both from one file.
- `r-cpi-u-rs`: /cpi/research-series/r-cpi-u-rs-allitems.xlsx, parsed by `cpi_u_rs_xlsx` into
  CPI_U_RS (monthly, index December 1977 = 100).

Requests go through the shared client (decoupling.sources.http: retries, rate limit, User-Agent from
settings; BLS answers 403 to a User-Agent that names no contact). BLS_BASE_URL replaces scheme
and host and keeps the path. `get_file` is also what the OEWS source downloads its zips with.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources.base import Download, SourceError, body_parser
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

# Total-economy rows: series id -> (Measure, the Units the file must state).
TE_SERIES = {
    "TOTAL_ECONOMY_HOURS_ALL_WORKERS": ("hours worked", "billions of hours"),
    "TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS": ("employment", "millions of jobs"),
}
TE_ROW = ("total economy", "all workers", "total u.s. economy")  # Sector, Basis, Component
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


# ---------------------------------------------------------------------------------------------
# Parsing


def _sheets(body: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of plain values, read with calamine (the project's one Excel reader)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    try:
        return {
            name: [
                tuple(_plain(cell) for cell in row)
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in book.sheet_names
        }
    finally:
        book.close()


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
    for number, row in enumerate(rows[1:], start=2):
        key = tuple(_text(row[at[c]]).lower() for c in ("sector", "basis", "component"))
        if key != TE_ROW:
            continue
        measure, units = _text(row[at["measure"]]).lower(), _text(row[at["units"]]).lower()
        for sid, (want_measure, want_units) in TE_SERIES.items():
            if measure != want_measure:
                continue
            if units != want_units:
                raise SourceError(
                    SOURCE,
                    sid,
                    f"MachineReadable row {number}: units {units!r}, expected {want_units!r}",
                )
            quarter = row[at["qtr"]]
            if str(quarter).strip() not in ("1", "2", "3", "4"):
                continue  # annual rows, if BLS adds them
            when = pd.Timestamp(int(row[at["year"]]), 3 * int(quarter) - 2, 1)
            found[sid][when] = _value(row[at["value"]], f"MachineReadable row {number}")
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
        if tuple(_text(c).lower() for c in row[:3]) != TE_ROW:
            continue
        measure, units = _text(row[3]).lower(), _text(row[4]).lower()
        for sid, (want_measure, want_units) in TE_SERIES.items():
            if measure == want_measure:
                if units != want_units:
                    raise SourceError(
                        SOURCE,
                        sid,
                        f"Quarterly row {number}: units {units!r}, expected {want_units!r}",
                    )
                for index, when in periods.items():
                    found[sid][when] = _value(row[index], f"Quarterly row {number}")
    return found


@body_parser("te_hours_xlsx")
def parse_te_hours(body: bytes, series_id: str) -> pd.DataFrame:
    """Total-economy hours and employment, all workers: both series, whichever entry asked."""
    sheets = _sheets(body)
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
    empty = [
        sid for sid, points in found.items() if not any(v is not None for v in points.values())
    ]
    if empty:
        raise SourceError(
            SOURCE,
            series_id,
            f"no rows for {', '.join(empty)} (Total economy / All workers / Total U.S. economy)",
        )
    return pd.concat([_trimmed(sid, points) for sid, points in found.items()], ignore_index=True)


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
