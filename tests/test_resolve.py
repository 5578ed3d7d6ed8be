"""Term resolution (labels, synonyms, CURIEs, Greek letters) and ranked name matching."""

from __future__ import annotations

import pytest

from igegraph.errors import UnknownEntity
from igegraph.resolve import fold_greek, match_names, normalize, resolve


@pytest.mark.parametrize("term, expected", [
    ("FcεRI", "ig:FcERI"),
    ("FceRI", "ig:FcERI"),
    ("Fc epsilon RI", "ig:FcERI"),
    ("FcεR I", "ig:FcERI"),
    ("high-affinity IgE receptor", "ig:FcERI"),
    ("fcerii", "ig:CD23"),
    ("Xolair", "ig:omalizumab"),
    ("OMALIZUMAB", "ig:omalizumab"),
    ("QGE031", "ig:ligelizumab"),
    ("MEDI4121", "ig:MEDI4212"),
    ("h47H4", "ig:quilizumab"),
    ("mast cells", "ig:mast_cell"),
    ("IgE+ B cells", "ig:IgE_B_cell"),
    ("Cε3", "ig:Ce3"),
    ("C epsilon 3", "ig:Ce3"),
    ("FcγRIIb", "ig:FcgRIIb"),
    ("Fc gamma RII beta", "ig:FcgRIIb"),
    ("mast_cell", "ig:mast_cell"),
    ("ig:mast_cell", "ig:mast_cell"),
    ("https://w3id.org/igegraph/id/mast_cell", "ig:mast_cell"),
    ("CL:0000097", "ig:mast_cell"),
    ("DRUGBANK:DB00043", "ig:omalizumab"),
    ("HGNC:3609", "ig:FcERI_alpha"),
    ("CHEBI:18295", "ig:histamine"),
    ("MONDO:0004784", "ig:allergic_asthma"),
    ("NCT01582503", "ig:NCT01582503"),
])
def test_resolve(kg, term, expected):
    assert resolve(kg, term) == expected


def test_unknown_with_suggestions(kg):
    with pytest.raises(UnknownEntity, match=r"unknown entity 'omalizumob'; did you mean: omalizumab"):
        resolve(kg, "omalizumob")


def test_injection_term_is_unknown(kg):
    with pytest.raises(UnknownEntity) as info:
        resolve(kg, 'omalizumab" || true) } #')
    assert info.value.term == 'omalizumab" || true) } #'


def test_normalize():
    assert normalize("Fc epsilon R I") == normalize("FcεRI") == "fceri"
    assert normalize("CTLA4Fcɛ") == normalize("CTLA4 Fcε") == "ctla4fce"


def test_fold_greek_keeps_length():
    assert fold_greek("FcεRI/Cε3 γ") == "FceRI/Ce3 g"
    assert len(fold_greek("αβγδεɛκλμ")) == 9


def test_match_names_ranks_exact_first(kg):
    hits = match_names(kg, "histamine")
    assert (hits[0].id, hits[0].field, hits[0].score) == ("ig:histamine", "label", 100)
    assert [(h.id, h.field, h.score) for h in match_names(kg, "DB00043")] == [
        ("ig:omalizumab", "identifier", 95), ("ig:CMAB007", "identifier", 85)]
    assert [(h.id, h.field, h.matched) for h in match_names(kg, "xolair")][:1] == [("ig:omalizumab", "synonym", "Xolair")]
    assert [(h.id, h.field) for h in match_names(kg, "omalizumob")][:1] == [("ig:omalizumab", "similar name")]
    assert match_names(kg, "   ") == []


def test_name_keys_are_those_of_each_graph(kg, xss_kg):
    # the names' keys are kept per graph content: the graph with one more entity finds it (by
    # name and by close spelling), the graph without it, loaded first, still does not
    for graph, expected in ((kg, []), (xss_kg, [("ig:xss_node", "identifier", 95)]), (kg, [])):
        assert [(h.id, h.field, h.score) for h in match_names(graph, "xss_node")] == expected
    assert [(h.id, h.field, h.score) for h in match_names(xss_kg, "xsq_nodd")] == [("ig:xss_node", "similar name", 28)]
    assert match_names(kg, "xsq_nodd") == []


def test_match_names_sees_a_name_added_after_its_first_use():
    """The names are kept per graph (shared by graphs of one content): a change is not missed."""
    from rdflib import RDF, RDFS, Literal, URIRef

    import igegraph

    mine = igegraph.load()
    assert not [h for h in match_names(mine, "Zyxwort cell") if h.id == "ig:zyxwort"]
    mine.graph.add((URIRef(mine.iri("ig:zyxwort")), RDF.type, URIRef(mine.iri("ige:Cell"))))
    mine.graph.add((URIRef(mine.iri("ig:zyxwort")), RDFS.label, Literal("Zyxwort cell")))
    assert [(h.id, h.field, h.score) for h in match_names(mine, "zyxwort cell")][:1] == [("ig:zyxwort", "label", 100)]
    assert [(h.id, h.field) for h in match_names(mine, "zyxwart cell")][:1] == [("ig:zyxwort", "similar name")]
    assert not [h for h in match_names(igegraph.load(), "Zyxwort cell") if h.id == "ig:zyxwort"]
