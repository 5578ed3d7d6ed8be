"""Traversals on the projection: routes, neighbourhoods, up/downstream, blocks, knockout, cut sets.

Semantics (DESIGN.md §4)
------------------------
* A **route** is a simple directed path from a source to a target along *activating* causal
  relations (``ige:polarity 1``), at most ``max_length`` hops long.
* An **action** is a relation with ``ige:polarity -1`` (neutralizes, blocks binding, antagonizes,
  inhibits, depletes, kills, removes …) from an agent to an entity. Acting on a form of a
  molecule (``ige:formOf``, e.g. free IgE) acts on the molecule; acting on an ``ige:Interaction``
  (e.g. IgE–FcεRI binding) cuts that hop.
* A route is cut **directly** when an action hits one of its nodes or hops, and **upstream**
  when it hits what a route node depends on: the route node can no longer be reached from the
  roots of its supply graph (relations annotated ``ige:dependency``: secretes, produces,
  differentiates into, activates …). Removing the IgE+ B cells and the plasma cells they
  become leaves no supply of IgE, so every route through IgE is cut upstream.
* **blocks** lists every (intervention, action) that cuts at least one route, with the step it
  acts on, direct or upstream, its mechanism, phase, evidence and references, and which routes
  survive it. **knockout** applies several interventions at once. **cutsets** finds the minimal
  sets of existing interventions that cut every route (minimal hitting sets, smallest first).

Examples
--------
>>> import igegraph
>>> from igegraph.pathways import blocks
>>> kg = igegraph.load()
>>> report = blocks(kg, "allergen", "mast cell degranulation")
>>> "ig:omalizumab" in {b.id for b in report.blockers}
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from itertools import combinations
from math import comb
from typing import TYPE_CHECKING, Iterable

from .errors import IgegraphError, UnknownEntity
from .vocab import IGE, compact

if TYPE_CHECKING:
    import networkx as nx

    from .kg import KnowledgeGraph

__all__ = [
    "Route", "Blocker", "BlockReport", "KnockoutResult", "CutSet", "PathwayInfo",
    "routes", "path", "neighbors", "upstream", "downstream", "blocks", "blocks_pathway",
    "knockout", "cutsets", "pathways", "pathway", "DEFAULT_MAX_LENGTH", "MAX_ROUTES", "MAX_CUTSET_COMBINATIONS",
]

DEFAULT_MAX_LENGTH = 8
MAX_ROUTES = 2000
MAX_CUTSET_COMBINATIONS = 200_000


# ------------------------------------------------------------------ data returned

class _Plain:
    """Dataclasses the CLI prints as JSON: ``to_dict`` gives plain data."""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Route(_Plain):
    """A route: its nodes in order and, per hop, the activating predicates that link them."""

    nodes: list[str]
    labels: list[str]
    hops: list[dict]

    @property
    def length(self) -> int:
        return len(self.nodes) - 1

    @cached_property
    def node_set(self) -> frozenset[str]:
        return frozenset(self.nodes)

    @cached_property
    def hop_set(self) -> frozenset[tuple[str, str]]:
        return frozenset(zip(self.nodes, self.nodes[1:]))

    def text(self) -> str:
        """The route as ``a -[pred]-> b -[pred]-> c`` with labels."""
        parts = [self.labels[0]]
        for hop, label in zip(self.hops, self.labels[1:]):
            preds = "|".join(p["label"] for p in hop["predicates"])
            parts.append(f"-[{preds}]-> {label}")
        return " ".join(parts)



@dataclass
class Blocker(_Plain):
    """One action of one intervention that cuts at least one route."""

    id: str
    label: str
    category: str
    step: str
    step_label: str
    acts_on: str
    acts_on_label: str
    mode: str
    action: str
    predicate: str
    mechanism: str | None
    phase: str | None
    evidence: str | None
    references: list[int]
    cuts_all_routes: bool
    routes_cut: list[int]
    surviving_routes: list[int]



@dataclass
class BlockReport:
    """The answer to "what blocks this pathway": the routes and every blocker."""

    source: str
    target: str
    routes: list[Route]
    blockers: list[Blocker]
    name: str | None = None
    title: str | None = None
    max_length: int = DEFAULT_MAX_LENGTH
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def interventions(self) -> dict[str, dict]:
        """Per intervention: its label, steps, and whether its actions together cut every route."""
        out: dict[str, dict] = {}
        for b in self.blockers:
            entry = out.setdefault(b.id, {"label": b.label, "steps": [], "routes_cut": set()})
            if b.step_label not in entry["steps"]:
                entry["steps"].append(b.step_label)
            entry["routes_cut"].update(b.routes_cut)
        for entry in out.values():
            entry["cuts_all_routes"] = len(entry["routes_cut"]) == len(self.routes)
            entry["routes_cut"] = sorted(entry["routes_cut"])
        return out

    def to_dict(self) -> dict:
        """The JSON shape of ``igegraph blocks --format json``."""
        return {
            "pathway": {
                "name": self.name,
                "title": self.title,
                "source": self.source,
                "source_label": self.labels.get(self.source, self.source),
                "target": self.target,
                "target_label": self.labels.get(self.target, self.target),
                "max_length": self.max_length,
                "routes": [dict(r.to_dict(), index=i, text=r.text()) for i, r in enumerate(self.routes)],
            },
            "blockers": [b.to_dict() for b in self.blockers],
            "interventions": self.interventions,
        }


@dataclass
class KnockoutResult:
    """Routes left after applying interventions, and why the others are cut."""

    source: str
    target: str
    interventions: list[str]
    routes: list[Route]
    surviving: list[int]
    cut: dict[int, str]

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "target": self.target,
            "interventions": self.interventions,
            "routes": [dict(r.to_dict(), index=i, text=r.text()) for i, r in enumerate(self.routes)],
            "surviving": self.surviving,
            "cut": {str(k): v for k, v in self.cut.items()},
        }


@dataclass
class CutSet(_Plain):
    """A minimal set of interventions that together cut every route."""

    interventions: list[str]
    labels: list[str]



@dataclass
class PathwayInfo(_Plain):
    """A named pathway of the data: name, title, source, target and ordered steps."""

    id: str
    name: str
    title: str
    source: str
    target: str
    steps: list[dict]



# ------------------------------------------------------------------ graph views (kg.derived)

def _causal_views(kg: "KnowledgeGraph") -> tuple["nx.DiGraph", "nx.DiGraph"]:
    """Two views built in one pass over the projection: the activating graph (each edge lists
    its predicates) and the supply graph (edges along which an entity is made or activated)."""
    import networkx as nx

    def build():
        succ: dict[str, dict[str, dict]] = {}
        supply: list[tuple[str, str]] = []
        for s, o, key, d in kg.projection.edges(keys=True, data=True):
            if d["causal"] and d["polarity"] > 0:
                edge = succ.setdefault(s, {}).setdefault(o, {"predicates": []})
                edge["predicates"].append({
                    "predicate": key, "label": d["predicate_label"], "references": d["references"],
                    "dependency": d.get("dependency", False),
                })
                if d.get("dependency", False):
                    supply.append((s, o))
        activating = nx.DiGraph(succ)
        supply_graph = nx.DiGraph()
        supply_graph.add_edges_from(supply)
        return activating, supply_graph

    return kg.derived("_causal_views", build)


def _activating(kg: "KnowledgeGraph") -> "nx.DiGraph":
    """Entities linked by activating causal relations; each edge lists its predicates."""
    return _causal_views(kg)[0]


def _supply(kg: "KnowledgeGraph") -> "nx.DiGraph":
    """The dependency graph: edges along which an entity is made, activated or given rise to."""
    return _causal_views(kg)[1]


def _drug_classes(kg: "KnowledgeGraph") -> set[str]:
    """ige:Drug and every class below it: what counts as an intervention."""
    from .project import subclasses

    return kg.derived("_drug_classes", lambda: subclasses(kg, "ige:Drug"))


def _node(kg: "KnowledgeGraph", term: str) -> str:
    node = kg.resolve(term)
    if node not in kg.projection:
        raise UnknownEntity(term)
    return node


def _phase(kg: "KnowledgeGraph", node: str) -> str | None:
    """The development phase label of an intervention (looked up per node, then cached)."""
    phases = kg.derived("_phases", dict)
    if node not in phases:
        value = kg.graph.value(kg.iri(node), IGE.developmentPhase)
        phases[node] = kg.label(compact(value)) if value is not None else None
    return phases[node]


# ------------------------------------------------------------------ routes

def _make_route(kg: "KnowledgeGraph", nodes: list[str]) -> Route:
    g = _activating(kg)
    hops = [
        {"source": a, "target": b, "predicates": sorted(g[a][b]["predicates"], key=lambda p: p["predicate"])}
        for a, b in zip(nodes, nodes[1:])
    ]
    return Route(list(nodes), [kg.label(n) for n in nodes], hops)


def routes(kg: "KnowledgeGraph", source: str, target: str, max_length: int = DEFAULT_MAX_LENGTH) -> list[Route]:
    """Every activating route from ``source`` to ``target`` of at most ``max_length`` hops.

    Parameters
    ----------
    kg : KnowledgeGraph
    source, target : str
        Entity names, synonyms or ids.
    max_length : int
        Longest route, in hops.

    Returns
    -------
    list of Route
        Shortest first, then alphabetical by labels.

    Examples
    --------
    >>> import igegraph
    >>> r = routes(igegraph.load(), "allergen", "mast cell degranulation", max_length=4)
    >>> r[0].labels
    ['allergen', 'IgE', 'FcεRI', 'mast cell', 'mast cell degranulation']
    """
    if max_length < 1:
        raise IgegraphError(f"max length must be at least 1, not {max_length}")
    src, dst = _node(kg, source), _node(kg, target)
    g = _activating(kg)
    if src == dst:
        raise IgegraphError(f"source and target are the same entity ({kg.label(src)})")
    if src not in g or dst not in g:
        return []
    found = _simple_paths(g, src, dst, max_length)
    if len(found) > MAX_ROUTES:
        raise IgegraphError(
            f"more than {MAX_ROUTES} routes from {kg.label(src)} to {kg.label(dst)}; lower --max-length"
        )
    made = [_make_route(kg, nodes) for nodes in found]
    return sorted(made, key=lambda r: (r.length, [label.lower() for label in r.labels]))


def _simple_paths(g: "nx.DiGraph", src: str, dst: str, max_length: int) -> list[list[str]]:
    """Simple paths of at most ``max_length`` hops, stopping after MAX_ROUTES + 1.

    The search only steps to nodes that can still reach the target in the hops left, so on
    large graphs it explores the routes, not everything reachable from the source.
    """
    import networkx as nx

    # distances to the target, searched backwards only through what the source reaches: on a
    # large graph the source's forward cone is far smaller than the target's backward one
    forward = nx.single_source_shortest_path_length(g, src, cutoff=max_length)
    if dst not in forward:
        return []
    to_target = {dst: 0}
    frontier = [dst]
    for distance in range(1, max_length + 1):
        nxt = []
        for node in frontier:
            for pred in g.predecessors(node):
                if pred in forward and pred not in to_target:
                    to_target[pred] = distance
                    nxt.append(pred)
        frontier = nxt
    found: list[list[str]] = []
    path = [src]
    on_path = {src}
    stack = [iter(sorted(g.successors(src)))]
    while stack and len(found) <= MAX_ROUTES:
        left = max_length - len(path)  # hops still allowed after the next one
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if step in on_path or to_target.get(step, max_length + 1) > left:
            continue
        if step == dst:
            found.append(path + [dst])
            continue
        path.append(step)
        on_path.add(step)
        stack.append(iter(sorted(g.successors(step))))
    return found


def path(
    kg: "KnowledgeGraph", source: str, target: str, max_length: int = DEFAULT_MAX_LENGTH, all: bool = False,
) -> list[Route]:
    """Causal routes from source to target: the shortest ones, or all up to ``max_length``.

    >>> import igegraph
    >>> [r.length for r in path(igegraph.load(), "IgE", "Th2 activation")]
    [3]
    """
    import networkx as nx

    if all:
        return routes(kg, source, target, max_length)
    src, dst = _node(kg, source), _node(kg, target)
    g = _activating(kg)
    if src == dst:
        raise IgegraphError(f"source and target are the same entity ({kg.label(src)})")
    if src not in g or dst not in g:
        return []
    try:
        shortest = list(nx.all_shortest_paths(g, src, dst))
    except nx.NetworkXNoPath:
        return []
    made = [_make_route(kg, nodes) for nodes in shortest if len(nodes) - 1 <= max_length]
    return sorted(made, key=lambda r: [label.lower() for label in r.labels])


# ------------------------------------------------------------------ neighbourhoods

def _relation_row(kg: "KnowledgeGraph", node: str, distance: int, s: str, o: str, key: str, d: dict) -> dict:
    g = kg.projection
    return {
        "id": node,
        "label": g.nodes[node].get("label", node),
        "category": g.nodes[node].get("category_label", ""),
        "distance": distance,
        "via": f"{kg.label(s)} -[{d['predicate_label']}]-> {kg.label(o)}",
        "predicate": key,
        "polarity": d["polarity"],
        "references": d["references"],
    }


def neighbors(
    kg: "KnowledgeGraph",
    term: str,
    depth: int = 1,
    direction: str = "both",
    predicates: Iterable[str] = (),
) -> list[dict]:
    """Entities within ``depth`` relations of a term.

    Parameters
    ----------
    term : str
    depth : int
        How many relations away (1 = direct neighbours).
    direction : {"up", "down", "both"}
        Follow relations into the term (up), out of it (down) or both.
    predicates : iterable of str
        Only these predicates (labels such as "secretes" or ids such as "ige:secretes").

    Returns
    -------
    list of dict
        id, label, category, distance, via (the relation that reached it), predicate, polarity,
        references; nearest first.

    Examples
    --------
    >>> import igegraph
    >>> sorted(r["label"] for r in neighbors(igegraph.load(), "mast cell", direction="down", predicates=["secretes"]))
    ['LTC4', 'PGD2', 'histamine']
    """
    if direction not in ("up", "down", "both"):
        raise IgegraphError(f"direction must be up, down or both, not {direction!r}")
    if depth < 1:
        raise IgegraphError(f"depth must be at least 1, not {depth}")
    start = _node(kg, term)
    g = kg.projection
    wanted = _predicate_ids(kg, predicates)
    seen = {start}
    frontier = [start]
    out: list[dict] = []
    for distance in range(1, depth + 1):
        nxt = []
        for node in frontier:
            edges = []
            if direction in ("down", "both"):
                edges += [(s, o, k, d, o) for s, o, k, d in g.out_edges(node, keys=True, data=True)]
            if direction in ("up", "both"):
                edges += [(s, o, k, d, s) for s, o, k, d in g.in_edges(node, keys=True, data=True)]
            for s, o, key, d, other in sorted(edges, key=lambda e: (e[4], e[2])):
                if wanted and key not in wanted:
                    continue
                if other in seen:
                    continue
                seen.add(other)
                nxt.append(other)
                out.append(_relation_row(kg, other, distance, s, o, key, d))
        frontier = nxt
    return sorted(out, key=lambda r: (r["distance"], r["label"].lower()))


def _predicate_ids(kg: "KnowledgeGraph", predicates: Iterable[str]) -> set[str]:
    from .project import relation_properties
    from .resolve import normalize

    props = relation_properties(kg)
    by_name = {normalize(p["label"]): pid for pid, p in props.items()}
    by_name.update({normalize(pid.split(":", 1)[-1]): pid for pid in props})
    out = set()
    for name in predicates:
        pid = name if name in props else by_name.get(normalize(name.split(":", 1)[-1]))
        if pid is None:
            import difflib

            close = difflib.get_close_matches(name, sorted(p["label"] for p in props.values()), n=3)
            hint = f"; did you mean: {', '.join(close)}?" if close else ""
            raise IgegraphError(f"unknown predicate '{name}'{hint}")
        out.add(pid)
    return out


def _causal_closure(kg: "KnowledgeGraph", term: str, reverse: bool, max_depth: int | None) -> list[dict]:
    start = _node(kg, term)
    g = kg.projection
    seen = {start: 0}
    frontier = [start]
    out = []
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        nxt = []
        for node in frontier:
            edges = g.in_edges(node, keys=True, data=True) if reverse else g.out_edges(node, keys=True, data=True)
            for s, o, key, d in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
                if not d["causal"]:
                    continue
                other = s if reverse else o
                if other in seen:
                    continue
                seen[other] = depth
                nxt.append(other)
                out.append(_relation_row(kg, other, depth, s, o, key, d))
        frontier = nxt
    return sorted(out, key=lambda r: (r["distance"], r["label"].lower()))


def upstream(kg: "KnowledgeGraph", term: str, max_depth: int | None = None) -> list[dict]:
    """Everything that acts on a term through causal relations, transitively (nearest first).

    >>> import igegraph
    >>> "ig:omalizumab" in {r["id"] for r in upstream(igegraph.load(), "IgE", max_depth=1)}
    False
    """
    return _causal_closure(kg, term, reverse=True, max_depth=max_depth)


def downstream(kg: "KnowledgeGraph", term: str, max_depth: int | None = None) -> list[dict]:
    """Everything a term acts on through causal relations, transitively (nearest first).

    >>> import igegraph
    >>> "ig:bronchoconstriction" in {r["id"] for r in downstream(igegraph.load(), "histamine")}
    True
    """
    return _causal_closure(kg, term, reverse=False, max_depth=max_depth)


# ------------------------------------------------------------------ actions and cutting

@dataclass(frozen=True)
class _Action:
    agent: str
    target: str
    predicate: str
    data: tuple


def _actions(kg: "KnowledgeGraph", interventions_only: bool = True) -> list[_Action]:
    """Every negative causal relation, optionally only those of interventions (ige:Drug)."""

    def build() -> list[_Action]:
        g = kg.projection
        drugs = _drug_classes(kg)
        out = []
        for s, o, key, d in g.edges(keys=True, data=True):
            if not (d["causal"] and d["polarity"] < 0):
                continue
            if interventions_only and g.nodes[s].get("category") not in drugs:
                continue
            data = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in d.items()))
            out.append(_Action(s, o, key, data))
        return sorted(out, key=lambda a: (a.agent, a.predicate, a.target))

    return kg.derived(f"_actions_{interventions_only}", build)


def _effect(kg: "KnowledgeGraph", target: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """What an action on ``target`` removes: nodes (the target and what it is a form of) or a hop."""
    effects = kg.derived("_effects", dict)
    if target not in effects:
        if kg.projection.nodes.get(target, {}).get("category") == "ige:Interaction":
            subj, obj = _interaction_ends(kg, target)
            effects[target] = (frozenset(), frozenset((s, o) for s in subj for o in obj))
        else:
            parents = _form_parents(kg)
            nodes = {target}
            todo = [target]
            while todo:
                for parent in parents.get(todo.pop(), ()):
                    if parent not in nodes:
                        nodes.add(parent)
                        todo.append(parent)
            effects[target] = (frozenset(nodes), frozenset())
    return effects[target]


def _form_parents(kg: "KnowledgeGraph") -> dict[str, list[str]]:
    """Entity -> the molecules it is a form of (read from RDF: store projections omit formOf)."""

    def build() -> dict[str, list[str]]:
        parents: dict[str, list[str]] = {}
        for s, o in kg.graph.subject_objects(IGE.formOf):
            parents.setdefault(compact(s), []).append(compact(o))
        return parents

    return kg.derived("_form_parents", build)


def _interaction_ends(kg: "KnowledgeGraph", target: str) -> tuple[list[str], list[str]]:
    iri = kg.iri(target)
    subj = [compact(o) for o in kg.graph.objects(iri, IGE.interactionSubject)]
    obj = [compact(o) for o in kg.graph.objects(iri, IGE.interactionObject)]
    return subj, obj


@dataclass(frozen=True)
class _Supply:
    """What a node depends on: its supply ancestors, their roots (members of the strongly
    connected components nothing else feeds), and its dominators (the ancestors every supply
    path from a root to the node passes through)."""

    ancestors: frozenset[str]
    roots: tuple[str, ...]
    dominators: frozenset[str]


_TOP = "\x00supply-root"  # a virtual root above every real one (no IRI looks like this)


def _dominator_tree(kg: "KnowledgeGraph") -> tuple[frozenset[str], dict[str, str]]:
    """Roots of the supply graph and its immediate-dominator tree, computed once.

    The roots are the members of the strongly connected components nothing else feeds (so a
    self-sustaining loop is a supply of its own). Every predecessor of an ancestor is an
    ancestor, so a node's dominators in this one tree are its dominators within its own
    supply graph.
    """
    import networkx as nx

    def build():
        supply = _supply(kg)
        cond = nx.condensation(supply)
        roots = frozenset(n for c in cond if cond.in_degree(c) == 0 for n in cond.nodes[c]["members"])
        rooted = nx.DiGraph(supply)
        rooted.add_edges_from((_TOP, r) for r in roots)
        return roots, nx.immediate_dominators(rooted, _TOP)

    return kg.derived("_dominator_tree", build)


def _supply_of(kg: "KnowledgeGraph", node: str) -> _Supply:
    """The supply of a node (cached per node)."""
    import networkx as nx

    cache = kg.derived("_supply_cache", dict)
    if node not in cache:
        supply = _supply(kg)
        if node not in supply:
            cache[node] = _Supply(frozenset(), (), frozenset())
        else:
            ancestors = frozenset(nx.ancestors(supply, node))
            all_roots, idom = _dominator_tree(kg)
            roots = tuple(sorted((all_roots & ancestors) - {node}))
            dominators: set[str] = set()
            current = idom.get(node)
            while current is not None and current != _TOP and current != node:
                dominators.add(current)
                current = idom[current]
            cache[node] = _Supply(ancestors, roots, frozenset(dominators))
    return cache[node]


def _depends(kg: "KnowledgeGraph", node: str, removed: set[str]) -> bool:
    """True when removing ``removed`` cuts ``node`` off from every root of its supply graph."""
    info = _supply_of(kg, node)
    if not info.roots or info.ancestors.isdisjoint(removed):
        return False
    if not info.dominators.isdisjoint(removed):
        return True
    if len(info.ancestors & removed) < 2:
        return False  # one removed ancestor that does not dominate leaves another way in
    supply = _supply(kg)
    # several removed ancestors may cut together: walk forward from the live roots
    allowed = info.ancestors | {node}
    seen = {r for r in info.roots if r not in removed}
    todo = list(seen)
    while todo:
        current = todo.pop()
        for nxt in supply.successors(current):
            if nxt == node:
                return False
            if nxt in allowed and nxt not in removed and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return True


def _cut_routes(
    kg: "KnowledgeGraph", found: list[Route], nodes: Iterable[str], hops: Iterable[tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    """Route index -> (mode, route node where it is cut) for every route the removal cuts."""
    nodes, hops = set(nodes), set(hops)
    # what the removal reaches upstream is the same for every route through a node
    upstream_hit: dict[str, bool] = {}
    out: dict[int, tuple[str, str]] = {}
    for i, route in enumerate(found):
        if not route.node_set.isdisjoint(nodes):
            out[i] = ("direct", next(n for n in route.nodes if n in nodes))
        elif hops and not route.hop_set.isdisjoint(hops):
            a, b = next((a, b) for a, b in zip(route.nodes, route.nodes[1:]) if (a, b) in hops)
            out[i] = ("direct", f"{a}->{b}")
        elif nodes:
            for n in route.nodes:
                if n not in upstream_hit:
                    upstream_hit[n] = _depends(kg, n, nodes)
                if upstream_hit[n]:
                    out[i] = ("upstream", n)
                    break
    return out


def _step_label(kg: "KnowledgeGraph", step: str) -> str:
    if "->" in step:
        a, b = step.split("->", 1)
        return f"{kg.label(a)} → {kg.label(b)}"
    return kg.label(step)


# ------------------------------------------------------------------ blocks

def blocks(
    kg: "KnowledgeGraph",
    source: str,
    target: str,
    max_length: int = DEFAULT_MAX_LENGTH,
    interventions_only: bool = True,
) -> BlockReport:
    """What blocks the routes from ``source`` to ``target``.

    Parameters
    ----------
    kg : KnowledgeGraph
    source, target : str
        Any two entities (names, synonyms, ids).
    max_length : int
        Longest route considered, in hops.
    interventions_only : bool
        Report only interventions (drugs, procedures, devices, cell therapies); False also
        reports endogenous negative regulators.

    Returns
    -------
    BlockReport
        ``routes`` and ``blockers`` (one per intervention action that cuts at least one route,
        ordered by the position of the step on the routes, then by label).

    Examples
    --------
    >>> import igegraph
    >>> rep = blocks(igegraph.load(), "allergen", "mast cell degranulation")
    >>> sorted({b.label for b in rep.blockers if b.step == "ig:mast_cell"})
    ['anti-FcεRI Fab-conjugated celastrol-loaded polymeric micelles']
    """
    src, dst = _node(kg, source), _node(kg, target)
    found = routes(kg, src, dst, max_length)
    g = kg.projection
    blockers: list[Blocker] = []
    order = _step_order(found)
    region, route_hops = _region(kg, found)
    for action in _actions(kg, interventions_only):
        nodes, hops = _effect(kg, action.target)
        if region.isdisjoint(nodes) and route_hops.isdisjoint(hops):
            continue  # acts on nothing the routes pass through or depend on
        cut = _cut_routes(kg, found, nodes, hops)
        if not cut:
            continue
        modes = {mode for mode, _ in cut.values()}
        mode = "direct" if "direct" in modes else "upstream"
        if mode == "direct":
            steps = [step for m, step in cut.values() if m == "direct"]
        else:
            steps = [step for _, step in cut.values()]
        step = min(steps, key=lambda s: order.get(s, 10**6))
        d = dict(action.data)
        blockers.append(Blocker(
            id=action.agent,
            label=g.nodes[action.agent]["label"],
            category=g.nodes[action.agent].get("category_label", ""),
            step=step,
            step_label=_step_label(kg, step),
            acts_on=action.target,
            acts_on_label=kg.label(action.target),
            mode=mode,
            action=d["predicate_label"],
            predicate=action.predicate,
            mechanism=d.get("quote"),
            phase=_phase(kg, action.agent),
            evidence=d.get("evidence"),
            references=list(d.get("references") or ()),
            cuts_all_routes=len(cut) == len(found),
            routes_cut=sorted(cut),
            surviving_routes=[i for i in range(len(found)) if i not in cut],
        ))
    blockers.sort(key=lambda b: (order.get(b.step, 10**6), b.mode != "direct", b.label.lower(), b.predicate))
    labels = {n: kg.label(n) for n in (src, dst)}
    return BlockReport(src, dst, found, blockers, max_length=max_length, labels=labels)


def _step_order(found: list[Route]) -> dict[str, float]:
    """Causal position of every route node and hop: its longest distance from the source over
    the union of the routes (so IgE comes after the IgE+ B cells that make it)."""
    import networkx as nx

    union = nx.DiGraph()
    for route in found:
        nx.add_path(union, route.nodes)
    order: dict[str, float] = {}
    if nx.is_directed_acyclic_graph(union):
        for node in nx.topological_sort(union):
            preds = list(union.predecessors(node))
            order[node] = max((order[p] + 1 for p in preds), default=0)
    else:
        for route in found:
            for i, node in enumerate(route.nodes):
                order[node] = min(order.get(node, i), i)
    for a, b in union.edges:
        order[f"{a}->{b}"] = order[a] + 0.5
    return order


# ------------------------------------------------------------------ knockout and cut sets

def _removal(kg: "KnowledgeGraph", interventions: Iterable[str], interventions_only: bool = True):
    """What applying the interventions together removes: nodes and hops."""

    def index() -> dict[str, list[_Action]]:
        by_agent: dict[str, list[_Action]] = {}
        for action in _actions(kg, interventions_only):
            by_agent.setdefault(action.agent, []).append(action)
        return by_agent

    by_agent = kg.derived(f"_actions_by_agent_{interventions_only}", index)
    nodes: set[str] = set()
    hops: set[tuple[str, str]] = set()
    for agent in set(interventions):
        for action in by_agent.get(agent, ()):
            n, h = _effect(kg, action.target)
            nodes |= n
            hops |= h
    return nodes, hops


def knockout(
    kg: "KnowledgeGraph",
    interventions: Iterable[str],
    source: str,
    target: str,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> KnockoutResult:
    """Apply interventions together and report which routes remain.

    Every negative action of the named agents counts, drugs or not (unlike :func:`blocks` and
    :func:`cutsets`, which consider interventions only): you asked for these agents.

    >>> import igegraph
    >>> ko = knockout(igegraph.load(), ["omalizumab"], "allergen", "mast cell degranulation")
    >>> ko.surviving
    []
    """
    src, dst = _node(kg, source), _node(kg, target)
    chosen = [_node(kg, term) for term in interventions]
    if not chosen:
        raise IgegraphError("name at least one intervention to knock out")
    found = routes(kg, src, dst, max_length)
    nodes, hops = _removal(kg, chosen, interventions_only=False)
    cut = _cut_routes(kg, found, nodes, hops)
    return KnockoutResult(
        src, dst, chosen, found,
        surviving=[i for i in range(len(found)) if i not in cut],
        cut={i: f"{mode} at {_step_label(kg, step)}" for i, (mode, step) in sorted(cut.items())},
    )


def cutsets(
    kg: "KnowledgeGraph", source: str, target: str, max_size: int = 2, max_length: int = DEFAULT_MAX_LENGTH,
) -> list[CutSet]:
    """Minimal sets of existing interventions that together cut every route, smallest first.

    Every set returned cuts all routes, and no proper subset of it does; all such sets up to
    ``max_size`` are returned.

    >>> import igegraph
    >>> [c.labels for c in cutsets(igegraph.load(), "IgE", "Th2 activation", max_size=1)][:2]
    [['CMAB007'], ['CTLA4Fcε']]
    """
    if max_size < 1:
        raise IgegraphError(f"max size must be at least 1, not {max_size}")
    src, dst = _node(kg, source), _node(kg, target)
    found = routes(kg, src, dst, max_length)
    if not found:
        return []
    candidates = sorted(_upstream_candidates(kg, found))
    work = sum(comb(len(candidates), k) for k in range(1, max_size + 1))
    if work > MAX_CUTSET_COMBINATIONS:
        raise IgegraphError(
            f"{len(candidates)} interventions act on these routes: sets of up to {max_size} are "
            f"{work:,} combinations; lower --max-size or --max-length"
        )
    effects = {c: _removal(kg, [c]) for c in candidates}
    alone = {c: set(_cut_routes(kg, found, *effects[c])) for c in candidates}
    everything = set(range(len(found)))
    minimal: list[tuple[str, ...]] = []
    for size in range(1, max_size + 1):
        for combo in combinations(candidates, size):
            if any(set(m) <= set(combo) for m in minimal):
                continue
            # removing more never reopens a route, so the union of what each cuts alone is a
            # lower bound; only sets that fall short need the joint (upstream) check
            if set().union(*(alone[c] for c in combo)) == everything or (
                size > 1 and len(_cut_routes(
                    kg, found,
                    set().union(*(effects[c][0] for c in combo)),
                    set().union(*(effects[c][1] for c in combo)),
                )) == len(found)
            ):
                minimal.append(combo)
    return [CutSet(list(c), [kg.label(x) for x in c]) for c in minimal]


def _region(kg: "KnowledgeGraph", found: list[Route]) -> tuple[set[str], set[tuple[str, str]]]:
    """Route nodes with everything they depend on, and the routes' hops: where an action can cut."""
    nodes: set[str] = set()
    hops: set[tuple[str, str]] = set()
    for route in found:
        hops |= route.hop_set
        for node in route.nodes:
            nodes.add(node)
            nodes |= _supply_of(kg, node).ancestors
    return nodes, hops


