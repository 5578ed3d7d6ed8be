"""The causal cone between a source and a target, and the graph algorithms that decide cuts.

Everything "what blocks" needs is decided here on the graph, never on a list of routes, so the
cost follows the size of the cone, not the number of routes (which can be astronomically large):

* the **cone** is the part of the activating graph on some walk of at most ``max_length`` hops
  from source to target (nodes with ``d(source, v) + d(v, target) <= max_length``). Every route
  lies in it;
* **survives** — is there a route left once an :class:`Effect` and the nodes it starves
  upstream are gone? A breadth-first search over (node, armed contexts) states, layer by layer
  up to ``max_length``: a shortest surviving walk is a simple path, so this is exact for the
  length limit;
* **count** — how many routes, by dynamic programming over the cone when it is acyclic (exact),
  else by enumeration up to a limit (exact when it finishes, a lower bound when not);
* **dead** — what an effect starves upstream: the nodes that can no longer be reached from
  any root of the supply graph (secretes, produces, differentiates into …);
* **must pass** — the nodes every route passes (candidates from shortest-path counting,
  each confirmed by a reachability check).

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> cone = Cone(kg, "ig:allergen", "ig:mast_cell_degranulation", 8)
>>> cone.count().n
3
>>> from igegraph.traverse.views import effect_of
>>> cone.survives(effect_of(kg, "ig:FcERI"), frozenset()) is None
True
"""

from __future__ import annotations

from collections import deque
from functools import cached_property
from itertools import pairwise
from operator import add
from typing import TYPE_CHECKING, TypeVar

from ..recent import Recent
from .results import RouteCount
from .views import Effect, Hop, activating, supply

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterable, Mapping

    from ..kg import KnowledgeGraph
    from .supplyindex import SupplyFacts

T = TypeVar("T")

__all__ = ["Cone", "ENUMERATION_LIMIT", "RANKING_BUDGET", "KEPT_CONES"]

#: Routes listed at most when counting a cone with cycles (where dynamic programming over-counts).
ENUMERATION_LIMIT = 20_000
#: Routes looked at, shortest first, to pick the ones shown.
RANKING_BUDGET = 2_000
#: Cones a graph keeps for the traversals asked next (:meth:`Cone.of`).
KEPT_CONES = 32

_Context = tuple[dict, dict, dict]  # arm by node, arm by hop, forbidden cells: bit masks


