"""BEA NIPA tables: the interactive-data Section workbooks and the BEA API (GetData, NIPA).

Both paths give the same result, a `NipaData`: a long frame (series_id, date, value) plus one
`SeriesMeta` per series and the release date, which is the data vintage.

Series ids are BEA series codes as printed in the workbooks' third column and in the API's
`SeriesCode` (A362RG = NDP price index, A362RC = NDP). One code is one series: where a table
prints a code on several lines with the same values (B058RC on Table 1.14 lines 35 and 39) it is
read once, from its first line. Where the values differ (A014RX on Table 1.2.6 lines 3 and 7)
the code alone is ambiguous and each line gets the id `<CODE>_L<line>` (A014RX_L3, A014RX_L7).
Rows coded ZZZZZZ (BEA's placeholder on residual and undefined lines) are not series.

Values are as published (Table 1.7.5 in millions of dollars, not FRED's billions; the units are
in `SeriesMeta.units`). Missing markers (".....", "---", "(D)", "(NA)", "(NM)", "n.a.", empty)
give no observation, so the frame holds published numbers only.

Workbook layout (learnt from the Aug 29, 2024 Section 1 file): one sheet per table and frequency
(`T10704-Q`, `T10704-A`) and a `Contents` sheet; rows 1-6 hold the title, "[units] seasonal
adjustment", "Quarterly data from 1947Q1 to 2024Q2", "Bureau of Economic Analysis", "Data
published August 29, 2024", "File created ..."; then a header row "Line", "", "", 1947Q1, ...;
then data rows: line number (text), description (indented, footnote marks like \\1\\), series
code, one value per period. Label rows ("Addenda:") and footnotes have no code. Sheets not
updated by a release keep their own earlier "Data published" date, so the workbook's release
date is the latest one it states.

Live path: with a key, the API (one GetData request per table); without one, the Section
workbook from BEA's interactive-data download. The HTTP GET goes through an injectable
`get(url, params) -> bytes`; BEA_BASE_URL replaces scheme and host of every endpoint and keeps
the path. The key is masked (`***`) in returned urls, log lines, error messages and the body.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, quote_plus, urlencode, urlsplit

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from decoupling.catalog import Series, load_catalog
from decoupling.settings import Settings
from decoupling.sources import http
from decoupling.sources.base import Download, SourceError, parser

log = logging.getLogger(__name__)

SOURCE = "bea"
LIVE_BASE = "https://apps.bea.gov"
API_PATH = "/api/data"
WORKBOOK_PATH = "/national/Release/XLS/Survey/Section{section}All_xls.xlsx"
HTTP_TIMEOUT = 60.0
# "....." is what the Section workbooks print for "not available"; the rest are BEA's markers
# elsewhere (API, older files): suppressed (D), not available (NA), not meaningful (NM).
MISSING = frozenset({"", ".....", "---", "(D)", "(NA)", "(NM)", "n.a."})
PLACEHOLDER_CODE = "ZZZZZZ"
FREQUENCIES = {"Q": "quarterly", "A": "annual"}
MASK = "***"

Getter = Callable[[str, Mapping[str, str]], bytes]

_TABLE_ID = re.compile(r"^T(\d)(\d\d)(\d\d)$")
_TABLE_NUMBER = re.compile(r"^(?:table\s*)?(\d)\.(\d{1,2})(?:\.(\d{1,2}))?\.?$", re.IGNORECASE)
_SHEET = re.compile(r"^(T\d{5})-([AQ])$")
_PERIOD = {"Q": re.compile(r"^(\d{4})Q([1-4])$"), "A": re.compile(r"^(\d{4})$")}
_PUBLISHED = re.compile(r"^Data published\s+(.+?)\s*$", re.IGNORECASE)
_LAST_REVISED = re.compile(r"Last\s*Revised(?:\s+on)?\s*:\s*([A-Za-z]+\.? \d{1,2}, \d{4})")
_STATED_RANGE = re.compile(r"^(?:Quarterly|Annual) data from (\S+) to (\S+)\s*$", re.IGNORECASE)
_NAME_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})\.xlsx?$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\\\d+\\")
_LINE_ID = re.compile(r"^([A-Z0-9]+)_L(\d+)$")


class BeaError(ValueError):
    """Bad or unexpected BEA input or answer; the message is one line naming where it was."""

    def __init__(self, message: str):
        # Descriptions and API answers may hold newlines: the message stays on one line.
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class SeriesMeta:
    """What the source says about one series."""

    series_id: str  # the BEA code, or <CODE>_L<line> where one code has differing lines
    code: str  # the BEA series code as printed
    table: str  # BEA table id, e.g. T10704 (= NIPA Table 1.7.4)
    table_title: str
    frequency: str  # "Q" or "A"
    line: int
    description: str  # without indentation and footnote marks
    units: str  # e.g. "Index numbers, 2017=100" or "Millions of dollars"
    seasonal_adjustment: str  # e.g. "Seasonally adjusted at annual rates"; "" if none stated
    published: date | None  # the table's own "Data published" / LastRevised date
    location: str  # where it was read: "<workbook>: sheet T10704-Q row 20", or the API url


@dataclass(frozen=True)
class NipaData:
    """Observations of one or more NIPA series from one source file or answer."""

    observations: pd.DataFrame  # series_id (string), date (datetime64), value (float64)
    series: dict[str, SeriesMeta]
    release_date: date | None  # the data vintage: the latest release date the source states
    source: str  # workbook name or url (key masked)


@dataclass(frozen=True)
class Fetched:
    """One answer as received (the key masked), with its url (key masked)."""

    url: str
    body: bytes
    fmt: str  # "bea_api_json" or "bea_section_xlsx"
    accessed_at: datetime = field(default_factory=lambda: datetime.now(UTC))


# --- table ids --------------------------------------------------------------------------------


def table_id(name: str) -> str:
    """BEA table id for a table named "T10704", "1.7.4" or "Table 1.14" (-> "T11400")."""
    text = str(name).strip()
    if _TABLE_ID.match(text.upper()):
        return text.upper()
    match = _TABLE_NUMBER.match(text)
    if match:
        section, group, sub = match.groups()
        return f"T{int(section)}{int(group):02d}{int(sub or 0):02d}"
    raise BeaError(f"table {name!r} is neither a BEA table id like T10704 nor a number like 1.7.4")


def _frequency(frequency: str) -> str:
    freq = str(frequency).strip().upper()
    if freq not in FREQUENCIES:
        raise BeaError(f"frequency {frequency!r} is not Q (quarterly) or A (annual)")
    return freq


def _period_start(label: Any, frequency: str) -> pd.Timestamp | None:
    """First day of the period a header names ("1947Q1", "1929"), None if it names none."""
    if isinstance(label, float) and label.is_integer():
        label = int(label)  # an annual header may be stored as a number
    match = _PERIOD[frequency].match(str(label).strip())
    if not match:
        return None
    year = int(match.group(1))
    month = 3 * (int(match.group(2)) - 1) + 1 if frequency == "Q" else 1
    return pd.Timestamp(year, month, 1)


def _parse_date(text: str) -> date | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _column(index: int) -> str:
    """Excel column letter of a 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- a parsed table (shared by the workbook and the API paths) ----------------------------------


