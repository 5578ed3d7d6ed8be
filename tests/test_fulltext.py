"""Full-text search: names first, then definitions, quotes, notes, measurements and Table 1."""

from __future__ import annotations

import pytest

from igegraph.fulltext import fts_query, search, similar_words, text_index


def _hits(kg, text, **kw):
    return [(h.id, h.field, h.score) for h in search(kg, text, **kw)]


def test_half_life_finds_the_measurements(any_kg):
    assert _hits(any_kg, "half-life") == [
        ("ig:m_IgE_serum_half_life", "measurement", 60),
        ("ig:m_IgG_serum_half_life", "measurement", 60),
        ("ig:m_free_IgE_blood_half_life", "measurement", 55),
        ("ig:pathway_allergic_cascade_step_3", "label", 46),
        ("ig:free_IgE", "definition", 17),
        ("ig:IgG", "definition", 13),
    ]
    first = search(any_kg, "half-life")[0]
    assert (first.label, first.category, first.about, first.matched) == (
        "IgE serum half-life", "ige:Measurement", "ig:IgE", "IgE serum «half-life»: serum «half-life» ~3 d")
    assert _hits(any_kg, '"half-life"') == _hits(any_kg, "half-life")


def test_thrombosis_finds_the_omalizumab_claim(any_kg):
    hits = search(any_kg, "thrombosis")
    assert [(h.id, h.field, h.about) for h in hits] == [
        ("ig:arterial_thrombosis", "label", None),
        ("ig:a_omalizumab_increasesRiskOf_arterial_thrombosis", "quote", "ig:omalizumab"),
        ("ig:FDA", "definition", None),
        ("ig:a_omalizumab_increasesRiskOf_cardiovascular_disease", "curator note", "ig:omalizumab"),
    ]
    assert hits[1].label == "omalizumab — increases risk of — arterial thrombosis"
    assert hits[1].matched == "…increases the risk of arterial «thrombosis» slightly"
    assert hits[2].matched == "…and warned about omalizumab's arterial «thrombosis» risk."


def test_clearance_finds_the_measurement(any_kg):
    """The review says MEDI4212 'is removed rapidly in vivo' [41]; the curated measurement names it."""
    assert [(h.id, h.field, h.about) for h in search(any_kg, "clearance")] == [
        ("ig:m_MEDI4212_clearance", "measurement", "ig:MEDI4212")]
    assert search(any_kg, "qwertyuiop") == [] and similar_words(any_kg, "qwertyuiop") == []


@pytest.mark.parametrize("text", ["FcεRI", "FceRI", "Fc epsilon RI", "fcεri"])
def test_exact_names_rank_first(any_kg, text):
    first = search(any_kg, text)[0]
    assert (first.id, first.field, first.score) == ("ig:FcERI", "label", 100)


def test_names_and_identifiers(kg):
    assert _hits(kg, "DB00043")[:2] == [("ig:omalizumab", "identifier", 95), ("ig:CMAB007", "identifier", 85)]
    assert _hits(kg, "xolair", limit=1) == [("ig:omalizumab", "synonym", 90)]
    assert _hits(kg, "histamine")[0] == ("ig:histamine", "label", 100)


def test_greek_folded_in_text(kg):
    """'Ce3' finds the Table 1 cells that write Cε3, and the snippet keeps the Greek letter."""
    hits = search(kg, "Ce3", limit=4)
    assert [(h.id, h.field) for h in hits] == [("ig:Ce3", "label"), ("ig:table1_row_4", "Table 1"),
                                               ("ig:table1_row_5", "Table 1"), ("ig:table1_row_2", "Table 1")]
    assert hits[1].matched == "…| Target «Cε3» domain of IgE | Phase II | Gauvreau [38]"
    assert hits[1].about == "ig:ligelizumab"


def test_reference_and_curator_note_hits(kg):
    assert [(h.id, h.field) for h in search(kg, "Gauvreau")] == [
        ("ig:ref_38", "label"), ("ig:table1_row_4", "Table 1"), ("ig:NCT01703312", "curator note")]


def test_close_spellings_only_when_nothing_matches(kg):
    assert [(h.id, h.field) for h in search(kg, "omalizumob")] == [
        ("ig:omalizumab", "similar name"), ("ig:calcium_ion", "similar name"), ("ig:quilizumab", "similar name")]
    assert similar_words(kg, "omalizumob thrombosys") == ["omalizumab", "thrombosis"]
    assert all(h.field != "similar name" for h in search(kg, "IgE"))


@pytest.mark.parametrize("text", ['"', "*", "(", ")", "-", "'", "   ", "^", ":", '""'])
def test_no_words_no_hits(any_kg, text):
    assert search(any_kg, text) == []


@pytest.mark.parametrize("text, ids", [
    ("AND(", None), ("NEAR", ["ig:m_MEDI4212_affinity_vs_omalizumab"]), ("NEAR(half life)", []),
    ("NOT x", []), ("text:foo", []), ("half-life*", None), ("OR", None), ('a"b', None), ("{docs} : x", None),
])
def test_fts_syntax_is_plain_words(kg, text, ids):
    """FTS5 operators in user text are words, never syntax: no sqlite error, no operator effect."""
    found = [h.id for h in search(kg, text)]
    if ids is not None:
        assert found == ids


def test_fts_query_quotes_every_word():
    assert fts_query('half-life AND( a"b NEAR * ""') == '"half-life" "AND(" "a""b" "NEAR"'
    assert fts_query("* -") == ""


def test_user_data_is_searched(xss_kg):
    """A --data file's definitions and assertion quotes are indexed with the curated text."""
    assert [(h.id, h.field) for h in search(xss_kg, "javascript")] == [("ig:xss_node", "definition")]
    hits = search(xss_kg, "onerror")
    assert [(h.id, h.field, h.about) for h in hits] == [
        ("ig:xss_node", "label", None), ("https://example.org/evil/a1", "quote", "ig:xss_node")]


def test_index_is_cached_on_the_graph(kg):
    index = text_index(kg)
    assert text_index(kg) is index
    assert len(index.docs) > 1000 and len({thing for thing, _, _ in index.docs}) > 500


def test_a_thing_or_measurement_with_several_values_takes_the_graphs_pick():
    """Links, parts and fields are read one property (or node) at a time; where there are
    several values, the one ``graph.value`` picks is used, as when each was asked alone."""
    from rdflib import Literal
    from rdflib.namespace import RDF

    import igegraph
    from igegraph.fulltext import _things
    from igegraph.measurements import json_value, measurement
    from igegraph.vocab import IGE, compact

    kg = igegraph.load()
    graph = kg.graph
    node = kg.iri("ig:m_IgE_serum_half_life")
    claim = next(graph.subjects(RDF.type, IGE.Assertion))
    for value in (Literal(99), Literal(1)):
        graph.add((node, IGE.value, value))
    for other in ("ig:zz_first", "ig:zz_second"):
        graph.add((claim, RDF.object, kg.iri(other)))
        graph.add((kg.iri(other), IGE.hasMeasurement, node))
    assert measurement(kg, node)["value"] == json_value(graph.value(node, IGE.value))
    things = _things(kg)
    assert things["ig:m_IgE_serum_half_life"].about == compact(graph.value(None, IGE.hasMeasurement, node))
    assert things[compact(claim)].label.endswith(" — " + kg.label(compact(graph.value(claim, RDF.object))))
