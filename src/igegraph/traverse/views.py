"""Views of the projection that every traversal reads, each built once per graph (``kg.derived``).

* the **activating** graph: causal relations of polarity +1; each edge lists its predicates;
* the **supply** graph: the activating relations that are a dependency (secretes, produces,
  differentiates into …): what an entity needs to exist or be active;
* **actions**: causal relations of polarity -1, with their strength (abolishes or weakens)
  and the cells they were seen in;
* **effects**: what an action on an entity, or removing the entity, takes out of the graph.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> effect_of(kg, "ig:free_IgE").nodes == {"ig:free_IgE", "ig:IgE"}
True
>>> sorted(effect_of(kg, "ig:IgE_FcERI_binding").hops)
[('ig:IgE', 'ig:FcERI')]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import IgegraphError, UnknownEntity
from ..project import closure
from ..vocab import IGE, compact

if TYPE_CHECKING:
    import networkx as nx

    from ..kg import KnowledgeGraph

__all__ = ["Effect", "Action", "activating", "supply", "actions", "actions_of", "effect_of", "action_effect", "reach",
           "is_intervention", "node", "phase", "ends", "scope", "supply_checked", "FETCH_ANSWERS",
           "FETCHED"]

Hop = tuple[str, str]
T = TypeVar("T")


@dataclass(frozen=True)
class Effect:
    """What a set of actions or removals takes out of the graph.

    ``nodes`` and ``hops`` go everywhere; a ``contextual`` item ``(element, cells)`` goes only
    on routes that pass the element (a node, or a hop) and then, there or later, one of
    ``cells``: FcεRI down-regulated on basophils leaves the mast-cell route alone.
    """

    nodes: frozenset[str] = frozenset()
    hops: frozenset[Hop] = frozenset()
    contextual: frozenset[tuple[str | Hop, frozenset[str]]] = frozenset()

    def __or__(self, other: "Effect") -> "Effect":
        return Effect(self.nodes | other.nodes, self.hops | other.hops, self.contextual | other.contextual)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.hops or self.contextual)

    def elements(self) -> set[str | Hop]:
        """Every node and hop the effect names, contextual ones included."""
        return set(self.nodes) | set(self.hops) | {e for e, _ in self.contextual}


@dataclass(frozen=True)
class Action:
    """One negative causal relation of an agent on an entity."""

    agent: str
    target: str
    predicate: str
    label: str
    abolishes: bool
    context: tuple[str, ...]
    quote: str | None
    evidence: str | None
    references: tuple[int, ...]
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def strength(self) -> str:
        return "cuts" if self.abolishes else "weakens"


def node(kg: "KnowledgeGraph", term: str) -> str:
    """The projection node a term names; UnknownEntity (with suggestions) if there is none."""
    found = kg.resolve(term)
    if found not in kg.projection:
        raise UnknownEntity(term)
    return found


def ends(kg: "KnowledgeGraph", source: str, target: str, max_length: int) -> tuple[str, str]:
    """Resolve a route's two ends and check the length limit."""
    if max_length < 1:
        raise IgegraphError(f"max length must be at least 1, not {max_length}")
    src, dst = node(kg, source), node(kg, target)
    if src == dst:
        raise IgegraphError(f"source and target are the same entity ({kg.label(src)})")
    return src, dst


def scope(kg: "KnowledgeGraph", source: str, target: str, max_length: int,
          items: Iterable[str] = (), every_action: bool = False) -> tuple["KnowledgeGraph", str, str, list[str]]:
    """The graph a route traversal runs on, its two ends (see :func:`ends`) and the entities
    ``items`` name (what knockout applies or removes), without repeats.

    That graph is ``kg`` itself or, when its backend asks for it (``kg.fetches_cones``), a small
    graph of the causal cone between the ends fetched from it (:mod:`igegraph.traverse.fetch`),
    with the actions of the items, and every action on the cone and its supply if asked (cut
    sets combine them; otherwise only actions that block a route alone come): the answers are
    the same. What each fetch cost is appended to ``kg.derived("traverse.fetch_stats", list)``
    (:class:`~igegraph.traverse.fetch.FetchStats`).

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> scope(kg, "allergen", "histamine", 8, ["Xolair", "omalizumab"])[1:]
    ('ig:allergen', 'ig:histamine', ['ig:omalizumab'])
    """
    if not kg.fetches_cones:
        src, dst = ends(kg, source, target, max_length)
        return kg, src, dst, list(dict.fromkeys(node(kg, term) for term in items))
    from .fetch import FetchStats, cone_graph, is_entity

    if max_length < 1:
        raise IgegraphError(f"max length must be at least 1, not {max_length}")
    # a CURIE or IRI (what a named pathway gives) needs no name index, so no projection
    src, dst = (is_entity(kg.select, term) or kg.resolve(term) for term in (source, target))
    chosen = list(dict.fromkeys(is_entity(kg.select, term) or kg.resolve(term) for term in items))

    def fetch() -> "KnowledgeGraph":
        stats = FetchStats()
        log: list = kg.derived("traverse.fetch_stats", list)
        log.append(stats)
        # the supply-dominator index stands in for the supply ancestry when nothing is knocked
        # out and no cut set combines actions (see igegraph.traverse.fetch); whether it still
        # matches the data is checked meanwhile, and by supply_checked when the answer is made
        index = None if chosen or every_action else kg.supply_index()
        return cone_graph(kg, [src], [dst], max_length, chosen, every_action, stats, index)

    small = kg.derived(f"{_CONES}{src}.{dst}.{max_length}.{sorted(chosen)}.{every_action}", fetch)
    return (small, *ends(small, src, dst, max_length), [node(small, item) for item in chosen])


