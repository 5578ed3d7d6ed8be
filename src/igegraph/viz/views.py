"""The views of the knowledge graph: what to draw, and where each node goes.

A *view* is a subgraph of the networkx projection plus what is needed to draw it: a title,
the positions of its nodes (always computed here, see :mod:`igegraph.viz.layout`), which
nodes carry their label on the picture and, for a pathway, the blockers of its routes. Four
views exist:

- the whole graph (:func:`graph_view`),
- a pathway with its routes laid out left to right and every blocker attached to the step it
  acts on (:func:`pathway_view`),
- the neighbourhood of one entity (:func:`focus_view`),
- the entities named by a CONSTRUCT query (:func:`query_view`).

:func:`make_view` picks one from the CLI options.

Examples
--------
>>> import igegraph
>>> view = focus_view(igegraph.load(), "omalizumab", depth=1)
>>> "ig:free_IgE" in view.graph and set(view.positions) == set(view.graph)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import IgegraphError, QueryError
from .layout import (
    LARGE_LOOK,
    OVERVIEW_LOOK,
    PATHWAY_LOOK,
    SCREEN_ASPECT,
    Extent,
    Look,
    node_extent,
    pathway_layout,
    ring_layout,
    separate,
    spring_layout,
)
from .style import node_style

if TYPE_CHECKING:
    import networkx as nx

    from ..kg import KnowledgeGraph

__all__ = [
    "View",
    "LAYOUT_THRESHOLD",
    "LABEL_ALL",
    "STEP_EDGE",
    "graph_view",
    "pathway_view",
    "focus_view",
    "query_view",
    "make_view",
    "lay_out",
]

#: Views with more nodes than this use the cheaper force layout (no class clusters).
LAYOUT_THRESHOLD = 300
#: Views with at most this many nodes show every label; larger ones only the labels that matter.
LABEL_ALL = 40
#: Large views outside a neighbourhood label this many of their most connected nodes (and more).
LABEL_HUBS = 15
#: Key of the dotted edge that ties an acted-on entity off the routes to its pathway step.
STEP_EDGE = "ige:atStep"


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
    positions : dict
        Node -> (x, y) in graph pixels; the browser keeps them (physics off).
    center : str or None
        The focus node of a neighbourhood view.
    report : object or None
        The :class:`igegraph.traverse.BlockReport` of a pathway view.
    roles : dict
        Node -> role in a pathway view (``"route"``, ``"blocker"``, ``"acted-on"``).
    class_parents : dict
        Class -> superclasses, so that a user's subclass is drawn like its parent.
    look : Look
        Font and node sizes.
    labelled : set or None
        The nodes whose label is drawn (the others show it on hover); None for all.
    edge_labels : bool
        Whether relation names are written on the edges (else only in their tooltips).
    rings : dict
        In a neighbourhood, node -> its distance from the focus (in relations, either direction).
    """

    kind: str
    title: str
    graph: "nx.MultiDiGraph"
    subtitle: str = ""
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    center: str | None = None
    report: Any = None
    roles: dict[str, str] = field(default_factory=dict)
    class_parents: dict[str, list[str]] = field(default_factory=dict)
    look: Look = OVERVIEW_LOOK
    labelled: set[str] | None = None
    edge_labels: bool = True
    rings: dict[str, int] = field(default_factory=dict)

    def shows_label(self, node: str) -> bool:
        """True when the node's label is drawn on the picture."""
        return self.labelled is None or node in self.labelled

    def shows_edge_label(self, u: str, v: str, key: str) -> bool:
        """True when this edge's relation name is drawn.

        Not on a pathway blocker's edge (the side panel says what it does), nor on an edge
        between two nodes of one ring of a neighbourhood (it crosses the ring).
        """
        if not self.edge_labels or key == STEP_EDGE:
            return False
        if self.rings:  # a neighbourhood: the edges from one ring to the next, not the chords across a ring
            return self.rings.get(u) != self.rings.get(v)
        return not (self.kind == "pathway" and self.roles.get(u) == "blocker")

    def edge_label_names(self) -> dict[tuple[str, str], list[str]]:
        """(source, target) -> the relation names drawn on that edge, in edge order.

        Parallel relations share one label, a name a line; the layout sizes the gaps between
        columns by them and every renderer writes them.
        """
        names: dict[tuple[str, str], list[str]] = {}
        for u, v, key, attrs in self.graph.edges(keys=True, data=True):
            if self.shows_edge_label(u, v, key):
                names.setdefault((u, v), []).append(str(attrs.get("predicate_label") or key))
        return names

    def extents(self) -> dict[str, Extent]:
        """Node -> the box it covers around its position, label included."""
        out = {}
        for node, attrs in self.graph.nodes(data=True):
            shape = node_style(attrs.get("category", "ige:Entity"), self.class_parents)[1]
            out[node] = node_extent(str(attrs.get("label") or node), shape, self.look, self.shows_label(node))
        return out


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
    return lay_out(view, kg)


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
    return lay_out(view, kg)


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

    from ..sparql import run_query
    from ..vocab import compact

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
    return lay_out(view, kg)


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
    from .. import traverse

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

    routes = list(report.routes)
    if not routes:
        raise IgegraphError(f"{report.no_route or 'no route'}, so there is no pathway to draw")
    proj = kg.projection
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
    n, steps = len(routes), len({b.step for b in report.blockers})
    subtitle = (f"{n} route{'s' if n != 1 else ''} from {source_label} to {target_label} · "
                f"{len(drugs)} intervention{'s' if len(drugs) != 1 else ''} acting on "
                f"{steps} step{'s' if steps != 1 else ''} · red dashed lines = blocking")
    if not cut_all and drugs:
        subtitle += " · no single intervention cuts every route"
    view = View("pathway", f"Pathway: {title}", g, subtitle, report=report, roles=roles,
                class_parents=kg.links("rdfs:subClassOf"), look=PATHWAY_LOOK)
    extents = view.extents()
    pos = pathway_layout(g, route_nodes, report.blockers, extents, view.edge_label_names(), view.look)
    view.positions = separate(pos, extents, gap=14.0, fixed=[n for n, r in roles.items() if r == "route"])
    return view


