"""A static SVG picture of a view, in SVG 1.1 only, so every renderer draws it the same.

The picture has the view's title and subtitle, the graph at the view's positions (the same
layout as the HTML page), and the legend in a strip at the bottom. Text halos are white
rectangles drawn under the text (no ``paint-order``, an SVG 2 feature that CairoSVG and older
renderers ignore); every text from the data is escaped.

Examples
--------
>>> import igegraph
>>> from igegraph.viz import focus_view
>>> svg = to_svg(focus_view(igegraph.load(), "omalizumab"))
>>> svg.startswith("<?xml") and "<title>" in svg and "paint-order" not in svg
True
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from ..xmlchars import xml_safe
from .layout import crosses_node, edge_label_lines, text_width, wrap_label
from .style import LABEL_INSIDE, POLARITY_STYLES, legend, node_style, shape_svg, symbol_svg
from .views import View

__all__ = ["to_svg"]

_MARKER = {1: "pos", -1: "neg", 0: "neu"}


def _e(text: Any) -> str:
    return escape(xml_safe(str(text)), quote=True)


def _legend_rows(view: View, width: float) -> list[list[tuple[str, float]]]:
    """The legend's items (SVG snippet at x=0, its width) wrapped into rows of ``width`` pixels."""
    rows: list[list[tuple[str, float]]] = [[]]
    used = 0.0
    for entry in legend(view):
        w = 34 + 6 + text_width(entry.text, 13) + 22
        if rows[-1] and used + w > width:
            rows.append([])
            used = 0.0
        rows[-1].append((entry.text, w))
        used += w
    return rows


