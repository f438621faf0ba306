"""BLS OEWS national occupational employment and wage estimates: one workbook a year (May).

One catalog entry (OEWS_NATIONAL) expands to a series per occupation and measure:
`OEWS_<SOC without dash>_<MEASURE>` (e.g. OEWS_395011_H_MEAN), dated `<year>-01-01` (the reference
month is May), with a `label` such as "Barbers (SOC 39-5011): mean hourly wage, dollars".
Codes are kept as published; a code listed twice (broad group = its one detailed occupation)
gives one value, from the detailed row.

The year. The workbooks of 2008 and 2013-2018 do not name their year anywhere (the data sheet
is just `national_dl`), so it travels with the download: `part` is `M<year>` (from the snapshot
file name or the zip's year). The parser also reads the year the workbook itself states (the
sheet name `national_M2019_dl`, or "May 2019 ..." on its Field Descriptions sheet, both from
2019 on) and refuses a workbook whose stated year differs from its part's. Without a part the
year comes from the content alone, and a workbook that does not state it is refused.

Published markers: `*` (wage not available) and `**` (employment not available) become missing;
`#` (wage at or above the top-coding cap, e.g. $115.00/hour, $239,200/year in 2024) becomes missing
AND a flag observation `OEWS_<SOC>_<MEASURE>_TOPCODED` = 1 for that year, so the cap is never
mistaken for a value. Any other non-numeric cell is an error naming the file, column and SOC.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources.base import Download, SourceError, parser, part_year
from decoupling.sources.bls_files import get_file
from decoupling.sources.http import HttpClient, client, rebase

SOURCE = "oews"
FIRST_YEAR = 1997  # the first OES national file BLS still publishes
ZIP_PATH = "/oes/special-requests/oesm{yy}nat.zip"
LIVE_HOST = "https://www.bls.gov"

# Output measures: workbook column -> words for the label.
MEASURES = {
    "TOT_EMP": "employment (excluding the self-employed)",
    "H_MEAN": "mean hourly wage, dollars",
    "A_MEAN": "mean annual wage, dollars",
    "H_MEDIAN": "median hourly wage, dollars",
    "A_MEDIAN": "median annual wage, dollars",
    "H_PCT10": "10th percentile hourly wage, dollars",
    "H_PCT90": "90th percentile hourly wage, dollars",
}
REQUIRED = ("OCC_CODE", "OCC_TITLE", "TOT_EMP", "H_MEAN", "A_MEAN", "H_MEDIAN", "A_MEDIAN")
GROUP_COLUMNS = ("O_GROUP", "OCC_GROUP", "GROUP")  # 2019+, 2013-2018, 2008
# When a code appears twice (a broad group equal to its one detailed occupation, 2017 on), keep
# the most detailed row; the values are the same in every file checked.
GROUP_RANK = {"detailed": 0, "": 1, "broad": 2, "minor": 3, "major": 4, "total": 5}
MISSING = {"", "*", "**", "~"}
TOPCODED = "#"
SOC = re.compile(r"^\d{2}-?\d{3,4}$")

# C2 occupations: the codes each was published under, newest first. Checked in the 2008 and
# 2013-2024 files: both codes are the same under SOC 2000, 2010 and 2018 (the 2018 revision
# split neither). The 1997-1998 files use the older OES taxonomy and are not mapped.
C2_OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "39-5011": ("39-5011",),  # Barbers
    "39-5012": ("39-5012",),  # Hairdressers, hairstylists, and cosmetologists
}


def series_id(soc: str, measure: str) -> str:
    """`OEWS_<SOC without dash>_<MEASURE>`, e.g. series_id('39-5011', 'H_MEAN')."""
    return f"OEWS_{soc.replace('-', '')}_{measure}"


def published_codes(soc: str) -> tuple[str, ...]:
    """The codes an occupation was published under (itself when no mapping is known)."""
    return C2_OCCUPATIONS.get(soc, (soc,))


def find_occupation(observations: pd.DataFrame, soc: str, measure: str) -> pd.DataFrame:
    """The observations of one occupation and measure, under whichever code each year used."""
    ids = {series_id(code, measure) for code in published_codes(soc)}
    found = observations[observations["series_id"].isin(ids)]
    return found.sort_values("date").drop_duplicates("date", keep="first")


def workbook_name(year: int, extension: str) -> str:
    return f"national_M{year}_dl.{extension}"


def snapshot_download(path: Path, entry: Series, stamp: datetime) -> Download:
    """A published OEWS workbook in a snapshot folder, e.g. raw/oews/national_M2014_dl.xlsx."""
    from decoupling.sources.snapshot import read_file

    match = re.search(r"M(\d{4})", path.name)
    if not match:
        raise SourceError(
            "snapshot", entry.id, f"{path.name}: no year in the name (national_M<year>_dl)"
        )
    year = int(match.group(1))
    extension = path.suffix.lower().lstrip(".")
    if extension not in ("xls", "xlsx"):
        raise SourceError("snapshot", entry.id, f"{path.name}: not an xls/xlsx workbook")
    body = read_file(path, entry.id)
    return Download(
        source="snapshot",
        series_id=entry.id,
        part=f"M{year}",
        url=path.resolve().as_uri(),
        body=body,
        fmt=f"oews_{extension}",
        license=entry.license,
        accessed_at=stamp,
        vintage=f"OEWS May {year} (snapshot)",
        extension=extension,
    )


# ---------------------------------------------------------------------------------------------
# Parsing


class _Book:
    """Sheets as lists of rows of plain values (str, float, int, None), for xls and xlsx alike.

    Read with calamine (Rust): about ten times faster than openpyxl/xlrd on these workbooks, which
    made the OEWS files most of a refresh's parse time.
    """

    def __init__(self, body: bytes, extension: str, where: str, catalog_id: str):
        self.where = where
        self.catalog_id = catalog_id
        self.extension = extension
        try:
            from python_calamine import CalamineWorkbook

            self._book = CalamineWorkbook.from_filelike(io.BytesIO(body))
            self.names = list(self._book.sheet_names)
        except Exception as exc:  # zip/ole errors come in many types: one line naming the file
            raise self.error(f"not a readable {extension} workbook ({exc})") from exc

    def error(self, problem: str) -> SourceError:
        return SourceError(SOURCE, self.catalog_id, f"{self.where}: {problem}")

    def rows(self, name: str, limit: int | None = None) -> list[list[Any]]:
        """The sheet's rows as calamine gives them: '' for an empty cell (the readers treat it as
        they treat None, so it is not replaced cell by cell)."""
        return self._book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=limit)

    def close(self) -> None:
        self._book.close()


def data_sheet(book: _Book) -> tuple[str, list[list[Any]], int] | None:
    """(name, rows, header row) of the first sheet with an OCC_CODE header in its first rows.
    Each sheet is read once: calamine parses the whole sheet on every request, even for ten."""
    for name in book.names:
        rows = book.rows(name)
        header_at = _header_index(rows[:10])
        if header_at is not None:
            return name, rows, header_at
    return None


def data_table(
    book: _Book, required: Iterable[str], name_sheets: bool = True
) -> tuple[list[list[Any]], int, dict[str, int]]:
    """(rows, header row, columns) of the book's data sheet (see data_sheet); `columns` maps each
    header title, stripped and upper case, to its first column. Raises the book's error when no
    sheet has OCC_CODE or a `required` column is missing; `name_sheets` names the sheets in those
    messages (the national workbooks hold several, a metro zip names its file already)."""
    found = data_sheet(book)
    if found is None:
        sheets = f" (sheets: {', '.join(book.names)})" if name_sheets else ""
        raise book.error(f"no sheet has a column OCC_CODE{sheets}")
    name, rows, header_at = found
    header = [str(c).strip().upper() if c is not None else "" for c in rows[header_at]]
    # reversed: a title that appears twice keeps its first column
    columns = {title: index for index, title in reversed(list(enumerate(header))) if title}
    missing = [c for c in required if c not in columns]
    if missing:
        sheet = f"sheet {name!r} has " if name_sheets else ""
        raise book.error(f"{sheet}no column {', '.join(missing)}")
    return rows, header_at, columns


def _header_index(rows: list[list[Any]]) -> int | None:
    for index, row in enumerate(rows):
        if any(str(cell).strip().upper() == "OCC_CODE" for cell in row if cell is not None):
            return index
    return None


def _stated_year(book: _Book) -> int | None:
    """The year the workbook names: sheet `national_M2019_dl`, or 'May 2019 ...' in a title."""
    for name in book.names:
        match = re.search(r"_M(\d{4})", name)
        if match:
            return int(match.group(1))
    for name in book.names:
        if "field" in name.lower() or "description" in name.lower():
            for row in book.rows(name, limit=5):
                for cell in row:
                    match = re.match(r"\s*May (\d{4})\b", str(cell or ""))
                    if match:
                        return int(match.group(1))
    return None


def _number(cell: Any) -> tuple[float | None, bool]:
    """(value, top-coded); raises ValueError for anything that is neither number nor marker."""
    if cell is None:
        return None, False
    if isinstance(cell, bool):  # a TRUE/FALSE cell is not a value
        raise ValueError(repr(cell))
    if isinstance(cell, int | float):
        return float(cell), False
    text = str(cell).strip()
    if text == TOPCODED:
        return None, True
    if text in MISSING:
        return None, False
    return float(text.replace(",", "")), False


def _numbers(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_number` of each cell: (values, NaN = missing; top-coded flags; flags of bad cells).
    Numeric cells, nearly all of them, convert in one step; the rest go through `_number`."""
    values = np.full(len(cells), np.nan)
    topcoded = np.zeros(len(cells), dtype=bool)
    bad = np.zeros(len(cells), dtype=bool)
    plain = _each(cells, _is_plain_number).astype(bool)
    values[plain] = cells[plain].astype("float64")
    for at in np.flatnonzero(~plain):
        try:
            value, topcoded[at] = _number(cells[at])
        except ValueError:
            bad[at] = True
            continue
        if value is not None:
            values[at] = value
    return values, topcoded, bad


