"""Every competency question (CQ1–CQ13, each stated in the header of its queries/cqNN-*.rq) answered exactly, twice:
by its named SPARQL query and through the networkx projection, on both backends."""

from __future__ import annotations

from igegraph.sparql import named_query, run_query
from igegraph.traverse import blocks_pathway, pathway


def ask(kg, query_name: str, **bindings) -> list[dict]:
    query = named_query(query_name)
    return run_query(kg, query.text, query.bind(kg, bindings)).records()


def out_nodes(kg, node: str, predicate: str) -> set[str]:
    g = kg.projection
    return {o for _, o, k in g.out_edges(node, keys=True) if k == predicate}


def in_nodes(kg, node: str, predicate: str) -> set[str]:
    g = kg.projection
    return {s for s, _, k in g.in_edges(node, keys=True) if k == predicate}


CE3_BINDERS = {"ig:omalizumab", "ig:CMAB007", "ig:ligelizumab", "ig:MEDI4212"}


def test_cq01_ce3_binders(any_kg):
    rows = ask(any_kg, "cq01-ce3-binders")
    assert {r["drug"] for r in rows} == CE3_BINDERS
    assert {r["drug"]: r["alsoBinds"] for r in rows}["ig:MEDI4212"] == "Cε4"
    assert in_nodes(any_kg, "ig:Ce3", "ige:binds") == CE3_BINDERS
    only_ce3 = {d for d in CE3_BINDERS if out_nodes(any_kg, d, "ige:binds") == {"ig:Ce3"}}
    assert only_ce3 == CE3_BINDERS - {"ig:MEDI4212"}


def test_cq02_cemx(any_kg):
    rows = ask(any_kg, "cq02-cemx-target")
    assert [(r["drug"], r["carrier"], r["cell"]) for r in rows] == [("ig:quilizumab", "ig:membrane_IgE", "ig:IgE_B_cell")]
    assert in_nodes(any_kg, "ig:CemX", "ige:targets") == {"ig:quilizumab"}
    assert out_nodes(any_kg, "ig:membrane_IgE", "ige:expressedOn") == {"ig:IgE_B_cell"}


STRATEGIES = {
    "Serum IgE neutralization": {"ig:immunoadsorption", "ig:omalizumab", "ig:CMAB007", "ig:ligelizumab",
                                 "ig:MEDI4212", "ig:recombinant_ScFv"},
    "IgE-effector cells": {"ig:celastrol_micelles", "ig:CTLA4Fce"},
    "IgE+ B cells": {"ig:quilizumab", "ig:bsc_IgE_CD3", "ig:XmAb7195"},
}


def test_cq03_strategies(any_kg):
    got: dict[str, set[str]] = {}
    for r in ask(any_kg, "cq03-table1-strategies"):
        got.setdefault(r["strategyLabel"], set()).add(r["therapy"])
    assert got == STRATEGIES


def test_cq03_bound_strategy(kg):
    rows = ask(kg, "cq03-table1-strategies", strategy="ig:strategy_IgE_B_cells")
    assert {r["therapy"] for r in rows} == STRATEGIES["IgE+ B cells"]


def test_cq04_types(any_kg):
    got: dict[str, set[str]] = {}
    for r in ask(any_kg, "cq04-table1-types"):
        got.setdefault(r["type"], set()).add(r["therapy"])
    assert got == {
        "Monoclonal antibody": {"ig:omalizumab", "ig:ligelizumab", "ig:MEDI4212", "ig:quilizumab",
                                "ig:bsc_IgE_CD3", "ig:XmAb7195"},
        "Plasma-pheresis": {"ig:immunoadsorption"},
        "Biosimilar of omalizumab": {"ig:CMAB007"},
        "Single-chain antibody": {"ig:recombinant_ScFv"},
        "Polymer": {"ig:celastrol_micelles"},
        "Fusion protein": {"ig:CTLA4Fce"},
    }


def test_cq05_phases(any_kg):
    got: dict[str, set[str]] = {}
    for r in ask(any_kg, "cq05-table1-phases"):
        got.setdefault(r["phaseLabel"], set()).add(r["therapy"])
    assert got == {
        "Marketed": {"ig:immunoadsorption", "ig:omalizumab"},
        "Phase III": {"ig:CMAB007"},
        "Phase II": {"ig:ligelizumab", "ig:quilizumab"},
        "Phase I": {"ig:MEDI4212", "ig:XmAb7195"},
        "Preclinical": {"ig:recombinant_ScFv", "ig:celastrol_micelles", "ig:CTLA4Fce", "ig:bsc_IgE_CD3"},
    }
    texts = {r["therapy"]: r["phaseText"] for r in ask(any_kg, "cq05-table1-phases")}
    assert texts["ig:CMAB007"] == "Phase III; Local license"