def _upstream_candidates(kg: "KnowledgeGraph", found: list[Route]) -> set[str]:
    """Interventions acting on a route or anywhere in its supply (they may cut in combination)."""
    region, route_hops = _region(kg, found)
    out = set()
    for action in _actions(kg):
        nodes, hops = _effect(kg, action.target)
        if not region.isdisjoint(nodes) or not route_hops.isdisjoint(hops):
            out.add(action.agent)
    return out


# ------------------------------------------------------------------ named pathways

def pathways(kg: "KnowledgeGraph") -> list[PathwayInfo]:
    """The named pathways in the data, sorted by name.

    >>> import igegraph
    >>> [p.name for p in pathways(igegraph.load())]
    ['allergic-cascade', 'cd23-th2', 'ige-fceri-degranulation', 'sensitization']
    """
    rows = kg.graph.query(
        """
        SELECT ?p ?name ?title ?src ?dst ?step ?index ?stepLabel ?entity ?n WHERE {
          ?p a ige:Pathway ; ige:pathwayName ?name ; ige:pathwaySource ?src ; ige:pathwayTarget ?dst .
          OPTIONAL { ?p rdfs:label ?title }
          OPTIONAL {
            ?p ige:hasStep ?step . ?step ige:stepIndex ?index .
            OPTIONAL { ?step rdfs:label ?stepLabel }
            OPTIONAL { ?step ige:stepEntity ?entity }
            OPTIONAL { ?step ige:reference/ige:referenceNumber ?n }
          }
        }""",
        initNs={"ige": IGE, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
    )
    found: dict[str, PathwayInfo] = {}
    steps: dict[str, dict[str, dict]] = {}
    for p, name, title, src, dst, step, index, step_label, entity, n in rows:
        pid = compact(p)
        info = found.setdefault(pid, PathwayInfo(pid, str(name), str(title or name), compact(src), compact(dst), []))
        if step is None:
            continue
        entry = steps.setdefault(pid, {}).setdefault(compact(step), {
            "index": int(index), "label": str(step_label or ""), "entities": [], "references": [],
        })
        if entity is not None and compact(entity) not in entry["entities"]:
            entry["entities"].append(compact(entity))
        if n is not None and int(n) not in entry["references"]:
            entry["references"].append(int(n))
    for pid, info in found.items():
        ordered = sorted(steps.get(pid, {}).values(), key=lambda s: s["index"])
        for entry in ordered:
            entry["entities"].sort()
            entry["references"].sort()
            entry["entity_labels"] = [kg.label(e) for e in entry["entities"]]
        info.steps = ordered
    return sorted(found.values(), key=lambda p: p.name)


def pathway(kg: "KnowledgeGraph", name: str) -> PathwayInfo:
    """One named pathway; an unknown name raises IgegraphError listing the known ones."""
    known = pathways(kg)
    for info in known:
        if name in (info.name, info.id, info.title):
            return info
    names = ", ".join(p.name for p in known) or "none"
    raise IgegraphError(f"unknown pathway '{name}'; known pathways: {names}")


def blocks_pathway(
    kg: "KnowledgeGraph", name: str, max_length: int = DEFAULT_MAX_LENGTH, interventions_only: bool = True,
) -> BlockReport:
    """:func:`blocks` between a named pathway's source and target.

    >>> import igegraph
    >>> rep = blocks_pathway(igegraph.load(), "ige-fceri-degranulation")
    >>> rep.name, rep.source, rep.target
    ('ige-fceri-degranulation', 'ig:allergen', 'ig:mast_cell_degranulation')
    """
    info = pathway(kg, name)
    report = blocks(kg, info.source, info.target, max_length, interventions_only)
    report.name = info.name
    report.title = info.title
    return report
