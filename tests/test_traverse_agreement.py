"""The graph algorithms agree with route enumeration: property-based tests on random small causal
graphs, acyclic and cyclic, against an independent oracle written here from the semantics
(list every simple route with networkx, then judge each route by the rules).

What is compared: the route count, ``cuts_all_routes`` per action, which actions hit some
route (cut or weaken), which act only on the target, the routes a knockout leaves, and the
minimal cut sets of entities (brute force over every combination).
"""

from __future__ import annotations

import os
from itertools import combinations

import networkx as nx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from igegraph.backends import get_backend
from igegraph.kg import KnowledgeGraph, new_graph, parse_into
from igegraph.resources import resource_dir
from igegraph.traverse import blocks, count_routes, cutsets, knockout

EX = "https://example.org/r/"
# predicate -> is it a supply dependency (the object needs the subject)?
POSITIVE = {"activates": True, "secretes": True, "bindsReceptor": False, "expressedOn": False}


@pytest.fixture(scope="module")
def ontology():
    """The shipped ontology file, which each example's graph starts from."""
    return resource_dir("ontology") / "igegraph.ttl"


@st.composite
def networks(draw, acyclic: bool):
    n = draw(st.integers(2, 6))
    names = ["src", *[f"n{i}" for i in range(n)], "dst"]
    cells = {v for v in names[1:-1] if draw(st.booleans())}
    rank = {v: i for i, v in enumerate(names)}
    edges = {}
    for u in names[:-1]:
        for v in names[1:]:
            if u == v or (acyclic and rank[u] >= rank[v]):
                continue
            if draw(st.integers(0, 9)) < 4:
                pred = draw(st.sampled_from(sorted(POSITIVE)))
                if pred == "expressedOn" and v not in cells:
                    pred = "activates"
                edges[(u, v)] = pred
    actions = {}  # one triple per (drug, target), as in RDF
    for d in range(draw(st.integers(1, 4))):
        for _ in range(draw(st.integers(1, 2))):
            target = draw(st.sampled_from(names))
            abolish = draw(st.booleans())
            context = draw(st.sampled_from(sorted(cells))) if cells and draw(st.integers(0, 3)) == 0 else None
            actions.setdefault((f"drug{d}", target), (f"drug{d}", target, abolish, context))
    actions = list(actions.values())
    blocked_hop = draw(st.sampled_from(sorted(edges))) if edges and draw(st.booleans()) else None
    max_length = draw(st.integers(2, 5))
    return names, cells, edges, actions, blocked_hop, max_length


