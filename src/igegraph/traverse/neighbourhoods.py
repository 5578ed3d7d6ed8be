"""Neighbourhoods: what is around an entity, and what acts on it or what it acts on, transitively.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> [r["label"] for r in neighbors(kg, "IgE+ B cell", direction="down", predicates=["secretes"])]
['IgE']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import IgegraphError
from ..project import closure
from .views import effect_of, is_intervention, reach
from .views import node as entity_node

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

__all__ = ["neighbors", "upstream", "downstream"]

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
        "intervention": is_intervention(kg, node),
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
        Only these predicates (labels such as "secretes" or ids such as "ige:secretes") and the
        relations below them ("produces" also follows "secretes" and "releases").

    Returns
    -------
    list of dict
        id, label, category, distance, via (the relation that reached it), predicate, polarity,
        references, intervention (a drug, procedure, device or cell therapy); nearest first.

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
    start = entity_node(kg, term)
    g = kg.projection
    wanted = _with_subproperties(kg, _predicate_ids(kg, predicates))
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


def _predicate_ids(kg: "KnowledgeGraph", predicates: Iterable[str], causal: bool = False) -> set[str]:
    """The ids of named predicates; an unknown name is refused with the closest known ones or,
    with none close, every known one (only the causal ones when ``causal``)."""
    from ..project import relation_properties
    from ..resolve import normalize

    props = relation_properties(kg)
    offered = sorted((p["label"] for p in props.values() if p["causal"] or not causal), key=str.lower)
    by_name = {normalize(p["label"]): pid for pid, p in props.items()}
    by_name.update({normalize(pid.split(":", 1)[-1]): pid for pid in props})
    out = set()
    for name in predicates:
        pid = name if name in props else by_name.get(normalize(name.split(":", 1)[-1]))
        if pid is None:
            import difflib

            close = difflib.get_close_matches(name, offered, n=3)
            hint = f"; did you mean: {', '.join(close)}?" if close else f"; known: {', '.join(offered)}"
            raise IgegraphError(f"unknown predicate '{name}'{hint}")
        out.add(pid)
    return out


def _with_subproperties(kg: "KnowledgeGraph", pids: set[str]) -> set[str]:
    """The predicates and the relations declared below them (rdfs:subPropertyOf): a broader
    one such as 'acts against' or 'depletes' labels no edge of its own."""
    return closure(kg.links("rdfs:subPropertyOf", inverse=True), pids) if pids else pids


def _influences(kg: "KnowledgeGraph") -> tuple[dict[str, list], dict[str, list]]:
    """The causal relations by the entity each acts on, built once per graph: forward, from
    the subject to each entity the relation reaches, and backward, from each such entity to the
    subject. An action reaches what :func:`~igegraph.traverse.views.reach` says (neutralizing
    free IgE acts on IgE), an activating relation its object. Each item is ``(other end,
    subject, object, predicate, edge data)``."""

    def build() -> tuple[dict[str, list], dict[str, list]]:
        forward: dict[str, list] = {}
        backward: dict[str, list] = {}
        g = kg.projection
        for s, o, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
            if not d["causal"]:
                continue
            for n in sorted(reach(kg, o) if d["polarity"] < 0 else {o}):
                forward.setdefault(s, []).append((n, s, o, key, d))
                backward.setdefault(n, []).append((s, s, o, key, d))
        return forward, backward

    return kg.derived("traverse.influences", build)


def _through(kg: "KnowledgeGraph", o: str, n: str) -> str:
    """Why a relation to ``o`` acts on ``n`` (empty when they are the same)."""
    if n == o:
        return ""
    if n in closure(kg.links("ige:formOf"), [o]):
        return f" ({kg.label(o)} is a form of {kg.label(n)})"
    hops = effect_of(kg, o).hops
    if hops:
        return " (" + ", ".join(f"{kg.label(a)} → {kg.label(b)}" for a, b in sorted(hops) if b == n) + ")"
    return f" ({kg.label(n)} is a kind of {kg.label(o)})"


#: The effect column's words for the net polarity of the routes between two entities.
EFFECTS = {1: "increases", -1: "decreases", 0: "mixed"}


def _causal_closure(kg: "KnowledgeGraph", term: str, reverse: bool, max_depth: int | None,
                    predicates: Iterable[str]) -> list[dict]:
    """Breadth first over (entity, net sign) states: an entity is listed at the depth it is
    first reached, and its ``effect`` is the product of the polarities along each walk to it,
    ``mixed`` when walks of both signs reach it (each sign confirmed on a simple path, so a
    negative feedback loop alone never makes an effect mixed)."""
    start = entity_node(kg, term)
    wanted = _causal_predicates(kg, predicates)
    steps = _influences(kg)[1 if reverse else 0]
    rows: dict[str, dict] = {}
    signs: dict[str, set[int]] = {}
    seen = {(start, 1)}
    frontier = [(start, 1)]
    depth = 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        nxt = []
        for node, sign in frontier:
            for other, s, o, key, d in steps.get(node, ()):
                if other == start or (wanted and key not in wanted):
                    continue
                state = (other, sign * d["polarity"])
                if state in seen:
                    continue
                seen.add(state)
                nxt.append(state)
                signs.setdefault(other, set()).add(state[1])
                if other not in rows:
                    row = _relation_row(kg, other, depth, s, o, key, d)
                    row["via"] += _through(kg, o, node if reverse else other)
                    rows[other] = row
        frontier = nxt
    limit = max_depth if max_depth is not None else len(kg.projection)
    for node, found in signs.items():
        if len(found) > 1:
            found &= {sign for sign in found if _signed_route(steps, start, node, sign, limit, wanted)}
        rows[node]["effect"] = EFFECTS[found.pop() if len(found) == 1 else 0]
    return sorted(rows.values(), key=lambda r: (r["distance"], r["label"].lower()))


def _signed_route(steps: dict[str, list], start: str, end: str, sign: int, limit: int, wanted: set[str]) -> bool:
    """Whether a simple path of at most ``limit`` relations with net ``sign`` leads from
    ``start`` to ``end`` (depth first; asked only where walks of both signs reach ``end``)."""
    path = {start}

    def search(node: str, current: int, left: int) -> bool:
        if node == end:
            return current == sign
        if not left:
            return False
        for other, _s, _o, key, d in steps.get(node, ()):
            if other in path or (wanted and key not in wanted):
                continue
            path.add(other)
            found = search(other, current * d["polarity"], left - 1)
            path.discard(other)
            if found:
                return True
        return False

    return search(start, 1, limit)


def _causal_predicates(kg: "KnowledgeGraph", predicates: Iterable[str]) -> set[str]:
    """The ids of the named predicates; one that is not causal cannot be followed up or downstream."""
    from ..project import relation_properties

    wanted = _predicate_ids(kg, predicates, causal=True)
    props = relation_properties(kg)
    for pid in sorted(wanted):
        if not props[pid]["causal"]:
            raise IgegraphError(f"'{props[pid]['label']}' is not a causal relation, so upstream and downstream "
                                f"do not follow it; use neighbors --predicate '{props[pid]['label']}'")
    return _with_subproperties(kg, wanted)


def upstream(kg: "KnowledgeGraph", term: str, max_depth: int | None = None,
             predicates: Iterable[str] = ()) -> list[dict]:
    """Everything that acts on a term through causal relations, transitively (nearest first).

    ``predicates`` (labels or ids, causal ones) follows only those relations; each row says
    whether it is an ``intervention`` (an agent such as a drug) or a cause in the biology.

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> "ig:omalizumab" in {r["id"] for r in upstream(kg, "IgE", max_depth=1)}  # it neutralizes free IgE
    True
    >>> sorted(r["label"] for r in upstream(kg, "IgE+ B cell", predicates=["kills", "induces apoptosis of"]))
    ['bsc-IgE/CD3', 'quilizumab']
    """
    return _causal_closure(kg, term, reverse=True, max_depth=max_depth, predicates=predicates)


def downstream(kg: "KnowledgeGraph", term: str, max_depth: int | None = None,
               predicates: Iterable[str] = ()) -> list[dict]:
    """Everything a term acts on through causal relations, transitively (nearest first).

    ``predicates`` (labels or ids, causal ones) follows only those relations.

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> "ig:bronchoconstriction" in {r["id"] for r in downstream(kg, "histamine")}
    True
    >>> [r["label"] for r in downstream(kg, "histamine", predicates=["feature of"])]
    []
    """
    return _causal_closure(kg, term, reverse=False, max_depth=max_depth, predicates=predicates)
