"""Report sections: one module per claim, each with `build(con) -> Section`.

The section's template (reports/templates/sections/<template>) renders its charts; the shared
`chart.html.j2` (`{% include "chart.html.j2" %}` inside `{% for chart in s.charts %}`) gives the
standard figure: the chart, then its source line and a link to its data CSV.

A section that lacks its data still returns a Section with `available=False` and the reason,
so the rest of the report builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    template: str  # under reports/templates/sections/
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


def builders() -> list:
    """Every section module's `build`, in the order of their `ORDER` (claims C1..C5, then others).

    Discovered, so adding a section is adding a module."""
    import importlib
    import pkgutil

    import flows.sections as package

    modules = [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]
    modules = [m for m in modules if hasattr(m, "build")]
    return [m.build for m in sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))]
