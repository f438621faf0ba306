"""The project's chart look: one matplotlib style, colour-blind-safe (Okabe-Ito), SVG output."""

from __future__ import annotations

import hashlib
import io
import re
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_svg import RendererSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties, findfont, get_font  # noqa: E402
from matplotlib.layout_engine import PlaceHolderLayoutEngine  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

# Okabe & Ito (2008) palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

RC = {
    "figure.figsize": (7.2, 3.9),
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "legend.fontsize": 8.5,  # >= 8 pt once the chart is printed at the A4 text width
    "lines.linewidth": 1.8,
    "svg.fonttype": "none",  # text stays text: searchable, sharp, small
    "svg.hashsalt": "decoupling",  # stable ids: the same data gives the same SVG
}


# The project style applies to every figure drawn in this process (titles are styled when set,
# after new_figure returns, so a context manager around subplots() alone would miss them).
plt.rcParams.update(RC)


def new_figure(**kwargs) -> tuple[Figure, plt.Axes]:
    with plt.rc_context(RC):
        fig, ax = plt.subplots(**kwargs)
    return fig, ax


SOURCE_FONT_SIZE = 7.5
LEGEND_FONT_SIZE = 8.5
TITLE_FONT_SIZE = 11


def title(ax: plt.Axes, text: str, **_ignored) -> None:
    """The chart's title (it states the finding), set over the whole figure from its left edge
    and wrapped to the figure's width, so the saved chart is never widened by it (a wider chart
    is printed smaller, legends and all). Call fig.tight_layout() afterwards."""
    fig = ax.get_figure()
    columns = int(fig.get_size_inches()[0] * 72 * 0.97 / (TITLE_FONT_SIZE * 0.66))
    fig.suptitle(
        textwrap.fill(text, columns),
        x=0.01,
        ha="left",
        fontsize=TITLE_FONT_SIZE,
        fontweight="bold",
    )


def legend_right(ax: plt.Axes, columns: int = 30, **kwargs):
    """The legend beside the axes, never over the data; long labels wrapped to `columns`.
    Call fig.tight_layout() afterwards so the axes make room for it inside the figure."""
    handles, labels = ax.get_legend_handles_labels()
    labels = [textwrap.fill(label, columns) for label in labels]
    kwargs.setdefault("fontsize", LEGEND_FONT_SIZE)
    if kwargs.get("title"):
        kwargs.setdefault("title_fontsize", LEGEND_FONT_SIZE)
        kwargs["title"] = textwrap.fill(kwargs["title"], columns)
    return ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        alignment="left",
        **kwargs,
    )


def legend_above(ax: plt.Axes, ncol: int = 2, columns: int = 36):
    """The legend in a row above the axes, never over the data; labels wrapped to `columns` so
    the row stays within the figure's width (a wider figure is printed smaller, legend and all).
    Call fig.tight_layout() afterwards."""
    handles, labels = ax.get_legend_handles_labels()
    return ax.legend(
        handles,
        [textwrap.fill(label, columns) for label in labels],
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        ncol=ncol,
        frameon=False,
        fontsize=LEGEND_FONT_SIZE,
    )


