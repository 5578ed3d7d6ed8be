"""Knockout and minimal cut sets, decided on the graph.

* **knockout** removes entities (a gene, receptor, cell, mediator, process or interaction)
  and applies interventions (their actions), together, and reports which routes remain.
* **cutsets** lists the minimal sets of interventions — or, with ``entities=True``, of any
  entities, as CellNetAnalyzer's minimal cut sets — that together cut every route. It never
  lists routes: a bounded search takes a surviving route and branches on what could cut it,
  so every minimal set up to ``max_size`` is found (each branch adds a member of any cut set
  that still misses that route) and each is checked by reachability.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> knockout(kg, ["FcεRI"], "allergen", "mast cell degranulation").routes_after.n
0
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING

from ..errors import IgegraphError
from .blocks import route_cuts
from .cone import Cone
from .results import CutSet, KnockoutResult
from .routes import DEFAULT_MAX_LENGTH, DEFAULT_ROUTES, ranked
from .views import Effect, action_effect, actions, actions_of, effect_of, is_intervention, scope

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

__all__ = ["knockout", "cutsets", "MAX_CUTSET_CHECKS"]

#: Reachability checks a cut-set search may make before it asks for a smaller --max-size.
MAX_CUTSET_CHECKS = 50_000


def _item_effects(kg: "KnowledgeGraph", item: str) -> tuple[Effect, Effect, str]:
    """(abolishing effect, weakening effect, "applied" or "removed") of one named item."""
    if is_intervention(kg, item):
        cut, weak = Effect(), Effect()
        for action in actions_of(kg, item):
            if action.abolishes:
                cut = cut | action_effect(kg, action)
            else:
                weak = weak | action_effect(kg, action)
        return cut, weak, "applied"
    return effect_of(kg, item), Effect(), "removed"


def knockout(
    kg: "KnowledgeGraph",
    items: Iterable[str],
    source: str,
    target: str,
    max_length: int = DEFAULT_MAX_LENGTH,
    routes: int = DEFAULT_ROUTES,
) -> KnockoutResult:
    """Remove entities and apply interventions together; report which routes remain.

    An intervention (ige:Drug and below) is applied: its abolishing actions cut, the others
    weaken. Anything else is removed from the graph, with the molecules it is a form of.
    Naming only things that no route passes or depends on is an error, not a silent
    "all routes remain".

    >>> import igegraph
    >>> ko = knockout(igegraph.load(), ["omalizumab"], "allergen", "mast cell degranulation")
    >>> ko.surviving, ko.applied
    ([], ['ig:omalizumab'])
    """
    kg, src, dst, chosen = scope(kg, source, target, max_length, items)
    if not chosen:
        raise IgegraphError("name at least one entity or intervention to knock out")
    cone = Cone.of(kg, src, dst, max_length)
    shown = ranked(kg, cone, routes)
    before = cone.count()
    cut, weak = Effect(), Effect()
    removed: list[str] = []
    applied: list[str] = []
    notes: list[str] = []
    by_item: dict[str, tuple[Effect, Effect]] = {}
    for item in chosen:
        item_cut, item_weak, how = _item_effects(kg, item)
        (applied if how == "applied" else removed).append(item)
        by_item[item] = (item_cut, item_weak)
        if how == "applied" and not (item_cut or item_weak):
            notes.append(f"{kg.label(item)} has no action on any entity in the graph")
        elif not (cone.touches(item_cut) or cone.touches(item_weak)):
            notes.append(f"{kg.label(item)} lies on no route from {kg.label(src)} to {kg.label(dst)} "
                         f"and nothing on them depends on it")
        cut, weak = cut | item_cut, weak | item_weak
    if before.n and len(notes) == len(chosen):
        raise IgegraphError("; ".join(notes) + ": nothing to knock out")
    dead = cone.dead(cut.nodes)
    after = cone.count(cut, dead, protect_target=False)
    cuts = route_cuts(kg, cone, shown, cut, dead, "cuts", protect_target=False)
    cut_routes = {c.route for c in cuts}
    weakened = [c for c in route_cuts(kg, cone, shown, weak, cone.dead(weak.nodes), "weakens", protect_target=False)
                if c.route not in cut_routes]

    def by(c, index: int) -> list[str]:
        """The items that hit this route at this step alone; else those that hit it elsewhere
        alone; else, when only together, each one the cut needs."""
        route = shown[c.route].nodes

        def hit(effect: Effect) -> tuple[str, str] | None:
            return cone.classify(route, effect, cone.dead(effect.nodes), False)

        alone = {item: hit(effects[index]) for item, effects in by_item.items()}
        here = [item for item, found in alone.items() if found and found[1] == c.at]
        anywhere = [item for item, found in alone.items() if found]
        return here or anywhere or [
            item for item in by_item if not hit(_union(e[index] for i, e in by_item.items() if i != item))]

    labels = {n: kg.label(n) for n in (src, dst, *chosen)}
    return KnockoutResult(
        src, dst, removed, applied, shown, before, after,
        surviving=[i for i in range(len(shown)) if i not in cut_routes],
        cut=[dict(c.to_dict(), by=by(c, 0)) for c in cuts],
        weakened=[dict(c.to_dict(), by=by(c, 1)) for c in weakened],
        notes=notes, labels=labels,
    )


def _union(effects: Iterable[Effect]) -> Effect:
    out = Effect()
    for effect in effects:
        out = out | effect
    return out


def cutsets(
    kg: "KnowledgeGraph", source: str, target: str, max_size: int = 2, max_length: int = DEFAULT_MAX_LENGTH,
    entities: bool = False,
) -> list[CutSet]:
    """Minimal sets of interventions (or, with ``entities``, of any entities) that together cut
    every route, smallest first.

    Every set returned cuts all routes, no proper subset of it does, and every such set up to
    ``max_size`` is returned. Only abolishing actions count; an action on the target itself
    does not (it blocks no route to it). With ``entities`` the candidates are the route nodes
    between the two ends, the interactions on them, and what they depend on.

    >>> import igegraph
    >>> [c.labels for c in cutsets(igegraph.load(), "IgE", "Th2 activation", max_size=1)][:2]
    [['bsc-IgE/CD3'], ['CMAB007']]
    """
    if max_size < 1:
        raise IgegraphError(f"max size must be at least 1, not {max_size}")
    kg, src, dst, _ = scope(kg, source, target, max_length, every_action=True)
    cone = Cone.of(kg, src, dst, max_length)
    if cone.count().n == 0:
        return []
    effects = _entity_effects(kg, cone, src, dst) if entities else _intervention_effects(kg, cone)
    found: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()
    checks = 0

    def search(chosen: frozenset[str], effect: Effect) -> None:
        nonlocal checks
        if chosen in seen or any(f <= chosen for f in found):
            return
        seen.add(chosen)
        checks += 1
        if checks > MAX_CUTSET_CHECKS:
            raise IgegraphError(f"cut sets of up to {max_size} take more than {MAX_CUTSET_CHECKS:,} checks here; "
                                f"lower --max-size or --max-length")
        left = cone.survives(effect, cone.dead(effect.nodes))
        if left is None:
            found.append(chosen)
            return
        if len(chosen) == max_size:
            return
        for candidate in _could_cut(cone, left, effects):
            if candidate not in chosen:
                search(chosen | {candidate}, effect | effects[candidate])

    search(frozenset(), Effect())
    minimal = [f for f in found if not any(g < f for g in found)]
    out = [CutSet(sorted(m, key=lambda x: kg.label(x).lower()), []) for m in set(minimal)]
    for c in out:
        c.labels = [kg.label(x) for x in c.members]
    return sorted(out, key=lambda c: (len(c.members), [label.lower() for label in c.labels]))


def _intervention_effects(kg: "KnowledgeGraph", cone: Cone) -> dict[str, Effect]:
    """Each intervention's abolishing actions together, for those that touch the cone."""
    out: dict[str, Effect] = {}
    for action in actions(kg):
        if action.abolishes:
            effect = action_effect(kg, action)
            if cone.touches(effect):
                out[action.agent] = out.get(action.agent, Effect()) | effect
    return out


