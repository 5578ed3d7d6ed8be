"""The cone fetch: traversals on the fetched cone give exactly the answers of the whole graph."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.test_supplyindex import indexed

import igegraph
from igegraph.errors import IgegraphError, UnknownEntity
from igegraph.kg import KnowledgeGraph
from igegraph.project import relation_properties
from igegraph.traverse import blocks, blocks_pathway, cutsets, knockout, path, pathways
from igegraph.traverse.cone import Cone
from igegraph.traverse.fetch import BATCH, FetchStats, cone_graph, fetch_cone, graph_select, is_entity
from igegraph.traverse.views import activating
from igegraph.vocab import IG, IGE

ROOT = Path(__file__).resolve().parents[1]

# (source, target) pairs beyond the named pathways: long and short routes, one with none
PAIRS = [("ig:allergen", "ig:histamine"), ("ig:allergen", "ig:bronchoconstriction"),
         ("ig:IgE", "ig:Th2_activation"), ("ig:histamine", "ig:allergen")]


def _cone_backend(kg: KnowledgeGraph) -> KnowledgeGraph:
    """The same RDF graph, on a KnowledgeGraph whose traversals fetch their cone."""
    other = KnowledgeGraph(kg.graph, kg.backend, kg.sources)
    other.fetches_cones = True
    return other


def _blocks(kg, s, t, length, interventions_only=True):
    return blocks(kg, s, t, length, interventions_only=interventions_only).to_dict()


def _path(kg, s, t, length):
    return path(kg, s, t, length, all=True).to_dict()


def _cutsets(kg, s, t, size, length, entities=False):
    return [(c.members, c.labels) for c in cutsets(kg, s, t, size, length, entities=entities)]


def _knockout(kg, items, s, t, length):
    return knockout(kg, list(items), s, t, length).to_dict()


def _blocks_pathway(kg, name):
    return blocks_pathway(kg, name).to_dict()


@pytest.fixture(scope="module")
def whole():
    """``whole(kg, answer, *args)`` is ``answer(kg, *args)``, computed once per module: the cone,
    index and synthetic tests compare their answers with the same answers of the whole graph."""
    kept: dict = {}

    def answer(kg, what, *args):
        key = (id(kg), what, args)
        if key not in kept:
            kept[key] = (kg, what(kg, *args))  # kg kept alive: its id stays its own
        return kept[key][1]

    return answer


def _same_answers(whole, full: KnowledgeGraph, cone: KnowledgeGraph, s: str, t: str, length: int) -> int:
    """Assert blocks, knockout, cutsets and path agree; return the route count."""
    report = whole(full, _blocks, s, t, length, False)
    assert _blocks(cone, s, t, length, False) == report
    assert _blocks(cone, s, t, length) == whole(full, _blocks, s, t, length)
    assert _path(cone, s, t, length) == whole(full, _path, s, t, length)
    n = report["pathway"]["route_count"]
    if n:
        assert _cutsets(cone, s, t, 2, length) == whole(full, _cutsets, s, t, 2, length)
        assert _cutsets(cone, s, t, 1, length, True) == whole(full, _cutsets, s, t, 1, length, True)
        agents = [b["id"] for b in report["blockers"]][:2] + [m["id"] for m in report["pathway"]["must_pass"][:1]]
        for items in ((a,) for a in agents):
            assert _knockout(cone, items, s, t, length) == whole(full, _knockout, items, s, t, length)
        if len(agents) > 1:
            agents = tuple(agents)
            assert _knockout(cone, agents, s, t, length) == whole(full, _knockout, agents, s, t, length)
    return n


@pytest.fixture(scope="module")
def cone_kg(kg):
    return _cone_backend(kg)


@pytest.mark.parametrize("name", ["allergic-cascade", "cd23-th2", "ige-fceri-degranulation", "sensitization"])
def test_named_pathways_agree(kg, whole, name):
    # a cone backend of its own: the module's cone_kg has its projection built by whichever test
    # resolved a name on it first, which in another order (pytest-randomly) ran before this one
    cone_kg = _cone_backend(kg)
    assert name in {p.name for p in pathways(kg)}
    info = next(p for p in pathways(kg) if p.name == name)
    assert _blocks_pathway(cone_kg, name) == whole(kg, _blocks_pathway, name)
    for length in (8, 4):
        _same_answers(whole, kg, cone_kg, info.source, info.target, length)
    # a pathway gives CURIEs: no name index, so the big graph's projection is never built
    assert "projection" not in cone_kg.__dict__


def test_pairs_agree_and_no_route_reason(kg, cone_kg, whole):
    counts = {(s, t): _same_answers(whole, kg, cone_kg, s, t, 8) for s, t in PAIRS}
    assert counts == {("ig:allergen", "ig:histamine"): 9, ("ig:allergen", "ig:bronchoconstriction"): 16,
                      ("ig:IgE", "ig:Th2_activation"): 1, ("ig:histamine", "ig:allergen"): 0}
    # too short a limit: the message names the shortest route, found past the limit
    short = blocks(cone_kg, "ig:allergen", "ig:histamine", 3)
    assert short.no_route == blocks(kg, "ig:allergen", "ig:histamine", 3).no_route
    assert "the shortest has 4" in short.no_route


def test_names_resolve_as_on_the_whole_graph(kg, cone_kg):
    got = knockout(cone_kg, ["Xolair", "FcεRI"], "allergen", "mast cell degranulation").to_dict()
    assert got == knockout(kg, ["Xolair", "FcεRI"], "allergen", "mast cell degranulation").to_dict()
    with pytest.raises(UnknownEntity, match="omalizumob"):
        blocks(cone_kg, "omalizumob", "histamine")
    with pytest.raises(IgegraphError, match="max length must be at least 1"):
        blocks(cone_kg, "ig:allergen", "ig:histamine", 0)
    assert is_entity(cone_kg.select, "ig:mast_cell") == "ig:mast_cell"
    assert is_entity(cone_kg.select, "ige:Assertion") is None  # a class, not an entity
    assert is_entity(cone_kg.select, "mast cell") is None  # a name: left to the resolver


def test_fetch_is_the_cone_not_the_graph(kg):
    stats = FetchStats()
    graph = fetch_cone(graph_select(kg.graph), [IG.allergen], [IG.mast_cell_degranulation], max_length=8,
                       stats=stats)
    assert (stats.cone_nodes, stats.triples) == (8, len(graph))
    # 9 hops, one by two properties; the actions are the negative causal triples fetched
    cone = Cone(kg, "ig:allergen", "ig:mast_cell_degranulation", 8)
    assert stats.cone_edges == sum(len(activating(kg).edges[hop]["predicates"]) for hop in cone.edges) == 10
    negative = {kg.iri(p) for p, info in relation_properties(kg).items() if info["causal"] and info["polarity"] < 0}
    assert stats.actions == sum(1 for _s, p, _o in graph if p in negative) == 22
    assert stats.triples < len(kg) / 4 and stats.rows >= stats.triples and stats.requests < 40
    # what blocks shows: the omalizumab action, its provenance, its phase and the cone's labels
    assert (IG.omalizumab, IGE.neutralizes, IG.free_IgE) in graph
    assert (IG.free_IgE, IGE.formOf, IG.IgE) in graph
    assert any(graph.triples((None, IGE.evidenceQuote, None)))
    assert set(graph.objects(IG.omalizumab, IGE.developmentPhase))


def test_fetch_refuses_what_could_break_a_query(kg):
    select = graph_select(kg.graph)
    for bad in ("https://x/a> } ; DROP ALL ; <b", "https://x/a b", 'https://x/"'):
        with pytest.raises(IgegraphError, match="not a usable IRI"):
            fetch_cone(select, [bad], [IG.histamine], max_length=3)
    with pytest.raises(IgegraphError, match="max length must be at least 1"):
        fetch_cone(select, [IG.allergen], [IG.histamine], max_length=0)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The curated graph plus 10,000 synthetic triples (benchmarks/generate.py), which add
    regulators, supply and drugs around the review's pathway."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    where = tmp_path_factory.mktemp("synthetic") / "synthetic.nt"
    with open(where, "w", encoding="utf-8") as out:
        generate(10_000, out, seed=3)
    return igegraph.load([where])


def test_synthetic_graph_agrees(synthetic, whole):
    cone = _cone_backend(synthetic)
    assert _blocks_pathway(cone, "ige-fceri-degranulation") == whole(synthetic, _blocks_pathway,
                                                                     "ige-fceri-degranulation")
    counts = [_same_answers(whole, synthetic, cone, s, t, 6) for s, t in
              [("ig:allergen", "ig:mast_cell_degranulation"), ("ig:IgE", "ig:histamine")]]
    assert counts == [2, 3]
    report = whole(synthetic, _blocks_pathway, "ige-fceri-degranulation")
    assert {b["id"] for b in report["blockers"] if b["id"].startswith("ig:syn_")}  # synthetic drugs among them
    stats, every = FetchStats(), FetchStats()
    cone_graph(synthetic, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8, stats=stats)
    cone_graph(synthetic, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8, every_action=True, stats=every)
    # blocks takes only the actions that can block alone (2,206 triples here), cut sets every
    # action on the supply region (4,562): both far from the 15,875 of the graph
    assert stats.cone_nodes == every.cone_nodes == 8
    assert stats.triples < every.triples / 1.5 and every.triples < len(synthetic) / 3
    assert stats.requests < 60 + 2 * stats.explored / BATCH


@pytest.fixture(scope="module")
def indexed_kg(kg):
    """The curated graph on a store with its supply-dominator index: traversals read the
    dominator chains of their cone, not its supply ancestry."""
    return indexed(kg.engine.dump(kg.graph))


@pytest.mark.parametrize("name", ["allergic-cascade", "cd23-th2", "ige-fceri-degranulation", "sensitization"])
def test_named_pathways_agree_with_the_index(kg, indexed_kg, whole, name):
    info = next(p for p in pathways(kg) if p.name == name)
    assert _blocks_pathway(indexed_kg, name) == whole(kg, _blocks_pathway, name)
    for length in (8, 4):
        # blocks and path read the index; knockout and cut sets fetch the whole ancestry
        _same_answers(whole, kg, indexed_kg, info.source, info.target, length)
    log = indexed_kg.derived("traverse.fetch_stats", list)
    assert any(s.indexed for s in log) and not all(s.indexed for s in log)


def test_synthetic_graph_agrees_with_the_index(synthetic, whole):
    small = indexed(synthetic.engine.dump(synthetic.graph))
    assert _blocks_pathway(small, "ige-fceri-degranulation") == whole(synthetic, _blocks_pathway,
                                                                      "ige-fceri-degranulation")
    counts = [_same_answers(whole, synthetic, small, s, t, 6) for s, t in
              [("ig:allergen", "ig:mast_cell_degranulation"), ("ig:IgE", "ig:histamine")]]
    assert counts == [2, 3]
    with_index, without = FetchStats(), FetchStats()
    cone_graph(small, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8, stats=with_index,
               index=small.supply_index())
    cone_graph(small, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8, stats=without)
    assert with_index.indexed and not without.indexed
    assert with_index.cone_nodes == without.cone_nodes == 8 and with_index.triples < without.triples


def test_several_sources_and_targets_share_one_fetch(kg):
    graph = fetch_cone(graph_select(kg.graph), [IG.allergen, IG.IgE], [IG.histamine, IG.Th2_activation],
                       max_length=8)
    both = KnowledgeGraph(graph, "oxigraph", kg.sources)
    for s, t in [("ig:allergen", "ig:histamine"), ("ig:IgE", "ig:Th2_activation"), ("ig:IgE", "ig:histamine")]:
        assert blocks(both, s, t).to_dict() == blocks(kg, s, t).to_dict()
        assert path(both, s, t, all=True).to_dict() == path(kg, s, t, all=True).to_dict()


def test_a_changed_graph_fetches_its_cones_again(kg):
    """The cones, query answers and quads kept from a graph's earlier fetches are dropped when
    it changes: a drug added on the route is among the blockers of the next answer."""
    import pyoxigraph as ox

    from igegraph.backends.local import oxigraph_graph

    db = ox.Store()
    db.load(kg.engine.dump(kg.graph), format=ox.RdfFormat.N_QUADS)
    mine = KnowledgeGraph(oxigraph_graph(db), "oxigraph")
    mine.fetches_cones = True
    before = blocks(mine, "ig:allergen", "ig:histamine").to_dict()
    assert before == blocks(kg, "ig:allergen", "ig:histamine").to_dict()
    mine.graph.update(f"""INSERT DATA {{ <urn:x:drug> a <{IGE.MonoclonalAntibody}> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "test blocker" ; <{IGE.neutralizes}> <{IG.IgE}> }}""")
    after = blocks(mine, "ig:allergen", "ig:histamine").to_dict()
    assert "urn:x:drug" not in {b["id"] for b in before["blockers"]}
    assert "urn:x:drug" in {b["id"] for b in after["blockers"]}


def test_fetched_cone_graphs_are_shared_and_only_the_last_kept():
    """A fetch of the very triples an earlier one fetched gives back the same graph and
    KnowledgeGraph (its projection and cones built once); only the KEPT_CONES made last are
    kept, so a server's cones do not pile up."""
    from igegraph.traverse.cone import KEPT_CONES
    from igegraph.traverse.views import FETCHED

    kg = igegraph.load()
    first = cone_graph(kg, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8)
    assert cone_graph(kg, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8) is first
    other = cone_graph(kg, ["ig:allergen"], ["ig:histamine"], 8)
    assert other is not first and set(other.graph) != set(first.graph)
    graphs = kg.derived(FETCHED, dict)
    assert len(graphs) == 2
    for i in range(KEPT_CONES):  # newer fetches push the first two out
        graphs.put(frozenset({(IG[f"n{i}"], IGE.activates, IG.x)}), None)
    assert len(graphs) == KEPT_CONES and frozenset(first.graph) not in graphs
    again = cone_graph(kg, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8)
    assert again is not first and set(again.graph) == set(first.graph)