def plain_log_axis(axis) -> None:
    """A log axis labelled 1, 2, 5, 10, 20 ... instead of 10^0, 10^1."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.10g}"))
    axis.set_minor_formatter(NullFormatter())


def label_colour(face) -> str:
    """Black or white, whichever reads better on a bar of colour `face` (WCAG contrast)."""
    from matplotlib.colors import to_rgb

    def luminance(colour) -> float:
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light = luminance(face)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


def wrap_to_figure(text: str, fig: Figure, fontsize: float) -> str:
    """`text` broken into lines that fit the figure's width. One measurement of the whole text
    gives the mean glyph width; matplotlib's own wrap=True measures word by word at every layout,
    which cost a third of the time of drawing a chart."""
    font = get_font(findfont(FontProperties(family=RC["font.family"], size=fontsize)))
    font.set_size(fontsize, 72)
    font.set_text(text.replace("\n", " "))
    glyph_points = font.get_width_height()[0] / 64 / max(len(text), 1)
    columns = max(20, int(fig.get_size_inches()[0] * 72 * 0.98 / glyph_points))
    return "\n".join(textwrap.fill(part, columns) for part in text.split("\n"))


def bar_marks(
    ax: plt.Axes, xs: list[float], y: float, color: str, width: float, height: float
) -> None:
    """Short upright bars (`width` x `height` data units) centred on (x, y), drawn as one compound
    path: one SVG element for the row instead of one per mark, which the PDF renderer pays for
    one by one."""
    dx, dy = width / 2, height / 2
    vertices = []
    codes = []
    for x in xs:
        vertices += [(x - dx, y - dy), (x + dx, y - dy), (x + dx, y + dy), (x - dx, y + dy)]
        vertices.append((x - dx, y - dy))
        codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    if vertices:
        # add_patch finds a path's limits segment by segment in Python (a third of a second for
        # the specification chart); the marks are straight-edged, so their corners are the limits.
        ax.add_artist(PathPatch(Path(vertices, codes), facecolor=color, edgecolor="none"))
        ax.update_datalim(vertices)


def add_source(fig: Figure, text: str) -> None:
    """The source and vintage line under every chart."""
    wrapped = wrap_to_figure(text, fig, SOURCE_FONT_SIZE)
    line = fig.text(
        0.01, 0.0, wrapped, fontsize=SOURCE_FONT_SIZE, color="#555555", ha="left", va="top"
    )
    line.set_gid("chart-source")


def _tight_box(fig: Figure) -> Bbox:
    """The area to save, in inches: everything drawn, with the source line placed just under it
    (axis labels, legends below the axes), left-aligned with it, so it never overlaps. Computed
    once here; savefig's bbox_inches='tight' would lay the whole figure out a second time.
    Measured with the SVG renderer at its 72 dpi, as the saved text is (Agg's hinted metrics
    come out narrower and would clip long titles)."""
    width, height = fig.get_size_inches()
    renderer = RendererSVG(width * 72, height * 72, io.StringIO(), 72)
    sources = [t for t in fig.texts if t.get_gid() == "chart-source"]
    for text in sources:
        text.set_visible(False)
    box = fig.get_tightbbox(renderer)  # inches
    to_inches = fig.dpi_scale_trans.inverted()
    boxes = [box]
    for text in sources:
        text.set_visible(True)
        text.set_position((box.x0 / width, (box.y0 - 0.06) / height))
        boxes.append(text.get_window_extent(renderer).transformed(to_inches))
    return Bbox.union(boxes).padded(plt.rcParams["savefig.pad_inches"])


def problems(fig: Figure) -> list[str]:
    """What the chart lacks of the project's rules: a title stating the finding, labelled axes
    (with units), a source line under it."""
    found = []
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.has_data()]
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    if not suptitle and not any(ax.get_title(loc) for ax in axes for loc in ("left", "center")):
        found.append("no title")
    for index, ax in enumerate(axes, start=1):
        if not ax.get_ylabel():
            found.append(f"axes {index}: no y-axis label")
        # Panels stacked on one shared x axis carry its label once, on the bottom panel.
        shared = ax.get_shared_x_axes().get_siblings(ax)
        if not any(a.get_xlabel() for a in shared) and ax.xaxis.get_visible():
            found.append(f"axes {index}: no x-axis label")
    if not any(t.get_gid() == "chart-source" and t.get_text().strip() for t in fig.texts):
        found.append("no source line (style.add_source)")
    return found


def _unique_ids(svg: str) -> str:
    """Prefix every id (and reference to it) with a digest of the chart, so several charts can
    be inlined in one page without duplicate anchors; the same chart keeps the same ids."""
    prefix = "c" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)


def _svg_box(fig: Figure) -> Bbox:
    dpi = fig.dpi
    fig.set_dpi(72)
    try:
        return _tight_box(fig)
    finally:
        fig.set_dpi(dpi)


def _hover_label(value) -> str:
    """A data value as a reader would write it: 2019-07, 1979Q4, 12.3, 1,234."""
    import datetime as dt

    import numpy as np

    if isinstance(value, str):
        return value
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[D]").item()
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}" if value.day == 1 else f"{value:%Y-%m-%d}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:
        return ""
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:,.4g}"


def _x_values(line) -> list:
    from matplotlib.dates import num2date

    original = list(line.get_xdata(orig=True))
    if original and not isinstance(original[0], (int, float)) or line.axes is None:
        return original
    converter = (
        line.axes.xaxis.get_converter() if hasattr(line.axes.xaxis, "get_converter") else None
    )
    if converter is not None and "Date" in type(converter).__name__:
        return [num2date(x).date() for x in line.get_xdata()]
    return original


HOVER_GROUP = re.compile(r'<g class="hover">.*?</g>\n?', re.S)


def _hover_targets(fig: Figure, box: Bbox) -> str:
    """One invisible circle (bars: rectangle) per plotted value, carrying an SVG <title>: the
    browser shows it on hover, with no script. Coordinates are the saved SVG's (72 dpi, y down,
    origin at the saved box). The PDF drops this group (strip_hover)."""
    from html import escape

    import numpy as np

    dpi = fig.dpi
    fig.set_dpi(72)
    try:
        x0, top = box.x0 * 72, box.y1 * 72
        marks: list[str] = []
        for ax in fig.get_axes():
            if not ax.get_visible():
                continue
            for line in ax.get_lines():
                if not line.get_visible() or line.get_transform() is not ax.transData:
                    continue
                name = line.get_label()
                name = "" if name.startswith("_") else name.replace("\n", " ") + ": "
                points = ax.transData.transform(np.asarray(line.get_xydata(), dtype=float))
                xs, ys = _x_values(line), line.get_ydata(orig=True)
                for (px, py), xv, yv in zip(points, xs, ys, strict=False):
                    if not (np.isfinite(px) and np.isfinite(py)):
                        continue
                    text = escape(f"{name}{_hover_label(xv)}, {_hover_label(yv)}")
                    marks.append(
                        f'<circle cx="{px - x0:.1f}" cy="{top - py:.1f}" r="3">'
                        f"<title>{text}</title></circle>"
                    )
            for container in getattr(ax, "containers", []):
                horizontal = getattr(container, "orientation", "vertical") == "horizontal"
                label = container.get_label()
                label = "" if not label or label.startswith("_") else label + ": "
                for patch in container.patches:
                    bb = patch.get_window_extent()
                    value = patch.get_width() if horizontal else patch.get_height()
                    marks.append(
                        f'<rect x="{bb.x0 - x0:.1f}" y="{top - bb.y1:.1f}" '
                        f'width="{bb.width:.1f}" height="{bb.height:.1f}">'
                        f"<title>{escape(label + _hover_label(value))}</title></rect>"
                    )
            for collection in ax.collections:
                offsets = collection.get_offsets()
                if not len(offsets) or getattr(collection, "get_sizes", None) is None:
                    continue
                if not len(collection.get_sizes()):
                    continue
                name = collection.get_label()
                name = "" if name.startswith("_") else name + ": "
                points = collection.get_offset_transform().transform(offsets)
                for (px, py), (xv, yv) in zip(points, np.asarray(offsets), strict=False):
                    text = escape(f"{name}{_hover_label(xv)}, {_hover_label(yv)}")
                    marks.append(
                        f'<circle cx="{px - x0:.1f}" cy="{top - py:.1f}" r="3">'
                        f"<title>{text}</title></circle>"
                    )
    finally:
        fig.set_dpi(dpi)
    return '<g class="hover">' + "".join(marks) + "</g>\n" if marks else ""


def strip_hover(svg: str) -> str:
    """The chart without its hover targets (paper has no pointer)."""
    return HOVER_GROUP.sub("", svg)


METADATA = re.compile(r"<metadata>.*?</metadata>\n?", re.S)
GROUP_TAG = re.compile(r"<g\b[^>]*(?<!/)>\n?|</g>\n?")  # a self-closing <g/> stays as it is
BARE_GROUP = re.compile(r'<g(?: id="[^"]*")?>\n?')


def for_print(svg: str) -> str:
    """The chart as the PDF draws it: no hover targets, no metadata, and no group that carries
    nothing but an id. Matplotlib wraps every artist in one (~1,850 in the report); WeasyPrint
    saves and restores the graphics state and cascades styles for each, and they change nothing
    drawn (no <use> or clip path refers to a group)."""
    svg = METADATA.sub("", strip_hover(svg))
    kept: list[bool] = []  # per open <g>: whether its tag was written
    parts: list[str] = []
    start = 0
    for tag in GROUP_TAG.finditer(svg):
        parts.append(svg[start : tag.start()])
        start = tag.end()
        if tag.group().startswith("</g"):
            written = kept.pop()
        else:
            written = not BARE_GROUP.fullmatch(tag.group())
            kept.append(written)
        if written:
            parts.append(tag.group())
    parts.append(svg[start:])
    return "".join(parts)


def _drop_placeholder_layout(fig: Figure) -> None:
    """fig.tight_layout() leaves a do-nothing PlaceHolderLayoutEngine on the figure, and savefig
    lays out any figure with an engine once more before drawing it (a quarter of a chart's time)."""
    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        with plt.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)


def to_svg(fig: Figure) -> str:
    """The figure as inline SVG (text kept as text). A chart that breaks the rules is marked with
    a data-chart-problems attribute, which the report logs and the tests look for."""
    found = problems(fig)
    buffer = io.StringIO()
    box = _svg_box(fig)
    _drop_placeholder_layout(fig)
    with plt.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches=box, metadata={"Date": None})
    hover = _hover_targets(fig, box)
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog so it inlines into HTML
    svg = _unique_ids(svg)
    end = svg.rindex("</svg>")
    svg = svg[:end] + hover + svg[end:]
    if found:
        marker = "; ".join(found).replace('"', "'")
        svg = svg.replace("<svg", f'<svg data-chart-problems="{marker}"', 1)
    return svg