def _synthetic_label(kg: "KnowledgeGraph", pred: str) -> str:
    return "at step" if pred == STEP_EDGE else kg.label(pred)


def _stub(kg: "KnowledgeGraph", node: str) -> dict[str, Any]:
    return {"label": kg.label(node), "category": "ige:Entity", "category_label": "entity",
            "synonyms": [], "identifiers": [], "definition": ""}


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


def lay_out(view: View, kg: "KnowledgeGraph") -> View:
    """Attach the class hierarchy, choose the labels drawn, lay the view out without overlaps.

    A neighbourhood is drawn as rings around its focus; any other view with a force layout
    whose classes are pulled together (up to :data:`LAYOUT_THRESHOLD` nodes). Views above
    :data:`LABEL_ALL` nodes label only the nodes that matter and write no relation names.
    """
    g = view.graph
    view.class_parents = kg.links("rdfs:subClassOf")
    if g.number_of_nodes() > LABEL_ALL:
        view.labelled = _nodes_that_matter(view, kg)
        view.edge_labels = False
        view.look = LARGE_LOOK
    extents = view.extents()
    groups = {n: _top_class(a.get("category", "ige:Entity"), view.class_parents) for n, a in g.nodes(data=True)}
    if view.center is not None:
        import networkx as nx

        view.rings = dict(nx.single_source_shortest_path_length(g.to_undirected(as_view=True), view.center))
        pos = ring_layout(g, view.center, extents, groups)
        pos = separate(pos, extents, fixed=[view.center])
    else:
        big = g.number_of_nodes() > LAYOUT_THRESHOLD
        force = spring_layout(g, groups=None if big else groups)
        # without the class pull, a big force layout is denser in its middle: give it more room
        room, aspect = (4.5 if big else 1.6), SCREEN_ASPECT
        for _ in range(4):  # pushing boxes apart changes the shape: aim wider until it has the screen's
            pos = separate(_spread(force, g, extents, room=room, aspect=aspect), extents)
            shape = _box_aspect(pos, extents)
            if shape >= 0.95 * SCREEN_ASPECT:
                break
            aspect *= SCREEN_ASPECT / shape
    view.positions = {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}
    return view


def _box_aspect(pos: dict[str, tuple[float, float]], extents: dict[str, Extent]) -> float:
    """Width / height of what the nodes' boxes cover."""
    if not pos:
        return SCREEN_ASPECT
    w = max(x + extents[n][2] for n, (x, _y) in pos.items()) - min(x + extents[n][0] for n, (x, _y) in pos.items())
    h = max(y + extents[n][3] for n, (_x, y) in pos.items()) - min(y + extents[n][1] for n, (_x, y) in pos.items())
    return w / h if h else SCREEN_ASPECT


def _nodes_that_matter(view: View, kg: "KnowledgeGraph") -> set[str]:
    """The nodes a large view labels (the others show their name on hover): the one rule.

    - In every view, the entities of the named pathways it holds (their source, target and the
      entities of their steps, as the data declares them: allergen, IgE, FcεRI, mast cell,
      degranulation, the mediators …): the biology a reader looks for first.
    - A neighbourhood: also its focus and the focus's direct neighbours (the first ring).
    - Any other view: also the interventions (every source of a blocking, −1, relation that
      has a class of its own) and the :data:`LABEL_HUBS` most connected nodes.
    """
    from ..traverse import pathways

    g = view.graph
    keep: set[str] = set()
    for info in pathways(kg):
        keep.update((info.source, info.target))
        keep.update(e for step in info.steps for e in step["entities"])
    keep.intersection_update(g)
    if view.center is not None:
        return keep | {view.center, *g.successors(view.center), *g.predecessors(view.center)}
    keep.update(u for u, _v, a in g.edges(data=True) if int(a.get("polarity") or 0) == -1
                and g.nodes[u].get("category") != "ige:Entity")
    keep.update(sorted(g, key=lambda n: (-g.degree(n), str(n)))[:LABEL_HUBS])
    return keep


def _top_class(category: str, parents: dict[str, list[str]]) -> str:
    """The class a node is clustered with: the first styled class on its way up (by shape)."""
    return node_style(category, parents)[1]


def _spread(pos: dict[str, tuple[float, float]], g: "nx.MultiDiGraph", extents: dict[str, Extent],
            room: float = 2.2, aspect: float = SCREEN_ASPECT) -> dict[str, tuple[float, float]]:
    """Scale a force layout to ``room`` times the area its boxes cover, shaped like the screen (``aspect``).

    Then the boxes need little pushing apart, and the picture is neither sparse nor crowded.
    """
    if len(pos) < 2:
        return pos
    area = sum((e[2] - e[0] + 20) * (e[3] - e[1] + 20) for e in extents.values())
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    w, h = max(max(xs) - min(xs), 1.0), max(max(ys) - min(ys), 1.0)
    kx = (room * area * aspect) ** 0.5 / w
    ky = (room * area / aspect) ** 0.5 / h
    return {n: (x * kx, y * ky) for n, (x, y) in pos.items()}


