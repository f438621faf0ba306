"""Report sections: one module per claim, each with `build(con) -> Section`.

The section's template (reports/templates/claims/<template>) renders its charts; the shared
`chart.html.j2` (`{% include "chart.html.j2" %}` inside `{% for chart in s.charts %}`) gives the
standard figure: the chart, then its source line and a link to its data CSV.

A section that lacks its data still returns a Section with `available=False` and the reason,
so the rest of the report builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd


@dataclass
class Chart:
    name: str  # file stem: charts/<name>.svg and data/<name>.csv
    title: str  # states the finding
    svg: str
    data: pd.DataFrame
    source: str  # source and vintage line
    alt: str | None = None  # optional: text for screen readers (default: the title)


@dataclass
class Section:
    id: str  # C1..C5, or a name for non-claim sections
    title: str
    template: str  # under reports/templates/claims/
    available: bool = True
    reason: str | None = None
    charts: list[Chart] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (templates test for None, not NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def mark_unavailable(section: Section, availability: pd.DataFrame, what: str) -> Section:
    """Mark a section not available, giving the reasons its analyses recorded."""
    reasons = "; ".join(r for r in availability["reason"].dropna().unique())
    section.available = False
    section.reason = f"{what} ({reasons})"
    return section


def source_line(con: duckdb.DuckDBPyConnection, ids: list[str], prefix: str) -> str:
    """Source, the data end and release of each series, and a warning when releases differ."""
    rows = con.execute(
        "SELECT series_id, last_date, release FROM staging.series_release "
        "WHERE series_id IN (SELECT unnest(?)) ORDER BY series_id",
        [ids],
    ).fetchall()
    held = ", ".join(f"{sid} to {last:%Y-%m}" for sid, last, _ in rows if last)
    releases = {release for _, _, release in rows}
    warning = (
        f" Vintages mixed: these series come from {len(releases)} different releases."
        if len(releases) > 1
        else ""
    )
    return f"{prefix} ({held}).{warning}"


def availability(con: duckdb.DuckDBPyConnection, claim_id: str) -> pd.DataFrame:
    return con.execute(
        "SELECT analysis, label, available, reason FROM marts.availability_c3_c5 "
        "WHERE claim_id = ? ORDER BY analysis",
        [claim_id],
    ).df()


def claim_section(
    con: duckdb.DuckDBPyConnection, claim_id: str, title: str, template: str
) -> tuple[Section, pd.DataFrame]:
    """A claim's section, with the availability of its analyses (marts.availability_c3_c5) in
    its context; the availability frame too, for mark_unavailable."""
    avail = availability(con, claim_id)
    section = Section(id=claim_id, title=title, template=template)
    section.context["availability"] = records(avail)
    return section, avail


def claim_modules() -> list:
    """Every module and package under `decoupling.claims`, in import-name order."""
    import importlib
    import pkgutil

    import decoupling.claims as package

    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    ]


def builders() -> list:
    """Every claim module's `section`, in the order of their `ORDER` (claims C1.., then others).

    Discovered, so adding a claim is adding a module."""
    modules = [m for m in claim_modules() if hasattr(m, "section")]
    return [m.section for m in sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))]