@dataclass
class _Row:
    code: str
    line: int
    description: str
    values: np.ndarray  # aligned to _Table.dates; NaN = missing
    location: str


@dataclass
class _Table:
    table: str
    frequency: str
    title: str
    units: str
    seasonal_adjustment: str
    published: date | None
    dates: list[pd.Timestamp]
    rows: list[_Row]
    where: str  # "<workbook>: sheet T10704-Q" or the API url

    @cached_property
    def by_id(self) -> dict[str, _Row]:
        """Series id -> row, with the duplicate-code rule of the module docstring."""
        grouped: dict[str, list[_Row]] = {}
        for row in self.rows:
            grouped.setdefault(row.code, []).append(row)
        out: dict[str, _Row] = {}
        for code, rows in grouped.items():
            if all(np.array_equal(r.values, rows[0].values, equal_nan=True) for r in rows[1:]):
                out[code] = rows[0]
            else:
                for row in rows:
                    out[f"{code}_L{row.line}"] = row
        return out

    def row(self, series_id: str) -> tuple[str, _Row]:
        found = self.by_id.get(series_id)
        if found is not None:
            return series_id, found
        lines = [r.line for r in self.rows if r.code == series_id]
        if len(lines) > 1:
            ids = " or ".join(f"{series_id}_L{n}" for n in lines)
            raise BeaError(
                f"{self.where}: series {series_id} is on lines "
                f"{', '.join(map(str, lines))} with different values; ask for {ids}"
            )
        if series_id == PLACEHOLDER_CODE:
            raise BeaError(f"{self.where}: {PLACEHOLDER_CODE} is BEA's placeholder, not a series")
        raise BeaError(f"{self.where}: series code {series_id} is not in table {self.table}")

    def meta(self, series_id: str, row: _Row) -> SeriesMeta:
        return SeriesMeta(
            series_id=series_id,
            code=row.code,
            table=self.table,
            table_title=self.title,
            frequency=self.frequency,
            line=row.line,
            description=row.description,
            units=self.units,
            seasonal_adjustment=self.seasonal_adjustment,
            published=self.published,
            location=row.location,
        )


