"""The project's chart look: one matplotlib style, colour-blind-safe (Okabe-Ito), SVG output."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

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
    "legend.fontsize": 8.5,
    "lines.linewidth": 1.8,
    "svg.fonttype": "none",  # text stays text: searchable, sharp, small
    "svg.hashsalt": "decoupling",  # stable ids: the same data gives the same SVG
}


def new_figure(**kwargs) -> tuple[Figure, plt.Axes]:
    with plt.rc_context(RC):
        fig, ax = plt.subplots(**kwargs)
    return fig, ax


def add_source(fig: Figure, text: str) -> None:
    """The source and vintage line under every chart."""
    fig.text(0.01, 0.01, text, fontsize=7.5, color="#555555", ha="left", va="bottom", wrap=True)


def to_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with plt.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog so it inlines into HTML
