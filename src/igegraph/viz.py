"""Views of the knowledge graph and the self-contained HTML page that shows them.

A *view* is a subgraph of the networkx projection plus what is needed to draw it: a title,
optional fixed positions and, for a pathway, the blockers of its routes. Four views exist:

- the whole graph (:func:`graph_view`),
- a pathway with its routes laid out left to right and every blocker attached to the step it
  acts on (:func:`pathway_view`),
- the neighbourhood of one entity (:func:`focus_view`),
- the entities named by a CONSTRUCT query (:func:`query_view`).

:func:`make_view` picks one from the CLI options and :func:`render_html` turns a view into one
HTML file that needs no network: vis-network is inlined, every text from the data is escaped
(tooltips are plain text, shown by vis-network with ``innerText``) and graphs above
:data:`LAYOUT_THRESHOLD` nodes get positions computed in Python with physics off.

Examples
--------
>>> import igegraph
>>> from igegraph.viz import focus_view, render_html
>>> kg = igegraph.load()
>>> view = focus_view(kg, "omalizumab", depth=1)
>>> "ig:free_IgE" in view.graph
True
>>> page = render_html(view)
>>> page.startswith("<!DOCTYPE html>") and "cdn.jsdelivr" not in page
True
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .errors import IgegraphError, QueryError

if TYPE_CHECKING:
    import networkx as nx

    from .kg import KnowledgeGraph

__all__ = [
    "View",
    "LAYOUT_THRESHOLD",
    "graph_view",
    "pathway_view",
    "focus_view",
    "query_view",
    "make_view",
    "render_html",
    "spring_layout",
    "node_style",
    "edge_style",
    "node_tooltip",
    "edge_tooltip",
]

#: Views with more nodes than this get a layout computed in Python and physics off.
LAYOUT_THRESHOLD = 300

# class -> (fill colour, vis-network shape, font colour); subclasses inherit the nearest style
_CLASS_STYLES: dict[str, tuple[str, str, str]] = {
    "ige:Entity": ("#cfcfcf", "dot", "#222222"),
    "ige:Cell": ("#f4a261", "ellipse", "#1a1a1a"),
    "ige:MolecularEntity": ("#bcbd22", "dot", "#222222"),
    "ige:Protein": ("#6baed6", "dot", "#222222"),
    "ige:Immunoglobulin": ("#1f4e9c", "diamond", "#222222"),
    "ige:Receptor": ("#3c8dbc", "hexagon", "#222222"),
    "ige:ReceptorChain": ("#9ecae1", "hexagon", "#222222"),
    "ige:ProteinDomain": ("#c6dbef", "square", "#222222"),
    "ige:Cytokine": ("#17becf", "dot", "#222222"),
    "ige:SmallMolecule": ("#bcbd22", "dot", "#222222"),
    "ige:Mediator": ("#e6ab02", "star", "#222222"),
    "ige:Allergen": ("#8c564b", "triangle", "#222222"),
    "ige:Drug": ("#7b3fa0", "box", "#ffffff"),
    "ige:MonoclonalAntibody": ("#6a3d9a", "box", "#ffffff"),
    "ige:Biosimilar": ("#9e7cc1", "box", "#ffffff"),
    "ige:BispecificAntibody": ("#8e44ad", "box", "#ffffff"),
    "ige:FusionProtein": ("#a05195", "box", "#ffffff"),
    "ige:ScFv": ("#b07cc6", "box", "#ffffff"),
    "ige:Nanomedicine": ("#c994c7", "box", "#1a1a1a"),
    "ige:CellTherapy": ("#7d5ba6", "box", "#ffffff"),
    "ige:Procedure": ("#5e4fa2", "box", "#ffffff"),
    "ige:Device": ("#5e4fa2", "box", "#ffffff"),
    "ige:Disease": ("#e377c2", "triangleDown", "#222222"),
    "ige:Phenotype": ("#f7b6d2", "triangleDown", "#222222"),
    "ige:BiologicalProcess": ("#ffe08a", "ellipse", "#1a1a1a"),
    "ige:Interaction": ("#a6a6a6", "square", "#222222"),
    "ige:Organism": ("#8c6d31", "dot", "#222222"),
    "ige:AnatomicalSite": ("#d6616b", "dot", "#222222"),
    "ige:Organization": ("#bdbdbd", "box", "#1a1a1a"),
    "ige:ClinicalTrial": ("#969696", "box", "#1a1a1a"),
}

# polarity -> (colour, dashes, arrow head, legend text)
_POLARITY_STYLES: dict[int, tuple[str, bool, str, str]] = {
    1: ("#2e8b57", False, "arrow", "activating (+1)"),
    -1: ("#d62728", True, "bar", "inhibiting / blocking (\u22121)"),
    0: ("#9e9e9e", False, "arrow", "non-causal (0)"),
}


@dataclass
class View:
    """A subgraph to draw and how to draw it.

    Attributes
    ----------
    kind : str
        ``"graph"``, ``"pathway"``, ``"focus"`` or ``"query"``.
    title : str
        Names the view (shown as the page title; plain text, escaped when rendered).
    graph : networkx.MultiDiGraph
        A copy of the projection's nodes and edges in the view, with their attributes.
    subtitle : str
        One line under the title.
    positions : dict or None
        Node -> (x, y) in pixels when the layout is fixed (physics off), else None.
    center : str or None
        The focus node of a neighbourhood view.
    report : object or None
        The :class:`igegraph.traverse.BlockReport` of a pathway view.
    roles : dict
        Node -> role in a pathway view (``"route"``, ``"blocker"``, ``"acted-on"``).
    class_parents : dict
        Class -> superclasses, so that a user's subclass is drawn like its parent.
    """

    kind: str
    title: str
    graph: "nx.MultiDiGraph"
    subtitle: str = ""
    positions: dict[str, tuple[float, float]] | None = None
    center: str | None = None
    report: Any = None
    roles: dict[str, str] = field(default_factory=dict)
    class_parents: dict[str, list[str]] = field(default_factory=dict)

    @property
    def physics(self) -> bool:
        """True when vis-network should lay the graph out in the browser."""
        return self.positions is None


# ---------------------------------------------------------------------------------- styles


def _class_parents(kg: "KnowledgeGraph") -> dict[str, list[str]]:
    """Compact class id -> its direct superclasses (kept on the kg)."""
    return kg.links("rdfs:subClassOf")


def node_style(category: str, parents: dict[str, list[str]] | None = None) -> tuple[str, str, str]:
    """Fill colour, vis-network shape and font colour of a class (nearest styled ancestor).

    >>> node_style("ige:MonoclonalAntibody")
    ('#6a3d9a', 'box', '#ffffff')
    >>> node_style("ex:Unknown", {"ex:Unknown": ["ige:Cell"]})[1]
    'ellipse'
    """
    parents = parents or {}
    todo, seen = [category], set()
    while todo:
        cls = todo.pop(0)
        if cls in _CLASS_STYLES:
            return _CLASS_STYLES[cls]
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(parents.get(cls, ()))
    return _CLASS_STYLES["ige:Entity"]


def edge_style(polarity: int | None) -> dict[str, Any]:
    """vis-network options for an edge of a given polarity.

    >>> edge_style(-1)["arrows"]["to"]["type"], edge_style(-1)["dashes"]
    ('bar', [8, 5])
    >>> edge_style(1)["color"]["color"]
    '#2e8b57'
    """
    color, dashes, head, _ = _POLARITY_STYLES.get(int(polarity or 0), _POLARITY_STYLES[0])
    return {
        "color": {"color": color, "highlight": color, "hover": color},
        "dashes": [8, 5] if dashes else False,
        "arrows": {"to": {"enabled": True, "type": head, "scaleFactor": 0.9 if head == "bar" else 0.7}},
        "width": 2.5 if polarity == -1 else (2 if polarity == 1 else 1.2),
    }


def _polarity_word(polarity: int | None) -> str:
    return {1: "activating (+1)", -1: "inhibiting (\u22121)", 0: "non-causal (0)"}.get(int(polarity or 0), "")


def _refs(refs: Iterable[Any]) -> str:
    return ", ".join(f"[{r}]" for r in refs)


def node_tooltip(node: str, attrs: dict[str, Any], extra: list[str] | None = None) -> str:
    """The plain-text tooltip of a node (never HTML: vis-network shows it with innerText).

    >>> print(node_tooltip("ig:x", {"label": "X", "category_label": "cell", "identifiers": ["CL:1"],
    ...                              "synonyms": [], "definition": ""}))
    X
    cell · ig:x
    identifiers: CL:1
    """
    lines = [str(attrs.get("label") or node), f"{attrs.get('category_label') or 'entity'} · {node}"]
    if attrs.get("identifiers"):
        lines.append("identifiers: " + ", ".join(map(str, attrs["identifiers"])))
    if attrs.get("synonyms"):
        syn = list(map(str, attrs["synonyms"]))
        lines.append("synonyms: " + ", ".join(syn[:8]) + (" …" if len(syn) > 8 else ""))
    definition = str(attrs.get("definition") or "")
    if definition:
        lines.append(_wrap(definition))
    lines.extend(extra or [])
    return "\n".join(lines)


def edge_tooltip(source_label: str, target_label: str, attrs: dict[str, Any]) -> str:
    """The plain-text tooltip of an edge: claim, polarity, evidence level, references, quote.

    >>> print(edge_tooltip("omalizumab", "free IgE", {"predicate_label": "neutralizes",
    ...     "predicate": "ige:neutralizes", "polarity": -1, "evidence": "marketed",
    ...     "references": [6, 12]}))
    omalizumab — neutralizes → free IgE
    ige:neutralizes · inhibiting (−1)
    evidence: marketed
    references: [6], [12]
    """
    pred = attrs.get("predicate_label") or attrs.get("predicate") or "related to"
    lines = [f"{source_label} — {pred} → {target_label}"]
    lines.append(f"{attrs.get('predicate', '')} · {_polarity_word(attrs.get('polarity'))}".strip(" ·"))
    lines.append(f"evidence: {attrs.get('evidence') or 'not recorded'}")
    refs = attrs.get("references") or []
    lines.append(f"references: {_refs(refs) if refs else 'none cited'}")
    if attrs.get("section"):
        lines.append(f"section: {attrs['section']}")
    if attrs.get("quote"):
        lines.append(_wrap(f"“{attrs['quote']}”"))
    if attrs.get("assertion"):
        lines.append(f"assertion: {attrs['assertion']}")
    return "\n".join(lines)


def _wrap(text: str, width: int = 70) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(" ".join(str(text).split()), width)) or ""


# ---------------------------------------------------------------------------------- views


def _copy_subgraph(kg: "KnowledgeGraph", nodes: Iterable[str]) -> "nx.MultiDiGraph":
    return kg.projection.subgraph(list(nodes)).copy()


def graph_view(kg: "KnowledgeGraph") -> View:
    """The whole projection.

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> graph_view(kg).graph.number_of_nodes() == kg.projection.number_of_nodes()
    True
    """
    g = kg.projection.copy()
    view = View("graph", "igegraph: the whole graph", g,
                f"{g.number_of_nodes()} entities · {g.number_of_edges()} relations")
    return _finish(view, kg)


def focus_view(kg: "KnowledgeGraph", term: str, depth: int = 1) -> View:
    """The entities within ``depth`` relations of one entity (either direction).

    Parameters
    ----------
    kg : KnowledgeGraph
    term : str
        Anything :func:`igegraph.resolve.resolve` accepts (label, synonym, CURIE).
    depth : int
        Radius in relations (>= 0).

    Raises
    ------
    UnknownEntity
        ``term`` names no entity.

    Examples
    --------
    >>> import igegraph
    >>> view = focus_view(igegraph.load(), "Xolair", depth=1)
    >>> view.center, view.title
    ('ig:omalizumab', 'Neighbourhood of omalizumab (depth 1)')
    """
    import networkx as nx

    if depth < 0:
        raise IgegraphError(f"depth must be 0 or more, not {depth}")
    center = kg.resolve(term)
    nodes = nx.ego_graph(kg.projection, center, radius=depth, undirected=True).nodes
    g = _copy_subgraph(kg, nodes)
    label = kg.projection.nodes[center]["label"]
    view = View("focus", f"Neighbourhood of {label} (depth {depth})", g,
                f"{g.number_of_nodes()} entities · {g.number_of_edges()} relations within {depth} "
                f"step{'s' if depth != 1 else ''} of {label}", center=center)
    return _finish(view, kg)


def query_view(kg: "KnowledgeGraph", text: str, timeout: float | None = None) -> View:
    """The entities and relations of a CONSTRUCT (or DESCRIBE) query's result.

    ``timeout`` (seconds) stops the query as in :func:`igegraph.sparql.run_query`.

    IRIs of the result that are nodes of the projection become the view's nodes; each result
    triple between two such nodes becomes an edge (with its provenance when the projection
    has the same relation, as a plain non-causal edge otherwise).

    Raises
    ------
    QueryError
        The query is malformed, is not CONSTRUCT/DESCRIBE, or names no entity of the graph.

    Examples
    --------
    >>> import igegraph
    >>> kg = igegraph.load()
    >>> v = query_view(kg, "CONSTRUCT { ?d ige:neutralizes ?t } WHERE { ?d ige:neutralizes ?t }")
    >>> v.graph.has_edge("ig:omalizumab", "ig:free_IgE", "ige:neutralizes")
    True
    """
    from rdflib import URIRef

    from .sparql import run_query
    from .vocab import compact

    result = run_query(kg, text, timeout=timeout)
    if result.kind not in ("CONSTRUCT", "DESCRIBE"):
        raise QueryError(f"--query needs a CONSTRUCT or DESCRIBE query to draw, not {result.kind}")
    proj = kg.projection
    nodes: set[str] = set()
    triples = []
    for s, p, o in result.triples:
        ids = [compact(t) if isinstance(t, URIRef) else None for t in (s, p, o)]
        for t in (ids[0], ids[2]):
            if t is not None and t in proj:
                nodes.add(t)
        triples.append(ids)
    if not nodes:
        raise QueryError("the query's result names no entity of the graph: nothing to draw")
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from((n, dict(proj.nodes[n])) for n in nodes)
    for cs, cp, co in triples:
        if cs in nodes and co in nodes and cp is not None:
            if proj.has_edge(cs, co, cp):
                g.add_edge(cs, co, key=cp, **proj.edges[cs, co, cp])
            elif not g.has_edge(cs, co, cp):
                g.add_edge(cs, co, key=cp, predicate=cp, predicate_label=kg.label(cp), polarity=0,
                           causal=False, assertion=None, references=[], evidence=None,
                           evidence_rank=None, quote=None, section=None)
    first = next((line.strip() for line in text.splitlines() if line.strip().startswith("#")), "")
    title = "Query result" + (f": {first.lstrip('#').strip()}" if first else "")
    view = View("query", title, g, f"{g.number_of_nodes()} entities · {g.number_of_edges()} relations "
                f"from {len(result.triples)} constructed triples")
    return _finish(view, kg)


def pathway_view(kg: "KnowledgeGraph", name: str | None = None, source: str | None = None,
                 target: str | None = None) -> View:
    """A pathway's routes, left to right in step order, with every blocker at its step.

    Parameters
    ----------
    kg : KnowledgeGraph
    name : str, optional
        A named pathway (``ige-fceri-degranulation``); or give ``source`` and ``target``.
    source, target : str, optional
        Terms for the two ends of the routes (see :func:`igegraph.traverse.blocks`).

    Returns
    -------
    View
        Nodes of every route plus the blockers and what they act on; positions fixed.

    Examples
    --------
    >>> import igegraph
    >>> view = pathway_view(igegraph.load(), "ige-fceri-degranulation")
    >>> view.roles["ig:omalizumab"], view.roles["ig:mast_cell"]
    ('blocker', 'route')
    """
    from . import traverse

    if name:
        report = traverse.blocks_pathway(kg, name)
    elif source and target:
        report = traverse.blocks(kg, source, target)
    else:
        raise IgegraphError("a pathway view needs a pathway name, or both a source and a target")
    return _pathway_from_report(kg, report, name)


def _pathway_from_report(kg: "KnowledgeGraph", report: Any, name: str | None) -> View:
    """Build the pathway view from a :class:`igegraph.traverse.BlockReport`."""
    import networkx as nx

    proj = kg.projection
    routes = list(report.routes)
    g = nx.MultiDiGraph()
    roles: dict[str, str] = {}

    def add_node(node: str, role: str) -> None:
        if node not in g:
            g.add_node(node, **(dict(proj.nodes[node]) if node in proj else _stub(kg, node)))
        if node not in roles or role == "route":
            roles[node] = role

    def add_edge(u: str, v: str, pred: str) -> None:
        if g.has_edge(u, v, pred):
            return
        if proj.has_edge(u, v, pred):
            g.add_edge(u, v, key=pred, **proj.edges[u, v, pred])
        else:
            g.add_edge(u, v, key=pred, predicate=pred, predicate_label=_synthetic_label(kg, pred),
                       polarity=0, causal=False, assertion=None, references=[], evidence=None,
                       evidence_rank=None, quote=None, section=None)

    route_nodes = [list(r.nodes) for r in routes]
    for route in routes:
        for node in route.nodes:
            add_node(node, "route")
        for hop in route.hops:
            for pred in hop["predicates"]:
                add_edge(hop["source"], hop["target"], pred["predicate"] if isinstance(pred, dict) else pred)

    on_route = set(roles)
    for b in report.blockers:
        add_node(b.id, "blocker")
        add_node(b.acts_on, "acted-on")
        add_edge(b.id, b.acts_on, b.predicate)
        g.nodes[b.id].setdefault("blocks", []).append(b)
        if b.acts_on not in on_route:  # tie what it acts on to its step
            step_nodes = [s for s in b.step.split("->") if s in on_route]
            linked = False
            for s in step_nodes:
                for u, v in ((b.acts_on, s), (s, b.acts_on)):
                    for pred in (proj.get_edge_data(u, v) or {}):
                        add_edge(u, v, pred)
                        linked = True
            if not linked:
                for s in step_nodes:
                    add_edge(b.acts_on, s, STEP_EDGE)

    source_label = kg.label(report.source)
    target_label = kg.label(report.target)
    title = report.title or f"{source_label} → {target_label}"
    drugs = {b.id for b in report.blockers}
    cut_all = sorted({kg.label(i) for i, info in report.interventions.items() if info["cuts_all_routes"]},
                     key=str.lower)
    n = len(routes)
    subtitle = (f"{n} route{'s' if n != 1 else ''} from {source_label} to {target_label} · "
                f"{len(drugs)} intervention{'s' if len(drugs) != 1 else ''} acting on "
                f"{len({b.step for b in report.blockers})} steps · red dashed ⊣ = blocks")
    if not cut_all and drugs:
        subtitle += " · no single intervention cuts every route"
    view = View("pathway", f"Pathway: {title}", g, subtitle, report=report, roles=roles)
    view.class_parents = _class_parents(kg)
    view.positions = _pathway_layout(g, route_nodes, report.blockers, roles)
    return view


#: Key of the dotted edge that ties an acted-on entity off the routes to its pathway step.
STEP_EDGE = "ige:atStep"


def _synthetic_label(kg: "KnowledgeGraph", pred: str) -> str:
    return "at step" if pred == STEP_EDGE else kg.label(pred)


def _stub(kg: "KnowledgeGraph", node: str) -> dict[str, Any]:
    return {"label": kg.label(node), "category": "ige:Entity", "category_label": "entity",
            "synonyms": [], "identifiers": [], "definition": ""}


def _pathway_layout(g: "nx.MultiDiGraph", routes: list[list[str]], blockers: list[Any],
                    roles: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Routes left to right (column = furthest position on any route); what blockers act on
    just above its step; the blockers packed in rows above (then below) the routes, each as
    close as possible to the mean position of the steps it acts on."""
    col: dict[str, float] = {}
    for route in routes:
        for i, node in enumerate(route):
            col[node] = max(col.get(node, 0), i)
    for _ in range(len(col) + 1):  # successors strictly right of predecessors
        changed = False
        for route in routes:
            for a, b in pairwise(route):
                if col[b] <= col[a]:
                    col[b] = col[a] + 1
                    changed = True
        if not changed:
            break
    dx, dy = 215.0, 130.0
    order = {n: i for i, n in enumerate(dict.fromkeys(n for r in routes for n in r))}
    columns: dict[float, list[str]] = {}
    for node in sorted(col, key=lambda n: order[n]):
        columns.setdefault(col[node], []).append(node)
    pos: dict[str, tuple[float, float]] = {}
    for c, members in columns.items():
        for r, node in enumerate(members):
            pos[node] = (c * dx, (r - (len(members) - 1) / 2) * dy)
    top = min((y for _, y in pos.values()), default=0.0)
    bottom = max((y for _, y in pos.values()), default=0.0)

    def step_x(step: str) -> float:
        xs = [pos[s][0] for s in step.split("->") if s in pos]
        return sum(xs) / len(xs) if xs else 0.0

    # entities acted on that are not on a route: one row above their step
    acted: dict[str, float] = {}
    for b in blockers:
        if b.acts_on not in pos and b.acts_on not in acted:
            acted[b.acts_on] = step_x(b.step)
    used: dict[float, int] = {}
    for node, x in sorted(acted.items(), key=lambda kv: kv[1]):
        k = used.get(round(x), 0)
        used[round(x)] = k + 1
        pos[node] = (x + (k % 2) * 40.0 - 20.0 * (k > 0), top - dy * (1.0 + 0.55 * k))
    band_top = min((y for _, y in pos.values()), default=0.0)
    # blockers: each goes to the free slot closest to where it acts (rows nearer the route
    # are cheaper), so that a drug sits above its step and edges stay short
    wanted: dict[str, list[float]] = {}
    for b in blockers:
        wanted.setdefault(b.id, []).append(pos[b.acts_on][0] if b.acts_on in pos else step_x(b.step))
    rows: list[list[tuple[float, float]]] = [[] for _ in range(8)]
    gap, row_cost = 16.0, 300.0
    for bid, xs in sorted(wanted.items(), key=lambda kv: (len(kv[1]) == 1, sum(kv[1]) / len(kv[1]), kv[0])):
        x = sum(xs) / len(xs)
        half = _box_width(str(g.nodes[bid].get("label") or bid)) / 2
        best: tuple[float, int, float] | None = None
        for r, row in enumerate(rows):
            candidates = [x] + [c for lo, hi in row for c in (lo - gap - half, hi + gap + half)]
            for c in candidates:
                if all(c + half + gap <= lo or c - half - gap >= hi for lo, hi in row):
                    cost = abs(c - x) + r * row_cost
                    if best is None or cost < best[0]:
                        best = (cost, r, c)
        assert best is not None
        _cost, r, c = best
        rows[r].append((c - half, c + half))
        pos[bid] = (c, _row_y(r, band_top, bottom, dy))
    for node in g:
        pos.setdefault(node, (0.0, band_top - dy * 4))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def _row_y(row: int, band_top: float, bottom: float, dy: float) -> float:
    """Rows 0-3 above the routes (nearest first), then rows below them."""
    if row < 4:
        return band_top - dy * 1.1 - row * 72.0
    return bottom + dy * 1.1 + (row - 4) * 72.0


