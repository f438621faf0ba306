"""FRED: the keyless graph CSV without a key, the JSON API (and ALFRED vintages) with one.

Every endpoint goes through `settings.fred_base_url` when set: it replaces scheme and host and
keeps the path, so a mirror or a test server answers `/graph/fredgraph.csv` and `/fred/...`.
The API key travels only in the request; stored urls show `api_key=***`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import quote

import pandas as pd
import requests

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources import http
from decoupling.sources.base import Download, SourceError, SourceGap, body_parser, frame
from decoupling.sources.snapshot import parse_fred_csv  # noqa: F401  (registers "fred_csv")

SOURCE = "fred"
KEYLESS_BASE = "https://fred.stlouisfed.org"
API_BASE = "https://api.stlouisfed.org"
GRAPH_PATH = "/graph/fredgraph.csv"
SERIES_PATH = "/fred/series"
OBSERVATIONS_PATH = "/fred/series/observations"
# The API returns at most 100000 observations a request; longer answers are paged by offset.
PAGE_LIMIT = 100_000
# vintage_dates is a comma list in the query string: keep each request's list short enough for
# any proxy's URL limit and the API's own checks.
VINTAGES_PER_REQUEST = 100
VINTAGE_PARAM_MAX_CHARS = 2000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _client(settings: Settings) -> http.HttpClient:
    return http.client(SOURCE, settings)


def _url(settings: Settings, default_base: str, path: str) -> str:
    return http.rebase(default_base + path, settings.fred_base_url)


def _unknown_series(entry: Series, exc: http.HttpStatusError) -> SourceGap:
    named = entry.id if entry.remote_id == entry.id else f"{entry.id} (FRED id {entry.remote_id})"
    detail = f": {exc.detail}" if exc.detail else ""
    return SourceGap(
        SOURCE,
        entry.id,
        f"FRED does not know series {named} (HTTP {exc.status}{detail}); check the catalog id",
    )


def _get(
    client: http.HttpClient,
    entry: Series,
    url: str,
    params: dict[str, Any] | None,
    expect: str,
) -> requests.Response:
    """GET with the client; a 400/404 becomes 'unknown series' (FRED's answer to a bad id)."""
    try:
        return client.get(url, entry.id, params=params, expect=expect)
    except http.HttpStatusError as exc:
        if exc.status in (400, 404):
            raise _unknown_series(entry, exc) from None
        raise


def _api_params(entry: Series, settings: Settings, **extra: Any) -> dict[str, Any]:
    if not settings.fred_api_key:
        raise SourceError(SOURCE, entry.id, "the FRED API needs FRED_API_KEY (none is set)")
    return {"series_id": entry.remote_id, "api_key": settings.fred_api_key, "file_type": "json"} | {
        k: v for k, v in extra.items() if v is not None
    }


# --- fetching -------------------------------------------------------------------------------


def fetch(
    entry: Series, settings: Settings, *, client: http.HttpClient | None = None
) -> list[Download]:
    """The series from FRED: the JSON API with a key, else the keyless graph CSV."""
    client = client or _client(settings)
    if settings.fred_api_key:
        return [_fetch_api(entry, settings, client)]
    return [_fetch_keyless(entry, settings, client)]


def _fetch_keyless(entry: Series, settings: Settings, client: http.HttpClient) -> Download:
    url = _url(settings, KEYLESS_BASE, f"{GRAPH_PATH}?id={quote(entry.remote_id)}")
    response = _get(client, entry, url, None, expect="csv")
    return Download(
        source=SOURCE,
        series_id=entry.id,
        url=client.safe_url(url),
        body=http.scrub(response.content, settings.secrets),  # stored verbatim
        fmt="fred_csv",
        license=entry.license,
        vintage=None,
        extension="csv",
    )


def series_info(
    entry: Series, settings: Settings, *, client: http.HttpClient | None = None
) -> dict[str, Any]:
    """FRED's description of the series (/fred/series): title, units, frequency, last_updated..."""
    client = client or _client(settings)
    url = _url(settings, API_BASE, SERIES_PATH)
    response = _get(client, entry, url, _api_params(entry, settings), expect="json")
    found = response.json().get("seriess") or []
    if not found:
        raise SourceError(SOURCE, entry.id, f"FRED returned no description of {entry.remote_id}")
    return found[0]


def last_updated(
    entry: Series, settings: Settings, *, client: http.HttpClient | None = None
) -> str | None:
    """When FRED last updated the series (API only; None without FRED_API_KEY)."""
    if not settings.fred_api_key:
        return None
    return series_info(entry, settings, client=client).get("last_updated") or None


def _observation_pages(
    entry: Series, settings: Settings, client: http.HttpClient, **extra: Any
) -> tuple[list[bytes], str]:
    """Raw observation responses (one per page) and the redacted url of the first page."""
    url = _url(settings, API_BASE, OBSERVATIONS_PATH)
    pages: list[bytes] = []
    shown = ""
    offset = 0
    while True:
        params = _api_params(entry, settings, limit=PAGE_LIMIT, offset=offset or None, **extra)
        response = _get(client, entry, url, params, expect="json")
        shown = shown or client.safe_url(http.with_query(url, params))
        pages.append(http.scrub(response.content, settings.secrets))
        data = response.json()
        received = len(data.get("observations") or [])
        offset += received
        if received == 0 or offset >= int(data.get("count") or 0):
            return pages, shown


def _fetch_api(entry: Series, settings: Settings, client: http.HttpClient) -> Download:
    # The description first: an unknown id fails here after one request, and it dates the data.
    info = series_info(entry, settings, client=client)
    pages, shown = _observation_pages(entry, settings, client)
    if len(pages) == 1:
        body = pages[0]  # exactly as received
    else:
        body = json.dumps([json.loads(p) for p in pages]).encode()
    return Download(
        source=SOURCE,
        series_id=entry.id,
        url=shown,
        body=body,
        fmt="fred_json",
        license=entry.license,
        vintage=info.get("last_updated") or None,
        extension="json",
    )


def _vintage_chunks(dates: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    for day in dates:
        chars = len(",".join([*current, day]))
        if current and (len(current) >= VINTAGES_PER_REQUEST or chars > VINTAGE_PARAM_MAX_CHARS):
            chunks.append(current)
            current = []
        current.append(day)
    if current:
        chunks.append(current)
    return chunks


def _in_force(observation: dict[str, Any], day: str) -> bool:
    start = observation.get("realtime_start") or "0000-00-00"
    end = observation.get("realtime_end") or "9999-12-31"
    return start <= day <= end


def fetch_vintages(
    entry: Series,
    settings: Settings,
    vintage_dates: list[str],
    *,
    client: http.HttpClient | None = None,
) -> list[Download]:
    """The series as it stood on each vintage date (ALFRED), one Download per date.

    Dates go to the API in chunks (`vintage_dates=`); each Download's body is that chunk's
    response restricted to the observations in force on its date, with `vintage_date` set, so
    it parses to the same frame as a plain fetch. `url` is the chunk's request (key masked);
    `part` and `vintage` carry the date. Dates before the series existed give no Download.
    """
    client = client or _client(settings)
    if not settings.fred_api_key:
        raise SourceError(SOURCE, entry.id, "vintages (ALFRED) need FRED_API_KEY (none is set)")
    bad = [d for d in vintage_dates if not _DATE.match(d)]
    if bad:
        raise SourceError(SOURCE, entry.id, f"vintage date {bad[0]!r} is not YYYY-MM-DD")
    downloads: list[Download] = []
    for chunk in _vintage_chunks(sorted(set(vintage_dates))):
        pages, shown = _observation_pages(
            entry, settings, client, vintage_dates=",".join(chunk), output_type=1
        )
        parsed = [json.loads(p) for p in pages]
        observations = [o for page in parsed for o in page.get("observations") or []]
        header = {k: v for k, v in parsed[0].items() if k not in ("observations", "offset")}
        for day in chunk:
            selected = [o for o in observations if _in_force(o, day)]
            if not selected:
                continue
            body = header | {
                "realtime_start": day,
                "realtime_end": day,
                "vintage_date": day,
                "count": len(selected),
                "observations": selected,
            }
            downloads.append(
                Download(
                    source=SOURCE,
                    series_id=entry.id,
                    url=shown,
                    body=json.dumps(body).encode(),
                    fmt="fred_json",
                    license=entry.license,
                    vintage=day,
                    extension="json",
                    part=f"vintage-{day}",
                )
            )
    return downloads


# --- parsing --------------------------------------------------------------------------------


@body_parser("fred_json")
def parse_fred_json(body: bytes, series_id: str) -> pd.DataFrame:
    """FRED API observations JSON (one response or a list of pages); value "." = missing.

    With `vintage_date` in a response only the observations in force on that date count;
    otherwise, should one date appear in several real-time periods, the latest period wins.
    """
    data = json.loads(body)
    pages = data if isinstance(data, list) else [data]
    latest: dict[str, tuple[str, str]] = {}  # date -> (realtime_start, value)
    for page in pages:
        if not isinstance(page, dict):
            raise ValueError("expected a JSON object with 'observations'")
        if page.get("error_message"):
            raise ValueError(f"FRED error: {page['error_message']}")
        if "observations" not in page:
            raise ValueError("no 'observations' in the JSON")
        vintage = page.get("vintage_date")
        for obs in page["observations"]:
            if vintage and not _in_force(obs, vintage):
                continue
            day, start = obs["date"], obs.get("realtime_start") or ""
            if day not in latest or start >= latest[day][0]:
                latest[day] = (start, str(obs.get("value", "")).strip())
    dates, values = [], []
    for day in sorted(latest):
        raw = latest[day][1]
        if raw in (".", ""):
            value = float("nan")
        else:
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"non-numeric value {raw!r} on {day}") from None
            if not math.isfinite(value):
                raise ValueError(f"value {raw!r} on {day} is not finite")
        dates.append(pd.to_datetime(day, format="%Y-%m-%d"))
        values.append(value)
    return frame(series_id, dates, values)
