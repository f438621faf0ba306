"""BLS Public Data API: v2 with BLS_API_KEY, v1 without.

Limits (per query / per day): v2 50 series, 20 years, 500 queries; v1 25 series, 10 years,
25 queries. A long year range is split into windows the version allows and the answers are
kept together. BLS reports errors as HTTP 200 with status REQUEST_NOT_PROCESSED and a message
list. Queries are counted against the daily budget in a small file beside the warehouse, so
several runs on one day share the count; a fetch that would exceed it stops before sending.

The registration key is only in the POST body we send, never in what we store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd

from decoupling.catalog import Series
from decoupling.settings import Settings
from decoupling.sources import http
from decoupling.sources.base import Download, SourceError, SourceGap, body_parser, frame

SOURCE = "bls"
API_BASE = "https://api.bls.gov"
# The claims start after the war (EPI's series from 1948); BLS data rarely go further back.
DEFAULT_START_YEAR = 1947


@dataclass(frozen=True)
class ApiVersion:
    name: str
    path: str
    max_series: int
    max_years: int
    daily_queries: int


V2 = ApiVersion("v2", "/publicAPI/v2/timeseries/data/", 50, 20, 500)
V1 = ApiVersion("v1", "/publicAPI/v1/timeseries/data/", 25, 10, 25)

# BLS's words when the day's quota is spent; waiting minutes does not help, so never retry.
_DAILY_LIMIT = re.compile(r"daily threshold|daily limit|threshold for total number", re.I)
# REQUEST_NOT_PROCESSED with these words is BLS being busy for a moment: worth another attempt.
_TRANSIENT = re.compile(r"busy|try again|temporarily|unavailable|timed? ?out", re.I)


def _busy(response) -> str | None:
    """A retryable problem when BLS answers 200 but was too busy to process the query."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return None  # the JSON check reports it
    if not isinstance(data, dict) or data.get("status") != "REQUEST_NOT_PROCESSED":
        return None
    message = _messages(data)
    if _DAILY_LIMIT.search(message) or not _TRANSIENT.search(message):
        return None  # final: handled (not retried) by _query
    return f"BLS did not process the query (REQUEST_NOT_PROCESSED): {message}"


def api_version(settings: Settings) -> ApiVersion:
    """v2 when a registration key is set, else v1."""
    return V2 if settings.bls_api_key else V1


def endpoint(settings: Settings, version: ApiVersion | None = None) -> str:
    version = version or api_version(settings)
    return http.rebase(API_BASE + version.path, settings.bls_base_url)


def year_windows(start_year: int, end_year: int, max_years: int) -> list[tuple[int, int]]:
    """Consecutive inclusive (start, end) windows of at most `max_years` years."""
    return [
        (y, min(y + max_years - 1, end_year)) for y in range(start_year, end_year + 1, max_years)
    ]


def budget(settings: Settings, version: ApiVersion | None = None) -> http.DailyBudget:
    """Today's query budget of the API version in use, kept beside the warehouse."""
    version = version or api_version(settings)
    hint = (
        "BLS allows 500 queries a day with a key; try again tomorrow"
        if version is V2
        else "BLS allows 25 queries a day without a key: set BLS_API_KEY (500 a day) "
        "or try again tomorrow"
    )
    return http.DailyBudget(
        f"bls_{version.name}",
        version.daily_queries,
        path=settings.warehouse.with_name("bls_budget.json"),
        hint=hint,
    )


def _this_year() -> int:
    return datetime.now(timezone(timedelta(hours=-5))).year


def _batches(entries: list[Series], size: int) -> list[list[Series]]:
    """Entries in queries of at most `size` BLS series. Entries asking for the same BLS series
    share its place in a query; each entry's stored body is cut to its own series afterwards."""
    batches: list[list[Series]] = []
    ids: list[set[str]] = []
    for entry in entries:
        if not batches or (entry.remote_id not in ids[-1] and len(ids[-1]) == size):
            batches.append([])
            ids.append(set())
        batches[-1].append(entry)
        ids[-1].add(entry.remote_id)
    return batches