def _turtle(names, cells, edges, actions, blocked_hop) -> str:
    lines = ["@prefix ige: <https://w3id.org/igegraph/vocab#> .", f"@prefix ex: <{EX}> .",
             "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    for v in names:
        lines.append(f'ex:{v} a ige:{"Cell" if v in cells else "Protein"} ; rdfs:label "{v}" .')
    for (u, v), pred in edges.items():
        lines.append(f"ex:{u} ige:{pred} ex:{v} .")
    for i, (drug, target, abolish, context) in enumerate(actions):
        pred = "depletes" if abolish else "inhibits"
        lines.append(f'ex:{drug} a ige:MonoclonalAntibody ; rdfs:label "{drug}" .')
        lines.append(f"ex:{drug} ige:{pred} ex:{target} .")
        if context:
            lines.append(f"ex:as{i} a ige:Assertion ; rdf:subject ex:{drug} ; rdf:predicate ige:{pred} ; "
                         f"rdf:object ex:{target} ; ige:cellContext ex:{context} .")
    if blocked_hop:
        u, v = blocked_hop
        lines.append(f'ex:hop a ige:Interaction ; rdfs:label "hop" ; ige:interactionSubject ex:{u} ; '
                     f"ige:interactionObject ex:{v} .")
        lines.append('ex:hopdrug a ige:MonoclonalAntibody ; rdfs:label "hopdrug" .')
        lines.append("ex:hopdrug ige:blocksBinding ex:hop .")
    return "\n".join(lines) + "\n"


def _load(ontology, spec, tmp_path) -> KnowledgeGraph:
    path = tmp_path / "net.ttl"
    path.write_text(_turtle(*spec[:5]), encoding="utf-8")
    graph = new_graph("memory")
    # a shipped file: from the second example on, a copy of the graph the first one made
    # (adding the ontology's triples one by one took half of each example's time)
    get_backend("memory").load_files(graph, [ontology])
    parse_into(graph, path, "memory")
    return KnowledgeGraph(graph, "memory", [path])


class Oracle:
    """The semantics, judged route by route on every simple route."""

    def __init__(self, names, cells, edges, max_length):
        self.g = nx.DiGraph(list(edges))
        self.g.add_nodes_from(names)
        self.supply = nx.DiGraph([e for e, p in edges.items() if POSITIVE[p]])
        self.routes = [p for p in nx.all_simple_paths(self.g, "src", "dst", cutoff=max_length)]

    def dead(self, removed: set[str]) -> set[str]:
        s = self.supply
        if not s:
            return set()
        cond = nx.condensation(s)
        roots = {m for c in cond if cond.in_degree(c) == 0 for m in cond.nodes[c]["members"]}
        kept = s.subgraph(set(s) - removed)
        out = set()
        for v in s:
            if v in removed:
                continue
            mine = (roots & nx.ancestors(s, v)) - {v}
            if mine and not any(r in kept and nx.has_path(kept, r, v) for r in mine - removed):
                out.add(v)
        return out

    def hit(self, route, nodes, hops, contextual, dead, protect=True) -> bool:
        last = len(route) - 1
        if any(v in nodes and not (protect and i == last) for i, v in enumerate(route)):
            return True
        if any(h in hops for h in zip(route, route[1:])):
            return True
        for x, cell in contextual:
            if x in route and not (protect and route.index(x) == last) and cell in route[route.index(x):]:
                return True
        return any(v in dead and not (protect and i == last) for i, v in enumerate(route))


def _effect(action):
    _, target, _, context = action
    return (set(), [(target, context)]) if context else ({target}, [])


def _check(ontology, spec, tmp_path):
    names, cells, edges, actions, blocked_hop, max_length = spec
    kg = _load(ontology, spec, tmp_path)
    oracle = Oracle(names, cells, edges, max_length)
    src, dst = f"{EX}src", f"{EX}dst"
    assert count_routes(kg, src, dst, max_length).n == len(oracle.routes)
    count = count_routes(kg, src, dst, max_length)
    assert count.exact
    report = blocks(kg, src, dst, max_length, routes=1000)
    assert len(report.routes) == len(oracle.routes)
    got = {(b.id.removeprefix(EX), b.acts_on.removeprefix(EX)): b for b in report.blockers}
    expected, on_target = {}, set()
    for action in actions:
        nodes, contextual = _effect(action)
        dead = oracle.dead(nodes)
        hit = [r for r in oracle.routes if oracle.hit(r, nodes, set(), contextual, dead)]
        key = (action[0], action[1])
        if hit:
            expected[key] = action[2] and len(hit) == len(oracle.routes)
        elif oracle.routes and (action[1] == "dst" or "dst" in dead):
            on_target.add(key)
    if blocked_hop:
        hit = [r for r in oracle.routes if oracle.hit(r, set(), {blocked_hop}, [], set())]
        if hit:
            expected[("hopdrug", "hop")] = len(hit) == len(oracle.routes)
    assert set(got) == set(expected)
    for key, cuts_all in expected.items():
        assert got[key].cuts_all_routes == cuts_all, key
    assert {(a.id.removeprefix(EX), a.acts_on.removeprefix(EX)) for a in report.acts_on_target} == on_target
    if not oracle.routes:
        return
    # knockout of two entities: the routes left
    middle = names[1:-1]
    for pair in combinations(middle[:3], 2):
        ko = knockout(kg, [f"{EX}{v}" for v in pair], src, dst, max_length) if _touches(oracle, set(pair)) else None
        if ko is None:
            continue
        dead = oracle.dead(set(pair))
        left = [r for r in oracle.routes if not oracle.hit(r, set(pair), set(), [], dead, protect=False)]
        assert ko.routes_after.n == len(left), pair
    # minimal cut sets of entities, up to two, by brute force
    found = {frozenset(m.removeprefix(EX) for m in c.members)
             for c in cutsets(kg, src, dst, max_size=2, max_length=max_length, entities=True)}
    candidates = [v for v in middle if v in oracle.g]
    if blocked_hop:
        candidates.append("hop")
    brute = set()
    for k in (1, 2):
        for combo in combinations(candidates, k):
            nodes = set(combo) - {"hop"}
            hops = {blocked_hop} if "hop" in combo else set()
            dead = oracle.dead(nodes)
            if all(oracle.hit(r, nodes, hops, [], dead) for r in oracle.routes):
                if not any(b < frozenset(combo) for b in brute):
                    brute.add(frozenset(combo))
    brute = {b for b in brute if not any(o < b for o in brute)}
    assert found == brute


def _touches(oracle, nodes) -> bool:
    on_routes = {v for r in oracle.routes for v in r}
    upstream = set().union(*(nx.ancestors(oracle.supply, v) for v in on_routes if v in oracle.supply))
    return bool(nodes & (on_routes | upstream))


# Each example loads a graph: a fixed, small sample in the suite (IGEGRAPH_AGREEMENT_EXAMPLES=500
# explores more, with fresh random examples), and no slow shrinking.
_EXAMPLES = int(os.environ.get("IGEGRAPH_AGREEMENT_EXAMPLES", "0"))
SETTINGS = settings(max_examples=_EXAMPLES or 25, derandomize=not _EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])


@SETTINGS
@given(spec=networks(acyclic=True))
def test_agreement_on_random_acyclic_graphs(ontology, tmp_path, spec):
    _check(ontology, spec, tmp_path)


@SETTINGS
@given(spec=networks(acyclic=False))
def test_agreement_on_random_cyclic_graphs(ontology, tmp_path, spec):
    _check(ontology, spec, tmp_path)
