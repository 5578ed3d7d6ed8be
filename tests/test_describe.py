"""describe and stats: exact values from the curated graph."""

from __future__ import annotations

import pytest

from igegraph.describe import describe, stats
from igegraph.errors import UnknownEntity, UnknownReference


def test_describe_omalizumab(any_kg):
    d = describe(any_kg, "Xolair")
    assert (d["id"], d["label"], d["class"], d["phase"]) == ("ig:omalizumab", "omalizumab", "monoclonal antibody", "Marketed")
    assert d["exact_matches"] == ["CHEMBL:CHEMBL1201589", "DRUGBANK:DB00043", "MESH:D000069444"]
    assert d["close_matches"] == ["CAS:242138-07-4"]
    assert "Xolair" in d["synonyms"]
    out = {(r["predicate"], r["id"]): r["references"] for r in d["outgoing"]}
    assert out[("ige:neutralizes", "ig:free_IgE")] == [30]
    assert out[("ige:blocksBinding", "ig:IgE_FcERI_binding")] == [31]
    assert out[("ige:developedBy", "ig:Novartis")] == [29]
    incoming = {(r["predicate"], r["id"]) for r in d["incoming"]}
    assert ("ige:biosimilarOf", "ig:CMAB007") in incoming
    assert any("docs/sources.md#e4-text-and-table-1-cite-differently" in n for n in d["notes"])
    assert {m["id"] for m in d["mentions"]} >= {"ig:table1_row_2"}


def test_describe_numbers_with_units(any_kg):
    d = describe(any_kg, "MEDI4212")
    affinity = next(m for m in d["measurements"] if m["unit"] == "pmol/L")
    assert (affinity["value"], affinity["references"]) == (1.95, [40])
    ige = describe(any_kg, "IgE")
    by_unit = {(m["quantity"], m.get("unit")): m for m in ige["measurements"]}
    mass = next(m for (q, u), m in by_unit.items() if u == "kDa")
    assert (mass["value"], mass["references"]) == (190, [11])
    half_life = next(m for (q, u), m in by_unit.items() if u == "d" and "serum" in q)
    assert (half_life["value"], half_life.get("comparator")) == (3, "~")


def test_describe_cites_first_authors(any_kg):
    d = describe(any_kg, "ligelizumab")
    assert (d["kind"], d["references"], d["citations"]) == ("entity", [38], ["Gauvreau et al. [38]"])
    out = {r["predicate"]: (r["references"], r["citations"]) for r in d["outgoing"]}
    assert out["ige:blocksBinding"] == ([38, 39], ["Gauvreau et al. [38]", "[39]"])
    assert out["ige:binds"] == ([38], ["Gauvreau et al. [38]"])
    half_life = next(m for m in describe(any_kg, "IgE")["measurements"] if m["id"] == "ig:m_IgE_serum_half_life")
    assert (half_life["entity"], half_life["references"], half_life["citations"]) == ("ig:IgE", [6], ["[6]"])


def test_describe_gives_study_outcomes(any_kg):
    # [59]: quilizumab "did not produce a clinically meaningful benefit in allergic asthma patients"
    d = describe(any_kg, "quilizumab")
    studied = [(r["predicate"], r["id"], r["outcome"], r["condition"], r["references"])
               for r in d["outgoing"] if r["outcome"]]
    assert studied == [("ige:studiedFor", "ig:allergic_asthma", "no clinically meaningful benefit",
                        "allergic asthma patients inadequately controlled by standard therapy", [59])]
    assert all(r["outcome"] is None for r in d["outgoing"] if r["predicate"] != "ige:studiedFor")
    assert describe(any_kg, "NCT01582503")["attributes"]["ige:outcome"] == [
        "lower total IgE and specific IgE levels in the serum of patients with asthma, lasting 6 months",
        "no clinically meaningful benefit in allergic asthma patients inadequately controlled by standard "
        "therapy, despite its high ability in reducing serum IgE levels and the good tolerability profile",
    ]


def test_describe_gives_the_curator_notes_of_each_claim(any_kg):
    """The reason a claim reads as it does is on the claim, not on the entity: here why
    immunoadsorption's removal of free IgE is a clinical study, not marketed."""
    d = describe(any_kg, "immunoadsorption")
    notes = {(r["predicate"], r["id"]): [n[:40] for n in r["notes"]] for r in d["outgoing"]}
    assert notes == {
        ("ige:removes", "ig:free_IgE"): [
            "Evidence level clinical study, not marke", "IA removes immunoglobulins (and immune c"],
        ("ige:treats", "ig:atopic_dermatitis"): ["The review cites the range [24–27]; each"],
        ("ige:treats", "ig:autoimmune_disease"): ["The review says 'autoantibody-mediated d"],
    }
    assert d["notes"] == ["Table 1 gives the type 'Plasma-pheresis' and the phase 'Marketed'."]
    # an incoming claim carries its own: omalizumab's down-regulation of FcεRI, in context
    fceri = describe(any_kg, "FcεRI")
    assert [n[:40] for r in fceri["incoming"] if r["id"] == "ig:omalizumab" for n in r["notes"]] == [
        "Cell context decided by the curators: [3"]


def test_describe_prints_the_claims_notes(cli):
    out = cli("describe", "immunoadsorption").output
    block = out[out.index("curator notes on its relations:"):]
    assert block.splitlines()[1] == (
        "  → removes free IgE: Evidence level clinical study, not marketed: the use the review calls")
    assert "  → treats atopic dermatitis: The review cites the range [24–27]; each number is given." in block
    fceri = cli("describe", "FcεRI").output
    assert "\n  down-regulates ← MEDI4212: Seen on dendritic cells and basophils only (cell context);" in fceri


@pytest.mark.parametrize("term", ["38", "ref:38", "ig:ref_38", "[38]", "Gauvreau et al. [38]", "Gauvreau"])
def test_describe_reference(kg, term):
    d = describe(kg, term)
    assert (d["kind"], d["id"], d["label"]) == ("reference", "ig:ref_38", "Gauvreau et al. [38]")
    assert [e["id"] for e in d["entities"]] == ["ig:ligelizumab"] and len(d["assertions"]) == 6


def test_describe_unknown_reference(kg):
    with pytest.raises(UnknownReference, match="^the review has references 1–72; 99 is not one$"):
        describe(kg, "99")


def test_describe_curator_note_for_typo(kg):
    d = describe(kg, "MEDI4121")
    assert d["id"] == "ig:MEDI4212"
    assert any("MEDI4121" in n for n in d["notes"])


def test_describe_unknown(kg):
    with pytest.raises(UnknownEntity, match="did you mean: quilizumab"):
        describe(kg, "quilizumap")


def test_stats_exact(any_kg):
    s = stats(any_kg)
    assert (s["entities"], s["relations"], s["assertions"], s["references"], s["pathways"], s["pathway_steps"],
            s["measurements"], s["table1_rows"], s["trials"]) == (165, 248, 248, 72, 4, 20, 44, 11, 6)
    assert s["classes"]["monoclonal antibody"] == 7
    assert (s["predicates"]["binds"], s["predicates"]["secretes"], s["causal_relations"]) == (21, 8, 122)


def test_a_phrase_that_names_its_unit_is_not_followed_by_it_again(cli):
    out = cli("describe", "omalizumab").output
    rows = out.split("numbers:\n", 1)[1].splitlines()
    assert any(r.startswith("length of the continuous treatment   several weeks ") and r.rstrip().endswith("[33]")
               and "weeks  " not in r.split("several weeks", 1)[1] for r in rows)
    assert any(r.startswith("treatment time after which clinical  12             weeks  ") for r in rows)