def _collect(
    picks: Sequence[tuple[_Table, str]], release_date: date | None, source: str
) -> NipaData:
    """Long frame and metadata of the picked (table, series id) pairs, missing values dropped."""
    ids, dates, values, metas = [], [], [], {}
    for table, wanted in picks:
        series_id, row = table.row(wanted)
        if series_id in metas:
            first = metas[series_id]
            raise BeaError(
                f"{source}: series {series_id} is asked for twice "
                f"(tables {first.table} and {table.table}); ask for it once"
            )
        metas[series_id] = table.meta(series_id, row)
        keep = ~np.isnan(row.values)
        ids.append(np.full(int(keep.sum()), series_id, dtype=object))
        dates.append(np.asarray(table.dates, dtype="datetime64[ns]")[keep])
        values.append(row.values[keep])
    # One frame built at the end: a frame per series costs more than the parsing itself.
    observations = pd.DataFrame(
        {
            "series_id": pd.Series(np.concatenate(ids) if ids else [], dtype="string"),
            "date": pd.Series(np.concatenate(dates) if dates else [], dtype="datetime64[ns]"),
            "value": pd.Series(np.concatenate(values) if values else [], dtype="float64"),
        }
    )
    return NipaData(observations, metas, release_date, source)


# --- the Section workbooks -----------------------------------------------------------------------


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # calamine reads a year typed as a number as 2021.0
    return cell.strip() if isinstance(cell, str) else ("" if cell is None else str(cell).strip())


def _cell_value(cell: Any) -> float | None:
    """A cell's number, NaN for a missing marker, None for anything else."""
    if isinstance(cell, bool):  # bool is an int subclass: a TRUE cell is no number
        return None
    if isinstance(cell, int | float):
        return float(cell)
    if cell is None or (isinstance(cell, str) and cell.strip() in MISSING):
        return float("nan")
    return None


