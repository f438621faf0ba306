"""FRED-MD and FRED-QD (McCracken & Ng): the St. Louis Fed's wide monthly and quarterly CSVs.

Layout, as read from the real vintages in the snapshot (FRED-MD 2025-08, FRED-QD 2025Q2):
- line 1: header; first column `sasdate`, then one column per series (names may hold spaces,
  e.g. `S&P 500`);
- FRED-MD: line 2 is `Transform:` (transformation codes), data from line 3;
- FRED-QD: line 2 is `factors` (Stock-Watson factor flags, 0/1), line 3 is `transform`
  (lower case, no colon), data from line 4;
- data rows dated M/D/YYYY on day 1. FRED-MD dates the month (1/1/1959). FRED-QD dates a quarter
  by its LAST month (3/1/1959 = 1959Q1) in the raw file; SOURCES.md's "converted to the first day
  of the quarter" applies to the per-series split files only, not to raw/FRED-QD_*.csv.
- empty cells are missing values; rows end in CRLF.
The order of the label rows is detected, not assumed; only FRED-MD's rule that the codes come
right after the header is enforced (every published FRED-MD file has it).

`parse` returns the standard long frame (series_id, date, value) with the codes in `frame.attrs`;
`fetch` downloads the current file or a vintage.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from decoupling.catalog import Series, load_catalog
from decoupling.settings import DEFAULT_USER_AGENT, Settings
from decoupling.sources import http
from decoupling.sources.base import Download, SourceError, parser

SOURCE = "fred_md"
Kind = Literal["MD", "QD"]
Frequency = Literal["M", "Q"]

# Current files and vintages, as linked from the McCracken FRED-Databases page
# (https://www.stlouisfed.org/research/economists/mccracken/fred-databases). FRED-QD lives under
# the fred-md folder too. Dated vintages are named YYYY-MM-md.csv / YYYY-MM-qd.csv on the current
# site; the pre-2024 host (files.stlouisfed.org/files/htdocs/fred-md/...) used YYYY-MM.csv.
DEFAULT_BASE_URL = "https://www.stlouisfed.org"
BASE_PATH = "/-/media/project/frbstl/stlouisfed/research/fred-md"
BASE_URL_ENV = "FRED_MD_BASE_URL"
_FOLDERS: dict[str, tuple[str, str]] = {"MD": ("monthly", "md"), "QD": ("quarterly", "qd")}
_VINTAGE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# Row labels seen in published files, compared lower-cased without a trailing colon.
TRANSFORM = "transform"
FACTORS = "factors"
_LABELS = (TRANSFORM, FACTORS)
_DATE_MDY = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# FRED writes a missing observation as an empty cell; mirrors sometimes write "." or "NA".
_MISSING = ("", ".", "NA")
_TCODE = re.compile(r"^[1-7](\.0*)?$")
_FLAG = re.compile(r"^[01](\.0*)?$")
_QUARTER_END_MONTHS = (3, 6, 9, 12)


class FredMdError(ValueError):
    """Bad FRED-MD/QD input. The message is one line: file, line and column where known."""

    def __init__(self, name: str, problem: str, *, line: int | None = None, column: str = ""):
        self.name = name
        self.line = line
        self.column = column
        where = [name]
        if line is not None:
            where.append(f"line {line}")
        if column:
            where.append(f"column {column}")
        # One line whatever the cell held: a newline inside a quoted field must not split it.
        super().__init__(" ".join(f"{', '.join(where)}: {problem}".split()))


@dataclass(frozen=True)
class ColumnInfo:
    """What a FRED-MD/QD column holds, as its appendix defines it.

    `fred_id` is the FRED series the column is (or is built from); None when it is a ratio
    or a construct of several series.
    """

    title: str
    units: str
    frequency: Frequency
    deflated_by: str | None
    fred_id: str | None


# Sources: McCracken & Ng, "FRED-MD_updated_appendix.csv" and "FRED-QD_updated_appendix.csv" in
# the appendix zips linked from the FRED-Databases page (titles, tcodes, deflators; units updated
# from "2012 dollars" to the 2017 reference year the 2025 vintages use). Checked against the data:
# NWPIx = 100 * TNWBSHNOx / DPIC96 and TNWMVBSNNCBBDIx = 100 * TNWMVBSNNCBx / CNCFx in every
# quarter of the 2025Q2 vintage (tests/test_fred_md.py); SRVPRD + USGOOD = PAYEMS in FRED-MD.
# FRED-QD also carries PAYEMS, USGOOD, SRVPRD and MANEMP as quarterly averages of the months.
COLUMNS: dict[str, ColumnInfo] = {
    # FRED-MD (monthly), CES establishment survey, seasonally adjusted.
    "PAYEMS": ColumnInfo(
        "All Employees: Total Nonfarm", "Thousands of persons", "M", None, "PAYEMS"
    ),
    "USGOOD": ColumnInfo(
        "All Employees: Goods-Producing Industries", "Thousands of persons", "M", None, "USGOOD"
    ),
    "SRVPRD": ColumnInfo(
        "All Employees: Service-Providing Industries", "Thousands of persons", "M", None, "SRVPRD"
    ),
    "MANEMP": ColumnInfo(
        "All Employees: Manufacturing", "Thousands of persons", "M", None, "MANEMP"
    ),
    # FRED-QD (quarterly), Financial Accounts (Z.1) balance sheets and their denominators.
    "TNWBSHNOx": ColumnInfo(
        "Real Net Worth of Households and Nonprofit Organizations",
        "Billions of 2017 dollars",
        "Q",
        "PCEPILFE (core PCE price index)",
        "TNWBSHNO",
    ),
    "NWPIx": ColumnInfo(
        "Net Worth of Households and Nonprofit Organizations Relative to Disposable Personal Income",
        "Percent (100 * TNWBSHNOx / DPIC96: core-PCE-deflated net worth over chained-dollar DPI)",
        "Q",
        None,
        None,
    ),
    "TNWMVBSNNCBx": ColumnInfo(
        "Real Nonfinancial Corporate Business Sector Net Worth (market value)",
        "Billions of 2017 dollars",
        "Q",
        "IPDBS (business sector implicit price deflator)",
        "TNWMVBSNNCB",
    ),
    "TNWMVBSNNCBBDIx": ColumnInfo(
        "Nonfinancial Corporate Business Sector Net Worth to Disposable Business Income",
        "Percent (100 * TNWMVBSNNCBx / CNCFx; both deflated by IPDBS, so a nominal ratio)",
        "Q",
        None,
        None,
    ),
    "CNCFx": ColumnInfo(
        "Real Disposable Business Income (corporate cash flow with IVA minus taxes on "
        "corporate income)",
        "Billions of 2017 dollars",
        "Q",
        "IPDBS (business sector implicit price deflator)",
        None,
    ),
    "DPIC96": ColumnInfo(
        "Real Disposable Personal Income", "Billions of chained 2017 dollars", "Q", None, "DPIC96"
    ),
    "GDPC1": ColumnInfo(
        "Real Gross Domestic Product", "Billions of chained 2017 dollars", "Q", None, "GDPC1"
    ),
    "GDPCTPI": ColumnInfo(
        "Gross Domestic Product: Chain-type Price Index", "Index 2017=100", "Q", None, "GDPCTPI"
    ),
    "PCEPILFE": ColumnInfo(
        "Personal Consumption Expenditures Excluding Food and Energy (Chain-Type Price Index)",
        "Index 2017=100 (quarterly average)",
        "Q",
        None,
        "PCEPILFE",
    ),
    "IPDBS": ColumnInfo(
        "Business Sector: Implicit Price Deflator", "Index 2017=100", "Q", None, "IPDBS"
    ),
}


# --- parsing --------------------------------------------------------------------------------


def _label(cell: str) -> str:
    return cell.strip().rstrip(":").strip().lower()


def _grid(body: bytes, name: str) -> np.ndarray:
    """Every cell as stripped text; row i is line i + 1 of the file (blank lines kept)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FredMdError(name, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise FredMdError(name, "the file is empty")
    if text.lstrip()[:1] == "<":
        raise FredMdError(name, "an HTML page, not a FRED-MD/QD CSV", line=1)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=object,  # plain str cells: pandas 3's str dtype builds Arrow strings, ~2x slower
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        # pandas says e.g. "Expected 127 fields in line 5, saw 128": keep its line number.
        found = re.search(r"line (\d+)", str(exc))
        detail = str(exc).split("error:")[-1].strip()
        raise FredMdError(
            name,
            f"not a well-formed CSV ({detail})",
            line=int(found.group(1)) if found else None,
        ) from None
    # A plain object array: row access on a frame of 127 string columns costs ~5 ms a row.
    # NaN is a field a short row lacks: empty, as in the old column-wise fillna + str.strip.
    return _stripped(grid.to_numpy(dtype=object))


# Every cell stripped in one pass over the array (a column-wise str.strip costs ~0.1 s a file).
_stripped = np.frompyfunc(lambda cell: cell.strip() if isinstance(cell, str) else "", 1, 1)


def _code(value: str, pattern: re.Pattern[str]) -> int | None:
    return int(float(value)) if pattern.match(value) else None


def parse(body: bytes, columns: list[str], *, frequency: Frequency, name: str) -> pd.DataFrame:
    """Parse a FRED-MD (frequency "M") or FRED-QD ("Q") CSV into the long observations frame.

    Returns columns series_id (string; the column name), date (datetime64, first day of the
    month or quarter), value (float64, NaN where the cell is empty), one row per requested column
    and data row, in the order of `columns`. Metadata in `frame.attrs`: "name", "frequency",
    "tcodes" and "factors" ({column: int} for the requested columns; factors empty when the file
    has no factors row) and "layout" ({row kind: 1-based line}, e.g. header 1, factors 2,
    transform 3, first_data 4, last_data 269). attrs do not survive pd.concat: read them first.

    Raises FredMdError (one line naming `name`, the line and the column) on a missing column,
    a missing or misplaced transformation-code row, a non-numeric value, a bad or duplicate date,
    a tcode that is not an integer 1-7 or a factor flag that is not 0/1.
    """
    if frequency not in ("M", "Q"):
        raise FredMdError(name, f"frequency must be 'M' or 'Q', not {frequency!r}")
    wanted = list(dict.fromkeys(columns))
    if not wanted:
        raise FredMdError(name, "no columns requested")
    cells = _grid(body, name)

    header = list(cells[0])
    if header[0].lower() != "sasdate":
        raise FredMdError(
            name, f"first column is {header[0]!r}, expected sasdate", line=1, column=header[0]
        )
    seen: dict[str, int] = {}
    for i, col in enumerate(header):
        if col in seen and col:
            raise FredMdError(name, "the header names this column twice", line=1, column=col)
        seen[col] = i
    missing = [c for c in wanted if c not in seen or seen[c] == 0]
    if missing:
        more = f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        # FRED-MD/QD rename a series when they adjust it (PAYEMS vs ...x): point at the variant.
        stem = missing[0].lower().removesuffix("x")
        near = [c for c in header[1:] if c.lower().removesuffix("x") == stem]
        if near:
            more += f"; the file has {', '.join(near)}"
        raise FredMdError(
            name, f"requested column not in the header{more}", line=1, column=missing[0]
        )

    labels: dict[str, int] = {}  # label -> row index
    data_rows: list[int] = []
    first_row: int | None = None  # first non-blank row after the header
    nonblank = (cells != "").any(axis=1)
    for i in range(1, len(cells)):
        if not nonblank[i]:
            continue  # blank line (some vintages end with empty rows)
        if first_row is None:
            first_row = i
        first = cells[i, 0]
        label = _label(first)
        if label in _LABELS:
            if data_rows:
                raise FredMdError(
                    name,
                    f"{first!r} row after data rows (it must come before the first date, "
                    f"line {data_rows[0] + 1})",
                    line=i + 1,
                    column="sasdate",
                )
            if label in labels:
                raise FredMdError(
                    name,
                    f"second {first!r} row (the first is on line {labels[label] + 1})",
                    line=i + 1,
                    column="sasdate",
                )
            labels[label] = i
        elif _DATE_MDY.match(first) or _DATE_ISO.match(first):
            data_rows.append(i)
        elif not data_rows and first:
            raise FredMdError(
                name,
                f"{first!r} is neither a date nor a known row label (Transform:, factors)",
                line=i + 1,
                column="sasdate",
            )
        else:
            raise FredMdError(name, f"bad date {first!r}", line=i + 1, column="sasdate")

    if first_row is None:
        raise FredMdError(name, "nothing after the header", line=1)
    if TRANSFORM not in labels:
        raise FredMdError(
            name,
            f"no transformation-code row (Transform:) between the header and the first date "
            f"(this line holds {cells[first_row, 0]!r})",
            line=first_row + 1,
            column="sasdate",
        )
    t_row = labels[TRANSFORM]
    if frequency == "M" and t_row != first_row:
        raise FredMdError(
            name,
            f"the Transform: row must be the first row after the header in FRED-MD "
            f"(line {first_row + 1} holds {cells[first_row, 0]!r})",
            line=t_row + 1,
            column="sasdate",
        )
    if not data_rows:
        raise FredMdError(name, "no data rows (no line starts with a date)")

    tcodes: dict[str, int] = {}
    factors: dict[str, int] = {}
    for col in wanted:
        j = seen[col]
        raw = cells[t_row, j]
        code = _code(raw, _TCODE)
        if code is None:
            raise FredMdError(
                name,
                f"transformation code {raw!r} is not an integer 1-7",
                line=t_row + 1,
                column=col,
            )
        tcodes[col] = code
        if FACTORS in labels:
            f_row = labels[FACTORS]
            raw = cells[f_row, j]
            flag = _code(raw, _FLAG)
            if flag is None:
                raise FredMdError(
                    name, f"factor flag {raw!r} is not 0 or 1", line=f_row + 1, column=col
                )
            factors[col] = flag

    dates = _dates(list(cells[data_rows, 0]), data_rows, frequency, name)
    pieces = []
    for col in wanted:
        values = _values(list(cells[data_rows, seen[col]]), data_rows, col, name)
        pieces.append(
            pd.DataFrame(
                {
                    "series_id": pd.Series([col] * len(dates), dtype="string"),
                    "date": dates,
                    "value": values,
                }
            )
        )
    out = pd.concat(pieces, ignore_index=True)
    layout = {"header": 1}
    for label, row in sorted(labels.items(), key=lambda kv: kv[1]):
        layout[label] = row + 1
    layout["first_data"] = data_rows[0] + 1
    layout["last_data"] = data_rows[-1] + 1
    out.attrs = {
        "name": name,
        "frequency": frequency,
        "tcodes": tcodes,
        "factors": factors,
        "layout": layout,
    }
    return out


def _dates(texts: list[str], rows: list[int], frequency: Frequency, name: str) -> pd.Series:
    """First day of each row's month (M) or quarter (Q), checked for shape, day 1 and order."""
    mdy = pd.to_datetime(pd.Series(texts), format="%m/%d/%Y", errors="coerce")
    iso = pd.to_datetime(pd.Series(texts), format="%Y-%m-%d", errors="coerce")
    parsed = mdy.fillna(iso)
    for k, (text, when) in enumerate(zip(texts, parsed, strict=True)):
        line = rows[k] + 1
        if pd.isna(when):
            raise FredMdError(name, f"bad date {text!r}", line=line, column="sasdate")
        if when.day != 1:
            raise FredMdError(
                name, f"date {text!r} is not the first day of a month", line=line, column="sasdate"
            )
        if frequency == "Q" and when.month not in _QUARTER_END_MONTHS:
            raise FredMdError(
                name,
                f"date {text!r} is not a quarter's last month (FRED-QD dates a quarter by its "
                "last month, e.g. 3/1/1959 = 1959Q1)",
                line=line,
                column="sasdate",
            )
    if frequency == "Q":
        parsed = parsed - pd.DateOffset(months=2)
    first_seen: dict[pd.Timestamp, int] = {}
    previous: pd.Timestamp | None = None
    for k, when in enumerate(parsed):
        line = rows[k] + 1
        if when in first_seen:
            raise FredMdError(
                name,
                f"duplicate date {texts[k]!r} (also on line {first_seen[when]})",
                line=line,
                column="sasdate",
            )
        if previous is not None and when < previous:
            raise FredMdError(
                name,
                f"date {texts[k]!r} comes after a later date (dates must ascend)",
                line=line,
                column="sasdate",
            )
        first_seen[when] = line
        previous = when
    return pd.Series(parsed.to_numpy(), dtype="datetime64[ns]")


def _values(cells: list[str], rows: list[int], column: str, name: str) -> pd.Series:
    """Float values; a missing marker becomes NaN, anything else non-numeric is an error."""
    texts = pd.Series(cells, dtype=object)
    is_missing = texts.isin(_MISSING)
    numbers = pd.to_numeric(texts.where(~is_missing), errors="coerce").astype("float64")
    # NaN here means the text did not parse; inf ("inf", "1e999") is no observation either.
    bad = ~is_missing.to_numpy() & ~np.isfinite(numbers.to_numpy())
    if bad.any():
        k = int(bad.nonzero()[0][0])
        raise FredMdError(
            name, f"non-numeric value {texts.iat[k]!r}", line=rows[k] + 1, column=column
        )
    return numbers


# --- fetching -------------------------------------------------------------------------------


def url_for(kind: Kind, vintage: str | None = None, base_url: str | None = None) -> str:
    """URL of the current file (vintage None) or of a vintage 'YYYY-MM', under `base_url`.

    `base_url` replaces scheme and host (a mirror or a test server) and keeps the path.
    """
    if kind not in _FOLDERS:
        raise FredMdError(f"FRED-{kind}", "kind must be 'MD' or 'QD'")
    folder, suffix = _FOLDERS[kind]
    if vintage is None:
        filename = "current.csv"
    elif _VINTAGE.match(vintage):
        filename = f"{vintage}-{suffix}.csv"
    else:
        raise FredMdError(f"FRED-{kind}", f"vintage {vintage!r} is not YYYY-MM")
    url = f"{DEFAULT_BASE_URL}{BASE_PATH}/{folder}/{filename}"
    try:
        return http.rebase(url, base_url)
    except ValueError as exc:
        raise FredMdError(BASE_URL_ENV, str(exc)) from None


def _http_get(url: str) -> bytes:
    client = http.HttpClient(SOURCE, user_agent=DEFAULT_USER_AGENT, timeout=60.0)
    return client.get(url, url.rsplit("/", 1)[-1], expect="csv").content


def fetch(
    kind: Kind,
    vintage: str | None = None,
    get: Callable[[str], bytes] | None = None,
    base_url: str | None = None,
) -> bytes:
    """Download FRED-MD ("MD") or FRED-QD ("QD"): the current file, or vintage 'YYYY-MM'.

    The host comes from `base_url`, else $FRED_MD_BASE_URL when set (scheme and host replaced,
    path kept). `get` fetches a URL's bytes (default: the project's HTTP client with retries);
    HTTP failures raise its SourceError. A body that is not a FRED-MD/QD CSV raises FredMdError.
    """
    url = url_for(kind, vintage, base_url or os.environ.get(BASE_URL_ENV) or None)
    body = (get or _http_get)(url)
    head = body[:200].decode("utf-8-sig", "replace").lstrip()
    if not head.lower().startswith("sasdate"):
        shown = " ".join(head[:40].split())
        raise FredMdError(url, f"not a FRED-{kind} CSV (it starts {shown!r}, expected sasdate)")
    return body


# --- the project's source interface ---------------------------------------------------------
# Catalog rows of source `fred_md` name one column each (`live_id`, default the id after the
# FREDMD_/FREDQD_ prefix); monthly rows come from FRED-MD, quarterly rows from FRED-QD. One file
# holds every column, so all rows of a kind share one Download (`download_id`), parsed once.

FORMAT = "fred_md_csv"
DOWNLOAD_IDS: dict[Kind, str] = {"MD": "FRED_MD", "QD": "FRED_QD"}
_PREFIXES: dict[Kind, str] = {"MD": "FREDMD_", "QD": "FREDQD_"}
# The vintage a snapshot file's name states: FRED-MD_2025-08-vintage.csv, FRED-QD_2025Q2-...
_NAME_VINTAGE = re.compile(r"(\d{4}(?:-\d{2}|Q[1-4]))")


def kind_of(entry: Series) -> Kind:
    """FRED-MD for a monthly catalog row, FRED-QD for a quarterly one."""
    if entry.frequency == "M":
        return "MD"
    if entry.frequency == "Q":
        return "QD"
    raise SourceError(SOURCE, entry.id, f"frequency {entry.frequency} is neither M nor Q")


def download_id(entry: Series) -> str:
    return DOWNLOAD_IDS[kind_of(entry)]


def column_of(entry: Series) -> str:
    """The file's column a catalog row names (live_id, else the id without its prefix)."""
    if entry.live_id and entry.live_id != "-":
        return entry.live_id
    return entry.id.removeprefix(_PREFIXES[kind_of(entry)])


def _kind_of_download(download: Download) -> Kind:
    for kind, name in DOWNLOAD_IDS.items():
        if download.series_id == name:
            return kind
    raise SourceError(SOURCE, download.series_id, "is neither FRED_MD nor FRED_QD")


def snapshot_download(path: Path, entry: Series, stamp: datetime) -> Download:
    """A FRED-MD/QD file in a snapshot folder, read in place (e.g. raw/FRED-MD_2025-08-vintage.csv)."""
    from decoupling.sources.snapshot import read_file

    kind = kind_of(entry)
    found = _NAME_VINTAGE.search(path.name)
    vintage = f"FRED-{kind} {found.group(1)} vintage" if found else f"FRED-{kind} {path.name}"
    return Download(
        source="snapshot",
        series_id=DOWNLOAD_IDS[kind],
        url=path.resolve().as_uri(),
        body=read_file(path, entry.id),
        fmt=FORMAT,
        license=entry.license,
        accessed_at=stamp,
        vintage=f"{vintage} (snapshot)",
    )


def fetch_live(entry: Series, settings: Settings) -> list[Download]:
    """The current FRED-MD or FRED-QD file from the St. Louis Fed (FRED_MD_BASE_URL: a mirror)."""
    kind = kind_of(entry)
    client = http.client(SOURCE, settings)
    url = url_for(kind, None, settings.fred_md_base_url)
    name = DOWNLOAD_IDS[kind]
    body = fetch(
        kind,
        get=lambda u: client.get(u, name, expect="csv").content,
        base_url=settings.fred_md_base_url,
    )
    accessed_at = datetime.now(UTC)
    return [
        Download(
            source=SOURCE,
            series_id=name,
            url=client.safe_url(url),
            body=body,
            fmt=FORMAT,
            license=entry.license,
            accessed_at=accessed_at,
            # current.csv names no vintage: the month it was fetched is the one in force.
            vintage=f"FRED-{kind} current file as of {accessed_at:%Y-%m-%d}",
        )
    ]


@parser(FORMAT)
def parse_download(download: Download) -> pd.DataFrame:
    """Every column the catalog names for this file, as `FREDMD_<column>` / `FREDQD_<column>`."""
    kind = _kind_of_download(download)
    entries = [e for e in load_catalog() if e.source == SOURCE and kind_of(e) == kind]
    if not entries:
        raise SourceError(SOURCE, download.series_id, f"the catalog names no FRED-{kind} column")
    columns = {column_of(e): e.id for e in entries}
    frequency: Frequency = "M" if kind == "MD" else "Q"
    observations = parse(download.body, list(columns), frequency=frequency, name=download.name)
    observations["series_id"] = observations["series_id"].map(columns).astype("string")
    return observations