_CONES = "traverse.cone."
#: Where a graph keeps the answers of its cone fetches' queries (dropped with the cones).
FETCH_ANSWERS = "traverse.fetch.answers"
#: Where a graph keeps the graphs its cone fetches made, by their triples, and (the key and
#: ``.kg``) a KnowledgeGraph of each: dropped with the cones.
FETCHED = "traverse.fetch.graphs"


def supply_checked(traversal: Callable[..., T]) -> Callable[..., T]:
    """A traversal whose answer depends on the supply, run on a cone that :func:`scope` may
    have fetched with the supply-dominator index: once the answer is made, the check that the
    index still matches the data (on an endpoint, a COUNT sent when the fetch began) is read;
    if it does not, the cones are fetched again without the index (their queries sent again,
    not answered from those kept) and the traversal runs again. The check thus overlaps the
    fetch and the traversal instead of delaying them."""

    @functools.wraps(traversal)
    def run(kg: "KnowledgeGraph", *args: Any, **kwargs: Any) -> T:
        answer = traversal(kg, *args, **kwargs)
        if kg.fetches_cones and not kg.supply_index_current():
            cache = kg.__dict__.get("_derived", {})
            for key in [k for k in cache if k.startswith((_CONES, FETCHED)) or k == FETCH_ANSWERS]:
                del cache[key]
            answer = traversal(kg, *args, **kwargs)
        return answer

    return run


def _views(kg: "KnowledgeGraph") -> tuple["nx.DiGraph", "nx.DiGraph"]:
    import networkx as nx

    def build():
        succ: dict[str, dict[str, dict]] = {}
        links: list[Hop] = []
        for s, o, key, d in kg.projection.edges(keys=True, data=True):
            if d["causal"] and d["polarity"] > 0:
                edge = succ.setdefault(s, {}).setdefault(o, {"predicates": []})
                edge["predicates"].append({
                    "predicate": key, "label": d["predicate_label"], "references": d["references"],
                    "dependency": d.get("dependency", False), "evidence_rank": d.get("evidence_rank"),
                    "condition": d.get("condition"), "cell_context": d.get("cell_context") or [],
                })
                if d.get("dependency", False):
                    links.append((s, o))
        for targets in succ.values():
            for edge in targets.values():
                edge["predicates"].sort(key=lambda p: p["predicate"])
        supply_graph = nx.DiGraph()
        supply_graph.add_edges_from(links)
        return nx.DiGraph(succ), supply_graph

    return kg.derived("traverse.views", build)


def activating(kg: "KnowledgeGraph") -> "nx.DiGraph":
    """Entities linked by activating causal relations; each edge lists its ``predicates``."""
    return _views(kg)[0]


def supply(kg: "KnowledgeGraph") -> "nx.DiGraph":
    """The dependency graph: edges along which an entity is made, activated or given rise to."""
    return _views(kg)[1]


def _drug_classes(kg: "KnowledgeGraph") -> set[str]:
    from ..project import subclasses

    return kg.derived("traverse.drug_classes", lambda: subclasses(kg, "ige:Drug"))


def is_intervention(kg: "KnowledgeGraph", entity: str) -> bool:
    """True for drugs, procedures, devices and cell therapies (ige:Drug and below)."""
    return kg.projection.nodes.get(entity, {}).get("category") in _drug_classes(kg)