class SectionWorkbook:
    """A BEA NIPA Section workbook (e.g. Section1All_xls.xlsx), read with python-calamine.

    `name` is what errors call the workbook (its file name or url); a name ending in
    `_YYYY-MM-DD.xlsx` gives the release date when no sheet states one.
    """

    def __init__(self, data: bytes, name: str):
        self.name = name
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine raises several types for a bad file
            raise BeaError(f"{name}: not a readable Excel workbook ({exc})") from None
        self._tables: dict[str, _Table] = {}

    @cached_property
    def sheets(self) -> dict[str, str]:
        """Table sheets: sheet name -> table id (e.g. "T10704-Q" -> "T10704")."""
        return {name: m.group(1) for name in self._book.sheet_names if (m := _SHEET.match(name))}

    def _rows(self, sheet: str) -> list[list[Any]]:
        # Absolute positions (no skipping of empty leading rows) so row numbers match Excel's.
        return self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def _sheet_name(self, table: str, frequency: str) -> str:
        tid, freq = table_id(table), _frequency(frequency)
        sheet = f"{tid}-{freq}"
        if sheet not in self.sheets:
            other = f"{tid}-{'A' if freq == 'Q' else 'Q'}"
            hint = f" (it has {other} only)" if other in self.sheets else ""
            raise BeaError(
                f"{self.name}: table {tid} {FREQUENCIES[freq]} (sheet {sheet}) is not in "
                f"the workbook{hint}"
            )
        return sheet

    def _table(self, table: str, frequency: str) -> _Table:
        sheet = self._sheet_name(table, frequency)
        if sheet not in self._tables:
            self._tables[sheet] = self._parse(sheet)
        return self._tables[sheet]

    def _parse(self, sheet: str) -> _Table:
        tid, freq = _SHEET.match(sheet).groups()  # type: ignore[union-attr]
        where = f"{self.name}: sheet {sheet}"
        rows = self._rows(sheet)
        head = next((i for i, r in enumerate(rows) if r and _text(r[0]) == "Line"), None)
        if head is None:
            raise BeaError(f"{where}: no header row with 'Line' in column A")
        preamble = [(i, _text(r[0])) for i, r in enumerate(rows[:head]) if r and _text(r[0])]
        title = preamble[0][1] if preamble else ""
        units, seasonal = "", ""
        for _, text in preamble[1:]:
            if text.startswith("[") and "]" in text:
                units, seasonal = text[1 : text.index("]")], text[text.index("]") + 1 :].strip()
                break
            if text.lower().startswith("seasonally adjusted"):
                seasonal = text
        published = self._published(preamble, where)

        header = rows[head]
        last = max((j for j, c in enumerate(header) if _text(c)), default=0)
        if last < 3:
            raise BeaError(f"{where} row {head + 1}: the header row has no date columns")
        dates: list[pd.Timestamp] = []
        seen: dict[pd.Timestamp, int] = {}
        for j in range(3, last + 1):
            start = _period_start(header[j], freq)
            if start is None:
                example = "2024Q2" if freq == "Q" else "2024"
                raise BeaError(
                    f"{where} row {head + 1} column {_column(j)}: date header {header[j]!r} "
                    f"is not a {FREQUENCIES[freq]} period like {example}"
                )
            if start in seen:
                raise BeaError(
                    f"{where} row {head + 1}: date {_text(header[j])} appears twice "
                    f"(columns {_column(seen[start])} and {_column(j)})"
                )
            seen[start] = j
            dates.append(start)
        self._check_stated_range(preamble, header, last, where)

        data_rows: list[_Row] = []
        for i in range(head + 1, len(rows)):
            row = rows[i]
            code = _text(row[2]) if len(row) > 2 else ""
            cells = [row[j] if j < len(row) else "" for j in range(3, last + 1)]
            if not code:
                # Label rows ("Addenda:"), blank rows and footnotes carry no code and no values.
                if any(_text(c) not in MISSING for c in cells):
                    raise BeaError(f"{where} row {i + 1}: values but no series code in column C")
                continue
            if code == PLACEHOLDER_CODE:
                continue
            line = _text(row[0])
            if not line.isdigit():
                raise BeaError(
                    f"{where} row {i + 1}: series {code} has line {row[0]!r}, not a line number"
                )
            values = np.empty(len(cells), dtype="float64")
            for k, cell in enumerate(cells):
                number = _cell_value(cell)
                if number is None:
                    raise BeaError(
                        f"{where} row {i + 1} column {_column(3 + k)} ({code}, "
                        f"{_text(header[3 + k])}): value {cell!r} is neither a number nor a "
                        "BEA missing marker"
                    )
                values[k] = number
            description = _FOOTNOTE.sub("", _text(row[1])).strip()
            data_rows.append(_Row(code, int(line), description, values, f"{where} row {i + 1}"))
        if not data_rows:
            raise BeaError(f"{where}: no rows with a series code below row {head + 1}")
        return _Table(tid, freq, title, units, seasonal, published, dates, data_rows, where)

    @staticmethod
    def _published(preamble: list[tuple[int, str]], where: str) -> date | None:
        for i, text in preamble:
            match = _PUBLISHED.match(text)
            if match:
                found = _parse_date(match.group(1))
                if found is None:
                    raise BeaError(f"{where} row {i + 1}: publication date {text!r} does not parse")
                return found
        return None

    @staticmethod
    def _check_stated_range(
        preamble: list[tuple[int, str]], header: list[Any], last: int, where: str
    ) -> None:
        # "Quarterly data from 1947Q1 to 2024Q2" must agree with the date header it describes.
        for i, text in preamble:
            match = _STATED_RANGE.match(text)
            if match:
                first, final = _text(header[3]), _text(header[last])
                if (first, final) != match.groups():
                    raise BeaError(
                        f"{where} row {i + 1}: states {match.group(1)} to {match.group(2)} "
                        f"but the date header runs {first} to {final}"
                    )

    @cached_property
    def release_date(self) -> date:
        """The data vintage: the latest "Data published" date of any sheet, else the date in the
        workbook's name (`..._YYYY-MM-DD.xlsx`)."""
        stated = []
        for sheet in self.sheets:
            rows = self._rows(sheet)
            head = next((i for i, r in enumerate(rows) if r and _text(r[0]) == "Line"), len(rows))
            preamble = [(i, _text(r[0])) for i, r in enumerate(rows[:head]) if r and _text(r[0])]
            found = self._published(preamble, f"{self.name}: sheet {sheet}")
            if found:
                stated.append(found)
        if stated:
            return max(stated)
        match = _NAME_DATE.search(PurePosixPath(urlsplit(self.name).path).name)
        if match:
            return date.fromisoformat(match.group(1))
        raise BeaError(
            f"{self.name}: no sheet states 'Data published <date>' and the name has no "
            "_YYYY-MM-DD.xlsx date; the release date (data vintage) is unknown"
        )

    def series(self, requested: Iterable[tuple[str, str]], frequency: str = "Q") -> NipaData:
        """The requested (table, series code) pairs, e.g. [("T10704", "A362RG")]."""
        picks = [(self._table(table, frequency), code.strip()) for table, code in requested]
        return _collect(picks, self.release_date, self.name)

    def table(self, table: str, frequency: str = "Q") -> NipaData:
        """Every series of one table (placeholder rows left out)."""
        parsed = self._table(table, frequency)
        return _collect([(parsed, sid) for sid in parsed.by_id], self.release_date, self.name)