def _own_part(response: dict[str, Any], remote_id: str, others: set[str]) -> dict[str, Any]:
    """The answer to a shared query as if it had asked for `remote_id` alone: its series, and the
    messages that name it or no other series of the query (so a series' stored body, and its
    checksum, change only when its own data do)."""
    own = dict(response)
    results = response.get("Results")
    if isinstance(results, dict):
        series = [s for s in results.get("series") or [] if s.get("seriesID") == remote_id]
        own["Results"] = {**results, "series": series}
    messages = response.get("message") or []
    if isinstance(messages, list):
        own["message"] = [
            m for m in messages if remote_id in str(m) or not any(o in str(m) for o in others)
        ]
    return own


def _label(batch: list[Series]) -> str:
    return ", ".join(e.id for e in batch)


def _messages(data: dict[str, Any]) -> str:
    messages = data.get("message") or []
    if isinstance(messages, str):
        messages = [messages]
    return " | ".join(" ".join(str(m).split()) for m in messages)


def fetch_many(
    entries: list[Series],
    settings: Settings,
    *,
    start_year: int | None = None,
    end_year: int | None = None,
    client: http.HttpClient | None = None,
    query_budget: http.DailyBudget | None = None,
) -> tuple[list[Download], list[SourceError]]:
    """Several series in as few queries as the API version allows: ceil(series / max_series)
    x year windows. Ingest passes every live BLS series of a run at once.

    Returns one download per series (its own part of the answers) and, separately, the series
    BLS had no data for (one error each). A failed query (REQUEST_NOT_PROCESSED, HTTP errors,
    budget) raises naming the series of its batch; nothing is returned then.
    """
    if not entries:
        return [], []
    version = api_version(settings)
    start = DEFAULT_START_YEAR if start_year is None else start_year
    end = _this_year() if end_year is None else end_year
    label = _label(entries)
    if start > end:
        raise SourceError(SOURCE, label, f"start year {start} is after end year {end}")
    windows = year_windows(start, end, version.max_years)
    batches = _batches(entries, version.max_series)
    query_budget = query_budget or budget(settings, version)
    # Check the whole fetch fits before sending anything: half a series is no use.
    query_budget.ensure(len(batches) * len(windows), SOURCE, label)
    if client is None:
        client = http.client(SOURCE, settings, budget=query_budget)
    elif client.budget is None:
        client.budget = query_budget  # every attempt, retries included, counts against the day
    url = endpoint(settings, version)

    downloads: list[Download] = []
    missing: list[SourceError] = []
    for batch in batches:
        raw: list[bytes] = []
        parsed: list[dict[str, Any]] = []
        for first, last in windows:
            body, data = _query(client, settings, version, url, batch, first, last, query_budget)
            raw.append(body)
            parsed.append(data)
        remote_ids = {e.remote_id for e in batch}
        for entry in batch:
            own = parsed
            if len(remote_ids) > 1:
                others = remote_ids - {entry.remote_id}
                own = [_own_part(d, entry.remote_id, others) for d in parsed]
            if not _has_data(own, entry):
                notes = " | ".join(m for m in (_messages(d) for d in own) if m)
                missing.append(
                    SourceGap(
                        SOURCE,
                        entry.id,
                        f"BLS returned no data for {entry.remote_id} in {start}-{end}"
                        + (f": {notes}" if notes else ""),
                    )
                )
                continue
            # Alone in one window: the bytes as received; else its part of each answer as JSON
            # (one object, or a list of them for several windows).
            if own is parsed and len(raw) == 1:
                body = raw[0]
            else:
                body = json.dumps(own[0] if len(own) == 1 else own).encode()
            downloads.append(
                Download(
                    source=SOURCE,
                    series_id=entry.id,
                    url=client.safe_url(url),
                    body=body,
                    fmt="bls_json",
                    license=entry.license,
                    vintage=None,
                    extension="json",
                )
            )
    return downloads, missing


def fetch(
    entry: Series,
    settings: Settings,
    start_year: int | None = None,
    end_year: int | None = None,
    *,
    client: http.HttpClient | None = None,
    query_budget: http.DailyBudget | None = None,
) -> list[Download]:
    """One series from the BLS API (all years from `start_year`, default 1947, to this year)."""
    downloads, missing = fetch_many(
        [entry],
        settings,
        start_year=start_year,
        end_year=end_year,
        client=client,
        query_budget=query_budget,
    )
    if missing:
        raise missing[0]
    return downloads


