"""What blocks a pathway: every intervention action that cuts or weakens a route, and where.

Semantics
---------
* An **action** is a causal relation of polarity -1 from an agent to an entity. Acting on a
  form of a molecule (``ige:formOf``, e.g. free IgE) acts on the molecule; acting on an
  ``ige:Interaction`` (IgE–FcεRI binding) takes out that hop; an action whose assertion names
  cells (``ige:cellContext``) acts only on routes that pass its object and then one of those cells.
* **Strength**: abolishing actions (neutralize, sequester, block binding, antagonize, deplete,
  remove, kill; ``ige:abolishes true``) **cut** a route; the others (inhibit, down-regulate,
  reduce) only **weaken** it.
* **Per route**: a route is hit *directly* when the action acts on one of its nodes or hops,
  and *upstream* when it starves a route node of its supply (the cells that make it). Each
  route reports its own mode and step.
* **End point**: an action on the target itself (or a form of it) blocks no route to it; such
  agents are listed apart, in ``acts_on_target``.
* ``cuts_all_routes`` is decided on the graph (is any route left?), over every route within the
  length limit, however many there are; ``share`` is the fraction of routes hit.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> report = blocks(kg, "allergen", "mast cell degranulation")
>>> "ig:omalizumab" in {b.id for b in report.blockers}
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..bulk import gc_paused
from .cone import Cone
from .named import pathway
from .results import Blocker, BlockReport, Cut, TargetAgent
from .routes import DEFAULT_MAX_LENGTH, DEFAULT_ROUTES, no_route_reason, ranked
from .views import Action, Effect, action_effect, actions, phase, scope, supply_checked

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

__all__ = ["blocks", "blocks_pathway", "step_label", "route_cuts"]


def step_label(kg: "KnowledgeGraph", step: str) -> str:
    """The label of a route node, or ``a → b`` for a hop written ``a->b``."""
    if "->" in step:
        a, b = step.split("->", 1)
        return f"{kg.label(a)} → {kg.label(b)}"
    return kg.label(step)


def route_cuts(kg: "KnowledgeGraph", cone: Cone, shown: list, effect: Effect, dead: frozenset[str],
               strength: str, protect_target: bool = True) -> list[Cut]:
    """One :class:`Cut` per shown route that the effect hits."""
    out = []
    for i, route in enumerate(shown):
        hit = cone.classify(route.nodes, effect, dead, protect_target)
        if hit:
            out.append(Cut(i, hit[0], hit[1], step_label(kg, hit[1]), strength))
    return out


@supply_checked
@gc_paused
def blocks(
    kg: "KnowledgeGraph",
    source: str,
    target: str,
    max_length: int = DEFAULT_MAX_LENGTH,
    interventions_only: bool = True,
    routes: int = DEFAULT_ROUTES,
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
    routes : int
        How many routes to show with per-route detail; the answers cover every route.

    Returns
    -------
    BlockReport
        ``routes`` (the first ones), ``count`` (of all), ``blockers`` (one per action that cuts
        or weakens a route, by the position of its step), ``acts_on_target``, ``interventions``
        (per agent, all its actions together) and ``must_pass`` (nodes on every route).

    Examples
    --------
    >>> import igegraph
    >>> rep = blocks(igegraph.load(), "allergen", "mast cell degranulation")
    >>> sorted({b.label for b in rep.blockers if b.step == "ig:mast_cell"})
    ['anti-FcεRI Fab-conjugated celastrol-loaded polymeric micelles']
    """
    kg, src, dst, _ = scope(kg, source, target, max_length)
    cone = Cone.of(kg, src, dst, max_length)
    shown = ranked(kg, cone, routes)
    count = cone.count()
    labels = {src: kg.label(src), dst: kg.label(dst)}
    if count.n == 0:
        return BlockReport(src, dst, [], count, [], [], {}, [], max_length=max_length, labels=labels,
                           no_route=no_route_reason(kg, src, dst, max_length))
    order = cone.step_order()
    blockers: list[Blocker] = []
    at_target: list[TargetAgent] = []
    combined: dict[str, Effect] = {}
    # many agents act alike (all the anti-IgE antibodies on free IgE): what an effect does to
    # the routes is worked out once per effect and strength
    outcomes: dict[tuple[Effect, bool], tuple | None] = {}
    for action in actions(kg, interventions_only):
        effect = action_effect(kg, action)
        key = (effect, action.abolishes)
        if key not in outcomes:
            outcomes[key] = _outcome(kg, cone, shown, count.n, effect, action.strength, action.abolishes)
        outcome = outcomes[key]
        if outcome is None:
            continue
        cuts, left, cuts_all, mode = outcome
        if not cuts and left.n == count.n:
            if mode:
                at_target.append(_target_agent(kg, action, mode))
            continue
        blockers.append(_blocker(kg, action, effect, cuts, order, cuts_all, shown, count.n, left, cone))
        if action.abolishes:
            combined[action.agent] = combined.get(action.agent, Effect()) | effect
    blockers.sort(key=lambda b: (order.get(b.step, 10**6), b.mode != "direct", b.strength != "cuts",
                                 b.label.lower(), b.predicate))
    summary = _interventions(kg, cone, blockers, combined)
    must = cone.must_pass()
    labels.update({n: kg.label(n) for n in must})
    return BlockReport(src, dst, shown, count, blockers, at_target, summary, must, max_length=max_length,
                       labels=labels)