def _box_width(label: str) -> float:
    """Approximate drawn width of a pathway box (labels wrap at 170 px)."""
    return min(9.6 * len(label) + 28.0, 200.0)


def make_view(kg: "KnowledgeGraph", *, pathway: str | None = None, source: str | None = None,
              target: str | None = None, focus: str | None = None, depth: int = 1,
              query: str | None = None, timeout: float | None = None) -> View:
    """The view the options ask for: a pathway, a neighbourhood, a query result or the whole graph.

    ``timeout`` limits the ``query`` (seconds, see :func:`igegraph.sparql.run_query`).

    Raises
    ------
    IgegraphError
        Options of two views are mixed, or only one of ``source``/``target`` is given.

    Examples
    --------
    >>> import igegraph
    >>> make_view(igegraph.load()).kind
    'graph'
    """
    chosen = [name for name, on in (("--pathway", pathway), ("--from/--to", source or target),
                                    ("--focus", focus), ("--query", query)) if on]
    if len(chosen) > 1:
        raise IgegraphError(f"choose one view: {' and '.join(chosen)} cannot be combined")
    if (source is None) != (target is None):
        raise IgegraphError("--from and --to go together: give both ends of the routes")
    if pathway or source:
        return pathway_view(kg, pathway, source, target)
    if focus:
        return focus_view(kg, focus, depth)
    if query is not None:
        return query_view(kg, query, timeout)
    return graph_view(kg)


