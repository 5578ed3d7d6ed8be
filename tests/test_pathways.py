"""Traversal semantics on a toy network with known answers, and on the review's pathways."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

import igegraph
from igegraph.errors import IgegraphError, UnknownEntity
from igegraph.pathways import (
    blocks, blocks_pathway, cutsets, downstream, knockout, neighbors, path, pathway, pathways, routes, upstream,
)

TOY = Path(__file__).parent / "fixtures" / "pathways" / "toy.ttl"
T = "https://example.org/toy/"


@pytest.fixture(scope="module")
def toy():
    return igegraph.load([TOY])


def test_toy_routes(toy):
    found = routes(toy, "toy source", "toy target")
    assert [r.labels for r in found] == [["toy source", "toy a", "toy target"], ["toy source", "toy b", "toy target"]]
    assert [r.hops[0]["predicates"][0]["predicate"] for r in found] == ["ige:bindsReceptor", "ige:activates"]


def test_toy_blocks(toy):
    report = blocks(toy, "toy source", "toy target")
    got = {(b.label, b.step_label, b.mode, b.cuts_all_routes, tuple(b.surviving_routes)) for b in report.blockers}
    assert got == {
        ("toy drug src", "toy source", "direct", True, ()),
        ("toy drug edge", "toy source → toy b", "direct", False, (0,)),
        ("toy drug a", "toy a", "direct", False, (1,)),
        ("toy drug b", "toy b", "direct", False, (0,)),
    }
    # killing one of two makers of "a" does not cut its supply; the tool only binds
    assert {"toy drug maker", "toy drug second maker", "toy tool"}.isdisjoint({b.label for b in report.blockers})


def test_toy_upstream_needs_every_supply_cut(toy):
    one = knockout(toy, ["toy drug maker"], "toy a", "toy target")
    assert one.surviving == [0]
    both = knockout(toy, ["toy drug maker", "toy drug second maker"], "toy a", "toy target")
    assert both.surviving == [] and both.cut == {0: "upstream at toy a"}


def test_toy_knockout(toy):
    ko = knockout(toy, ["toy drug a"], "toy source", "toy target")
    assert ko.surviving == [1] and ko.cut == {0: "direct at toy a"}
    ko = knockout(toy, ["toy drug a", "toy drug edge"], "toy source", "toy target")
    assert ko.surviving == [] and ko.cut == {0: "direct at toy a", 1: "direct at toy source → toy b"}


def test_toy_cutsets_minimal_and_complete(toy):
    found = [set(c.labels) for c in cutsets(toy, "toy source", "toy target", max_size=3)]
    assert found == [{"toy drug src"}, {"toy drug a", "toy drug b"}, {"toy drug a", "toy drug edge"},
                     {"toy drug b", "toy drug maker", "toy drug second maker"},
                     {"toy drug edge", "toy drug maker", "toy drug second maker"}]
    # minimal: no proper subset cuts every route
    for cut in found:
        for k in range(1, len(cut)):
            for sub in combinations(sorted(cut), k):
                assert knockout(toy, sub, "toy source", "toy target").surviving
    # complete up to size 3: every other combination of candidates leaves a route or is a superset
    candidates = ["toy drug a", "toy drug b", "toy drug src", "toy drug maker", "toy drug second maker", "toy drug edge", "toy tool"]
    for k in range(1, 4):
        for combo in combinations(candidates, k):
            cuts_all = not knockout(toy, combo, "toy source", "toy target").surviving
            covered = any(c <= set(combo) for c in found)
            assert cuts_all == covered, combo


def test_review_knockout_all_blockers_of_a_route(kg):
    report = blocks_pathway(kg, "ige-fceri-degranulation")
    everyone = sorted({b.id for b in report.blockers})
    assert knockout(kg, everyone, "allergen", "mast cell degranulation").surviving == []


def test_review_partial_blocker(kg):
    ko = knockout(kg, ["CTLA4Fce"], "allergen", "IgE")
    # CTLA4Fcε acts on the IgE-secreting plasma cells only: IgE+ B cells and plasmablasts still make IgE
    assert [ko.routes[i].labels[-2] for i in ko.surviving] == ["allergen", "IgE+ B cell", "plasmablast"]


def test_review_upstream_mode(kg):
    report = blocks(kg, "allergen", "mast cell degranulation", max_length=4)
    upstream_ids = {b.id for b in report.blockers if b.mode == "upstream"}
    assert upstream_ids == {"ig:quilizumab", "ig:bsc_IgE_CD3", "ig:XmAb7195", "ig:MEDI4212_Fc_variant"}
    assert {b.step for b in report.blockers if b.mode == "upstream"} == {"ig:IgE"}
    assert {b.acts_on for b in report.blockers if b.mode == "upstream"} == {"ig:IgE_B_cell"}


def test_review_blocks_json_shape(kg):
    data = blocks_pathway(kg, "ige-fceri-degranulation").to_dict()
    assert data["pathway"]["source"] == "ig:allergen" and data["pathway"]["target"] == "ig:mast_cell_degranulation"
    assert len(data["pathway"]["routes"]) == 4
    first = data["blockers"][0]
    assert {"id", "label", "step", "mode", "action", "mechanism", "phase", "references", "cuts_all_routes"} <= set(first)
    omalizumab = [b for b in data["blockers"] if b["id"] == "ig:omalizumab"]
    assert [(b["step"], b["action"], b["phase"], b["references"]) for b in omalizumab] == [
        ("ig:IgE", "neutralizes", "Marketed", [30]),
        ("ig:IgE->ig:FcERI", "blocks binding", "Marketed", [31]),
        ("ig:FcERI", "down-regulates", "Marketed", [20, 21, 36]),
    ]


def test_review_cd23_branch_blockers(kg):
    report = blocks_pathway(kg, "cd23-th2")
    assert {(b.step, b.id) for b in report.blockers if b.mode == "direct"} == {
        ("ig:IgE", d) for d in ("ig:CMAB007", "ig:IgEnio", "ig:immunoadsorption", "ig:ligelizumab", "ig:MEDI4212",
                                "ig:omalizumab", "ig:XmAb7195")
    } | {("ig:IgE->ig:CD23", "ig:MEDI4212"), ("ig:CD23", "ig:CTLA4Fce"),
         ("ig:antigen_presentation", "ig:omalizumab"), ("ig:Th2_activation", "ig:omalizumab")}


def test_basophil_route_survives_mast_cell_killer(kg):
    report = blocks(kg, "allergen", "allergic reaction", max_length=5)
    killer = next(b for b in report.blockers if b.acts_on == "ig:mast_cell")
    assert (killer.id, killer.action, killer.cuts_all_routes) == ("ig:celastrol_micelles", "induces apoptosis of", False)
    surviving = [report.routes[i].labels for i in killer.surviving_routes]
    assert ["allergen", "IgE", "FcεRI", "basophil", "allergic reaction"] in surviving
    assert not any("mast cell" in labels for labels in surviving)


def test_path_shortest_and_all(kg):
    shortest = path(kg, "allergen", "mast cell degranulation")
    assert [r.labels for r in shortest] == [["allergen", "IgE", "FcεRI", "mast cell", "mast cell degranulation"]]
    assert len(path(kg, "allergen", "mast cell degranulation", all=True)) == 4
    assert path(kg, "histamine", "allergen") == []


def test_neighbors_and_closures(kg):
    down = neighbors(kg, "mast cell", direction="down", predicates=["secretes"])
    assert sorted(r["label"] for r in down) == ["LTC4", "PGD2", "histamine"]
    up = neighbors(kg, "IgE", direction="up", predicates=["ige:secretes"])
    assert {r["id"] for r in up} == {"ig:IgE_B_cell", "ig:IgE_plasma_cell", "ig:plasmablast"}
    assert {r["id"] for r in upstream(kg, "IgE_B_cell", max_depth=1)} >= {"ig:quilizumab", "ig:class_switching_to_IgE"}
    assert {r["id"] for r in downstream(kg, "histamine")} == {
        "ig:bronchoconstriction", "ig:mucus_secretion", "ig:mucosal_edema", "ig:allergic_reaction", "ig:asthma"}
    with pytest.raises(IgegraphError, match="unknown predicate 'secrets'; did you mean: secretes"):
        neighbors(kg, "mast cell", predicates=["secrets"])


def test_pathways_listed(kg):
    assert [p.name for p in pathways(kg)] == ["allergic-cascade", "cd23-th2", "ige-fceri-degranulation", "sensitization"]
    info = pathway(kg, "ige-fceri-degranulation")
    assert [s["entities"] for s in info.steps] == [
        ["ig:allergen"], ["ig:IgE"], ["ig:FcERI"], ["ig:mast_cell"], ["ig:mast_cell_degranulation"]]
    with pytest.raises(IgegraphError, match="unknown pathway 'nope'; known pathways: allergic-cascade"):
        pathway(kg, "nope")


def test_no_route_is_empty(kg):
    report = blocks(kg, "histamine", "allergen")
    assert report.routes == [] and report.blockers == []


def test_injection_as_term_is_inert(kg):
    with pytest.raises(UnknownEntity):
        blocks(kg, 'omalizumab" || true) } #', "IgE")


def test_sparql_and_traversal_agree_on_routes(kg):
    # every hop of every route is an activating triple in the RDF graph
    for route in routes(kg, "allergen", "mast cell degranulation"):
        for hop in route.hops:
            for p in hop["predicates"]:
                text = f"ASK {{ {hop['source']} {p['predicate']} {hop['target']} . {p['predicate']} ige:polarity 1 }}"
                assert kg.query(text).boolean


LOOP = """@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ex: <https://example.org/loop/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:x a ige:Cell ; rdfs:label "loop x" .
ex:y a ige:Cell ; rdfs:label "loop y" .
ex:maker a ige:Cell ; rdfs:label "loop maker" .
ex:c a ige:Protein ; rdfs:label "loop product" .
ex:t a ige:BiologicalProcess ; rdfs:label "loop target" .
ex:killer a ige:MonoclonalAntibody ; rdfs:label "loop killer" .
ex:x ige:activates ex:y . ex:y ige:activates ex:x .
ex:y ige:secretes ex:c . ex:maker ige:secretes ex:c .
ex:c ige:activates ex:t .
ex:killer ige:kills ex:maker .
"""


def test_self_sustaining_loop_is_a_supply(tmp_path):
    path = tmp_path / "loop.ttl"
    path.write_text(LOOP)
    kg = igegraph.load([path])
    # the x <-> y loop makes the product too, so killing its other maker cuts nothing
    assert knockout(kg, ["loop killer"], "loop product", "loop target").surviving == [0]
