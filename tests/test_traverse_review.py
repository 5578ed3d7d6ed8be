"""The review's pathways: the answers a biologist expects from path, blocks, knockout and cutsets."""

from __future__ import annotations

import pytest

import igegraph
from igegraph.errors import IgegraphError, UnknownEntity
from igegraph.traverse import (
    blocks,
    blocks_pathway,
    cutsets,
    downstream,
    knockout,
    neighbors,
    path,
    pathway,
    pathways,
    routes,
    upstream,
)

FREE_IGE_AGENTS = {"ig:CMAB007", "ig:IgEnio", "ig:immunoadsorption", "ig:ligelizumab", "ig:MEDI4212",
                   "ig:omalizumab", "ig:XmAb7195"}


def test_routes_to_degranulation(kg):
    found = routes(kg, "allergen", "mast cell degranulation")
    assert [r.labels for r in found][0] == ["allergen", "IgE", "FcεRI", "mast cell", "mast cell degranulation"]
    assert len(found) == 3


def test_per_route_modes_match_knockout(kg):
    report = blocks(kg, "allergen", "histamine")
    for drug in ("ig:quilizumab", "ig:bsc_IgE_CD3"):
        row = next(b for b in report.blockers if b.id == drug)
        ko = knockout(kg, [drug], "allergen", "histamine")
        assert [(c.route, c.mode, c.at) for c in row.cuts] == [(c["route"], c["mode"], c["at"]) for c in ko.cut]
        # routes that never pass the IgE+ B cell are cut upstream, at IgE; the others directly
        for c in row.cuts:
            on_route = "ig:IgE_B_cell" in report.routes[c.route].nodes
            assert (c.mode, c.at) == (("direct", "ig:IgE_B_cell") if on_route else ("upstream", "ig:IgE"))
        assert row.cuts_all_routes and row.mode == "direct+upstream"


def test_end_point_agents_are_apart(kg):
    report = blocks(kg, "IgE+ B cell", "IgE")
    # the free-IgE agents act on the product, not on the B cells making it (quilizumab also
    # lowers free IgE, beside killing the cells)
    assert {a.id for a in report.acts_on_target} == FREE_IGE_AGENTS | {"ig:quilizumab"}
    assert FREE_IGE_AGENTS.isdisjoint({b.id for b in report.blockers if b.acts_on == "ig:free_IgE"})
    assert {b.id for b in report.blockers if b.cuts_all_routes} == {"ig:quilizumab", "ig:bsc_IgE_CD3"}


def test_partial_effects_only_weaken(kg):
    report = blocks(kg, "allergen", "mast cell degranulation")
    weak = {(b.id, b.acts_on) for b in report.blockers if b.strength == "weakens"}
    assert ("ig:omalizumab", "ig:FcERI") in weak and ("ig:CTLA4Fce", "ig:IgE_plasma_cell") in weak
    assert all(not b.cuts_all_routes for b in report.blockers if b.strength == "weakens")
    assert report.interventions["ig:CTLA4Fce"]["cuts_all_routes"] is False


def test_context_keeps_effects_in_their_cells(kg):
    # MEDI4212 lowers FcεRI on dendritic cells and basophils: the mast-cell route is untouched
    mast = blocks(kg, "allergen", "mast cell degranulation")
    assert ("ig:MEDI4212", "ig:FcERI") not in {(b.id, b.acts_on) for b in mast.blockers}
    basophil = blocks(kg, "allergen", "basophil degranulation")
    medi = next(b for b in basophil.blockers if (b.id, b.acts_on) == ("ig:MEDI4212", "ig:FcERI"))
    assert (medi.strength, medi.context, medi.share) == ("weakens", ["basophil", "dendritic cell"], 1.0)
    # the micelles act on mast cells: they cut every mast-cell route and no basophil route
    micelles = {(b.acts_on, b.action): b for b in basophil.blockers if b.id == "ig:celastrol_micelles"}
    assert micelles == {}
    hist = blocks(kg, "allergen", "histamine")
    for b in hist.blockers:
        if b.id == "ig:celastrol_micelles" and b.strength == "cuts":
            cut = {c.route for c in b.cuts}
            assert cut == {i for i, r in enumerate(hist.routes) if "ig:mast_cell" in r.nodes}, b.action
            assert not b.cuts_all_routes


