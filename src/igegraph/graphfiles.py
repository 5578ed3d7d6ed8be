"""Graph files for network tools: GraphML (Gephi, yEd, python-igraph) and Cytoscape JSON.

Both carry the same node and edge attributes with one type per attribute (GraphML declares a
key per name and type; python-igraph refuses a file where one name has two types): lists are
``; ``-joined strings, missing values are left out rather than written as empty strings, and
characters XML 1.0 cannot carry are replaced by U+FFFD. Every edge has its own id.

The Cytoscape document is networkx's :func:`~networkx.cytoscape_data` (so
:func:`networkx.cytoscape_graph` reads it back) plus what Cytoscape.js and Cytoscape desktop
use to draw it: each node's ``position`` (the layout of the HTML and SVG views), its colour
and shape, and a ``style`` block.

Examples
--------
>>> import igegraph, networkx as nx
>>> from igegraph.viz import focus_view
>>> view = focus_view(igegraph.load(), "omalizumab")
>>> g = nx.parse_graphml(to_graphml(view.graph))
>>> g.number_of_edges() == view.graph.number_of_edges()
True
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .xmlchars import xml_safe

if TYPE_CHECKING:
    import networkx as nx

    from .viz import View

__all__ = ["to_graphml", "to_cytoscape", "flat_graph", "NODE_FIELDS", "EDGE_FIELDS"]

#: Node attributes written, with their one type.
NODE_FIELDS: dict[str, type] = {"label": str, "category": str, "category_label": str, "synonyms": str,
                                "identifiers": str, "definition": str}
#: Edge attributes written, with their one type.
EDGE_FIELDS: dict[str, type] = {"predicate": str, "predicate_label": str, "polarity": int, "causal": bool,
                                "assertion": str, "references": str, "evidence": str, "evidence_rank": int,
                                "quote": str, "section": str}


def _value(value: Any, kind: type) -> Any:
    """``value`` as ``kind`` (lists joined with ``; ``), or None when there is none."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(str(v) for v in value)
    if kind is str:
        return xml_safe(str(value))
    return kind(value)


def flat_graph(graph: "nx.MultiDiGraph") -> "nx.MultiDiGraph":
    """A copy with typed, flat attributes and unique edge keys ``e0``, ``e1`` … (see module docs).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("a", "b", key="ige:binds", references=[1, 2], evidence_rank=None)
    'ige:binds'
    >>> list(flat_graph(g).edges(keys=True, data=True))
    [('a', 'b', 'e0', {'references': '1; 2'})]
    """
    import networkx as nx

    flat = nx.MultiDiGraph()
    for node, attrs in graph.nodes(data=True):
        values = {k: _value(attrs.get(k), t) for k, t in NODE_FIELDS.items()}
        flat.add_node(xml_safe(node), **{k: v for k, v in values.items() if v is not None})
    for i, (u, v, attrs) in enumerate(graph.edges(data=True)):
        values = {k: _value(attrs.get(k), t) for k, t in EDGE_FIELDS.items()}
        flat.add_edge(xml_safe(u), xml_safe(v), key=f"e{i}", **{k: x for k, x in values.items() if x is not None})
    return flat


def to_graphml(graph: "nx.MultiDiGraph") -> str:
    """A view's graph as GraphML: one type per key, unique edge ids, well-formed XML.

    >>> import igegraph
    >>> text = to_graphml(igegraph.load().projection)
    >>> text.count("<node ") > 10
    True
    """
    import networkx as nx

    return "\n".join(nx.generate_graphml(flat_graph(graph), prettyprint=True)) + "\n"


#: vis-network shapes (the HTML view) as Cytoscape node shapes.
_SHAPES = {"box": "round-rectangle", "ellipse": "ellipse", "diamond": "diamond", "square": "rectangle",
           "triangle": "triangle", "triangleDown": "vee", "hexagon": "hexagon", "star": "star",
           "dot": "ellipse"}


def _style() -> list[dict[str, Any]]:
    """Cytoscape.js style: node colour and shape from their data, edges by polarity."""
    from .viz import POLARITY_STYLES

    style: list[dict[str, Any]] = [
        {"selector": "node", "style": {"label": "data(name)", "background-color": "data(color)",
                                       "shape": "data(shape)", "color": "#222", "font-size": 12,
                                       "text-valign": "bottom", "text-margin-y": 4, "border-width": 1,
                                       "border-color": "#333"}},
        {"selector": "node.blocker", "style": {"border-width": 3, "border-color": "#d62728"}},
        {"selector": "edge", "style": {"label": "data(predicate_label)", "font-size": 9, "curve-style": "bezier",
                                       "target-arrow-shape": "triangle", "width": 1.2}},
    ]
    for polarity, (color, dashed, head, _text) in POLARITY_STYLES.items():
        name = {1: "activating", -1: "inhibiting", 0: "neutral"}[polarity]
        style.append({"selector": f"edge.{name}", "style": {
            "line-color": color, "target-arrow-color": color, "line-style": "dashed" if dashed else "solid",
            "target-arrow-shape": "tee" if head == "bar" else "triangle", "width": 2.2 if polarity else 1.2}})
    return style


def to_cytoscape(view: "View") -> str:
    """A view as Cytoscape JSON: networkx's ``cytoscape_data`` plus positions, classes and style.

    >>> import igegraph, json
    >>> from igegraph.viz import pathway_view
    >>> doc = json.loads(to_cytoscape(pathway_view(igegraph.load(), "ige-fceri-degranulation")))
    >>> sorted(doc["elements"]), "x" in doc["elements"]["nodes"][0]["position"], doc["style"][0]["selector"]
    (['edges', 'nodes'], True, 'node')
    """
    import networkx as nx

    from .viz import node_style

    flat = flat_graph(view.graph)
    positions = view.positions
    doc = nx.cytoscape_data(flat, name="name", ident="id")
    # the header Cytoscape desktop writes in its own .cyjs files
    doc.update(format_version="1.0", generated_by="igegraph", target_cytoscapejs_version="~3.0")
    doc["data"] = {"name": xml_safe(view.title), "subtitle": view.subtitle}
    originals = list(view.graph.nodes(data=True))
    for element, (node, attrs) in zip(doc["elements"]["nodes"], originals, strict=True):
        color, shape, _font = node_style(attrs.get("category", "ige:Entity"), view.class_parents)
        element["data"].update(name=flat.nodes[element["data"]["id"]].get("label", node), color=color,
                               shape=_SHAPES.get(shape, "ellipse"))
        x, y = positions[node]
        element["position"] = {"x": round(float(x), 1), "y": round(float(y), 1)}
        role = view.roles.get(node)
        element["classes"] = " ".join(c for c in (attrs.get("category", "ige:Entity").replace(":", "_"), role) if c)
    for element, (_u, _v, attrs) in zip(doc["elements"]["edges"], view.graph.edges(data=True), strict=True):
        element["data"]["id"] = element["data"]["key"]
        element["classes"] = {1: "activating", -1: "inhibiting"}.get(int(attrs.get("polarity") or 0), "neutral")
    doc["style"] = _style()
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