def _is_plain_number(cell: Any) -> bool:
    return type(cell) in (float, int)  # not bool: a TRUE/FALSE cell is not a value


def _each(cells: np.ndarray, func: Callable[[Any], Any]) -> np.ndarray:
    """func of each cell (an object array)."""
    return np.frompyfunc(func, 1, 1)(cells)


def _parse(body: bytes, catalog_id: str, extension: str, year: int | None) -> pd.DataFrame:
    where = f"{workbook_name(year, extension)} (part M{year})" if year else f"OEWS {extension}"
    book = _Book(body, extension, where, catalog_id)
    try:
        stated = _stated_year(book)
        if year and stated and stated != year:
            raise book.error(f"the workbook says May {stated}, expected May {year}")
        year = year or stated
        if year is None:
            raise book.error(
                "the workbook does not state its year (sheet 'national_dl') and the download "
                "names none (part M<year>)"
            )
        where = book.where = f"{workbook_name(year, extension)} (part M{year})"
        rows, header_at, columns = data_table(book, REQUIRED)
    finally:
        book.close()
    group_col = next((columns[c] for c in GROUP_COLUMNS if c in columns), None)
    measures = [m for m in MEASURES if m in columns]
    # Column by column, not cell by cell: a workbook is ~1,400 rows x 7 measures.
    grid = pd.DataFrame(rows[header_at + 1 :], columns=range(len(rows[header_at])), dtype=object)

    def cells(index: int | None) -> np.ndarray:
        return grid[index].to_numpy() if index is not None else np.full(len(grid), None)

    # National cross-industry rows only, where the file says (2024 on carries the columns).
    keep = np.ones(len(grid), dtype=bool)
    for column, allowed in (
        ("I_GROUP", {"cross-industry"}),
        ("NAICS", {"000000", "0", "0.0"}),
        ("AREA_TYPE", {"1", "1.0"}),
    ):
        if column in columns:
            words = _each(cells(columns[column]), lambda c: str(c).strip().lower())
            keep &= np.isin(words, list(allowed))
    grid = grid[keep]
    raw_codes = _each(cells(columns["OCC_CODE"]), lambda c: str(c or "").strip())
    soc = np.array([bool(SOC.match(code)) for code in raw_codes], dtype=bool)
    raw = [cells(columns[m]) for m in measures]
    converted = [_numbers(column) for column in raw]
    # The first bad row stops the parse: a bad cell of an occupation, or a row that is not one
    # yet holds values (a blank or footnote row holds none).
    bad_rows = soc & np.any([bad for _, _, bad in converted], axis=0)
    for column in raw:
        bad_rows[~soc] |= _each(column[~soc], lambda c: str(c or "").strip() != "").astype(bool)
    if bad_rows.any():
        at = np.flatnonzero(bad_rows)[0]
        if not soc[at]:
            raise SourceError(
                SOURCE, catalog_id, f"{where}: column OCC_CODE has a bad code {raw_codes[at]!r}"
            )
        column = next(i for i, (_, _, bad) in enumerate(converted) if bad[at])
        raise SourceError(
            SOURCE,
            catalog_id,
            f"{where}: column {measures[column]}, SOC {raw_codes[at]}: {raw[column][at]!r} is "
            "neither a number nor a published marker (*, **, #)",
        )
    groups = _each(cells(group_col)[soc], lambda c: str(c or "").strip().lower())
    codes = [c if "-" in c else f"{c[:2]}-{c[2:]}" for c in raw_codes[soc]]
    # A code listed twice keeps its most detailed row, in the place the code first appeared.
    best: dict[str, tuple[int, int]] = {}
    for at, (code, group) in enumerate(zip(codes, groups, strict=True)):
        rank = GROUP_RANK.get(group, 1)
        if code not in best or rank < best[code][0]:
            best[code] = (rank, at)
    if not best:
        raise SourceError(SOURCE, catalog_id, f"{where}: no occupation rows")
    chosen = np.flatnonzero(soc)[[at for _, at in best.values()]]
    titles = _each(cells(columns["OCC_TITLE"])[chosen], lambda c: " ".join(str(c or "").split()))
    return _observations(
        year,
        list(best),
        titles,
        measures,
        np.column_stack([values[chosen] for values, _, _ in converted]),
        np.column_stack([topcoded[chosen] for _, topcoded, _ in converted]),
    )


