"""The supply-dominator index: dominators decide single removals as the search to the roots does,
and traversals that read the index instead of the supply ancestry give the same answers.

Random graphs (property-based, in the style of ``test_traverse_agreement``) check the
dominator tree against the semantics written here (reach the node from the live roots), and
``blocks`` on a cone fetched with the index against ``blocks`` on the whole graph.
"""

from __future__ import annotations

import os
import random

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from igegraph.backends.local import oxigraph_graph
from igegraph.kg import KnowledgeGraph
from igegraph.resources import curated_files
from igegraph.traverse import blocks
from igegraph.traverse.cone import Cone
from igegraph.traverse.supplyindex import (
    DEFAULT_INDEX_GRAPH,
    chain,
    compute_index,
    dominator_tree,
    dominators,
    index_graph,
    read_header,
    store_index_select,
    write_store_index,
)
from igegraph.vocab import IGE

EX = "https://example.org/s/"
_EXAMPLES = int(os.environ.get("IGEGRAPH_AGREEMENT_EXAMPLES", "0"))
SETTINGS = settings(max_examples=_EXAMPLES or 40, derandomize=not _EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture],
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target])


def indexed(graph_triples, extra: bytes = b"") -> KnowledgeGraph:
    """A graph on a fresh Oxigraph store with its supply index written, whose traversals fetch
    their cone as a store's do (reading the index)."""
    db = ox.Store()
    db.load(graph_triples, format=ox.RdfFormat.N_QUADS)
    if extra:
        db.load(extra, format=ox.RdfFormat.TURTLE)
    write_store_index(db)
    kg = KnowledgeGraph(oxigraph_graph(db), "oxigraph")
    kg.fetches_cones = True
    kg.supply_index = lambda: store_index_select(db)  # type: ignore[method-assign]
    return kg


def starved_by_search(edges: list[tuple[str, str]], x: str) -> set[str]:
    """The semantics: nodes (not roots themselves) that no live root reaches once ``x`` is gone."""
    graph = nx.DiGraph(edges)
    cond = nx.condensation(graph)
    roots = {m for c in cond if cond.in_degree(c) == 0 for m in cond.nodes[c]["members"]}
    live = [r for r in roots if r != x]
    reached = set(live)
    for r in live:
        reached |= nx.descendants(graph.subgraph(set(graph) - {x}), r)
    return {v for v in graph if v != x and v not in roots and v not in reached}


@SETTINGS
@given(edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=18))
def test_dominators_decide_single_removals(edges):
    edges = [(f"n{a}", f"n{b}") for a, b in edges]
    idom, roots, loops = dominator_tree(edges)
    nodes = {v for e in edges for v in e}
    for x in nodes:
        by_tree = {v for v in nodes if v not in roots and x in chain(idom, v)}
        assert by_tree == starved_by_search(edges, x)
    # a root loop's members are roots; the tree never says one starves another
    assert set(loops) <= roots and not any(chain(idom, v) for v in roots)


@st.composite
def supply_networks(draw):
    """A small causal graph from src to dst with supply edges around it (loops included), cell
    subtypes (one action removes several supply nodes) and drugs acting anywhere."""
    n = draw(st.integers(3, 7))
    names = ["src", *[f"n{i}" for i in range(n)], "dst"]
    edges = set()
    for u in names[:-1]:
        for v in names[1:]:
            if u != v and draw(st.integers(0, 9)) < 3:
                edges.add((u, v, draw(st.sampled_from(["activates", "secretes", "bindsReceptor"]))))
    subtypes = {(a, b) for a in names[1:-1] for b in names[1:-1] if a < b and draw(st.integers(0, 5)) == 0}
    targets = draw(st.lists(st.sampled_from(names), min_size=1, max_size=5))
    return names, edges, subtypes, targets