def phase(kg: "KnowledgeGraph", entity: str) -> str | None:
    """The development phase label of an intervention (all phases read in one pass: a
    look-up per agent costs more where thousands of agents act on a route)."""
    found = kg.links("ige:developmentPhase").get(entity)
    return kg.label(found[0]) if found else None


def actions(kg: "KnowledgeGraph", interventions_only: bool = True) -> list[Action]:
    """Every negative causal relation, optionally only those of interventions."""

    def build() -> list[Action]:
        out = []
        for s, o, key, d in kg.projection.edges(keys=True, data=True):
            if not (d["causal"] and d["polarity"] < 0):
                continue
            if interventions_only and not is_intervention(kg, s):
                continue
            out.append(Action(
                agent=s, target=o, predicate=key, label=d["predicate_label"], abolishes=bool(d.get("abolishes")),
                context=tuple(d.get("cell_context") or ()), quote=d.get("quote"), evidence=d.get("evidence"),
                references=tuple(d.get("references") or ()),
                extra={k: d.get(k) for k in ("species_context", "experimental_context", "object_aspect")},
            ))
        return sorted(out, key=lambda a: (a.agent, a.predicate, a.target))

    return kg.derived(f"traverse.actions.{interventions_only}", build)


def actions_of(kg: "KnowledgeGraph", agent: str) -> list[Action]:
    """The negative actions of one agent (intervention or not)."""
    index = kg.derived("traverse.actions_by_agent", lambda: _group(actions(kg, interventions_only=False)))
    return index.get(agent, [])


def _group(found: Iterable[Action]) -> dict[str, list[Action]]:
    out: dict[str, list[Action]] = {}
    for action in found:
        out.setdefault(action.agent, []).append(action)
    return out


def effect_of(kg: "KnowledgeGraph", entity: str) -> Effect:
    """What acting on ``entity`` (or removing it) takes out: an interaction's hop; or the entity,
    every molecule it is a form of (neutralizing free IgE takes IgE off the routes) and every
    narrower type of it (``ige:subtypeOf``: killing IgE+ B cells kills the plasmablasts and
    plasma cells the review counts among them)."""
    cache = kg.derived("traverse.effects", dict)
    if entity not in cache:
        if kg.projection.nodes.get(entity, {}).get("category") == "ige:Interaction":
            iri = kg.iri(entity)
            subj = [compact(o) for o in kg.graph.objects(iri, IGE.interactionSubject)]
            obj = [compact(o) for o in kg.graph.objects(iri, IGE.interactionObject)]
            cache[entity] = Effect(hops=frozenset((s, o) for s in subj for o in obj))
        else:
            # form parents are read from RDF: store projections keep only causal edges
            molecules = closure(kg.links("ige:formOf"), [entity])
            cache[entity] = Effect(nodes=frozenset(closure(kg.links("ige:subtypeOf", inverse=True), molecules)))
    return cache[entity]


def reach(kg: "KnowledgeGraph", entity: str) -> frozenset[str]:
    """The entities an action on ``entity`` (a relation of polarity -1) acts on, by the rule of
    :func:`effect_of`: the entity, the molecules it is a form of and their narrower types, and
    for an interaction the object of its hop (blocking IgE–FcεRI binding acts on what FcεRI
    passes on). upstream and downstream follow actions through these, as blocks and knockout
    cut by them; activating relations, like routes, reach their object alone.

    >>> import igegraph
    >>> sorted(reach(igegraph.load(), "ig:IgE_FcERI_binding"))
    ['ig:FcERI', 'ig:IgE_FcERI_binding']
    >>> sorted(reach(igegraph.load(), "ig:free_IgE"))
    ['ig:IgE', 'ig:free_IgE']
    """
    effect = effect_of(kg, entity)
    return frozenset({entity} | effect.nodes | {b for _a, b in effect.hops})


def action_effect(kg: "KnowledgeGraph", action: Action) -> Effect:
    """The effect of one action, restricted to its cells when the review names them."""
    base = effect_of(kg, action.target)
    if not action.context:
        return base
    cells = _with_subtypes(kg, action.context)
    return Effect(contextual=frozenset((e, cells) for e in base.elements()))


def _with_subtypes(kg: "KnowledgeGraph", cells: Iterable[str]) -> frozenset[str]:
    """The cells and every cell type declared a subtype of them (a context of 'effector cells'
    covers mast cells)."""
    return frozenset(closure(kg.links("ige:subtypeOf", inverse=True), cells))
