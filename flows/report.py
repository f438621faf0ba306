"""The report: charts (matplotlib SVG) -> one self-contained HTML (Jinja2) -> the same as PDF."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2

from flows import warehouse
from flows.config import TEMPLATES_DIR, Settings
from flows.sections import Section, builders

log = logging.getLogger("decoupling")
VERDICT_CLASS = {
    "supported": "ok",
    "partly supported": "part",
    "not supported": "no",
    "not available": "na",
}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _records(frame) -> list[dict]:
    """Rows as dicts with None for missing values (templates test for None, not NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def gather(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] | None = None) -> dict:
    """Everything the template needs, read from the warehouse."""
    sections: list[Section] = []
    makers = builders()
    for index, make in enumerate(makers, start=1):
        sections.append(make(con))
        if progress:
            progress(f"report section {index}/{len(makers)}: {sections[-1].id}")
    claims = con.execute("SELECT * FROM marts.claims ORDER BY claim_id, metric").df()
    provenance = con.execute(
        """
        WITH latest AS (
            SELECT series_id, arg_max(source, accessed_at) AS source,
                   arg_max(url, accessed_at) AS url, max(accessed_at) AS accessed_at,
                   arg_max(vintage, accessed_at) AS vintage, max(last_date) AS last_date,
                   arg_max(sha256, accessed_at) AS sha256, count(*) AS downloads
            FROM meta.downloads GROUP BY series_id
        )
        SELECT s.id, s.title, s.units, s.analyses, l.source, l.url, l.accessed_at, l.vintage,
               l.last_date, l.sha256, l.downloads, a.available, a.reason
        FROM meta.series s
        LEFT JOIN latest l ON l.series_id = s.id
        LEFT JOIN meta.availability a ON a.series_id = s.id
        ORDER BY s.id
        """
    ).df()
    run = con.execute(
        "SELECT run_id, finished_at, inputs FROM meta.runs ORDER BY finished_at DESC LIMIT 1"
    ).fetchall()
    run = run[0] if run else None
    return {
        "sections": sections,
        "claims": _records(claims),
        "provenance": _records(provenance),
        "run": {"run_id": run[0], "finished_at": run[1], "inputs": run[2]} if run else None,
        "verdict_class": VERDICT_CLASS,
    }


def render_html(context: dict, for_pdf: bool = False) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = lambda v, d=1: "–" if v is None or v != v else f"{v:,.{d}f}"
    return env.get_template("report.html.j2").render(**context, for_pdf=for_pdf)


def build_report(
    settings: Settings, progress: Callable[[str], None] | None = None
) -> dict[str, Path]:
    """Write report.html, report.pdf, charts/*.svg and data/*.csv under the output folder."""
    import weasyprint

    out = settings.output_dir
    (out / "charts").mkdir(parents=True, exist_ok=True)
    (out / "data").mkdir(parents=True, exist_ok=True)
    con = warehouse.connect_published(settings)
    try:
        context = gather(con, progress)
    finally:
        con.close()
    context["generated_at"] = datetime.now(UTC)
    for section in context["sections"]:
        for chart in section.charts:
            _write_atomic(out / "charts" / f"{chart.name}.svg", chart.svg.encode())
            _write_atomic(
                out / "data" / f"{chart.name}.csv", chart.data.to_csv(index=False).encode()
            )
            if progress:
                progress(f"chart drawn: {chart.name}")
    html = render_html(context)
    _write_atomic(out / "report.html", html.encode())
    pdf = weasyprint.HTML(string=render_html(context, for_pdf=True), base_url=str(out)).write_pdf()
    _write_atomic(out / "report.pdf", pdf)
    if progress:
        progress(f"report written: {out / 'report.html'} and {out / 'report.pdf'}")
    return {"html": out / "report.html", "pdf": out / "report.pdf"}