def _finish(view: View, kg: "KnowledgeGraph") -> View:
    """Attach the class hierarchy and fix the layout of big views (physics off)."""
    view.class_parents = _class_parents(kg)
    if view.graph.number_of_nodes() > LAYOUT_THRESHOLD:
        view.positions = spring_layout(view.graph)
    return view


# ---------------------------------------------------------------------------------- layout


def spring_layout(graph: "nx.Graph", *, seed: int = 7, iterations: int = 60,
                  scale: float = 130.0) -> dict[str, tuple[float, float]]:
    """A deterministic force-directed layout in pure Python (no numpy), in pixels.

    Fruchterman–Reingold with grid-limited repulsion (each node only feels nodes in
    neighbouring cells), so one iteration costs about O(nodes + edges). Parallel edges and
    direction are ignored.

    Parameters
    ----------
    graph : networkx graph
    seed : int
        Seed of the initial random placement.
    iterations : int
    scale : float
        Pixels per ideal edge length.

    Examples
    --------
    >>> import networkx as nx
    >>> pos = spring_layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and all(len(p) == 2 for p in pos.values())
    True
    """
    import random

    nodes = sorted(graph, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    edges = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v}
    rng = random.Random(seed)
    side = math.sqrt(n) * 1.3
    xs = [rng.uniform(0, side) for _ in range(n)]
    ys = [rng.uniform(0, side) for _ in range(n)]
    k, cell = 1.0, 2.0
    t0 = side / 6
    mid = side / 2
    for it in range(iterations):
        t = t0 * (1 - it / iterations) + 0.01
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            grid.setdefault((int(xs[i] // cell), int(ys[i] // cell)), []).append(i)
        for (cx, cy), members in grid.items():
            near: list[int] = []
            for ox in (-1, 0, 1):
                for oy in (-1, 0, 1):
                    near.extend(grid.get((cx + ox, cy + oy), ()))
            for i in members:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j in near:
                    if j == i:
                        continue
                    ddx, ddy = xi - xs[j], yi - ys[j]
                    d2 = ddx * ddx + ddy * ddy
                    if d2 > cell * cell:
                        continue
                    if d2 < 1e-6:
                        ddx, ddy, d2 = rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1), 0.01
                    f = k * k / d2
                    fx += ddx * f
                    fy += ddy * f
                dx[i] += fx
                dy[i] += fy
        for i, j in edges:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            d = math.sqrt(ddx * ddx + ddy * ddy) + 1e-9
            f = d / k
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        for i in range(n):
            dx[i] += (mid - xs[i]) * 0.08
            dy[i] += (mid - ys[i]) * 0.08
            d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > 0:
                step = min(d, t) / d
                xs[i] += dx[i] * step
                ys[i] += dy[i] * step
    return {v: (round((xs[i] - mid) * scale, 1), round((ys[i] - mid) * scale, 1)) for v, i in index.items()}


# ---------------------------------------------------------------------------------- HTML

_CSS = """
html, body { margin: 0; padding: 0; height: 100%; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #222; background: #fff; }
#ig-header { position: absolute; top: 0; left: 0; right: 0; height: 64px; padding: 8px 16px; box-sizing: border-box; border-bottom: 1px solid #ddd; background: #fafafa; display: flex; align-items: center; gap: 16px; }
#ig-header .ig-titles { flex: 1; min-width: 0; }
#ig-title { margin: 0; font-size: 20px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#ig-subtitle { margin: 2px 0 0; font-size: 13px; color: #555; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#ig-search-box { display: flex; gap: 6px; align-items: center; }
#ig-search { width: 240px; padding: 5px 8px; font-size: 14px; border: 1px solid #bbb; border-radius: 4px; }
#ig-search-status { font-size: 12px; color: #666; min-width: 70px; }
.card { position: absolute; top: 64px; left: 0; right: 300px; bottom: 0; width: auto !important; }
#mynetwork { position: absolute !important; top: 0; left: 0; width: 100% !important; height: 100% !important; float: none !important; border: none !important; }
#ig-side { z-index: 2; position: absolute; top: 64px; right: 0; width: 300px; bottom: 0; overflow-y: auto; border-left: 1px solid #ddd; background: #fcfcfc; padding: 10px 12px; box-sizing: border-box; font-size: 13px; }
#ig-side h2 { font-size: 14px; margin: 10px 0 6px; }
.ig-legend-row { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
.ig-swatch { width: 16px; height: 16px; flex: none; border: 1px solid rgba(0,0,0,.35); box-sizing: border-box; }
.ig-shape-dot, .ig-shape-ellipse { border-radius: 50%; }
.ig-shape-ellipse { width: 22px; height: 14px; }
.ig-shape-box { border-radius: 3px; width: 22px; height: 14px; }
.ig-shape-diamond { transform: rotate(45deg) scale(.8); }
.ig-shape-triangle { clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.ig-shape-triangleDown { clip-path: polygon(0 0, 100% 0, 50% 100%); }
.ig-shape-star { clip-path: polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, 2% 35%, 39% 35%); }
.ig-shape-hexagon { clip-path: polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%); }
.ig-step { margin: 6px 0 10px; padding: 6px 8px; background: #fff; border: 1px solid #e3e3e3; border-radius: 4px; }
.ig-step-name { font-weight: 600; }
.ig-blocker { margin: 4px 0 0 4px; }
.ig-blocker-name { color: #5a2d82; font-weight: 600; }
.ig-badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px; background: #fde2e2; color: #a01c1c; margin-left: 4px; }
.ig-muted { color: #555; font-size: 12px; }
.ig-partial { background: #fff1cc; color: #7a5200; }
.ig-routes { margin: 0; padding-left: 18px; font-size: 12px; color: #333; }
.ig-routes li { margin: 2px 0; }
#loadingBar { display: none !important; }
.vis-tooltip { white-space: pre-wrap !important; max-width: 460px; font-family: system-ui, Arial, sans-serif !important; font-size: 12.5px !important; line-height: 1.35; }
"""  # noqa: E501 (one CSS rule a line)

_JS = """
(function () {
  "use strict";
  function plainTips(ds) {
    var upd = [];
    ds.forEach(function (item) { if (typeof item.tip === "string") { upd.push({id: item.id, title: item.tip}); } });
    ds.update(upd);
  }
  plainTips(nodes);
  plainTips(edges);
  var physics = %(physics)s;
  var readyDone = false;
  function ready() {
    if (readyDone) { return; }
    readyDone = true;
    network.fit({animation: false});
    network.once("afterDrawing", function () { window.__igegraphReady = true; });
    network.redraw();
  }
  if (physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      ready();
    });
    setTimeout(ready, 15000);
  } else {
    setTimeout(ready, 0);
  }
  var input = document.getElementById("ig-search");
  var list = document.getElementById("ig-search-list");
  var status = document.getElementById("ig-search-status");
  var labels = [];
  nodes.forEach(function (n) { labels.push([String(n.label).toLowerCase(), n.id, String(n.label)]); });
  labels.sort(function (a, b) { return a[0] < b[0] ? -1 : (a[0] > b[0] ? 1 : 0); });
  labels.forEach(function (row) { var o = document.createElement("option"); o.value = row[2]; list.appendChild(o); });
  function find() {
    var q = input.value.trim().toLowerCase();
    if (!q) { status.textContent = ""; network.unselectAll(); return; }
    var exact = labels.filter(function (r) { return r[0] === q; });
    var hits = exact.length ? exact : labels.filter(function (r) { return r[0].indexOf(q) >= 0; });
    if (!hits.length) { status.textContent = "no match"; network.unselectAll(); return; }
    var ids = hits.map(function (r) { return r[1]; });
    network.selectNodes(ids);
    network.focus(ids[0], {scale: Math.max(network.getScale(), 1.0), animation: {duration: 400}});
    status.textContent = hits.length === 1 ? "1 match" : hits.length + " matches";
  }
  input.addEventListener("change", find);
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(); } });
  window.igegraphFind = function (text) { input.value = text; find(); return status.textContent; };
})();
"""


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _legend_html(view: View, parents: dict[str, list[str]]) -> str:
    cats: dict[str, str] = {}
    for _, attrs in view.graph.nodes(data=True):
        cats.setdefault(attrs.get("category", "ige:Entity"), attrs.get("category_label") or "entity")
    rows = []
    for cat, label in sorted(cats.items(), key=lambda kv: kv[1].lower()):
        color, shape, _ = node_style(cat, parents)
        rows.append(
            f'<div class="ig-legend-row"><span class="ig-swatch ig-shape-{shape}" '
            f'style="background:{color}"></span><span>{_esc(label)}</span></div>')
    pols = sorted({int(a.get("polarity") or 0) for *_, a in view.graph.edges(data=True)}, reverse=True)
    for pol in pols or [1, -1, 0]:
        color, dashes, head, text = _POLARITY_STYLES[pol]
        dash = ' stroke-dasharray="6 4"' if dashes else ""
        tip = ('<line x1="30" y1="3" x2="30" y2="13" stroke="{c}" stroke-width="3"/>' if head == "bar"
               else '<polygon points="24,3 32,8 24,13" fill="{c}"/>').format(c=color)
        rows.append(
            f'<div class="ig-legend-row"><svg width="34" height="16" aria-hidden="true">'
            f'<line x1="2" y1="8" x2="28" y2="8" stroke="{color}" stroke-width="2.5"{dash}/>{tip}</svg>'
            f'<span>{_esc(text)}</span></div>')
    return "<h2>Legend</h2>" + "".join(rows)


def _blockers_html(view: View) -> str:
    """Side panel of a pathway view: each step with the interventions acting on it."""
    report = view.report
    if view.kind != "pathway" or report is None:
        return ""
    parts = ["<h2>What blocks this pathway</h2>"]
    if not report.blockers:
        parts.append('<p class="ig-muted">No intervention acts on these routes.</p>')
    groups: dict[str, list[Any]] = {}
    for b in report.blockers:
        groups.setdefault(b.step, []).append(b)
    n_routes = len(report.routes)
    for members in groups.values():
        parts.append(f'<div class="ig-step"><div class="ig-step-name">{_esc(_step_text(members[0]))}</div>')
        for b in members:
            bits = [x for x in (b.action, b.phase or b.evidence) if x]
            if b.acts_on_label and b.acts_on != b.step:
                bits.insert(1, f"on {b.acts_on_label}")
            if b.mode and b.mode != "direct":
                bits.append(b.mode)
            if b.references:
                bits.append("refs " + _refs(b.references))
            if b.context:
                bits.insert(1, "in " + ", ".join(b.context))
            badge = (f'<span class="ig-badge{"" if b.cuts_all_routes else " ig-partial"}">'
                     f'{_esc(_reach_text(b, n_routes))}</span>')

            parts.append(
                f'<div class="ig-blocker"><span class="ig-blocker-name">{_esc(b.label)}</span>{badge}'
                f'<div class="ig-muted">{_esc(" · ".join(bits))}</div></div>')
        parts.append("</div>")
    if report.acts_on_target:
        parts.append(f'<div class="ig-step"><div class="ig-step-name">on {_esc(report.labels.get(report.target, ""))} '
                     'itself (blocks no route to it)</div>')
        for a in report.acts_on_target:
            bits = [x for x in (f"{a.action} {a.acts_on_label}", a.phase or a.evidence) if x]
            parts.append(f'<div class="ig-blocker"><span class="ig-blocker-name">{_esc(a.label)}</span>'
                         f'<div class="ig-muted">{_esc(" · ".join(bits))}</div></div>')
        parts.append("</div>")
    parts.append("<h2>Routes</h2><ol class=\"ig-routes\">")
    for route in report.routes:
        parts.append(f"<li>{_esc(' → '.join(route.labels))}</li>")
    parts.append("</ol>")
    return "".join(parts)


def _reach_text(b: Any, shown: int) -> str:
    """'cuts every route', 'cuts 2 of 3 routes' or 'weakens 1 of 3 routes' (shown routes)."""
    if b.cuts_all_routes:
        return "cuts every route"
    verb = "cuts" if b.strength == "cuts" else "weakens"
    return f"{verb} {len(b.routes_cut)} of {shown} route{'s' if shown != 1 else ''}"


def _step_text(b: Any) -> str:
    """``Step: IgE`` or ``Step: IgE → FcεRI`` (an interaction between two route nodes)."""
    return f"at {b.step_label}"


def _blocker_lines(blocks: list[Any]) -> list[str]:
    """Tooltip lines of an intervention in a pathway view: every action, its evidence, references."""
    lines = []
    for b in blocks:
        where = b.step_label + (f" (on {b.acts_on_label})" if b.acts_on_label and b.acts_on != b.step else "")
        context = f" in {', '.join(b.context)}" if b.context else ""
        verb = "cuts" if b.strength == "cuts" else "weakens"
        lines.append(f"• {b.action} at {where}{context}"
                     + ("" if b.mode == "direct" or not b.mode else f", {b.mode}")
                     + (" — cuts every route" if b.cuts_all_routes else
                        f" — {verb} {len(b.routes_cut)} route{'s' if len(b.routes_cut) != 1 else ''}"))
        if b.mechanism:
            lines.append(_wrap(f"  {b.mechanism}"))
        lines.append(f"  evidence: {b.phase or ''}{' / ' if b.phase and b.evidence else ''}{b.evidence or ''}"
                     .rstrip(": ") or "  evidence: not recorded")
        lines.append(f"  references: {_refs(b.references) if b.references else 'none cited'}")
    return lines


def _pyvis_network(view: View, parents: dict[str, list[str]]):
    from pyvis.network import Network

    g = view.graph
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    big = g.number_of_nodes() > LAYOUT_THRESHOLD
    refs_of: dict[str, set[int]] = {}
    for u, v, attrs in g.edges(data=True):
        for r in attrs.get("references") or []:
            refs_of.setdefault(u, set()).add(r)
            refs_of.setdefault(v, set()).add(r)
    for node, attrs in g.nodes(data=True):
        color, shape, font_color = node_style(attrs.get("category", "ige:Entity"), parents)
        extra = []
        role = view.roles.get(node)
        if attrs.get("blocks"):
            extra.extend(_blocker_lines(attrs["blocks"]))
        elif node in refs_of:
            extra.append("references of its relations here: " + _refs(sorted(refs_of[node])))
        else:
            extra.append("references: none cited")
        opts: dict[str, Any] = {
            "tip": node_tooltip(node, attrs, extra),
            "color": {"background": color, "border": "#333333" if node != view.center else "#000000",
                      "highlight": {"background": color, "border": "#000000"}},
            "font": {"color": font_color if shape in ("box", "ellipse") else "#222222",
                     "size": 19 if view.kind == "pathway" else 14},
            "borderWidth": 4 if node == view.center or role == "blocker" else 1,
        }
        if view.kind == "pathway":
            opts["margin"] = 10
            opts["widthConstraint"] = {"maximum": 170}
            if role == "blocker":
                opts["color"]["border"] = "#d62728"
        if view.positions is not None and node in view.positions:
            x, y = view.positions[node]
            opts.update(x=x, y=y)
        if shape not in ("box", "ellipse", "database", "text"):
            opts["size"] = 18 if view.kind == "pathway" else 14
        net.add_node(node, label=str(attrs.get("label") or node), shape=shape, **opts)
    seen_pairs: dict[tuple[str, str], int] = {}
    labels = {n: str(a.get("label") or n) for n, a in g.nodes(data=True)}
    for u, v, key, attrs in g.edges(keys=True, data=True):
        pair = (min(u, v), max(u, v))
        k = seen_pairs.get(pair, 0)
        seen_pairs[pair] = k + 1
        style = edge_style(attrs.get("polarity"))
        if k:
            style["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                               "roundness": 0.15 + 0.1 * (k // 2)}
        elif view.kind == "pathway" and view.positions and _skips_columns(view.positions, u, v):
            style["smooth"] = {"enabled": True, "type": "curvedCCW", "roundness": 0.22}
        elif view.kind == "pathway" or big:
            style["smooth"] = False
        if view.kind == "pathway" and view.roles.get(u) == "route" and view.roles.get(v) == "route":
            style["width"] = 3.5
        net.add_edge(u, v, label=str(attrs.get("predicate_label") or key),
                     tip=edge_tooltip(labels[u], labels[v], attrs),
                     id=f"{u}|{key}|{v}", font={"size": 13 if view.kind == "pathway" else 10,
                                                 "align": "middle", "strokeWidth": 3, "color": "#333"},
                     **style)
    options: dict[str, Any] = {
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"face": "system-ui, Arial, sans-serif"}},
        "edges": {"font": {"face": "system-ui, Arial, sans-serif"}, "selectionWidth": 2},
    }
    if view.physics:
        options["physics"] = {
            "enabled": True, "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -5000, "centralGravity": 0.6, "springLength": 160,
                          "springConstant": 0.04, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 400, "updateInterval": 50},
        }
    else:
        options["physics"] = {"enabled": False}
        options["layout"] = {"improvedLayout": False}
    net.options = options
    return net