def _observations(
    year: int,
    codes: list[str],
    titles: np.ndarray,
    measures: list[str],
    values: np.ndarray,
    topcoded: np.ndarray,
) -> pd.DataFrame:
    """The frame of one workbook: per occupation, each measure in order, each top-coded value
    followed by its flag observation."""
    # series_id(code, "") is the id up to the measure: 'OEWS_395011_'.
    stems = np.array([series_id(code, "") for code in codes], dtype=object)
    ids = np.repeat(stems, len(measures)) + np.tile(np.array(measures, dtype=object), len(codes))
    words = np.array([f": {MEASURES[m]}" for m in measures], dtype=object)
    socs = np.array([f" (SOC {code})" for code in codes], dtype=object)
    labels = np.repeat(titles + socs, len(measures)) + np.tile(words, len(codes))
    # Each top-coded observation is repeated; the repeat becomes its flag.
    rows = np.repeat(np.arange(len(ids)), 1 + topcoded.ravel())
    flag = np.zeros(len(rows), dtype=bool)
    flag[1:] = rows[1:] == rows[:-1]
    ids, labels, observed = ids[rows], labels[rows], values.ravel()[rows]
    ids[flag] += "_TOPCODED"
    labels[flag] += ": 1 = top-coded (at or above the published cap; withheld)"
    observed[flag] = 1.0
    return pd.DataFrame(
        {
            "series_id": pd.Series(ids, dtype="string"),
            "date": pd.Series(
                pd.Timestamp(year, 1, 1), index=range(len(ids)), dtype="datetime64[ns]"
            ),
            "value": pd.Series(observed, dtype="float64"),
            "label": pd.Series(labels, dtype="string"),
        }
    )


