"""The PDF report built from the real snapshot: A4 with page numbers, a table of contents whose page
numbers are right, the scorecard on page 1, vector charts, and no chart split across pages."""

from __future__ import annotations

import logging
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageStat


@pytest.fixture(scope="module")
def pdf(refreshed) -> Path:
    return refreshed["settings"].output_dir / "report.pdf"


# What WeasyPrint warned while laying out the report in `laid_out` (CSS it ignores, say).
LAYOUT_WARNINGS: list[str] = []


@pytest.fixture(scope="module")
def laid_out(refreshed) -> tuple[dict, object]:
    """The report's context and its WeasyPrint layout (pages and boxes), built once here."""
    from decoupling import warehouse
    from decoupling.report import build as report

    con = warehouse.connect_published(refreshed["settings"])
    try:
        context = report.gather(con)
    finally:
        con.close()
    context["generated_at"] = datetime.now(UTC)
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: LAYOUT_WARNINGS.append(record.getMessage())
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        return context, report.render_pdf(context, refreshed["settings"].output_dir)
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)


def test_weasyprint_warns_of_nothing_in_the_report(laid_out):
    # A warning here reaches every refresh's output (it once said "Ignored `overflow-x: auto`").
    assert LAYOUT_WARNINGS == []


def _text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def test_page_one_is_the_scorecard_and_not_blank(pdf, tmp_path, warehouse_ro):
    from decoupling.report.build import _with_unit

    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    dark = sum(image.histogram()[:160]) / (image.width * image.height)
    assert ImageStat.Stat(image).stddev[0] > 15 and dark > 0.02, f"page 1 looks blank ({dark:.3f})"
    width_mm = image.width / 60 * 25.4
    assert 205 < width_mm < 215, f"page 1 is {width_mm:.0f} mm wide, not A4"

    first = _text(pdf, 1)
    flat_first = re.sub(r"\s+", " ", first)
    assert "Summary: the claim scorecard" in first
    assert "Key to the verdicts" in first and "Cite this" in first
    from decoupling.report.build import scorecard

    claims = scorecard(warehouse_ro)
    assert claims
    for claim in claims:  # page 1: every claim's verdict and its bottom line
        assert f"{claim['claim_id']} " in first
        assert claim["verdict"] in first
        assert re.sub(r"\s+", " ", claim["bottom_line"])[:40] in flat_first, claim["claim_id"]
    # The full rows follow on page 2, and onto page 3 with seven claims: up to the contents.
    rest = _text(pdf, 2) + _text(pdf, 3)
    contents = re.search(r"^\s*Contents\s*$", rest, re.M)  # the heading, not the running head
    second = rest[: contents.start()] if contents else rest
    rows = warehouse_ro.execute(
        "SELECT claim_id, measured, unit, verdict FROM marts.claims"
    ).fetchall()
    assert rows
    for claim_id, measured, unit, verdict in rows:
        assert _with_unit(measured, unit) in second, f"{claim_id}: {measured} not on pages 2-3"
        assert verdict in second
    assert f"Page 1 of {_page_count(pdf)}" in first


def test_pdf_pages_are_not_left_nearly_empty(pdf, tmp_path):
    """No page less than a third full, except the last page of a section (the page before a
    section that starts on a new page, and the last page)."""
    text = _text(pdf)
    pages = text.split("\f")[:-1]
    starts_section = [bool(re.search(r"^\s*C\d\. ", page, re.M)) for page in pages]
    sparse = []
    for number, page in enumerate(pages, start=1):
        last_of_section = number == len(pages) or starts_section[number]
        lines = [line for line in page.splitlines() if line.strip()]
        if len(lines) < 14 and not last_of_section:  # a full page holds 60-90 lines
            sparse.append((number, len(lines)))
    assert not sparse, f"pages with almost nothing on them: {sparse}"


def test_pdf_table_headers_never_break_inside_a_word(laid_out):
    """Each header cell's lines, as WeasyPrint laid them out, hold whole words only."""
    _context, document = laid_out
    broken = []

    def line_texts(box) -> list[str]:
        lines = []
        for child in getattr(box, "children", []) or []:
            if type(child).__name__ == "LineBox":
                lines.append("".join(t.text for t in _text_boxes(child)))
            else:
                lines.extend(line_texts(child))
        return lines

    def walk(box) -> None:
        if getattr(box, "element_tag", None) == "th" and box.element is not None:
            # compared without case: headers may be set in capitals by CSS
            words = {w.lower() for w in "".join(box.element.itertext()).split()}
            for line in line_texts(box):
                broken.extend(w for w in line.split() if w.lower() not in words)
            return
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert not broken, f"header words broken across lines: {broken[:10]}"


def _text_boxes(box):
    if hasattr(box, "text") and isinstance(box.text, str):
        yield box
    for child in getattr(box, "children", []) or []:
        yield from _text_boxes(child)


def test_table_of_contents_page_numbers_point_at_the_headings(pdf):
    text = _text(pdf)
    pages = text.split("\f")
    entries = re.findall(r"^\s*\d+\.\s+(.+?)\s*\.{3,}\s*(\d+)\s*$", text, re.M)
    titles = {title for title, _ in entries}
    assert {"Summary: the claim scorecard", "Methods in brief", "Glossary"} <= titles, entries
    assert any(t.startswith("C1.") for t in titles), entries
    for title, page in entries:
        body = pages[int(page) - 1]
        heading = re.search(rf"^\s*{re.escape(title)}\s*$", body, re.M)
        assert heading, f"TOC says {title!r} is on page {page}, it is not there"
    for number, page in enumerate(pages[:-1], start=1):  # the last split is after the last page
        assert f"Page {number} of {len(pages) - 1}" in page


def test_charts_are_vector_and_never_split(laid_out, pdf):
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert len(listing.strip().splitlines()) == 2, f"raster images in the PDF:\n{listing}"

    context, document = laid_out
    charts = [c for s in context["sections"] for c in s.charts]
    assert charts
    flat = re.sub(r"\s+", " ", _text(pdf))
    for chart in charts:  # chart text stays text (vector), so each whole title is searchable
        assert re.sub(r"\s+", " ", chart.title) in flat, chart.title

    pages_of: dict[int, set[int]] = {}

    def walk(box, page: int) -> None:
        if getattr(box, "element_tag", None) == "figure":
            pages_of.setdefault(id(box.element), set()).add(page)
        for child in getattr(box, "children", []) or []:
            walk(child, page)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    assert len(pages_of) >= len(charts)
    split = [pages for pages in pages_of.values() if len(pages) > 1]
    assert not split, f"charts split across pages: {split}"


def test_whole_run_svg_text_is_used_only_on_the_checked_weasyprint(monkeypatch):
    """svg_text replaces a WeasyPrint internal: another major version keeps WeasyPrint's own
    letter-by-letter drawing."""
    import weasyprint
    import weasyprint.svg as svg_module

    from decoupling.report import svg_text

    def letters(svg, node, font_size):
        return None

    monkeypatch.setattr(svg_module, "text", letters)
    monkeypatch.setitem(svg_module.TAGS, "text", letters)
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    svg_text.install()
    assert svg_module.text is letters and svg_module.TAGS["text"] is letters
    monkeypatch.setattr(weasyprint, "__version__", f"{svg_text.CHECKED_MAJOR}.0")
    svg_text.install()
    assert svg_module.text.whole_runs and svg_module.TAGS["text"] is svg_module.text