def read_series(
    data: bytes, requested: Iterable[tuple[str, str]], *, frequency: str = "Q", name: str
) -> NipaData:
    """Parse the requested (table, series code) pairs from Section workbook bytes."""
    return SectionWorkbook(data, name).series(requested, frequency)


def read_table(data: bytes, table: str, *, frequency: str = "Q", name: str) -> NipaData:
    """Parse every series of one table from Section workbook bytes."""
    return SectionWorkbook(data, name).table(table, frequency)


def workbook_release_date(data: bytes, name: str) -> date:
    """The release date (data vintage) of Section workbook bytes."""
    return SectionWorkbook(data, name).release_date


# --- the API answer ------------------------------------------------------------------------------


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, MASK)
    return text


def _api_error(node: Any, source: str, secrets: Iterable[str]) -> None:
    """Raise the error BEA put in its answer (it answers errors with HTTP 200)."""
    if not node:
        return
    errors = node if isinstance(node, list) else [node]
    parts = []
    for error in errors:
        if isinstance(error, dict):
            code = error.get("APIErrorCode", "")
            text = error.get("APIErrorDescription") or error.get("error") or ""
            extra = [
                f"{k}: {v}"
                for k, v in error.items()
                if k not in ("APIErrorCode", "APIErrorDescription", "error", "number")
            ]
            parts.append(" ".join(p for p in (f"[{code}]" if code else "", str(text), *extra) if p))
        else:
            parts.append(str(error))
    raise BeaError(_redact(f"{source}: BEA API error: {'; '.join(parts)}", secrets))


def _load_api_json(body: bytes, source: str, secrets: Iterable[str]) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")  # BEA's own client decodes its answers as Latin-1
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BeaError(
            _redact(f"{source}: the answer is not JSON ({exc.msg} at char {exc.pos})", secrets)
        ) from None
    api = doc.get("BEAAPI") if isinstance(doc, dict) else None
    if not isinstance(api, dict):
        raise BeaError(f"{_redact(source, secrets)}: the answer has no BEAAPI object")
    _api_error(api.get("Error"), source, secrets)
    results = api.get("Results")
    if isinstance(results, list) and len(results) == 1:
        results = results[0]  # some datasets wrap Results in a one-element list
    if not isinstance(results, dict):
        raise BeaError(f"{_redact(source, secrets)}: the answer has no BEAAPI.Results object")
    _api_error(results.get("Error"), source, secrets)
    return results


def _api_value(text: Any, where: str) -> float:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    clean = str(text).strip()
    if clean in MISSING:
        return float("nan")
    try:
        return float(clean.replace(",", ""))  # the API writes thousands with commas
    except ValueError:
        raise BeaError(
            f"{where}: DataValue {text!r} is neither a number nor a missing marker"
        ) from None