def _turtle(names, edges, subtypes, targets) -> str:
    lines = ["@prefix ige: <https://w3id.org/igegraph/vocab#> .", f"@prefix ex: <{EX}> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    lines += [f'ex:{v} a ige:Cell ; rdfs:label "{v}" .' for v in names]
    lines += [f"ex:{u} ige:{p} ex:{v} ." for u, v, p in sorted(edges)]
    lines += [f"ex:{a} ige:subtypeOf ex:{b} ." for a, b in sorted(subtypes)]
    for i, t in enumerate(targets):
        lines += [f'ex:drug{i} a ige:MonoclonalAntibody ; rdfs:label "drug{i}" .', f"ex:drug{i} ige:depletes ex:{t} ."]
    # the same agent on two targets: its actions together remove several supply nodes
    lines += [f"ex:drug0 ige:depletes ex:{targets[-1]} ."]
    return "\n".join(lines) + "\n"


class _Ontology:
    """The ontology as N-Quads (a small repr: hypothesis prints its arguments on failure)."""

    def __init__(self) -> None:
        db = ox.Store()
        for path in curated_files():
            if path.parent.name == "ontology" and path.suffix == ".ttl":
                db.load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.quads = db.dump(format=ox.RdfFormat.N_QUADS)

    def __repr__(self) -> str:
        return "<ontology>"


@pytest.fixture(scope="module")
def ontology() -> _Ontology:
    return _Ontology()


# a cell type and its subtype both feed a route node: only removing both (one depletion of the
# type) starves it, which the dominators alone cannot tell
JOINT = (["src", "n0", "n1", "n2", "dst"],
         {("src", "n0", "bindsReceptor"), ("n0", "dst", "bindsReceptor"), ("n1", "n0", "secretes"),
          ("n2", "n0", "secretes"), ("n2", "n2", "activates")}, {("n2", "n1")}, ["n1", "n2"])


# the same with the type on a route: the action hits it directly, and starves the other route
ON_ROUTE = (["src", "n0", "n1", "n2", "dst"],
            {("src", "n1", "bindsReceptor"), ("src", "n0", "bindsReceptor"), ("n1", "n0", "secretes"),
             ("n0", "dst", "bindsReceptor"), ("n2", "n0", "secretes")}, {("n2", "n1")}, ["n1"])


# two live cells outside feed the route node that the joint removal starves no more: the
# fetch keeps one of them for both (every outside supplier lives)
JOINT_FED = (["src", "n0", "n1", "n2", "n3", "n4", "dst"],
             JOINT[1] | {("n3", "n0", "secretes"), ("n4", "n0", "secretes")}, JOINT[2], JOINT[3])


def _whole_and_indexed(ontology: _Ontology, spec: tuple) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    """The ontology plus a network: as one local graph, and as a store read through its index."""
    text = _turtle(*spec).encode()
    db = ox.Store()
    db.load(ontology.quads, format=ox.RdfFormat.N_QUADS)
    db.load(text, format=ox.RdfFormat.TURTLE)
    return KnowledgeGraph(oxigraph_graph(db), "oxigraph"), indexed(ontology.quads, text)


@settings(SETTINGS, max_examples=_EXAMPLES or 20)
@example(spec=JOINT)
@example(spec=ON_ROUTE)
@example(spec=JOINT_FED)
@given(spec=supply_networks())
def test_blocks_with_the_index_agree_on_random_graphs(ontology, spec):
    full, small = _whole_and_indexed(ontology, spec)
    src, dst = EX + "src", EX + "dst"
    for length in (3, 6):
        want = blocks(full, src, dst, length, interventions_only=False).to_dict()
        assert blocks(small, src, dst, length, interventions_only=False).to_dict() == want
    cone = Cone(full, full.resolve(src), full.resolve(dst), 6)
    for removed in [frozenset({v}) for v in cone.supply_ancestors | cone.nodes]:
        assert cone.dead(removed) == cone._starved_together(removed)


@pytest.mark.parametrize("spec", [JOINT, JOINT_FED], ids=["joint", "joint-fed-from-outside"])
def test_a_joint_removal_fetches_the_edges_inside_and_one_supplier_from_outside(ontology, spec):
    full, small = _whole_and_indexed(ontology, spec)
    src, dst = EX + "src", EX + "dst"
    report = blocks(small, src, dst, 6, interventions_only=False)
    assert report.to_dict() == blocks(full, src, dst, 6, interventions_only=False).to_dict()
    # depleting n1 (with its subtype n2) starves n0 unless a cell outside feeds it
    cut = {b.id for b in report.blockers if b.cuts_all_routes}
    assert cut == ({EX + "drug0"} if spec is JOINT else set())
    (cone,) = [v for k, v in small.__dict__["_derived"].items() if k.startswith("traverse.cone.")]
    feeding = {str(s) for s in cone.graph.subjects(URIRef(IGE + "secretes"), URIRef(EX + "n0"))}
    outside = {EX + "n3", EX + "n4"} if spec is JOINT_FED else set()
    assert {EX + "n1", EX + "n2"} <= feeding and len(feeding & outside) == min(1, len(outside))


def test_index_graph_names():
    assert index_graph() == DEFAULT_INDEX_GRAPH
    assert index_graph("https://example.org/g") == index_graph("https://example.org/g") != index_graph()


def test_header_says_what_the_index_covers(kg):
    db = ox.Store()
    db.load(kg.engine.dump(kg.graph), format=ox.RdfFormat.N_QUADS)
    assert store_index_select(db) is None  # no index yet
    written = write_store_index(db)
    select = store_index_select(db)
    assert select is not None and written == len(list(db.quads_for_pattern(None, None, None,
                                                                           ox.NamedNode(DEFAULT_INDEX_GRAPH))))
    header = read_header(select, DEFAULT_INDEX_GRAPH)
    dependency = sum(1 for _s, _o, d in kg.projection.edges(data="dependency") if d)
    assert header is not None and (header.version, header.edges) == (1, dependency)
    assert write_store_index(db) == written  # rewriting replaces, never adds


# ---------------------------------------------------------------- the arrays equal networkx


def networkx_tree(edges, nodes=()):
    """The dominator tree as igegraph computed it with networkx before its array version
    (condensation, a virtual root on every member of every source component, then
    ``immediate_dominators``): the reference :func:`dominator_tree` must equal."""
    root = ("virtual root",)
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    roots, loops = set(), {}
    if not graph:
        return {}, roots, loops
    cond = nx.condensation(graph)
    for c in cond:
        if cond.in_degree(c) == 0:
            members = cond.nodes[c]["members"]
            roots |= members
            graph.add_edges_from((root, m) for m in members)
            if len(members) > 1:
                loops.update({m: members - {m} for m in members})
    idom = nx.immediate_dominators(graph, root)
    return {v: d for v, d in idom.items() if v != root and d != root}, roots, loops


@st.composite
def graphs(draw, most: int = 14):
    """Nodes ``0 .. n-1``, edges among them (self-loops, cycles, parts that feed nothing
    else) and a few nodes named without edges."""
    n = draw(st.integers(1, most))
    node = st.integers(0, n - 1)
    return draw(st.lists(st.tuples(node, node), max_size=3 * n)), draw(st.lists(node, max_size=3))


# two source loops feeding one node; self-loops on a source and on a fed node; a loop fed from
# outside (not a source); an isolated node
SHAPES = [([(0, 1), (1, 0), (2, 3), (3, 2), (1, 4), (3, 4), (4, 5)], []),
          ([(0, 0), (0, 1), (1, 1), (1, 2), (2, 3), (3, 2)], [7]),
          ([(5, 6), (6, 7), (7, 6), (7, 8), (9, 8), (8, 8)], [1, 2])]


@settings(SETTINGS, max_examples=_EXAMPLES or 300)
@example(graph=SHAPES[0])
@example(graph=SHAPES[1])
@example(graph=SHAPES[2])
@given(graph=graphs())
def test_dominators_equal_networkx_on_random_graphs(graph):
    edges, nodes = graph
    named = [(f"n{a}", f"n{b}") for a, b in edges]
    assert dominator_tree(edges, nodes) == networkx_tree(edges, nodes)
    want = networkx_tree(named)
    assert dominator_tree(named) == want
    assert dominators(named) == (want[0], set(want[2]))


@pytest.mark.parametrize("seed", range(4))
def test_dominators_equal_networkx_on_bigger_graphs(seed):
    """Thousands of nodes: long paths, many components, hubs (as the synthetic graphs have)."""
    rng = random.Random(seed)
    n = 3000
    hubs = [rng.randrange(n) for _ in range(30)]
    edges = [(rng.choice(hubs) if rng.random() < 0.3 else rng.randrange(n), rng.randrange(n)) for _ in range(2 * n)]
    edges += [(i, i + 1) for i in range(0, n - 1, 3)]
    assert dominator_tree(edges) == networkx_tree(edges)


def test_dominators_of_long_chains_and_cycles():
    """No recursion: a path of 200,000 nodes is a chain of dominators, a cycle of as many one
    root loop whose members dominate nothing."""
    n = 200_000
    path = [(i, i + 1) for i in range(n - 1)]
    assert dominators(path) == ({i + 1: i for i in range(n - 1)}, set())
    idom, loops = dominators([*path, (n - 1, 0)])
    assert idom == {} and loops == set(range(n))


@settings(SETTINGS, max_examples=_EXAMPLES or 60)
@example(graph=SHAPES[0])
@given(graph=graphs())
def test_index_triples_are_the_dominator_tree(graph):
    """compute_index writes exactly one triple per immediate dominator and root-loop member,
    and counts every dependency triple, those whose subject or object is no IRI included."""
    edges, _nodes = graph
    iri = [ox.NamedNode(f"{EX}n{i}") for i in range(15)]
    rows = [(iri[a], iri[b]) for a, b in edges]
    rows += [(iri[0], ox.Literal("a literal")), (ox.BlankNode("b"), iri[1])]
    index = compute_index(rows, "https://example.org/index")
    got = {(t.subject.value, t.predicate.value, t.object.value)
           for t in ox.parse(index.ntriples, format=ox.RdfFormat.N_TRIPLES)}
    idom, _roots, loops = networkx_tree([(s.value, o.value) for s, o in rows[:len(edges)]])
    want = {(v, str(IGE.supplyDominator), d) for v, d in idom.items()}
    want |= {(v, str(IGE.supplyRootLoop), "true") for v in loops}
    want |= {("https://example.org/index", str(IGE.supplyIndexVersion), "1"),
             ("https://example.org/index", str(IGE.supplyEdgeCount), str(len(rows)))}
    assert got == want and (index.triples, index.edges) == (len(want), len(rows))
