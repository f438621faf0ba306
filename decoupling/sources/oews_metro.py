"""BLS OEWS metropolitan-area files: one zip a year (`oesm<yy>ma.zip`), kept whole as received.

A catalog row with source `oews` and live_id `metro:<AREA>` (e.g. OEWS_NY_METRO, metro:35620 =
New York-Newark-Jersey City) expands to `OEWS_MSA<AREA>_<SOC>_<MEASURE>` series (e.g.
OEWS_MSA35620_395011_H_MEAN), dated `<year>-01-01` (May reference), with labels naming the area.
The zip body is what lands (the MSA workbooks are large; older years split them into
MSA_dl_1..3), and the parser reads every MSA workbook in it, keeping the area's cross-industry
rows. Markers as in the national files: '*'/'**' missing, '#' missing plus a _TOPCODED flag.
The snapshot holds no metro files: such a row is reported as not available in a snapshot run.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from functools import partial

import pandas as pd

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources import oews
from decoupling.sources.base import Download, SourceError, parser, part_year
from decoupling.sources.http import HttpClient, client, rebase

SOURCE = "oews"
ZIP_PATH = "/oes/special-requests/oesm{yy}ma.zip"
FIRST_YEAR = 2005  # the first year BLS publishes metro areas under today's CBSA codes
WORKBOOK = re.compile(r"(^|/)MSA_(M\d{4}_)?dl(_\d+)?\.xlsx?$", re.I)
REQUIRED = ("AREA", "OCC_CODE", "OCC_TITLE")


def area_of(entry_or_live_id: Series | str) -> str:
    """'metro:35620' -> '35620'; anything else is a catalog error naming the row."""
    live_id = entry_or_live_id if isinstance(entry_or_live_id, str) else entry_or_live_id.live_id
    match = re.fullmatch(r"metro:(\d{5})", live_id or "")
    if not match:
        raise ValueError(f"live_id {live_id!r} is not metro:<5-digit area code>")
    return match.group(1)


def is_metro(entry: Series) -> bool:
    return entry.source == SOURCE and (entry.live_id or "").startswith("metro:")


def series_id(area: str, soc: str, measure: str) -> str:
    return f"OEWS_MSA{area}_{soc.replace('-', '')}_{measure}"


def zip_url(year: int, settings: Settings) -> str:
    return rebase(oews.LIVE_HOST + ZIP_PATH.format(yy=f"{year % 100:02d}"), settings.bls_base_url)


def _catalog_area(catalog_id: str) -> str:
    from decoupling.catalog import load_catalog

    for entry in load_catalog():
        if entry.id == catalog_id:
            return area_of(entry)
    raise ValueError(f"{catalog_id} is not in the catalog")


def _parse_zip(body: bytes, catalog_id: str, year: int) -> pd.DataFrame:
    area = _catalog_area(catalog_id)
    where = f"oesm{year % 100:02d}ma.zip (part M{year})"
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise SourceError(SOURCE, catalog_id, f"{where}: not a zip file") from None
    names = sorted(n for n in archive.namelist() if WORKBOOK.search(n))
    if not names:
        raise SourceError(SOURCE, catalog_id, f"{where}: no MSA_..._dl workbook in the zip")
    ids: list[str] = []
    values: list[float | None] = []
    labels: list[str] = []
    for name in names:
        extension = name.rsplit(".", 1)[-1].lower()
        book = oews._Book(archive.read(name), extension, f"{where} {name}", catalog_id)
        try:
            rows, at, columns = oews.data_table(book, REQUIRED, name_sheets=False)
        finally:
            book.close()
        measures = [m for m in oews.MEASURES if m in columns]
        if "H_MEAN" not in measures:
            raise SourceError(SOURCE, catalog_id, f"{where} {name}: no column H_MEAN")
        title_col = columns.get("AREA_TITLE", columns.get("AREA_NAME"))
        industry = columns.get("I_GROUP")
        for row in rows[at + 1 :]:
            cell_area = row[columns["AREA"]] if columns["AREA"] < len(row) else None
            if cell_area is None or str(cell_area).strip().split(".")[0] != area:
                continue
            if industry is not None and str(row[industry]).strip().lower() != "cross-industry":
                continue
            code = str(row[columns["OCC_CODE"]] or "").strip()
            if not oews.SOC.match(code):
                continue
            code = code if "-" in code else f"{code[:2]}-{code[2:]}"
            title = " ".join(str(row[columns["OCC_TITLE"]] or "").split())
            place = " ".join(str(row[title_col] or "").split()) if title_col is not None else ""
            for measure in measures:
                raw = row[columns[measure]] if columns[measure] < len(row) else None
                try:
                    value, topcoded = oews._number(raw)
                except ValueError:
                    raise SourceError(
                        SOURCE,
                        catalog_id,
                        f"{where} {name}: column {measure}, SOC {code}: {raw!r} is neither a "
                        "number nor a published marker (*, **, #)",
                    ) from None
                sid = series_id(area, code, measure)
                label = f"{title} (SOC {code}), {place} (area {area}): {oews.MEASURES[measure]}"
                ids.append(sid)
                values.append(value)
                labels.append(label)
                if topcoded:
                    ids.append(sid + "_TOPCODED")
                    values.append(1.0)
                    labels.append(f"{label}: 1 = top-coded (withheld)")
    if not ids:
        raise SourceError(SOURCE, catalog_id, f"{where}: no rows for area {area}")
    frame = pd.DataFrame(
        {
            "series_id": pd.Series(ids, dtype="string"),
            "date": pd.Series([pd.Timestamp(year, 1, 1)] * len(ids), dtype="datetime64[ns]"),
            "value": pd.Series(values, dtype="float64"),
            "label": pd.Series(labels, dtype="string"),
        }
    )
    return frame.drop_duplicates("series_id", keep="first")


@parser("oews_msa_zip")
def _parse_download(download: Download) -> pd.DataFrame:
    year = part_year(download)
    if year is None:
        raise SourceError(SOURCE, download.series_id, f"{download.name}: no year (part M<year>)")
    return _parse_zip(download.body, download.series_id, year)


def fetch(
    entry: Series,
    settings: Settings,
    years: Iterable[int] | None = None,
    http: HttpClient | None = None,
) -> list[Download]:
    """Download the metro zips of `years` (default FIRST_YEAR..this year); a 404 year is skipped."""
    try:
        area_of(entry)
    except ValueError as exc:
        raise SourceError(SOURCE, entry.id, str(exc)) from None
    http = http or client(SOURCE, settings)
    urls = partial(zip_url, settings=settings)
    zips = oews.published_zips(http, entry.id, years, FIRST_YEAR, urls, label=" metro")
    # The zip is kept whole: the parser reads every MSA workbook in it.
    return [
        oews.year_download(entry, year, url, body, at, vintage, fmt="oews_msa_zip", extension="zip")
        for year, url, body, at, vintage in zips
    ]