def parse_api_json(
    body: bytes,
    *,
    table: str | None = None,
    frequency: str = "Q",
    source: str = "BEA API",
    secrets: Iterable[str] = (),
) -> NipaData:
    """Every series of a BEA API GetData (NIPA) JSON answer for one table and frequency.

    `source` names the answer in errors (pass the masked url); `secrets` are masked in errors.
    The release date comes from the notes' "LastRevised: <date>".
    """
    secrets = tuple(secrets)
    freq = _frequency(frequency)
    source = _redact(source, secrets)
    results = _load_api_json(body, source, secrets)
    data = results.get("Data")
    if isinstance(data, dict):
        data = [data]  # a single observation comes as an object
    if not isinstance(data, list) or not data:
        raise BeaError(f"{source}: the answer holds no BEAAPI.Results.Data rows")

    title, released = "", None
    notes = results.get("Notes") or []
    for note in notes if isinstance(notes, list) else [notes]:
        text = str(note.get("NoteText", "")) if isinstance(note, dict) else ""
        match = _LAST_REVISED.search(text)
        if match:
            released = _parse_date(match.group(1))
            title = title or text[: match.start()].rstrip(" -")

    tid = table_id(table) if table else None
    by_key: dict[tuple[str, int], dict[pd.Timestamp, float]] = {}
    descriptions: dict[tuple[str, int], str] = {}
    units = ""
    for k, row in enumerate(data):
        where = f"{source}: Data row {k}"
        if not isinstance(row, dict):
            raise BeaError(f"{where}: not an object")
        missing = [
            f for f in ("SeriesCode", "LineNumber", "TimePeriod", "DataValue") if f not in row
        ]
        if missing:
            raise BeaError(f"{where}: no {', '.join(missing)}")
        code = str(row["SeriesCode"]).strip()
        row_table = str(row.get("TableName", tid or "")).strip()
        if tid and row_table and row_table != tid:
            raise BeaError(f"{where}: TableName {row_table} but {tid} was asked for")
        tid = tid or row_table
        line_text = str(row["LineNumber"]).strip()
        if not line_text.isdigit():
            raise BeaError(f"{where}: LineNumber {row['LineNumber']!r} is not a line number")
        start = _period_start(row["TimePeriod"], freq)
        if start is None:
            raise BeaError(
                f"{where}: TimePeriod {row['TimePeriod']!r} is not a {FREQUENCIES[freq]} period"
            )
        key = (code, int(line_text))
        series = by_key.setdefault(key, {})
        if start in series:
            raise BeaError(f"{where}: {code} line {line_text} has {row['TimePeriod']} twice")
        series[start] = _api_value(row["DataValue"], f"{where} ({code} {row['TimePeriod']})")
        descriptions.setdefault(key, _FOOTNOTE.sub("", str(row.get("LineDescription", ""))).strip())
        if not units:
            parts = [str(row.get(f, "")).strip() for f in ("METRIC_NAME", "CL_UNIT")]
            mult = str(row.get("UNIT_MULT", "")).strip()
            units = ", ".join(p for p in parts if p) + (f" (x 10^{mult})" if mult else "")

    dates = sorted({d for series in by_key.values() for d in series})
    rows = [
        _Row(
            code,
            line,
            descriptions[(code, line)],
            np.array([values.get(d, np.nan) for d in dates], dtype="float64"),
            f"{source}: {code} line {line}",
        )
        for (code, line), values in by_key.items()
        if code != PLACEHOLDER_CODE
    ]
    parsed = _Table(tid or "", freq, title, units, "", released, dates, rows, source)
    return _collect([(parsed, sid) for sid in parsed.by_id], released, source)


def select(data: NipaData, series_ids: Iterable[str]) -> NipaData:
    """The named series of a NipaData (e.g. a few codes of a whole API table)."""
    wanted = list(dict.fromkeys(series_ids))
    unknown = [s for s in wanted if s not in data.series]
    if unknown:
        raise BeaError(f"{data.source}: series {', '.join(unknown)} not in the answer")
    obs = data.observations[data.observations["series_id"].isin(wanted)].reset_index(drop=True)
    return NipaData(obs, {s: data.series[s] for s in wanted}, data.release_date, data.source)


# --- fetching ------------------------------------------------------------------------------------


def base_url(override: str | None = None) -> str:
    """Scheme and host of every BEA endpoint: `override`, else BEA_BASE_URL, else apps.bea.gov."""
    return (override or os.environ.get("BEA_BASE_URL") or LIVE_BASE).rstrip("/")


def _endpoint(path: str, base: str | None) -> str:
    parts = urlsplit(base_url(base))
    if not parts.scheme or not parts.netloc:
        raise BeaError(f"BEA_BASE_URL {base_url(base)!r} is not a url like http://127.0.0.1:8080")
    # A mirror may sit under a path prefix; the endpoint's own path is kept after it.
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{path}"