def test_clinical_end_points_are_reachable(kg):
    for disease in ("anaphylaxis", "allergic asthma"):
        report = blocks(kg, "allergen", disease)
        assert report.count.n > 0, disease
        assert all({"ig:IgE", "ig:FcERI"} <= set(r.nodes) for r in report.routes)
        assert report.interventions["ig:omalizumab"]["cuts_all_routes"] is True, disease
    asthma = path(kg, "allergen", "allergic asthma")
    assert asthma.routes[0].labels == ["allergen", "IgE", "FcεRI", "mast cell", "allergic asthma"]


def test_knockout_of_any_entity(kg):
    for item in ("FcεRI", "mast cell"):
        ko = knockout(kg, [item], "allergen", "mast cell degranulation")
        assert (ko.removed, ko.applied, ko.routes_before.n, ko.routes_after.n) == (
            [kg.resolve(item)], [], 3, 0)
    ko = knockout(kg, ["histamine"], "allergen", "histamine")
    assert ko.routes_after.n == 0
    mixed = knockout(kg, ["omalizumab", "IgE"], "allergen", "mast cell degranulation")
    assert (mixed.removed, mixed.applied, mixed.surviving) == (["ig:IgE"], ["ig:omalizumab"], [])


def test_knockout_json_shape(kg):
    data = knockout(kg, ["CTLA4Fce"], "allergen", "IgE").to_dict()
    assert set(data) == {"source", "target", "removed", "applied", "routes_before", "routes_before_exact",
                         "routes_after", "routes_after_exact", "routes", "surviving", "cut", "weakened", "notes"}
    assert data["applied"] == ["ig:CTLA4Fce"]
    assert data["routes_before"] == data["routes_after"]  # CTLA4Fcε only lowers the plasma cells


def test_review_knockout_all_blockers_of_a_route(kg):
    report = blocks_pathway(kg, "ige-fceri-degranulation")
    everyone = sorted({b.id for b in report.blockers if b.strength == "cuts"})
    assert knockout(kg, everyone, "allergen", "mast cell degranulation").surviving == []


def test_review_blocks_json_shape(kg):
    data = blocks_pathway(kg, "ige-fceri-degranulation").to_dict()
    assert data["pathway"]["source"] == "ig:allergen" and data["pathway"]["target"] == "ig:mast_cell_degranulation"
    assert (data["pathway"]["route_count"], data["pathway"]["route_count_exact"], len(data["pathway"]["routes"])) == (
        3, True, 3)
    assert [m["id"] for m in data["pathway"]["must_pass"]] == ["ig:FcERI", "ig:IgE", "ig:mast_cell"]
    first = data["blockers"][0]
    assert {"id", "label", "step", "mode", "action", "mechanism", "phase", "references", "cuts_all_routes",
            "cuts", "strength", "share"} <= set(first)
    assert set(first["cuts"][0]) == {"route", "mode", "at", "at_label", "strength"}
    assert "acts_on_target" in data and "interventions" in data


def test_cutsets_interventions_and_entities(kg):
    # free-IgE agents act on the source; the IgE+ B-cell killers starve it upstream
    assert [c.labels[0] for c in cutsets(kg, "IgE", "Th2 activation", max_size=1)] == [
        "bsc-IgE/CD3", "CMAB007", "IgEnio", "immunoadsorption", "ligelizumab", "MEDI4212", "omalizumab",
        "quilizumab", "XmAb7195"]
    entities = [c.labels for c in cutsets(kg, "allergen", "mast cell degranulation", max_size=1, entities=True)]
    assert ["FcεRI"] in entities and ["mast cell"] in entities and ["IgE"] in entities


def test_path_counts_and_no_route(kg):
    report = path(kg, "allergen", "mast cell degranulation")
    assert [r.labels for r in report.routes] == [["allergen", "IgE", "FcεRI", "mast cell", "mast cell degranulation"]]
    assert report.count.text() == "3 routes"
    assert len(path(kg, "allergen", "mast cell degranulation", all=True).routes) == 3
    none = path(kg, "histamine", "allergen")
    assert none.routes == [] and none.no_route.endswith("at any length: nothing causal leads from one to the other")
    short = path(kg, "allergen", "mast cell degranulation", max_length=3)
    assert short.no_route == ("no route from allergen to mast cell degranulation within 3 steps; "
                              "the shortest has 4 (use --max-length 4)")


