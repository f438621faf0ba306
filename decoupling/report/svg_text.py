"""SVG text for the PDF drawn a string at a time instead of a letter at a time.

WeasyPrint lays out and draws every SVG <text> one character after another (a Pango layout per
letter, in case x/y/dx/dy/rotate place each glyph): the charts' ~10,700 letters took about 2.5 s
of CPU, a third of writing the PDF. Matplotlib places each <text> once (one x and y, or a
transform), so such a string is shaped and drawn as one run here; text with per-glyph placement,
spacing or length still goes to WeasyPrint's own code. Kerning and ligatures stay off, as they are
letter by letter, so every glyph lands where it did and the text extracts the same.
"""

from __future__ import annotations

from math import inf

# Attributes that place or space glyphs one by one: text using them keeps WeasyPrint's drawing.
PER_GLYPH = ("dx", "dy", "rotate", "letter-spacing", "textLength", "direction")

_WEIGHTS = {"normal": 400, "bold": 700}


def _placed_once(node) -> bool:
    """Whether the text node has no per-glyph placement: at most one x and one y."""
    from weasyprint.svg.utils import normalize

    if not node.text or any(node.get(name) is not None for name in PER_GLYPH):
        return False
    return all(len(normalize(node.get(axis) or "0").split()) == 1 for axis in ("x", "y"))


def _style(svg, node, font_size):
    """The style WeasyPrint gives a text node, without kerning and ligatures."""
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        f.strip("\"'") for f in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    try:
        style["font_weight"] = _WEIGHTS.get(weight) or int(weight)
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    style["font_kerning"] = "none"
    style["font_variant_ligatures"] = "none"
    return style


def _draw_run(svg, node, font_size) -> None:
    """The whole string as one run at the node's x, y (else the cursor), as WeasyPrint places its
    first letter, with the bounding box text-anchor uses."""
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    style = _style(svg, node, font_size)
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x, y = node.get("x"), node.get("y")
    if x is not None:
        svg.cursor_d_position[0] = 0
    if y is not None:
        svg.cursor_d_position[1] = 0
    x = (
        svg.cursor_position[0]
        if x is None
        else size(normalize(x).strip(), font_size, svg.inner_width)
    )
    y = (
        svg.cursor_position[1]
        if y is None
        else size(normalize(y).strip(), font_size, svg.inner_height)
    )
    svg.cursor_position = x + width, y
    x_position, y_position = x + svg.cursor_d_position[0], y + svg.cursor_d_position[1]
    y_position += _baseline_shift(node, font_size, height)
    top = y_position - baseline
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box, ((x_position, top), (x_position + width, top + height))
    )
    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = TextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(
        svg.stream, box, "none", "none", Matrix(d=-1, e=x_position, f=y_position)
    )
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def _baseline_shift(node, font_size: float, height: float) -> float:
    """WeasyPrint's vertical alignment of SVG text (weasyprint/svg/text.py)."""
    ascent, descent = font_size * 0.8, font_size * 0.2
    anchor = node.get("display-anchor")
    baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if anchor == "middle":
        return -height / 2
    if anchor == "bottom":
        return -height
    if anchor == "top":
        return 0
    if baseline in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0


# It uses WeasyPrint internals: only on the major version it was checked against (PDF text and
# pages identical, tests/test_report_pdf.py); any other keeps WeasyPrint's own drawing.
CHECKED_MAJOR = "70"


def install() -> None:
    """Draw placed-once SVG text as whole runs from now on in this process (idempotent)."""
    import weasyprint
    import weasyprint.svg as svg_module

    letters = svg_module.text
    if getattr(letters, "whole_runs", False):
        return
    if weasyprint.__version__.split(".")[0] != CHECKED_MAJOR:
        return

    def text(svg, node, font_size):
        if _placed_once(node):
            _draw_run(svg, node, font_size)
        else:
            letters(svg, node, font_size)

    text.whole_runs = True
    # draw_node tells text nodes apart by comparing TAGS entries with the module's `text`.
    for tag, draw in list(svg_module.TAGS.items()):
        if draw is letters:
            svg_module.TAGS[tag] = text
    svg_module.text = text