def requests_get(url: str, params: Mapping[str, str]) -> bytes:
    """Default GET: requests with a timeout; errors name the url without its query string."""
    import requests  # imported here: parsing needs no HTTP stack

    try:
        response = requests.get(url, params=dict(params) or None, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        # requests' messages repeat the full url, query (and key) included: cut queries out.
        detail = re.sub(r"\?[^\s'\"]*", "?...", str(exc))
        raise BeaError(f"GET {url} failed: {type(exc).__name__}: {detail}") from None
    if response.status_code != 200:
        raise BeaError(f"GET {url} answered HTTP {response.status_code} {response.reason}")
    return response.content


def _get(get: Getter | None, url: str, params: dict[str, str], safe_url: str, key: str) -> bytes:
    log.info("GET %s", safe_url)
    try:
        return (get or requests_get)(url, params)
    except SourceError:
        raise  # the project's HTTP client already says it in one masked line, with its kind
    except Exception as exc:  # any getter's error: one masked line naming the request
        raise BeaError(_redact(f"{SOURCE}: GET {safe_url} failed: {exc}", [key])) from None


def api_params(table: str, api_key: str, frequency: str = "Q", year: str = "X") -> dict[str, str]:
    """Query parameters of one GetData request (Year "X" or "ALL" = every year)."""
    return {
        "UserID": api_key,
        "method": "GetData",
        "DataSetName": "NIPA",
        "TableName": table_id(table),
        "Frequency": _frequency(frequency),
        "Year": str(year),
        "ResultFormat": "JSON",
    }


def fetch_api_table(
    table: str,
    *,
    api_key: str,
    frequency: str = "Q",
    year: str = "X",
    get: Getter | None = None,
    base: str | None = None,
) -> Fetched:
    """One NIPA table from the BEA API. BEA reports errors inside an HTTP 200 answer: those
    are raised here. The returned url and body have the key masked."""
    if not api_key:
        raise BeaError("the BEA API needs a key (BEA_API_KEY is not set)")
    params = api_params(table, api_key, frequency, year)
    url = _endpoint(API_PATH, base)
    safe_url = f"{url}?{urlencode({**params, 'UserID': MASK})}"
    body = _get(get, url, params, safe_url, api_key)
    # The answer echoes the request, key included: mask it before the body goes anywhere.
    for form in {api_key, quote(api_key, safe=""), quote_plus(api_key)}:
        body = body.replace(form.encode(), MASK.encode())
    _load_api_json(body, safe_url, [api_key])
    return Fetched(safe_url, body, "bea_api_json")


def fetch_section_workbook(
    section: int = 1, *, get: Getter | None = None, base: str | None = None
) -> Fetched:
    """A NIPA Section workbook (SectionNAll_xls.xlsx) from BEA's interactive-data download."""
    url = _endpoint(WORKBOOK_PATH.format(section=int(section)), base)
    body = _get(get, url, {}, url, "")
    if not body.startswith(b"PK\x03\x04"):  # xlsx is a zip; BEA's error pages are HTML
        raise BeaError(f"{url}: the answer is not an xlsx workbook (it starts {body[:20]!r})")
    return Fetched(url, body, "bea_section_xlsx")


def fetch_series(
    requested: Iterable[tuple[str, str]],
    *,
    frequency: str = "Q",
    api_key: str | None = None,
    get: Getter | None = None,
    base: str | None = None,
) -> NipaData:
    """The requested (table, series code) pairs, live.

    With a key (`api_key`, else BEA_API_KEY) one API request per table; without one, one
    Section workbook per NIPA section. The release date is the latest any table states.
    """
    pairs = [(table_id(t), c.strip()) for t, c in requested]
    key = api_key if api_key is not None else os.environ.get("BEA_API_KEY", "")
    parts: list[NipaData] = []
    if key:
        for tid in dict.fromkeys(t for t, _ in pairs):
            got = fetch_api_table(tid, api_key=key, frequency=frequency, get=get, base=base)
            whole = parse_api_json(
                got.body, table=tid, frequency=frequency, source=got.url, secrets=[key]
            )
            parts.append(select(whole, [c for t, c in pairs if t == tid]))
    else:
        for section in dict.fromkeys(t[1] for t, _ in pairs):
            got = fetch_section_workbook(int(section), get=get, base=base)
            book = SectionWorkbook(got.body, got.url)
            parts.append(book.series([(t, c) for t, c in pairs if t[1] == section], frequency))
    return merge(parts)


def merge(parts: Sequence[NipaData]) -> NipaData:
    """One NipaData of several; a series id in two parts is an error."""
    metas: dict[str, SeriesMeta] = {}
    for part in parts:
        for sid, meta in part.series.items():
            if sid in metas:
                raise BeaError(f"series {sid} comes twice ({metas[sid].location}; {meta.location})")
            metas[sid] = meta
    frames = [p.observations for p in parts]
    observations = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    dates = [p.release_date for p in parts if p.release_date]
    return NipaData(
        observations,
        metas,
        max(dates) if dates else None,
        "; ".join(dict.fromkeys(p.source for p in parts)),
    )


# --- the project's source interface ---------------------------------------------------------
# A catalog row of source `bea` is one series: id `BEA_<code>`, live_id the table it is read from
# (T10704). Rows of one NIPA section share one Download: the Section workbook (snapshot, or live
# without a key), or with BEA_API_KEY one API answer per table. The parser picks the catalog's
# series of the download's section and names them BEA_<code>.

PREFIX = "BEA_"
FORMAT_WORKBOOK = "bea_section_xlsx"
FORMAT_API = "bea_api_json"


def code_of(entry: Series) -> str:
    return entry.id.removeprefix(PREFIX)


def table_of(entry: Series) -> str:
    try:
        return table_id(entry.live_id)
    except BeaError as exc:
        raise SourceError(SOURCE, entry.id, f"catalog live_id: {exc}") from None


def section_of(entry: Series) -> int:
    return int(table_of(entry)[1])


def download_id(entry: Series) -> str:
    """The Download that carries the entry: one per NIPA section."""
    return f"BEA_NIPA_SECTION{section_of(entry)}"


def _section_entries(section: int) -> list[Series]:
    return [e for e in load_catalog() if e.source == SOURCE and section_of(e) == section]


def _vintage(release: date | None, what: str) -> str | None:
    return f"BEA NIPA {what}, data published {release:%Y-%m-%d}" if release else None


def _error(entry_or_id: Series | str, exc: Exception) -> SourceError:
    name = entry_or_id if isinstance(entry_or_id, str) else download_id(entry_or_id)
    return SourceError(SOURCE, name, str(exc))


def snapshot_download(path: Path, entry: Series, stamp: datetime) -> Download:
    """A Section workbook in a snapshot folder, read in place; its vintage is the release date
    the workbook states ("Data published August 29, 2024")."""
    from decoupling.sources.snapshot import read_file

    body = read_file(path, entry.id)
    section = section_of(entry)

    def vintage() -> str | None:
        # Every sheet is read for it: only when the workbook is parsed and loaded.
        return (
            f"{_vintage(workbook_release_date(body, path.name), f'Section {section}')} (snapshot)"
        )

    return Download(
        source="snapshot",
        series_id=download_id(entry),
        part=f"section{section}",
        url=path.resolve().as_uri(),
        body=body,
        fmt=FORMAT_WORKBOOK,
        license=entry.license,
        accessed_at=stamp,
        vintage=vintage,
        extension="xlsx",
    )


def fetch_live(entry: Series, settings: Settings) -> list[Download]:
    """The entry's section live: with BEA_API_KEY one API answer per catalog table, else the
    Section workbook. BEA_BASE_URL replaces scheme and host."""
    client = http.client(SOURCE, settings)
    name = download_id(entry)
    section = section_of(entry)

    def get(url: str, params: Mapping[str, str], expect: str) -> bytes:
        return client.get(url, name, params=dict(params) or None, expect=expect).content

    downloads = []
    try:
        if settings.bea_api_key:
            tables = dict.fromkeys(table_of(e) for e in _section_entries(section))
            for table in tables:
                got = fetch_api_table(
                    table,
                    api_key=settings.bea_api_key,
                    get=lambda u, p: get(u, p, "json"),
                    base=settings.bea_base_url,
                )
                answer = parse_api_json(got.body, table=table, source=got.url)
                downloads.append((got, table, _vintage(answer.release_date, f"table {table}")))
        else:
            got = fetch_section_workbook(
                section, get=lambda u, p: get(u, p, "xlsx"), base=settings.bea_base_url
            )
            release = workbook_release_date(got.body, got.url)
            downloads.append((got, f"section{section}", _vintage(release, f"Section {section}")))
    except BeaError as exc:
        raise _error(entry, exc) from None
    return [
        Download(
            source=SOURCE,
            series_id=name,
            part=part,
            url=got.url,
            body=got.body,
            fmt=got.fmt,
            license=entry.license,
            accessed_at=got.accessed_at,
            vintage=vintage,
            extension="json" if got.fmt == FORMAT_API else "xlsx",
        )
        for got, part, vintage in downloads
    ]


def _catalog_ids(data: NipaData) -> pd.DataFrame:
    observations = data.observations.copy()
    observations["series_id"] = (PREFIX + observations["series_id"].astype(str)).astype("string")
    return observations


def _section_of_download(download: Download) -> int:
    found = re.fullmatch(r"BEA_NIPA_SECTION(\d)", download.series_id)
    if not found:
        raise SourceError(SOURCE, download.series_id, "is not a BEA_NIPA_SECTION<n> download")
    return int(found.group(1))


@parser(FORMAT_WORKBOOK)
def parse_section_workbook(download: Download) -> pd.DataFrame:
    """The catalog's series of the workbook's section, as BEA_<code>."""
    entries = _section_entries(_section_of_download(download))
    book = SectionWorkbook(download.body, download.name)
    # Only the tables asked for are read: the release date (every sheet) is the download's
    # vintage, asked for here so that a workbook stating none fails with the parse errors,
    # before the warehouse is touched (the download keeps it for the load).
    download.vintage  # noqa: B018
    picks = [(book._table(table_of(e), "Q"), code_of(e)) for e in entries]
    return _catalog_ids(_collect(picks, None, download.name))


@parser(FORMAT_API)
def parse_api_download(download: Download) -> pd.DataFrame:
    """The catalog's series of one API answer (one table), as BEA_<code>."""
    table = table_id(download.part or "")
    entries = _section_entries(_section_of_download(download))
    codes = [code_of(e) for e in entries if table_of(e) == table]
    whole = parse_api_json(download.body, table=table, source=download.url)
    return _catalog_ids(select(whole, codes))