def _outcome(kg, cone: Cone, shown: list, total: int, effect: Effect, strength: str,
             abolishes: bool) -> tuple | None:
    """What one effect does to the routes: None when it touches none of the cone; else its
    cuts of the shown routes, the routes left, whether it cuts every route, and how it hits the
    target when it leaves every route standing."""
    if not cone.touches(effect):
        return None
    dead = cone.dead(effect.nodes)
    cuts = route_cuts(kg, cone, shown, effect, dead, strength)
    left = cone.count(effect, dead)
    if not cuts and left.n == total:
        return cuts, left, False, cone.target_hit(effect, dead)
    return cuts, left, abolishes and cone.survives(effect, dead) is None, None


def _blocker(kg, action: Action, effect: Effect, cuts: list[Cut], order: dict, cuts_all: bool,
             shown: list, total: int, left, cone: Cone) -> Blocker:
    g = kg.projection
    direct = [c.at for c in cuts if c.mode == "direct"]
    candidates = direct or [c.at for c in cuts] or [
        f"{e[0]}->{e[1]}" if isinstance(e, tuple) else e for e in effect.elements()
        if (e in cone.edges if isinstance(e, tuple) else e in cone.nodes)] or [action.target]
    step = min(candidates, key=lambda s: (order.get(s, 10**6), s))
    modes = sorted({c.mode for c in cuts})
    mode = "+".join(modes) if modes else ("direct" if step in order else "upstream")
    hit = {c.route for c in cuts}
    return Blocker(
        id=action.agent,
        label=g.nodes[action.agent]["label"],
        category=g.nodes[action.agent].get("category_label", ""),
        step=step,
        step_label=step_label(kg, step),
        acts_on=action.target,
        acts_on_label=kg.label(action.target),
        mode=mode,
        action=action.label,
        predicate=action.predicate,
        strength=action.strength,
        context=[kg.label(c) for c in action.context],
        mechanism=action.quote,
        phase=phase(kg, action.agent),
        evidence=action.evidence,
        references=list(action.references),
        cuts_all_routes=cuts_all,
        routes_cut=sorted(hit),
        surviving_routes=[i for i in range(len(shown)) if i not in hit],
        cuts=list(cuts),
        share=round((total - left.n) / total, 4) if total else 0.0,
        share_exact=left.exact,
    )


def _target_agent(kg, action: Action, mode: str) -> TargetAgent:
    g = kg.projection
    return TargetAgent(
        id=action.agent, label=g.nodes[action.agent]["label"], category=g.nodes[action.agent].get("category_label", ""),
        acts_on=action.target, acts_on_label=kg.label(action.target), action=action.label,
        predicate=action.predicate, strength=action.strength, mode=mode, mechanism=action.quote,
        phase=phase(kg, action.agent), evidence=action.evidence, references=list(action.references),
    )


def _interventions(kg, cone: Cone, blockers: list[Blocker], combined: dict[str, Effect]) -> dict[str, dict]:
    """Per agent: label, steps, strength, and whether its abolishing actions together cut every route."""
    out: dict[str, dict] = {}
    for b in blockers:
        entry = out.setdefault(b.id, {"label": b.label, "steps": [], "routes_cut": set(), "strength": "weakens"})
        if b.step_label not in entry["steps"]:
            entry["steps"].append(b.step_label)
        if b.strength == "cuts":
            entry["strength"] = "cuts"
            entry["routes_cut"].update(b.routes_cut)
    cut_all: dict[Effect, bool] = {}
    for agent, entry in out.items():
        effect = combined.get(agent, Effect())
        if effect not in cut_all:
            cut_all[effect] = bool(effect) and cone.survives(effect, cone.dead(effect.nodes)) is None
        entry["cuts_all_routes"] = cut_all[effect]
        entry["routes_cut"] = sorted(entry["routes_cut"])
    return out


def blocks_pathway(
    kg: "KnowledgeGraph", name: str, max_length: int = DEFAULT_MAX_LENGTH, interventions_only: bool = True,
    routes: int = DEFAULT_ROUTES,
) -> BlockReport:
    """:func:`blocks` between a named pathway's source and target.

    >>> import igegraph
    >>> rep = blocks_pathway(igegraph.load(), "ige-fceri-degranulation")
    >>> rep.name, rep.source, rep.target
    ('ige-fceri-degranulation', 'ig:allergen', 'ig:mast_cell_degranulation')
    """
    info = pathway(kg, name)
    report = blocks(kg, info.source, info.target, max_length, interventions_only, routes)
    report.name = info.name
    report.title = info.title
    return report
