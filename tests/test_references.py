"""References as things to look up: labels from data, what cites each, and bad numbers."""

from __future__ import annotations

import pytest

from igegraph.errors import UnknownEntity, UnknownReference
from igegraph.references import citation, reference, reference_number, references

# first authors as Table 1 of the review names them
TABLE1_AUTHORS = {23: "Schmidt", 32: "Chang", 37: "Bo Zhou", 38: "Gauvreau", 41: "Sheldon", 43: "Lupinek",
                  48: "Peng", 51: "Perez-Witzke", 59: "Harris", 61: "Talay", 66: "Chu"}


@pytest.mark.parametrize("term, number", [
    ("38", 38), (" 38 ", 38), ("[38]", 38), ("ref:38", 38), ("REF:38", 38), ("ref_38", 38), ("ig:ref_38", 38),
    ("https://w3id.org/igegraph/id/ref_38", 38), ("Gauvreau et al. [38]", 38), ("Reference [7]", 7),
    ("IgE", None), ("CD23", None), ("ig:mast_cell", None), ("3.8", None), ("[38", None), ("", None),
])
def test_reference_number(term, number):
    assert reference_number(term) == number


def test_labels_and_authors_are_data(any_kg):
    refs = references(any_kg)
    assert sorted(refs) == list(range(1, 73))
    assert {n: r["first_author"] for n, r in refs.items() if r["first_author"]} == TABLE1_AUTHORS
    for n, r in refs.items():
        expected = f"{TABLE1_AUTHORS[n]} et al. [{n}]" if n in TABLE1_AUTHORS else f"Reference [{n}]"
        assert (r["id"], r["label"]) == (f"ig:ref_{n}", expected)
    assert (citation(any_kg, 38), citation(any_kg, 37), citation(any_kg, 39)) == (
        "Gauvreau et al. [38]", "Bo Zhou et al. [37]", "[39]")


def test_what_cites_38(any_kg):
    r = reference(any_kg, "ref:38")
    assert (r["kind"], r["id"], r["number"], r["label"], r["first_author"]) == (
        "reference", "ig:ref_38", 38, "Gauvreau et al. [38]", "Gauvreau")
    assert "no bibliography" in r["definition"]
    assert [(a["subject"], a["predicate"], a["object"]) for a in r["assertions"]] == [
        ("ig:ligelizumab", "ige:binds", "ig:Ce3"),
        ("ig:ligelizumab", "ige:blocksBinding", "ig:IgE_FcERI_binding"),
        ("ig:ligelizumab", "ige:developedBy", "ig:Novartis"),
        ("ig:ligelizumab", "ige:moreEffectiveThan", "ig:omalizumab"),
        ("ig:ligelizumab", "ige:neutralizes", "ig:free_IgE"),
        ("ig:ligelizumab", "ige:proposedFor", "ig:IgE_mediated_allergic_disease"),
    ]
    assert r["assertions"][2]["quote"] == "Ligelizumab, also developed by Novartis®"
    assert [(m["id"], m["entity"], m["text"]) for m in r["measurements"]] == [
        ("ig:m_NCT01703312_phase", "ig:NCT01703312", "NCT01703312 trial phase: clinical trial phase (ordinal) 2 {phase}")]
    assert [row["id"] for row in r["table1_rows"]] == ["ig:table1_row_4"]
    assert [(t["id"], t["class"]) for t in r["trials"]] == [("ig:NCT01703312", "clinical trial")]
    assert [e["id"] for e in r["entities"]] == ["ig:ligelizumab"]
    assert r["pathways"] == r["pathway_steps"] == r["other"] == []


def test_what_cites_6_includes_pathway_steps(any_kg):
    r = reference(any_kg, 6)
    assert [(s["id"], s["pathway"]) for s in r["pathway_steps"]] == [
        ("ig:pathway_allergic_cascade_step_3", "Allergen to allergic reaction")]
    assert [p["id"] for p in r["pathways"]] == ["ig:pathway_allergic_cascade"]
    assert len(r["measurements"]) == 7 and r["label"] == "Reference [6]" and r["first_author"] is None


@pytest.mark.parametrize("term, message", [
    ("99", "the review has references 1–72; 99 is not one"),
    ("ref:0", "the review has references 1–72; 0 is not one"),
    ("abc", "'abc' is not a reference number or a first author Table 1 names; give one such as 38 (or [38], ref:38, Gauvreau)"),
])
def test_unknown_reference(kg, term, message):
    with pytest.raises(UnknownReference) as info:
        reference(kg, term)
    assert str(info.value) == message


@pytest.mark.parametrize("author, number", [("Gauvreau", 38), ("bo zhou", 37), ("Perez-Witzke", 51), ("Chu", 66)])
def test_first_author_names_the_reference(kg, author, number):
    assert reference(kg, author)["number"] == number


def test_references_are_not_entities(kg):
    """Traversals never see a reference: not in the projection, not resolvable as an entity."""
    assert not [n for n in kg.projection if n.startswith("ig:ref_")]
    for term in ("38", "ig:ref_38", "Gauvreau et al. [38]"):
        with pytest.raises(UnknownEntity):
            kg.resolve(term)


def test_user_data_citing_a_reference(tmp_path):
    """A --data file's assertion and an untyped node that cite [38] are listed with the rest."""
    import igegraph

    mine = tmp_path / "mine.ttl"
    mine.write_text("""
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig: <https://w3id.org/igegraph/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:ligelizumab ige:inhibits ig:basophil_degranulation .
ig:my_claim a ige:Assertion ; rdf:subject ig:ligelizumab ; rdf:predicate ige:inhibits ;
    rdf:object ig:basophil_degranulation ; ige:reference ig:ref_38 ; ige:evidenceQuote "my own reading" .
ig:my_note rdfs:label "lab note 7" ; ige:reference ig:ref_38 .
ig:ref_80 a ige:Reference ; rdfs:label "Smith et al. [80]" ; ige:referenceNumber 80 ; ige:firstAuthor "Smith" .
""", encoding="utf-8")
    kg = igegraph.load([mine], backend="memory")
    r = reference(kg, 38)
    mine_row = next(a for a in r["assertions"] if a["id"] == "ig:my_claim")
    assert (mine_row["predicate_label"], mine_row["object"], mine_row["quote"]) == (
        "inhibits", "ig:basophil_degranulation", "my own reading")
    assert r["other"] == [{"id": "ig:my_note", "label": "lab note 7"}]
    assert citation(kg, 80) == "Smith et al. [80]"
    with pytest.raises(UnknownReference, match="^the review has references 1–72, 80; 79 is not one$"):
        reference(kg, 79)