def test_neighbors_and_closures(kg):
    down = neighbors(kg, "mast cell", direction="down", predicates=["secretes"])
    assert sorted(r["label"] for r in down) == ["LTC4", "PGD2", "histamine"]
    up = neighbors(kg, "IgE", direction="up", predicates=["ige:secretes"])
    assert {r["id"] for r in up} == {"ig:IgE_B_cell", "ig:IgE_plasma_cell", "ig:plasmablast"}
    assert {r["id"] for r in upstream(kg, "IgE_B_cell", max_depth=1)} >= {"ig:quilizumab", "ig:class_switching_to_IgE"}
    assert "ig:bronchoconstriction" in {r["id"] for r in downstream(kg, "histamine")}
    with pytest.raises(IgegraphError, match="unknown predicate 'secrets'; did you mean: secretes"):
        neighbors(kg, "mast cell", predicates=["secrets"])


def test_pathways_listed(kg):
    assert [p.name for p in pathways(kg)] == ["allergic-cascade", "cd23-th2", "ige-fceri-degranulation", "sensitization"]
    info = pathway(kg, "ige-fceri-degranulation")
    assert [s["entities"] for s in info.steps] == [
        ["ig:allergen"], ["ig:IgE"], ["ig:FcERI"], ["ig:mast_cell"], ["ig:mast_cell_degranulation"]]
    with pytest.raises(IgegraphError, match="unknown pathway 'nope'; known pathways: allergic-cascade"):
        pathway(kg, "nope")


def test_pathways_are_read_again_after_a_change():
    """pathways() keeps its list per graph: each call gets its own copy, and a change to the
    graph drops the kept list."""
    kg = igegraph.load()
    first = pathways(kg)
    first[0].steps.clear()  # the caller's copy, not the kept list
    assert pathways(kg)[0].steps
    kg.graph.update("""PREFIX ige: <https://w3id.org/igegraph/vocab#>
        DELETE { ?p ige:pathwayName "sensitization" } INSERT { ?p ige:pathwayName "renamed" }
        WHERE { ?p ige:pathwayName "sensitization" }""")
    assert [p.name for p in pathways(kg)] == ["allergic-cascade", "cd23-th2", "ige-fceri-degranulation", "renamed"]


def test_no_route_is_empty(kg):
    report = blocks(kg, "histamine", "allergen")
    assert report.routes == [] and report.blockers == [] and report.count.n == 0


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
    path_ = tmp_path / "loop.ttl"
    path_.write_text(LOOP)
    kg = igegraph.load([path_])
    # the x <-> y loop makes the product too, so killing its other maker cuts nothing
    assert knockout(kg, ["loop killer"], "loop product", "loop target").surviving == [0]


def _agents(rows: list[dict]) -> dict[str, int]:
    return {r["label"]: r["distance"] for r in rows if r["intervention"]}


def test_upstream_follows_actions_on_forms_as_blocks_does(kg):
    # neutralizing or removing free IgE acts on IgE (free IgE is a form of IgE), as in blocks
    assert _agents(upstream(kg, "IgE")) == {
        "CMAB007": 1, "IgEnio": 1, "immunoadsorption": 1, "ligelizumab": 1, "MEDI4212": 1, "omalizumab": 1,
        "quilizumab": 1, "XmAb7195": 1, "bsc-IgE/CD3": 2, "CTLA4Fcε": 2, "MEDI4212 Fc variant": 2}
    # the causes are unchanged: forms and narrower types widen only what an action reaches
    assert {r["label"] for r in upstream(kg, "IgE") if not r["intervention"]} == {
        "allergen", "IgE+ B cell", "IgE-secreting plasma cell", "plasmablast", "class switching to IgE",
        "membrane-bound IgE", "B cell", "CD23"}
    # blocking IgE–FcεRI binding acts on the hop into FcεRI
    assert _agents(upstream(kg, "mast cell degranulation")) == {
        "anti-FcεRI Fab-conjugated celastrol-loaded polymeric micelles": 1, "ligelizumab": 3, "MEDI4212": 3,
        "omalizumab": 3, "CMAB007": 4, "IgEnio": 4, "immunoadsorption": 4, "quilizumab": 4, "XmAb7195": 4,
        "bsc-IgE/CD3": 5, "CTLA4Fcε": 5, "MEDI4212 Fc variant": 5}
    via = {r["label"]: r["via"] for r in upstream(kg, "IgE", max_depth=1)}
    assert via["omalizumab"] == "omalizumab -[neutralizes]-> free IgE (free IgE is a form of IgE)"
    # every agent blocks puts at IgE acts on IgE
    at_ige = {b.label for b in blocks(kg, "allergen", "mast cell degranulation").blockers if b.step == "ig:IgE"}
    assert at_ige <= set(_agents(upstream(kg, "IgE")))
    # killing IgE+ B cells kills the plasmablasts among them
    assert {"bsc-IgE/CD3", "quilizumab"} <= set(_agents(upstream(kg, "plasmablast", max_depth=1)))


