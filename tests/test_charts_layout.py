"""Every chart as a chart editor would pass it, checked on the figures the report really draws from
the snapshot: legends and annotations clear of the data, legends readable at their printed size,
no code identifiers in any label, plain numbers on log axes, readable labels on bars.

The checks are written here, independently of decoupling.report.style, so a change to the style
cannot quietly weaken them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

# A4 minus the report's 14 mm side margins, in points: the widest a chart is printed.
PRINTED_WIDTH_PT = (210 - 2 * 14) / 25.4 * 72
MIN_LEGEND_PT = 8.0
# snake_case or dotted code names (median_weekly, typical_cpi_u, marts.claims), not prose.
CODE_IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z_]+\b")


@dataclass
class Drawn:
    section: str
    figure: Figure
    svg_width_pt: float = 0.0


def capture_figures(con: duckdb.DuckDBPyConnection, monkeypatch) -> list[Drawn]:
    """Build every report section, keeping each figure as it is handed to style.to_svg."""
    from decoupling.report import style
    from decoupling.report.sections import builders

    drawn: list[Drawn] = []
    original = style.to_svg

    def keep(fig: Figure) -> str:
        record = Drawn(section="", figure=fig)
        drawn.append(record)
        svg = original(fig)
        width = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg)
        record.svg_width_pt = float(width.group(1)) if width else 0.0
        return svg

    monkeypatch.setattr(style, "to_svg", keep)
    for make in builders():
        before = len(drawn)
        section = make(con)
        for record in drawn[before:]:
            record.section = section.id
    return drawn


@pytest.fixture(scope="module")
def figures(refreshed) -> list[Drawn]:
    monkeypatch = pytest.MonkeyPatch()
    con = duckdb.connect(str(refreshed["settings"].warehouse), read_only=True)
    try:
        yield capture_figures(con, monkeypatch)
    finally:
        con.close()
        monkeypatch.undo()


def _renderer(fig: Figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # to_svg closed the figure, which detached its canvas
    canvas.draw()
    return canvas.get_renderer()


def _densified(points: np.ndarray, steps: int = 8) -> np.ndarray:
    """Points along a polyline, so a line crossing a box counts even between its vertices."""
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 2:
        return points
    t = np.linspace(0, 1, steps, endpoint=False)[:, None, None]
    segments = points[:-1] + t * (points[1:] - points[:-1])
    return np.vstack([segments.reshape(-1, 2), points[-1:]])


def data_extents(ax, renderer) -> list[tuple[str, np.ndarray | Bbox]]:
    """What the axes plot, in display coordinates: point clouds for lines and markers, boxes for
    bars, polygons' vertices for filled areas. Reference lines (axhline/axvline, drawn in axes
    coordinates on one side) are furniture, not data."""
    found: list[tuple[str, np.ndarray | Bbox]] = []
    for line in ax.get_lines():
        if not line.get_visible() or line.get_transform() != ax.transData:
            continue
        xy = line.get_transform().transform(line.get_xydata())
        found.append((line.get_label(), _densified(xy) if line.get_linestyle() != "None" else xy))
    for patch in ax.patches:
        if not patch.get_visible():
            continue
        if isinstance(patch, Rectangle):
            found.append(("bar", patch.get_window_extent(renderer)))
        elif isinstance(patch, PathPatch):
            vertices = patch.get_path().vertices
            found.append(("marks", patch.get_transform().transform(vertices)))
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection, PathCollection) and len(collection.get_offsets()):
            offsets = collection.get_offset_transform().transform(collection.get_offsets())
            found.append(("points", offsets))
        elif isinstance(collection, PolyCollection):
            for path in collection.get_paths():
                xy = collection.get_transform().transform(path.vertices)
                found.append(("area", _densified(xy, 2)))
    return found


def _hits(box: Bbox, extent: np.ndarray | Bbox) -> bool:
    if isinstance(extent, Bbox):
        return box.overlaps(extent)
    if not len(extent):
        return False
    inside = (
        (extent[:, 0] > box.x0)
        & (extent[:, 0] < box.x1)
        & (extent[:, 1] > box.y0)
        & (extent[:, 1] < box.y1)
    )
    return bool(inside.any())


def overlaps(fig: Figure) -> list[str]:
    """Legends and annotations whose box touches plotted data, named."""
    renderer = _renderer(fig)
    found = []
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        extents = data_extents(ax, renderer)
        boxes: list[tuple[str, Bbox]] = []
        for legend in [ax.get_legend(), *[c for c in ax.get_children() if isinstance(c, Legend)]]:
            if legend is not None and legend.get_visible():
                boxes.append(("legend", legend.get_window_extent(renderer).shrunk(0.98, 0.98)))
        for text in ax.texts:
            if isinstance(text, Annotation) and text.get_visible():
                boxes.append((f"annotation {text.get_text()!r}", text.get_window_extent(renderer)))
        seen = set()
        for name, box in boxes:
            for label, extent in extents:
                if (name, label) not in seen and _hits(box, extent):
                    seen.add((name, label))
                    found.append(f"{name} over {label!r} in axes {ax.get_ylabel()!r}")
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.get_axes():
            for label, extent in data_extents(ax, renderer):
                if _hits(box, extent):
                    found.append(f"figure legend over {label!r}")
    return found


def _title(fig: Figure) -> str:
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    return next((t for ax in fig.axes for t in (ax.get_title("left"), ax.get_title()) if t), "")


def _texts(fig: Figure) -> list[str]:
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return [t for t in texts if t and t.strip()]


def _luminance(colour) -> float:
    from matplotlib.colors import to_rgb

    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_section_draws_charts(figures):
    assert len(figures) >= 8, [f.section for f in figures]


def test_no_legend_or_annotation_over_the_data(figures):
    problems = {
        f"{d.section} chart {index} {_title(d.figure)[:50]!r}": found
        for index, d in enumerate(figures, start=1)
        if (found := overlaps(d.figure))
    }
    assert not problems, problems


def test_legends_are_readable_in_print(figures):
    small = []
    for d in figures:
        scale = min(1.0, PRINTED_WIDTH_PT / d.svg_width_pt) if d.svg_width_pt else 1.0
        legends = [ax.get_legend() for ax in d.figure.axes] + list(d.figure.legends)
        for legend in filter(None, legends):
            for text in legend.get_texts():
                printed = text.get_fontsize() * scale
                if printed < MIN_LEGEND_PT - 0.05:
                    small.append(f"{d.section}: {text.get_text()!r} prints at {printed:.1f} pt")
                    break
    assert not small, small


def test_no_code_identifiers_in_chart_text(figures):
    found = []
    for d in figures:
        for text in _texts(d.figure):
            if text.startswith("Source"):
                continue  # the source line names series ids on purpose
            match = CODE_IDENTIFIER.search(text)
            if match:
                found.append(f"{d.section}: {match.group(0)!r} in {text[:60]!r}")
    assert not found, found


def test_log_axes_show_plain_numbers(figures):
    found = []
    for d in figures:
        _renderer(d.figure)
        for ax in d.figure.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() != "log":
                    continue
                labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
                if not labels or any("^" in t or "$" in t for t in labels):
                    found.append(f"{d.section}: log axis ticks {labels}")
    assert not found, found


def test_bar_labels_contrast_with_their_bar(figures):
    weak = []
    for d in figures:
        renderer = _renderer(d.figure)
        for ax in d.figure.axes:
            bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_visible()]
            for text in ax.texts:
                if isinstance(text, Annotation) or not text.get_text():
                    continue
                centre = text.get_window_extent(renderer)
                x, y = (centre.x0 + centre.x1) / 2, (centre.y0 + centre.y1) / 2
                for bar in bars:
                    if bar.get_window_extent(renderer).contains(x, y):
                        ratio = contrast(text.get_color(), bar.get_facecolor())
                        if ratio < 4.5:
                            weak.append(f"{d.section}: {text.get_text()!r} at {ratio:.1f}:1")
    assert not weak, weak


def test_lines_and_axes_exist_for_the_checks(figures):
    """The checks above need something to check: every figure plots data on some axes."""
    for d in figures:
        plotted = [
            ax
            for ax in d.figure.axes
            if any(isinstance(a, Line2D) for a in ax.get_lines()) or ax.patches or ax.collections
        ]
        assert plotted, d.section