def _clip(x1: float, y1: float, x2: float, y2: float, hw: float, hh: float,
          oval: bool = False) -> tuple[float, float]:
    """Where the line from (x1, y1) to the centre (x2, y2) enters a box (or an ellipse) of half-size hw × hh."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return x2, y2
    if oval:
        t = 1 / math.hypot(dx / hw, dy / hh)
    else:
        t = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return x2 - dx * t, y2 - dy * t


def to_svg(view: View, width: int = 1600, height: int = 1000) -> str:
    """A static SVG picture of a view (title, graph, legend), drawn from its layout.

    Parameters
    ----------
    view : View
    width, height : int
        Size of the picture in pixels.

    Returns
    -------
    str
        The SVG document (UTF-8 XML).
    """
    g = view.graph
    look = view.look
    pos = view.positions
    extents = view.extents()
    legend_entries = legend(view)
    rows = _legend_rows(view, width - 130)
    legend_h = 14 + 24 * len(rows)
    top, margin = 78, 24
    area_w, area_h = width - 2 * margin, height - top - legend_h - 2 * margin
    lefts = [pos[n][0] + extents[n][0] for n in g] or [0.0]
    rights = [pos[n][0] + extents[n][2] for n in g] or [1.0]
    tops = [pos[n][1] + extents[n][1] for n in g] or [0.0]
    bottoms = [pos[n][1] + extents[n][3] for n in g] or [1.0]
    span_x, span_y = (max(rights) - min(lefts)) or 1.0, (max(bottoms) - min(tops)) or 1.0
    s = min(area_w / span_x, area_h / span_y, 1.5)
    off_x = margin + (area_w - span_x * s) / 2 - min(lefts) * s
    off_y = top + margin + (area_h - span_y * s) / 2 - min(tops) * s

    def xy(node: str) -> tuple[float, float]:
        return pos[node][0] * s + off_x, pos[node][1] * s + off_y

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Arial, Helvetica, sans-serif">',
        f"<title>{_e(view.title)}</title>",
        "<defs>",
    ]
    for pol, style in POLARITY_STYLES.items():
        if style.head == "bar":
            out.append(f'<marker id="m-{_MARKER[pol]}" viewBox="0 0 4 14" refX="2" refY="7" markerWidth="4" '
                       f'markerHeight="14" orient="auto" markerUnits="userSpaceOnUse">'
                       f'<rect x="0" y="0" width="4" height="14" fill="{style.color}"/></marker>')
        else:
            out.append(f'<marker id="m-{_MARKER[pol]}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
                       f'markerHeight="10" orient="auto" markerUnits="userSpaceOnUse">'
                       f'<path d="M0,0 L10,5 L0,10 z" fill="{style.color}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    out.append(f'<text x="{margin}" y="34" font-size="22" font-weight="bold" fill="#222">{_e(view.title)}</text>')
    out.append(f'<text x="{margin}" y="58" font-size="14" fill="#555">{_e(view.subtitle)}</text>')

    # half-size of what an edge must stop at, per node (the shape, not its label underneath)
    half: dict[str, tuple[float, float]] = {}
    oval: set[str] = set()
    for node, attrs in g.nodes(data=True):
        shape = node_style(attrs.get("category", "ige:Entity"), view.class_parents)[1]
        if shape != "box":
            oval.add(node)
        if shape in LABEL_INSIDE and view.shows_label(node):
            half[node] = ((extents[node][2] - extents[node][0]) / 2 * s,
                          (extents[node][3] - extents[node][1]) / 2 * s)
        else:
            r = look.shape_size * s
            half[node] = (r, r)

    names = view.edge_label_names()
    edge_font = look.edge_font * s
    labels_out: list[str] = []
    pair_count: dict[tuple[str, str], int] = {}
    out.append('<g id="edges">')
    for u, v, key, attrs in g.edges(keys=True, data=True):
        pol = int(attrs.get("polarity") or 0)
        style = POLARITY_STYLES.get(pol, POLARITY_STYLES[0])
        (x1, y1), (x2, y2) = xy(u), xy(v)
        pair = (min(u, v), max(u, v))
        k = pair_count.get(pair, 0)
        pair_count[pair] = k + 1
        d = math.hypot(x2 - x1, y2 - y1) or 1.0
        if k:
            bend = (1 if k % 2 else -1) * 0.45 * d * ((k + 1) // 2)
        elif view.edge_labels and crosses_node(pos, extents, u, v):
            bend = -0.3 * d
        else:
            bend = 0.0
        cx = (x1 + x2) / 2 - (y2 - y1) / d * bend
        cy = (y1 + y2) / 2 + (x2 - x1) / d * bend
        sx, sy = _clip(cx, cy, x1, y1, *half[u], oval=u in oval)
        ex, ey = _clip(cx, cy, x2, y2, *half[v], oval=v in oval)
        gap = 3.0 if style.head == "bar" else 1.0
        dd = math.hypot(ex - cx, ey - cy) or 1.0
        ex, ey = ex - (ex - cx) / dd * gap, ey - (ey - cy) / dd * gap
        dash = ' stroke-dasharray="7 4"' if style.dashed else ""
        on_route = view.kind == "pathway" and view.roles.get(u) == "route" and view.roles.get(v) == "route"
        stroke_w = 3.0 if on_route else (2.2 if pol else 1.3)
        tip = f"{g.nodes[u].get('label', u)} {attrs.get('predicate_label') or key} {g.nodes[v].get('label', v)}"
        marker = _MARKER.get(pol, "neu")
        out.append(f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" '
                   f'stroke="{style.color}" stroke-width="{stroke_w}"{dash} marker-end="url(#m-{marker})">'
                   f"<title>{_e(tip)}</title></path>")
        if k == 0 and (u, v) in names:
            lines = edge_label_lines(names.pop((u, v)), look)
            mx, my = (sx + 2 * cx + ex) / 4, (sy + 2 * cy + ey) / 4  # middle of the drawn curve
            w = max(text_width(t, edge_font) for t in lines) + 6
            h = len(lines) * edge_font * 1.15 + 4
            labels_out.append(f'<g class="edge-label"><rect x="{mx - w / 2:.1f}" y="{my - h / 2:.1f}" '
                              f'width="{w:.1f}" height="{h:.1f}" rx="3" fill="#ffffff" fill-opacity="0.92"/>')
            for i, t in enumerate(lines):
                ty = my - h / 2 + 2 + edge_font * (0.9 + 1.15 * i)
                labels_out.append(f'<text x="{mx:.1f}" y="{ty:.1f}" font-size="{edge_font:.1f}" fill="#333" '
                                  f'text-anchor="middle">{_e(t)}</text>')
            labels_out.append("</g>")
    out.append("</g>")

    out.append('<g id="nodes">')
    node_font = look.node_font * s
    for node, attrs in g.nodes(data=True):
        color, shape, font_color = node_style(attrs.get("category", "ige:Entity"), view.class_parents)
        x, y = xy(node)
        full = str(attrs.get("label") or node)
        role = view.roles.get(node)
        stroke = "#d62728" if role == "blocker" else ("#000" if node == view.center else "#333")
        sw = 3 if node == view.center or role == "blocker" else 1
        shown = view.shows_label(node)
        lines = wrap_label(full, look.node_font, look.max_width) if shown else []
        out.append(f'<g id="n-{_e(node)}"><title>{_e(full)} ({_e(attrs.get("category_label") or "entity")}, '
                   f"{_e(node)})</title>")
        if shape in LABEL_INSIDE and shown:
            hw, hh = half[node]
            if shape == "box":
                out.append(f'<rect class="node" x="{x - hw:.1f}" y="{y - hh:.1f}" width="{2 * hw:.1f}" '
                           f'height="{2 * hh:.1f}" rx="5" fill="{color}" stroke="{stroke}" stroke-width="{sw}"/>')
            else:
                out.append(f'<ellipse class="node" cx="{x:.1f}" cy="{y:.1f}" rx="{hw:.1f}" ry="{hh:.1f}" '
                           f'fill="{color}" stroke="{stroke}" stroke-width="{sw}"/>')
            first = y - (len(lines) - 1) * node_font / 2 + node_font * 0.35
            for i, line in enumerate(lines):
                out.append(f'<text x="{x:.1f}" y="{first + i * node_font:.1f}" font-size="{node_font:.1f}" '
                           f'text-anchor="middle" fill="{font_color}">{_e(line)}</text>')
        else:
            r = look.shape_size * s
            out.append(shape_svg(shape, x, y, r, color, stroke, sw, css_class="node"))
            for i, line in enumerate(lines):
                ty = y + r + 4 + node_font * (0.85 + i)
                w = text_width(line, node_font) + 4
                out.append(f'<rect x="{x - w / 2:.1f}" y="{ty - node_font * 0.85:.1f}" width="{w:.1f}" '
                           f'height="{node_font * 1.05:.1f}" fill="#ffffff" fill-opacity="0.85"/>')
                out.append(f'<text x="{x:.1f}" y="{ty:.1f}" font-size="{node_font:.1f}" text-anchor="middle" '
                           f'fill="#222">{_e(line)}</text>')
        out.append("</g>")
    out.append("</g>")
    out.append('<g id="edge-labels">' + "".join(labels_out) + "</g>")

    # the legend: the same entries and symbols as the HTML page's strip
    ly = height - legend_h
    out.append(f'<g id="legend"><rect x="0" y="{ly}" width="{width}" height="{legend_h}" fill="#fafafa" '
               f'stroke="#dddddd"/>')
    out.append(f'<text x="{margin}" y="{ly + 26}" font-size="13" font-weight="bold" fill="#222">Legend</text>')
    it = iter(legend_entries)
    for r, row in enumerate(rows):
        lx = margin + 70.0
        y0 = ly + 10 + 24 * r
        for _text, w in row:
            entry = next(it)
            out.append(symbol_svg(entry, lx, y0 + 2))
            out.append(f'<text x="{lx + 40:.1f}" y="{y0 + 15}" font-size="13" fill="#222">{_e(entry.text)}</text>')
            lx += w
    out.append("</g></svg>")
    return "\n".join(out) + "\n"