def test_cq06_trials(any_kg):
    rows = ask(any_kg, "cq06-trials")
    assert {r["trialId"]: r["drug"] for r in rows} == {
        "NCT01703312": "ig:ligelizumab",
        "NCT01544348": "ig:MEDI4212",
        "NCT01582503": "ig:quilizumab",
        "NCT02148744": "ig:XmAb7195",
        "NCT03468790": "ig:CMAB007",
    }
    cmab = next(r for r in rows if r["trialId"] == "NCT03468790")
    assert (cmab["phase"], cmab["condition"], cmab["country"]) == ("Phase III", "allergic asthma", "China")


def test_cq07_fda(any_kg):
    rows = ask(any_kg, "cq07-fda-approved")
    assert {r["drug"]: r["antiIgE"] for r in rows} == {"ig:omalizumab": True, "ig:dupilumab": False}
    assert in_nodes(any_kg, "ig:FDA", "ige:approvedBy") == {"ig:omalizumab", "ig:dupilumab"}
    assert out_nodes(any_kg, "ig:dupilumab", "ige:targets") == {"ig:IL4R"}


def test_cq08_receptor_binders(any_kg):
    rows = ask(any_kg, "cq08-ige-receptor-binders")
    assert {(r["drug"], r["receptor"]) for r in rows} == {
        ("ig:celastrol_micelles", "ig:FcERI"),
        ("ig:celastrol_micelles", "ig:FcERI_alpha"),
        ("ig:CTLA4Fce", "ig:FcERI"),
        ("ig:CTLA4Fce", "ig:CD23"),
    }
    # CTLA4Fcε binds (the review says no more) FcεRI, CD23 and CD80/CD86; XmAb7195 engages FcγRIIb (an IgG receptor)
    assert out_nodes(any_kg, "ig:CTLA4Fce", "ige:binds") == {"ig:FcERI", "ig:CD23", "ig:CD80", "ig:CD86"}
    assert out_nodes(any_kg, "ig:CTLA4Fce", "ige:antagonizes") == set()
    assert "ig:FcgRIIb" in out_nodes(any_kg, "ig:XmAb7195", "ige:binds")


def test_cq09_ige_b_cell_reducers(any_kg):
    rows = ask(any_kg, "cq09-ige-b-cell-reducers")
    assert {(r["drug"], r["action"]) for r in rows} == {
        ("ig:quilizumab", "induces apoptosis of"),
        ("ig:bsc_IgE_CD3", "kills"),
        ("ig:XmAb7195", "inhibits"),
        ("ig:MEDI4212_Fc_variant", "down-regulates"),
    }
    g = any_kg.projection
    negative = {s for s, _, d in g.in_edges("ig:IgE_B_cell", data=True) if d["polarity"] < 0}
    assert negative == {r["drug"] for r in rows}


def test_cq10_receptor_cells(any_kg):
    got: dict[str, set[str]] = {}
    for r in ask(any_kg, "cq10-receptor-cells"):
        got.setdefault(r["receptor"], set()).add(r["cell"])
    expected = {
        "ig:FcERI": {"ig:mast_cell", "ig:basophil", "ig:dendritic_cell"},
        "ig:CD23": {"ig:B_cell", "ig:monocyte"},
    }
    assert got == expected
    for receptor, cells in expected.items():
        assert out_nodes(any_kg, receptor, "ige:expressedOn") == cells
    rows = ask(any_kg, "cells-expressing", receptor="CD23")
    assert {r["cell"] for r in rows} == expected["ig:CD23"]


def test_cq11_mast_cell_mediators(any_kg):
    rows = ask(any_kg, "cq11-mast-cell-mediators")
    mediators = {"ig:histamine", "ig:PGD2", "ig:LTC4"}
    effects = {"ig:bronchoconstriction", "ig:mucus_secretion", "ig:mucosal_edema"}
    assert {(r["mediator"], r["effect"]) for r in rows} == {(m, e) for m in mediators for e in effects}
    assert out_nodes(any_kg, "ig:mast_cell", "ige:secretes") == mediators
    for m in mediators:
        assert effects <= out_nodes(any_kg, m, "ige:causes")