class Cone:
    """The activating routes of at most ``max_length`` hops from ``source`` to ``target``.

    Parameters
    ----------
    kg : KnowledgeGraph
    source, target : str
        Projection node ids.
    max_length : int
        Longest route, in hops.
    """

    def __init__(self, kg: "KnowledgeGraph", source: str, target: str, max_length: int) -> None:
        self.kg, self.source, self.target, self.max_length = kg, source, target, max_length
        g = activating(kg)
        ds = _bounded_bfs(g.successors, source, max_length, stop=target) if source in g else {}
        dt = _bounded_bfs(g.predecessors, target, max_length, stop=source, within=ds) if target in ds else {}
        self.ds, self.dt = ds, dt
        self.nodes = {v for v in dt if ds[v] + dt[v] <= max_length}
        # edges on some short enough walk; none into the source or out of the target (a route
        # starts and ends there)
        self.succ: dict[str, list[str]] = {
            u: [v for v in sorted(g.successors(u))
                if v in self.nodes and v != source and ds[u] + 1 + dt[v] <= max_length]
            for u in sorted(self.nodes) if u != target
        }
        self.succ.setdefault(target, [])
        self.edges = {(u, v) for u, vs in self.succ.items() for v in vs}

    @classmethod
    def of(cls, kg: "KnowledgeGraph", source: str, target: str, max_length: int) -> "Cone":
        """The cone of ``kg`` between two projection nodes, kept with the graph (dropped when it
        changes): ``blocks``, ``knockout``, ``cutsets`` and ``path`` of one pair of ends share
        its searches and what it has decided (the nodes a removal starves, the routes left
        after an effect). The :data:`KEPT_CONES` asked last are kept."""
        kept: Recent[tuple[str, str, int], Cone] = kg.derived("traverse.kept_cones", lambda: Recent(KEPT_CONES))
        key = (source, target, max_length)
        cone = kept.get(key)
        if cone is None:  # two threads may both build it: either cone answers alike
            cone = cls(kg, source, target, max_length)
            kept.put(key, cone)
        return cone

    def memo(self, key: "Hashable", build: "Callable[[], T]") -> T:
        """A value that depends on the cone (and its graph) alone, built once: cones are kept
        (:meth:`of`), and the traversals of one pair of ends ask for the same ones. Never to be
        changed in place."""
        kept = self.__dict__.setdefault("_memo", {})
        if key not in kept:
            kept[key] = build()
        return kept[key]

    # ------------------------------------------------------------------ structure

    @cached_property
    def topological(self) -> list[str] | None:
        """The cone's nodes in topological order, or None when it has a cycle."""
        indegree = {v: 0 for v in self.nodes}
        for _u, v in self.edges:
            indegree[v] += 1
        order = [v for v in sorted(self.nodes) if indegree[v] == 0]
        for u in order:
            for v in self.succ[u]:
                indegree[v] -= 1
                if indegree[v] == 0:
                    order.append(v)
        return order if len(order) == len(self.nodes) else None

    def step_order(self) -> dict[str, float]:
        """Causal position of every cone node and hop: its longest distance from the source
        when the cone is acyclic (IgE comes after the IgE+ B cells that make it), else the
        shortest; a hop sits half-way between its ends."""
        order: dict[str, float] = {}
        if self.topological is not None:
            order = {self.source: 0}
            for u in self.topological:
                for v in self.succ[u]:
                    if u in order:
                        order[v] = max(order.get(v, 0), order[u] + 1)
        else:
            order = dict(self.ds)
        for u, v in self.edges:
            order[f"{u}->{v}"] = order.get(u, 0) + 0.5
        return order

    # ------------------------------------------------------------------ supply (upstream)

    @cached_property
    def _facts(self) -> "SupplyFacts | None":
        """What a cone fetched with the supply-dominator index knows of its supply (None: the
        graph holds the whole supply ancestry)."""
        from .supplyindex import FACTS

        return self.kg.derived(FACTS, lambda: None)

    @cached_property
    def _supply(self) -> tuple[set[str], set[str]]:
        """Supply ancestors of the cone's nodes (strict), and those plus the cone nodes in supply."""
        graph = supply(self.kg)
        seen: set[str] = set()
        todo = [v for v in self.nodes if v in graph]
        region = set(todo)
        while todo:
            for parent in graph.predecessors(todo.pop()):
                if parent not in seen:
                    seen.add(parent)
                    region.add(parent)
                    todo.append(parent)
        if self._facts is not None:  # the graph has only part of the ancestry: add the dominators
            seen |= {d for found in self._facts.chains.values() for d in found}
        return seen, region

    @property
    def supply_ancestors(self) -> set[str]:
        """Everything some cone node depends on: where an action can cut upstream (on a cone
        fetched with the index, the part of it that an action fetched can act on)."""
        return self._supply[0]

    @cached_property
    def _tree(self) -> tuple[dict[str, str], set[str], dict[str, set[str]]]:
        """The supply region's immediate dominators (from a virtual root feeding every root),
        its roots (members of the strongly connected components nothing feeds, so a
        self-sustaining loop is a supply of its own) and, for members of a root loop, the
        other members."""
        from .supplyindex import dominator_tree

        graph = supply(self.kg)
        region = self._supply[1]
        # the region holds every supplier of its nodes: their in-edges are its edges
        return dominator_tree(graph.in_edges(region), region)

    @property
    def _roots(self) -> tuple[set[str], dict[str, set[str]]]:
        return self._tree[1], self._tree[2]

    @cached_property
    def _chains(self) -> dict[str, frozenset[str]]:
        """The strict supply dominators of each cone node: what starves it when removed alone."""
        if self._facts is not None:
            return self._facts.chains
        from .supplyindex import chain

        idom = self._tree[0]
        return {v: frozenset(chain(idom, v)) for v in self.nodes}

    def dead(self, removed: frozenset[str]) -> frozenset[str]:
        """Cone nodes starved upstream by removing ``removed``: cut off from every root of
        their supply graph (each node's own removal does not count as starving it).

        One supply node removed starves exactly the cone nodes it dominates (one look-up per
        node); several at once are followed to the roots.
        """
        if self._facts is None and removed.isdisjoint(self.supply_ancestors):
            return frozenset()
        cache = self.__dict__.setdefault("_dead", {})
        if removed not in cache:
            cache[removed] = self._starved(removed)
        return cache[removed]

    def _starved(self, removed: frozenset[str]) -> frozenset[str]:
        facts = self._facts
        suppliers = removed & (self.supply_ancestors if facts is None else facts.sources)
        if len(suppliers) > 1:
            return self._starved_together(removed) if facts is None else self._starved_covered(removed, suppliers)
        loops = {} if facts is not None else self._roots[1]  # a fetch with the index has no cone loop
        out = {v for v, found in self._chains.items()
               if v not in removed and v not in loops and not found.isdisjoint(suppliers)}
        members = [v for v in self.nodes if v in loops and v not in removed]
        if suppliers and members:
            out |= self._starved_loops(removed, members)
        return frozenset(out)

    @cached_property
    def _region_successors(self) -> dict[str, list[str]]:
        """The supply region's edges as plain lists. What reaches a region node lies in the
        region (it holds every supplier of its nodes), so searches from its roots need no other
        edge; and removals are evaluated thousands of times per cut-set search, where
        networkx's successor views cost more than the search itself."""
        graph = supply(self.kg)
        region = self._supply[1]
        return {u: [v for v in graph.successors(u) if v in region] for u in region}

    def _starved_loops(self, removed: frozenset[str], members: list[str]) -> set[str]:
        """The root-loop members among ``members`` that no other live root feeds once
        ``removed`` is gone (a member's own supply does not count)."""
        succ = self._region_successors
        live = [r for r in self._roots[0] if r not in removed]
        return {v for v in members if not _reach(succ, [r for r in live if r != v], removed | {v}, goal=v)}

    def _starved_together(self, removed: frozenset[str]) -> frozenset[str]:
        graph = supply(self.kg)
        roots, loops = self._roots
        live = [r for r in roots if r not in removed]
        reached = _reach(self._region_successors, live, removed)
        out = set()
        for v in self.nodes:
            if v in removed or v not in graph or graph.in_degree(v) == 0 or v in loops:
                continue
            if v not in reached:
                out.add(v)
        return frozenset(out | self._starved_loops(removed, [v for v in self.nodes if v in loops and v not in removed]))

    def _starved_covered(self, removed: frozenset[str], suppliers: frozenset[str]) -> frozenset[str]:
        """Several supply nodes removed, on a cone fetched with the index: the fetched graph holds
        the dependency edges among everything downstream of them (``covered``) and, into each
        covered node, at least one from outside where there is one. A node outside that is no
        descendant of a removed node, so it lives; the covered nodes live when reached from
        those or from a root loop among them."""
        import networkx as nx

        from ..errors import IgegraphError

        facts = self._facts
        assert facts is not None
        if not suppliers <= facts.covered:
            raise IgegraphError("the cone was fetched without the supply of a removal it evaluates; "
                                "this is a bug in igegraph.traverse.fetch")
        graph = supply(self.kg)
        inside = graph.subgraph(v for v in facts.covered if v in graph)
        seeds = {u for v in inside for u in graph.predecessors(v) if u not in facts.covered}
        cond = nx.condensation(inside)
        for c in cond:
            members = cond.nodes[c]["members"]
            fed = any(u not in facts.covered for m in members for u in graph.predecessors(m))
            if cond.in_degree(c) == 0 and not fed:
                seeds |= members - removed  # a root of the whole supply graph
        reached = _reach(graph.adj, sorted(seeds), removed)
        return frozenset(v for v in self.nodes if v in facts.covered and v not in removed and v not in reached)

    # ------------------------------------------------------------------ reachability

    def touches(self, effect: Effect) -> bool:
        """Whether an effect names anything a route passes or depends on."""
        return any((e in self.edges) if isinstance(e, tuple) else (e in self.nodes or e in self.supply_ancestors)
                   for e in effect.elements())

    def _context(self, effect: Effect, protect_target: bool) -> _Context:
        arm_node: dict[str, int] = {}
        arm_hop: dict[Hop, int] = {}
        forbid: dict[str, int] = {}
        for i, (element, cells) in enumerate(sorted(effect.contextual, key=repr)):
            if protect_target and element == self.target:
                continue
            bit = 1 << i
            if isinstance(element, tuple):
                arm_hop[element] = arm_hop.get(element, 0) | bit
            else:
                arm_node[element] = arm_node.get(element, 0) | bit
            for cell in cells:
                forbid[cell] = forbid.get(cell, 0) | bit
        return arm_node, arm_hop, forbid

    def _blocked(self, effect: Effect, dead: frozenset[str], protect_target: bool) -> set[str]:
        blocked = set(effect.nodes) | set(dead)
        if protect_target:
            blocked.discard(self.target)
        return blocked

    def survives(self, effect: Effect, dead: frozenset[str], protect_target: bool = True) -> list[str] | None:
        """A shortest route left after the effect and the nodes it starves, or None when every
        route within the length limit is cut. With ``protect_target`` an effect on the target
        itself does not count (acting on the end point does not block the route to it)."""
        if self.target not in self.nodes:
            return None
        blocked = self._blocked(effect, dead, protect_target)
        arm_node, arm_hop, forbid = self._context(effect, protect_target)
        if self.source in blocked:
            return None
        start = (self.source, arm_node.get(self.source, 0))
        if start[1] & forbid.get(self.source, 0):
            return None
        parent: dict[tuple[str, int], tuple[str, int] | None] = {start: None}
        frontier = [start]
        for _ in range(self.max_length):
            nxt = []
            for state in frontier:
                u, mask = state
                for v in self.succ[u]:
                    if v in blocked or (u, v) in effect.hops:
                        continue
                    armed = mask | arm_hop.get((u, v), 0) | arm_node.get(v, 0)
                    if armed & forbid.get(v, 0) or (v, armed) in parent:
                        continue
                    parent[(v, armed)] = state
                    if v == self.target:
                        return _walk_back(parent, (v, armed))
                    nxt.append((v, armed))
            frontier = nxt
        return None

    @cached_property
    def _components(self) -> tuple[dict[str, int], list[list[str]]]:
        """Strongly connected components of the cone: node -> component, and the components in
        topological order (a route visits them in that order, each at most once)."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from(self.edges)
        cond = nx.condensation(graph)
        members = [sorted(cond.nodes[c]["members"]) for c in nx.topological_sort(cond)]
        return {v: i for i, group in enumerate(members) for v in group}, members

    def count(self, effect: Effect = Effect(), dead: frozenset[str] = frozenset(),
              protect_target: bool = True) -> RouteCount:
        """How many routes are left after an effect (all routes for no effect).

        Dynamic programming over the cone's strongly connected components in topological
        order, with the simple paths inside each component listed: exact, and linear in the
        cone when it is acyclic. When the paths inside a component are too many to list, the
        routes are enumerated instead, up to a limit (then a lower bound).
        """
        if self.target not in self.nodes:
            return RouteCount(0, True)
        blocked = self._blocked(effect, dead, protect_target)
        # many actions share one effect (every free-IgE neutralizer takes IgE out)
        key = (frozenset(blocked & self.nodes), effect.hops & self.edges, effect.contextual, protect_target)
        cache = self.__dict__.setdefault("_counts", {})
        if key not in cache:
            cache[key] = self._count(effect, blocked, dead, protect_target)
        return cache[key]

    def _count(self, effect: Effect, blocked: set[str], dead: frozenset[str], protect_target: bool) -> RouteCount:
        arm_node, arm_hop, forbid = self._context(effect, protect_target)
        start = arm_node.get(self.source, 0)
        if self.source in blocked or start & forbid.get(self.source, 0):
            return RouteCount(0, True)
        comp, members = self._components
        size = self.max_length + 1
        arrivals: dict[int, dict[tuple[str, int], list[int]]] = {comp[self.source]: {
            (self.source, start): [1] + [0] * self.max_length}}
        total = 0
        budget = [ENUMERATION_LIMIT * 10]
        for cid in range(len(members)):
            for (entry, mask), vec in arrivals.pop(cid, {}).items():
                inner = self._inner_paths(entry, mask, cid, comp, blocked, effect.hops, arm_node, arm_hop, forbid,
                                          budget)
                if inner is None:
                    return self._count_by_enumeration(effect, dead, protect_target)
                for (node, length, armed), ways in inner.items():
                    if node == self.target:
                        total += ways * sum(vec[: size - length])
                        continue
                    scaled = vec if ways == 1 else [ways * b for b in vec]
                    for nxt in self.succ[node]:
                        if comp[nxt] == cid or nxt in blocked or (node, nxt) in effect.hops:
                            continue
                        out = armed | arm_hop.get((node, nxt), 0) | arm_node.get(nxt, 0)
                        if out & forbid.get(nxt, 0):
                            continue
                        into = arrivals.setdefault(comp[nxt], {}).setdefault((nxt, out), [0] * size)
                        shift = length + 1
                        # vec shifted by the hop: what would pass max_length falls off the end (map
                        # stops at the shorter; a loop in Python here cost twice as much)
                        into[shift:] = list(map(add, into[shift:], scaled))
        return RouteCount(total, True)

    def _inner_paths(self, entry: str, mask: int, cid: int, comp: dict[str, int], blocked: set[str],
                     hops: frozenset, arm_node: dict, arm_hop: dict, forbid: dict,
                     budget: list[int]) -> dict[tuple[str, int, int], int] | None:
        """Simple paths inside one component from ``entry``: (end, length, armed mask) -> how
        many. None when they exceed the budget."""
        found: dict[tuple[str, int, int], int] = {(entry, 0, mask): 1}
        if all(comp[v] != cid for v in self.succ[entry]):
            return found  # a lone node, the common case
        stack = [(entry, mask, 0, frozenset({entry}))]
        while stack:
            node, armed, length, on_path = stack.pop()
            if length == self.max_length:
                continue
            for nxt in self.succ[node]:
                if comp[nxt] != cid or nxt in on_path or nxt in blocked or (node, nxt) in hops:
                    continue
                out = armed | arm_hop.get((node, nxt), 0) | arm_node.get(nxt, 0)
                if out & forbid.get(nxt, 0):
                    continue
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                key = (nxt, length + 1, out)
                found[key] = found.get(key, 0) + 1
                stack.append((nxt, out, length + 1, on_path | {nxt}))
        return found

    def _count_by_enumeration(self, effect: Effect, dead: frozenset[str], protect_target: bool) -> RouteCount:
        listed, complete = self.enumerated
        left = sum(1 for r in listed if self.classify(r, effect, dead, protect_target) is None)
        return RouteCount(left, complete)

    # ------------------------------------------------------------------ routes

    @cached_property
    def enumerated(self) -> tuple[list[list[str]], bool]:
        """Every route (up to ENUMERATION_LIMIT) and whether the list is complete."""
        found: list[list[str]] = []
        complete = self._paths(self.max_length, exact=False, out=found, limit=ENUMERATION_LIMIT)
        return found, complete

    def _paths(self, length: int, exact: bool, out: list[list[str]], limit: int) -> bool:
        """Simple paths of at most (or, with ``exact``, exactly) ``length`` hops, depth first
        in alphabetical order, pruned by the distance to the target; False when cut at ``limit``."""
        if self.target not in self.nodes:
            return True
        path = [self.source]
        on_path = {self.source}
        stack = [iter(self.succ[self.source])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            left = length - len(path)  # hops still allowed after this one
            if step in on_path or self.dt[step] > left:
                continue
            if step == self.target:
                if not exact or left == 0:
                    if len(out) >= limit:
                        return False
                    out.append(path + [step])
                continue
            path.append(step)
            on_path.add(step)
            stack.append(iter(self.succ[step]))
        return True

    def first_routes(self, k: int) -> list[list[str]]:
        """Up to RANKING_BUDGET routes, shortest lengths first (so the ``k`` best by length and
        evidence are among them); the caller ranks them."""
        out: list[list[str]] = []
        if self.target not in self.nodes:
            return out
        for length in range(self.ds[self.target], self.max_length + 1):
            if not self._paths(length, exact=True, out=out, limit=RANKING_BUDGET) or len(out) >= k:
                break
        return out

    def classify(self, route: list[str], effect: Effect, dead: frozenset[str],
                 protect_target: bool = True) -> tuple[str, str] | None:
        """Where an effect hits one route: ("direct", element) at the earliest element it acts
        on, else ("upstream", node) at the earliest node it starves, else None."""
        last = len(route) - 1
        hits: list[tuple[float, str]] = []
        for i, v in enumerate(route):
            if v in effect.nodes and not (protect_target and i == last):
                hits.append((i, v))
        hops = {(a, b): i for i, (a, b) in enumerate(pairwise(route))}
        for hop in effect.hops & hops.keys():
            hits.append((hops[hop] + 0.5, f"{hop[0]}->{hop[1]}"))
        where = {v: i for i, v in enumerate(route)}
        for element, cells in effect.contextual:
            if isinstance(element, tuple):
                if element in hops and any(c in cells for c in route[hops[element] + 1:]):
                    hits.append((hops[element] + 0.5, f"{element[0]}->{element[1]}"))
            elif (element in where and not (protect_target and where[element] == last)
                  and any(c in cells for c in route[where[element]:])):
                hits.append((where[element], element))
        if hits:
            return "direct", min(hits)[1]
        for i, v in enumerate(route):
            if v in dead and not (protect_target and i == last):
                return "upstream", v
        return None

    def target_hit(self, effect: Effect, dead: frozenset[str]) -> str | None:
        """"direct" or "upstream" when the effect acts on the target itself, else None."""
        if self.target in effect.elements():
            return "direct"
        return "upstream" if self.target in dead else None

    def must_pass(self) -> list[str]:
        """Nodes (other than the two ends) that every route passes."""
        if self.target not in self.nodes:
            return []
        shortest = self.ds[self.target]
        ahead = _path_counts(self.succ, self.source, self.ds)
        behind = _path_counts(_reverse(self.succ), self.target, self.dt)
        total = ahead[self.target]
        out = []
        for v in sorted(self.nodes - {self.source, self.target}):
            if (self.ds[v] + self.dt[v] == shortest and ahead.get(v, 0) * behind.get(v, 0) == total
                    and self.survives(Effect(nodes=frozenset({v})), frozenset()) is None):
                out.append(v)
        return out


def _bounded_bfs(neighbours, start: str, limit: int, stop: str, within: dict | None = None) -> dict[str, int]:
    """Hop distances from ``start`` up to ``limit``, not expanding ``stop`` (a route's other end)."""
    dist = {start: 0}
    frontier = [start]
    for d in range(1, limit + 1):
        nxt = []
        for u in frontier:
            if u == stop and u != start:
                continue
            for v in neighbours(u):
                if v not in dist and (within is None or v in within):
                    dist[v] = d
                    nxt.append(v)
        frontier = nxt
    return dist


def _reach(successors: Mapping[str, Iterable[str]], seeds: list[str], removed: frozenset[str] | set[str],
           goal: str | None = None) -> set[str]:
    """Nodes reachable from ``seeds`` along ``successors`` (node -> its successors, every
    node reached a key) without entering ``removed``."""
    seen = set(seeds)
    todo = deque(seeds)
    while todo:
        u = todo.popleft()
        for v in successors[u]:
            if v == goal:
                return {v}
            if v not in seen and v not in removed:
                seen.add(v)
                todo.append(v)
    return seen if goal is None else set()


def _walk_back(parent: dict, state: tuple[str, int]) -> list[str]:
    out = []
    current: tuple[str, int] | None = state
    while current is not None:
        out.append(current[0])
        current = parent[current]
    return out[::-1]


def _reverse(succ: dict[str, list[str]]) -> dict[str, list[str]]:
    pred: dict[str, list[str]] = {u: [] for u in succ}
    for u, vs in succ.items():
        for v in vs:
            pred[v].append(u)
    return pred


def _path_counts(adjacent: dict[str, list[str]], start: str, dist: dict[str, int]) -> dict[str, int]:
    """Number of shortest paths from ``start`` to each node, along edges that add one hop."""
    counts = {start: 1}
    for u in sorted(dist, key=dist.__getitem__):
        if u not in counts:
            continue
        for v in adjacent.get(u, ()):
            if dist.get(v) == dist[u] + 1:
                counts[v] = counts.get(v, 0) + counts[u]
    return counts