def _skips_columns(pos: dict[str, tuple[float, float]], u: str, v: str) -> bool:
    """True for a horizontal edge that would run through the nodes between its ends."""
    (x1, y1), (x2, y2) = pos[u], pos[v]
    return abs(y1 - y2) < 1 and abs(x2 - x1) > 300


_BOOTSTRAP = re.compile(r"<link[^>]*bootstrap[^>]*>|<script[^>]*bootstrap[^>]*>\s*</script>", re.I)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>|<!--\s*<link[^>]*node_modules.*?-->", re.I | re.S)
_REMOTE = re.compile(r"<(?:script|link|img|iframe)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def render_html(view: View) -> str:
    """One self-contained HTML page showing a view.

    vis-network is inlined (pyvis ``cdn_resources="in_line"``), the Bootstrap CDN links are
    removed, and title, legend, search box and tooltips are built here from escaped text, so
    the page makes no network request and data can never inject markup or script.

    Parameters
    ----------
    view : View

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import igegraph
    >>> page = render_html(graph_view(igegraph.load()))
    >>> "vis.Network" in page and "<h1 id=\\"ig-title\\">" in page
    True
    """
    parents = view.class_parents
    net = _pyvis_network(view, parents)
    page = net.generate_html()
    if "popup.innerHTML" in page:  # pyvis' href popup: must never be switched on
        raise IgegraphError("internal error: pyvis produced an innerHTML tooltip")
    page = _BOOTSTRAP.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    if _REMOTE.search(page):
        raise IgegraphError("internal error: the page would load a remote resource")
    head = (f"<!DOCTYPE html>\n<html lang=\"en\">\n    <head>\n        <title>{_esc(view.title)}</title>\n"
            f"        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    page = re.sub(r"^\s*<html>\s*<head>", lambda _m: head, page, count=1)
    page = page.replace("</head>", f"<style>{_CSS}</style>\n    </head>", 1)
    header = (
        '<div id="ig-header"><div class="ig-titles">'
        f'<h1 id="ig-title">{_esc(view.title)}</h1><p id="ig-subtitle">{_esc(view.subtitle)}</p></div>'
        '<div id="ig-search-box"><input id="ig-search" type="search" list="ig-search-list" '
        'placeholder="Find an entity…" aria-label="Find an entity" autocomplete="off">'
        '<datalist id="ig-search-list"></datalist><span id="ig-search-status" aria-live="polite"></span>'
        '</div></div>\n'
        f'<div id="ig-side">{_blockers_html(view)}{_legend_html(view, parents)}'
        '<p class="ig-muted">Hover a node or an edge for identifiers, evidence and references. '
        'Made by igegraph.</p></div>\n')
    page = page.replace("<body>", "<body>\n" + header, 1)
    script = "<script>" + _JS % {"physics": "true" if view.physics else "false"} + "</script>\n"
    idx = page.rfind("</body>")
    return page[:idx] + script + page[idx:]