def test_cq12_cascade_order(any_kg):
    rows = ask(any_kg, "cq12-cascade-steps")
    assert [r["index"] for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    entities = [set(r["entities"].split(", ")) for r in rows]
    assert "class switching to IgE" in entities[0]
    assert {"IgE+ B cell", "IgE-secreting plasma cell"} <= entities[1]
    assert "free IgE" in entities[2]
    assert {"FcεRI", "mast cell", "basophil"} <= entities[3]
    assert {"allergen", "calcium ion"} <= entities[4]
    assert {"mast cell degranulation", "histamine"} <= entities[5]
    assert "allergic reaction" in entities[6]
    info = pathway(any_kg, "allergic-cascade")
    assert [s["index"] for s in info.steps] == [1, 2, 3, 4, 5, 6, 7]
    assert [s["label"] for s in info.steps] == [r["step"] for r in rows]


# The blocker table of CQ13, as (step, intervention) pairs, plus the extra actions the review
# states (omalizumab and MEDI4212 down-regulate FcεRI [20,21,36,41]). CTLA4Fcε only binds FcεRI
# (review and Table 1: 'Bind IgE receptors'), so it acts on this route at the plasma cells alone.
CQ13 = {
    ("ig:IgE_B_cell", "ig:quilizumab"),
    ("ig:IgE_B_cell", "ig:bsc_IgE_CD3"),
    ("ig:IgE_B_cell", "ig:XmAb7195"),
    ("ig:IgE_B_cell", "ig:MEDI4212_Fc_variant"),
    ("ig:IgE_plasma_cell", "ig:CTLA4Fce"),
    ("ig:IgE", "ig:immunoadsorption"),
    ("ig:IgE", "ig:IgEnio"),
    ("ig:IgE", "ig:omalizumab"),
    ("ig:IgE", "ig:CMAB007"),
    ("ig:IgE", "ig:ligelizumab"),
    ("ig:IgE", "ig:MEDI4212"),
    ("ig:IgE", "ig:XmAb7195"),
    ("ig:IgE", "ig:quilizumab"),  # lowers serum IgE [56-59] (ige:reduces: weakens, does not cut)
    ("ig:IgE_plasma_cell", "ig:XmAb7195"),  # fewer IgE-secreting plasma cells [65] (ige:reduces)
    ("ig:IgE->ig:FcERI", "ig:omalizumab"),
    ("ig:IgE->ig:FcERI", "ig:ligelizumab"),
    ("ig:IgE->ig:FcERI", "ig:MEDI4212"),
    ("ig:FcERI", "ig:celastrol_micelles"),
    ("ig:FcERI", "ig:omalizumab"),  # on basophils and mast cells [20, 21, 36]
    ("ig:mast_cell", "ig:celastrol_micelles"),
    # not here: MEDI4212 lowers FcεRI on dendritic cells and basophils only [41] (no mast-cell
    # route), and the micelles' "reduced mast cell degranulation" [48] acts on the target itself
}


def test_cq13_blockers_traversal(any_kg):
    report = blocks_pathway(any_kg, "ige-fceri-degranulation")
    assert {(b.step, b.id) for b in report.blockers} == CQ13
    assert {(a.acts_on, a.id) for a in report.acts_on_target} == {("ig:mast_cell_degranulation", "ig:celastrol_micelles")}
    assert "ig:recombinant_ScFv" not in {b.id for b in report.blockers}  # a tool, not a blocker
    assert "ig:dupilumab" not in {b.id for b in report.blockers}  # acts off the IgE axis


def test_cq13_sparql_agrees_with_traversal(any_kg):
    rows = ask(any_kg, "cq13-pathway-blockers", name="ige-fceri-degranulation")
    sparql = {(r["drug"], r["actsOn"]) for r in rows}
    report = blocks_pathway(any_kg, "ige-fceri-degranulation")
    assert sparql == {(b.id, b.acts_on) for b in report.blockers}


def test_cq13_lists_one_producer_of_the_source_where_blocks_needs_starving(any_kg):
    # cd23-th2 starts at IgE, made by IgE+ B cells and by plasma cells: an action on the plasma
    # cells alone leaves a source, so blocks does not list it; CQ13 counts any producer
    rows = ask(any_kg, "cq13-pathway-blockers", name="cd23-th2")
    report = blocks_pathway(any_kg, "cd23-th2")
    extra = {(r["drug"], r["actsOn"]) for r in rows} - {(b.id, b.acts_on) for b in report.blockers}
    assert extra == {("ig:CTLA4Fce", "ig:IgE_plasma_cell"), ("ig:XmAb7195", "ig:IgE_plasma_cell")}
    assert {(b.id, b.acts_on) for b in report.blockers} <= {(r["drug"], r["actsOn"]) for r in rows}


def test_clinical_end_points_reachable_from_allergen(any_kg):
    # Issue 8: the diseases and symptoms the review links to the cascade are reachable from the
    # allergen through activating (+1) causal relations, each backed by its own assertion.
    positive = [r["p"] for r in any_kg.query("SELECT ?p WHERE { ?p ige:polarity 1 ; ige:causal true }").records()]
    rows = any_kg.query(
        f"SELECT DISTINCT ?end WHERE {{ ig:allergen ({'|'.join(positive)})+ ?end . "
        "?end a ?c . FILTER (?c IN (ige:Disease, ige:Phenotype)) }").records()
    assert {r["end"] for r in rows} == {
        "ig:anaphylaxis", "ig:allergic_asthma", "ig:asthma", "ig:bronchoconstriction", "ig:mucosal_edema",
        "ig:chronic_spontaneous_urticaria", "ig:IgE_mediated_allergic_disease"}
    # the links from cells and symptoms to the diseases, as the review states them
    assert out_nodes(any_kg, "ig:basophil", "ige:contributesTo") == {"ig:anaphylaxis", "ig:chronic_spontaneous_urticaria"}
    assert out_nodes(any_kg, "ig:mast_cell", "ige:contributesTo") == {"ig:anaphylaxis"}
    assert out_nodes(any_kg, "ig:mast_cell", "ige:causes") == {"ig:allergic_asthma"}
    assert in_nodes(any_kg, "ig:asthma", "ige:featureOf") == {
        "ig:bronchoconstriction", "ig:mucus_secretion", "ig:mucosal_edema", "ig:increased_mast_cell_number"}
    assert in_nodes(any_kg, "ig:atopic_dermatitis", "ige:contributesTo") == {"ig:inflammatory_response"}


def test_trial_outcomes_and_proposals(any_kg):
    rows = any_kg.query("SELECT ?drug ?disease ?outcome WHERE { ?drug ige:studiedFor ?disease . "
                        "?a rdf:subject ?drug ; rdf:predicate ige:studiedFor ; rdf:object ?disease ; ige:outcome ?outcome }").records()
    assert {(r["drug"], r["disease"], r["outcome"]) for r in rows} == {
        ("ig:quilizumab", "ig:allergic_asthma", "no clinically meaningful benefit"),
        ("ig:IgEnio", "ig:pollen_induced_allergic_asthma", "the pilot study indicates that IgEnio may be used to treat it"),
    }
    assert out_nodes(any_kg, "ig:quilizumab", "ige:treats") == set()
    assert in_nodes(any_kg, "ig:IgE_mediated_allergic_disease", "ige:proposedFor") == {
        "ig:quilizumab", "ig:bsc_IgE_CD3", "ig:ligelizumab"}


def test_context_qualifiers(any_kg):
    def cells(assertion):
        rows = any_kg.query(f"SELECT ?c WHERE {{ {assertion} ige:cellContext ?c }}").records()
        return {r["c"] for r in rows}
    assert cells("ig:a_MEDI4212_downregulates_FcERI") == {"ig:dendritic_cell", "ig:basophil"}
    assert cells("ig:a_omalizumab_downregulates_FcERI") == {"ig:basophil", "ig:mast_cell"}
    assert cells("ig:a_celastrol_micelles_antagonizes_FcERI") == {"ig:mast_cell"}
    conditions = any_kg.query("SELECT ?cell ?c WHERE { ?a rdf:subject ig:CTLA4 ; rdf:predicate ige:expressedOn ; "
                              "rdf:object ?cell ; ige:condition ?c }").records()
    assert {(r["cell"], r["c"]) for r in conditions} == {
        ("ig:regulatory_T_cell", "constitutive"), ("ig:conventional_T_cell", "upon activation")}
    aspects = any_kg.query("SELECT ?d ?x WHERE { ?a rdf:subject ?d ; rdf:predicate ige:moreEffectiveThan ; "
                           "ige:objectAspect ?x }").records()
    assert {(r["d"], r["x"]) for r in aspects} == {
        ("ig:ligelizumab", "decreasing IgE levels"), ("ig:ligelizumab", "skin prick allergen test responses"),
        ("ig:MEDI4212", "reducing serum IgE levels"), ("ig:XmAb7195", "reducing IgE activity"),
        ("ig:celastrol_micelles", "reducing allergic reactions")}
    overrides = any_kg.query("SELECT ?a ?v WHERE { ?a a ige:Assertion ; ige:abolishes ?v }").records()
    assert [(r["a"], r["v"]) for r in overrides] == [("ig:a_dupilumab_inhibits_IL4_IL13_signaling", True)]
