"""Pictures of the knowledge graph: views, their layout, and the HTML, SVG and PNG renderers.

One module per step:

- :mod:`~igegraph.viz.views`: what to draw (the whole graph, a pathway with its blockers, the
  neighbourhood of one entity, a CONSTRUCT query's result) and where each node goes;
- :mod:`~igegraph.viz.layout`: the layouts (pathway columns, rings around a focus, a force
  layout with class clusters) and the pass that pushes overlapping nodes apart;
- :mod:`~igegraph.viz.style`: colours and shapes by class, edges by polarity, tooltips and the
  one legend that the HTML page and the SVG both draw;
- :mod:`~igegraph.viz.html`, :mod:`~igegraph.viz.svg`, :mod:`~igegraph.viz.png`: the renderers
  (the page's CSS and JavaScript are the package files ``static/page.css`` and ``static/page.js``).

Examples
--------
>>> import igegraph
>>> from igegraph.viz import focus_view, render_html, to_svg
>>> view = focus_view(igegraph.load(), "omalizumab", depth=1)
>>> render_html(view).startswith("<!DOCTYPE html>") and to_svg(view).startswith("<?xml")
True
"""

from __future__ import annotations

from .html import render_html
from .layout import spring_layout
from .png import CHROMIUM_ARGS, chromium_launch_options, chromium_path, render_png
from .style import (
    POLARITY_STYLES,
    LegendEntry,
    edge_style,
    edge_tooltip,
    legend,
    node_style,
    node_tooltip,
)
from .svg import to_svg
from .views import (
    LABEL_ALL,
    LAYOUT_THRESHOLD,
    STEP_EDGE,
    View,
    focus_view,
    graph_view,
    lay_out,
    make_view,
    pathway_view,
    query_view,
)

__all__ = [
    "View", "LAYOUT_THRESHOLD", "LABEL_ALL", "STEP_EDGE", "graph_view", "pathway_view", "focus_view",
    "query_view", "make_view", "lay_out", "render_html", "to_svg", "render_png", "chromium_path", "CHROMIUM_ARGS",
    "chromium_launch_options", "spring_layout", "node_style", "edge_style", "node_tooltip", "edge_tooltip", "legend",
    "LegendEntry", "POLARITY_STYLES",
]