def _entity_effects(kg: "KnowledgeGraph", cone: Cone, src: str, dst: str) -> dict[str, Effect]:
    """Route nodes between the ends, what they depend on, and the interactions on their hops,
    each removed as knockout removes it (with its narrower types and what it is a form of)."""
    out = {n: effect_of(kg, n) for n in (cone.nodes | cone.supply_ancestors) - {src, dst}}
    for n, d in kg.projection.nodes(data=True):
        if d.get("category") == "ige:Interaction":
            effect = effect_of(kg, n)
            if effect.hops & cone.edges:
                out[n] = effect
    return out


def _could_cut(cone: Cone, route: list[str], effects: dict[str, Effect]) -> list[str]:
    """Candidates whose effect touches the surviving route, its hops or what its nodes depend on:
    every cut set that misses this route must add one of them."""
    from .views import supply

    graph = supply(cone.kg)
    nodes = set(route) - {cone.target}
    hops = set(pairwise(route))
    upstream: set[str] = set()
    todo = [n for n in nodes if n in graph]  # not the target's own supply: starving it blocks no route
    while todo:
        for parent in graph.predecessors(todo.pop()):
            if parent not in upstream:
                upstream.add(parent)
                todo.append(parent)
    out = []
    for name, effect in sorted(effects.items()):
        if (effect.nodes & (nodes | upstream) or effect.hops & hops
                or any((e in hops) if isinstance(e, tuple) else (e in nodes) for e, _ in effect.contextual)):
            out.append(name)
    return out