def _parse_download(download: Download, extension: str) -> pd.DataFrame:
    return _parse(download.body, download.series_id, extension, part_year(download))


for _extension in ("xlsx", "xls"):
    parser(f"oews_{_extension}")(partial(_parse_download, extension=_extension))

# Registers the metro-area parsers alongside (it builds on this module's workbook reader).
from decoupling.sources import oews_metro  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Live


def zip_url(year: int, settings: Settings) -> str:
    """The national zip of one year; BLS_BASE_URL replaces scheme and host and keeps the path."""
    return rebase(LIVE_HOST + ZIP_PATH.format(yy=f"{year % 100:02d}"), settings.bls_base_url)


def _workbook_from_zip(content: bytes, year: int, url: str, entry: Series) -> tuple[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise SourceError(SOURCE, entry.id, f"{url}: not a zip file") from None
    names = [n for n in archive.namelist() if not n.endswith("/")]
    workbooks = [
        n
        for n in names
        if re.search(r"(^|/)national_(M)?\d{4}_dl\.xlsx?$", n, re.I) and str(year) in n
    ]
    if not workbooks:
        raise SourceError(
            SOURCE,
            entry.id,
            f"{url}: no {workbook_name(year, 'xlsx')} (or .xls) in the zip "
            f"(it holds {', '.join(names[:10]) or 'nothing'})",
        )
    name = sorted(workbooks, key=lambda n: not n.lower().endswith(".xlsx"))[0]
    return name, archive.read(name)


def published_zips(
    http: HttpClient,
    series_id: str,
    years: Iterable[int] | None,
    first_year: int,
    url_for: Callable[[int], str],
    label: str = "",
) -> Iterator[tuple[int, str, bytes, datetime, str]]:
    """(year, url, body, accessed_at, vintage) of each year's zip the server has, for `years`
    (default first_year..this year). A 404 year is skipped: not published (yet). The vintage
    reads 'OEWS May <year><label>', with the zip's Last-Modified when the server sends one."""
    wanted = list(years) if years is not None else range(first_year, date.today().year + 1)
    for year in wanted:
        url = url_for(year)
        got = get_file(http, url, series_id, allow_404=True)
        if got is None:
            continue
        content, accessed_at, last_modified = got
        modified = f" (zip Last-Modified {last_modified})" if last_modified else ""
        yield year, url, content, accessed_at, f"OEWS May {year}{label}{modified}"


def year_download(
    entry: Series,
    year: int,
    url: str,
    body: bytes,
    accessed_at: datetime,
    vintage: str,
    *,
    fmt: str,
    extension: str,
) -> Download:
    """One year's published file (national workbook or metro zip) as a download of `entry`;
    part `M<year>` is where the parsers read the year from."""
    return Download(
        source=SOURCE,
        series_id=entry.id,
        part=f"M{year}",
        url=url,
        body=body,
        fmt=fmt,
        license=entry.license,
        accessed_at=accessed_at,
        vintage=vintage,
        extension=extension,
    )


def fetch(
    entry: Series,
    settings: Settings,
    years: Iterable[int] | None = None,
    http: HttpClient | None = None,
) -> list[Download]:
    """Download the national workbooks of `years` (default FIRST_YEAR..this year).

    A year whose zip is 404 is skipped: OEWS has gaps, and a year's file appears only the spring
    after its May reference month. Any other failure raises SourceError. `http`: a client to use
    (tests pass one without back-off waits).
    """
    if oews_metro.is_metro(entry):  # a metropolitan area: its own zips (oews_metro)
        return oews_metro.fetch(entry, settings, years, http)
    http = http or client(SOURCE, settings)
    zips = published_zips(http, entry.id, years, FIRST_YEAR, partial(zip_url, settings=settings))
    downloads = []
    for year, url, content, accessed_at, vintage in zips:
        name, body = _workbook_from_zip(content, year, url, entry)
        extension = name.rsplit(".", 1)[-1].lower()
        downloads.append(
            year_download(
                entry,
                year,
                url,
                body,
                accessed_at,
                vintage,
                fmt=f"oews_{extension}",
                extension=extension,
            )
        )
    return downloads