def test_downstream_follows_actions_on_forms_and_interactions(kg):
    down = {r["label"]: r for r in downstream(kg, "omalizumab")}
    assert down["IgE"]["distance"] == 1 and down["IgE"]["via"] == (
        "omalizumab -[neutralizes]-> free IgE (free IgE is a form of IgE)")
    assert {"CD23", "helminth infection", "IgE-mediated allergic disease"} <= set(down)
    mast = {r["label"] for r in downstream(kg, "ligelizumab")}
    assert {"FcεRI", "mast cell", "histamine", "mast cell degranulation"} <= mast
    assert [r["via"] for r in downstream(kg, "ligelizumab", max_depth=1) if r["label"] == "FcεRI"] == [
        "ligelizumab -[blocks binding]-> IgE–FcεRI binding (IgE → FcεRI)"]


def test_closures_say_the_net_direction(kg):
    down = {r["label"]: r["effect"] for r in downstream(kg, "omalizumab")}
    assert {k: down[k] for k in ("histamine", "mast cell", "allergic asthma", "IgE", "arterial thrombosis",
                                 "cardiovascular disease", "helminth infection")} == {
        "histamine": "decreases", "mast cell": "decreases", "allergic asthma": "decreases", "IgE": "decreases",
        "arterial thrombosis": "increases", "cardiovascular disease": "increases",
        # omalizumab lowers IgE, which protects against helminths
        "helminth infection": "increases"}
    up = {r["label"]: r["effect"] for r in upstream(kg, "IgE")}
    assert {up["omalizumab"], up["bsc-IgE/CD3"], up["CTLA4Fcε"]} == {"decreases"}
    assert {up["allergen"], up["B cell"], up["CD23"]} == {"increases"}


SIGNED = """@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ex: <https://example.org/signed/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:x a ige:Protein ; rdfs:label "x" .  ex:y a ige:Protein ; rdfs:label "y" .  ex:z a ige:Protein ; rdfs:label "z" .
ex:s a ige:Protein ; rdfs:label "s" .  ex:p a ige:Protein ; rdfs:label "p" .  ex:q a ige:Protein ; rdfs:label "q" .
ex:x ige:activates ex:y .  ex:x ige:inhibits ex:z .  ex:z ige:activates ex:y .
ex:s ige:activates ex:p .  ex:p ige:activates ex:q .  ex:q ige:inhibits ex:p .
"""


def test_routes_of_both_signs_make_an_effect_mixed_and_a_feedback_loop_does_not(tmp_path):
    (tmp_path / "signed.ttl").write_text(SIGNED)
    g = igegraph.load([tmp_path / "signed.ttl"])
    assert {r["label"]: r["effect"] for r in downstream(g, "x")} == {"y": "mixed", "z": "decreases"}
    assert {r["label"]: r["effect"] for r in upstream(g, "y")} == {"x": "mixed", "z": "increases"}
    # s → p → q → p is no route: the loop q ⊣ p alone does not make p or q mixed
    assert {r["label"]: r["effect"] for r in downstream(g, "s")} == {"p": "increases", "q": "increases"}
    assert {r["label"]: r["effect"] for r in downstream(g, "s", max_depth=1)} == {"p": "increases"}


def test_a_broader_predicate_follows_its_subproperties(kg):
    """A predicate the error lists as known ('acts against', 'depletes', 'produces') also follows
    the relations declared below it (rdfs:subPropertyOf): it matched nothing before."""
    up = upstream(kg, "IgE+ B cell", max_depth=1, predicates=["acts against"])
    assert {r["label"] for r in up} == {"bsc-IgE/CD3", "MEDI4212 Fc variant", "quilizumab", "XmAb7195"}
    assert {r["label"] for r in upstream(kg, "IgE+ B cell", max_depth=1, predicates=["depletes"])} == {
        "bsc-IgE/CD3", "quilizumab"}
    down = neighbors(kg, "mast cell", direction="down", predicates=["produces"])
    assert {r["label"] for r in down} == {"LTC4", "PGD2", "histamine"}
    # a relation that is not causal is named as given, not as one below it
    with pytest.raises(IgegraphError, match="^'has part' is not a causal relation"):
        upstream(kg, "IgE", predicates=["has part"])