def _query(
    client: http.HttpClient,
    settings: Settings,
    version: ApiVersion,
    url: str,
    batch: list[Series],
    first: int,
    last: int,
    query_budget: http.DailyBudget,
) -> tuple[bytes, dict[str, Any]]:
    """One POST; returns (body as stored, parsed JSON) or raises naming the batch's series."""
    label = _label(batch)
    payload: dict[str, Any] = {
        "seriesid": [e.remote_id for e in batch],
        "startyear": str(first),
        "endyear": str(last),
    }
    if version is V2:
        payload["registrationkey"] = settings.bls_api_key
        if any(e.frequency == "A" for e in batch):
            payload["annualaverage"] = True  # annual series come as M13 averages
    response = client.post(url, label, json_body=payload, expect="json", validate=_busy)
    body = http.scrub(response.content, settings.secrets)
    data = json.loads(body)
    status = data.get("status") if isinstance(data, dict) else None
    if status != "REQUEST_SUCCEEDED":
        message = _messages(data) if isinstance(data, dict) else ""
        problem = f"BLS {version.name} did not process the query for {first}-{last} ({status})"
        problem += f": {message}" if message else ""
        if _DAILY_LIMIT.search(message):
            query_budget.exhaust()  # later fetches today stop before sending
            problem += "; the daily limit is reached and retrying today will not help" + (
                "" if version is V2 else " (set BLS_API_KEY for 500 queries a day)"
            )
        raise SourceError(SOURCE, label, http.redact(problem, settings.secrets))
    return body, data


def _find_series(response: dict[str, Any], series_id: str) -> dict[str, Any] | None:
    found = (response.get("Results") or {}).get("series") or []
    for series in found:
        if series.get("seriesID") == series_id:
            return series
    return found[0] if len(found) == 1 else None


def _has_data(responses: list[dict[str, Any]], entry: Series) -> bool:
    for response in responses:
        series = _find_series(response, entry.remote_id)
        if series and series.get("data"):
            return True
    return False


# --- parsing --------------------------------------------------------------------------------

_MISSING = {"-", "", "NA", "N/A", "(NA)"}


@body_parser("bls_json")
def parse_bls_json(body: bytes, series_id: str) -> pd.DataFrame:
    """BLS API JSON (one response or a list of them, e.g. year windows).

    Periods: M01..M12 -> month, Q01..Q04 -> quarter start, S01/S02 -> half-year start,
    A01 -> year; M13 (annual average) only when the series has no monthly rows, likewise Q05
    and S03. Values "-" (and other BLS gaps) are missing; footnotes are ignored.
    """
    data = json.loads(body)
    responses = data if isinstance(data, list) else [data]
    rows: list[tuple[int, str, str]] = []
    for response in responses:
        if not isinstance(response, dict):
            raise ValueError("expected a JSON object from the BLS API")
        status = response.get("status")
        if status and status != "REQUEST_SUCCEEDED":
            raise ValueError(f"BLS status {status}: {_messages(response)}")
        series = _find_series(response, series_id)
        if series is None:
            continue
        for row in series.get("data") or []:
            rows.append((int(row["year"]), str(row["period"]), str(row.get("value", "")).strip()))

    kinds = {
        period[0]
        for _, period, _ in rows
        if period[:1] in "MQS" and period not in ("M13", "Q05", "S03")
    }
    values: dict[pd.Timestamp, float] = {}
    for year, period, raw in rows:
        month = _month(period, kinds)
        if month is None:
            continue
        if raw in _MISSING or (raw.startswith("(") and raw.endswith(")")):
            value = float("nan")
        else:
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"non-numeric value {raw!r} for {year} {period}") from None
        values[pd.Timestamp(year=year, month=month, day=1)] = value
    dates = sorted(values)
    return frame(series_id, dates, [values[d] for d in dates])


def _month(period: str, kinds: set[str]) -> int | None:
    """The first month of a BLS period, or None for an average the series also has in detail."""
    kind, number = period[:1], period[1:]
    if not number.isdigit():
        raise ValueError(f"unknown BLS period {period!r}")
    n = int(number)
    if kind == "M" and 1 <= n <= 12:
        return n
    if kind == "Q" and 1 <= n <= 4:
        return 3 * (n - 1) + 1
    if kind == "S" and n in (1, 2):
        return 1 if n == 1 else 7
    if (kind, n) in (("M", 13), ("Q", 5), ("S", 3), ("A", 1)):
        # Annual averages: the observation of an annual series, noise beside monthly rows.
        return None if kinds else 1
    raise ValueError(f"unknown BLS period {period!r}")
