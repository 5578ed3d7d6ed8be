"""SPARQL: named queries, bindings, formats, refusals, timeouts, errors with positions."""

from __future__ import annotations

import json
import socket

import pytest

from igegraph.errors import QueryError, UnknownEntity
from igegraph.sparql import check_query, format_result, named_queries, named_query, parse_binding, run_query

INJECTION = 'omalizumab" || true) } #'


@pytest.mark.parametrize("query", named_queries(), ids=lambda q: q.name)
def test_named_queries_agree_across_backends(query, kg, kg_memory):
    ox = run_query(kg, query.text)
    mem = run_query(kg_memory, query.text)
    assert ox.kind == mem.kind == "SELECT"
    assert ox.rows, f"{query.name} returned nothing"
    assert normalized(ox.records()) == normalized(mem.records())


def normalized(records: list[dict]) -> list[str]:
    """Rows as sortable strings; GROUP_CONCAT order and empty-vs-unbound are engine choices."""

    def value(v):
        if v in (None, ""):
            return None
        if isinstance(v, str) and ", " in v:
            return ", ".join(sorted(v.split(", ")))
        return v

    return sorted(json.dumps({k: value(v) for k, v in r.items()}, sort_keys=True, default=str) for r in records)


def test_every_named_query_is_documented():
    for q in named_queries():
        assert q.title and q.title != q.name
    prefixes = {q.name.split("-")[0] for q in named_queries()}
    assert {f"cq{n:02d}" for n in range(1, 14)} <= prefixes  # one per competency question
    assert len(named_queries()) == 21


def test_named_query_unknown_suggests():
    with pytest.raises(QueryError, match="no named query 'cq01-ce3'; did you mean: cq01-ce3-binders"):
        named_query("cq01-ce3")


def test_binding_entity_name_and_curie(any_kg):
    text = "SELECT ?cell WHERE { ?r ige:expressedOn ?cell }"
    by_name = run_query(any_kg, text, {"r": "FcεRI"})
    by_curie = run_query(any_kg, text, {"r": "ig:FcERI"})
    by_synonym = run_query(any_kg, text, {"r": "high-affinity IgE receptor"})
    expected = {"ig:mast_cell", "ig:basophil", "ig:dendritic_cell"}
    for result in (by_name, by_curie, by_synonym):
        assert {r["cell"] for r in result.records()} == expected


def test_binding_non_projected_variable_on_oxigraph(kg):
    # Oxigraph refuses substitutions outside SELECT; the runner falls back to rdflib's engine
    result = run_query(kg, "SELECT ?drug WHERE { ?drug ige:binds ?domain }", {"domain": "Cε4"})
    assert {r["drug"] for r in result.records()} == {"ig:MEDI4212"}


def test_binding_literal(kg):
    result = run_query(kg, "SELECT ?s WHERE { ?s ige:pathwayName ?name }", {"name": '"cd23-th2"'})
    assert [r["s"] for r in result.records()] == ["ig:pathway_cd23_th2"]


def test_injection_as_binding_is_inert(any_kg):
    text = "SELECT ?s WHERE { ?s rdfs:label ?label }"
    result = run_query(any_kg, text, {"label": '"' + INJECTION.replace('"', "'") + '"'})
    assert result.rows == []
    with pytest.raises(UnknownEntity):
        run_query(any_kg, text, {"label": INJECTION})


def test_parse_binding_forms(kg):
    assert str(parse_binding(kg, "<http://example.org/x>")) == "http://example.org/x"
    assert parse_binding(kg, "42").toPython() == 42
    assert str(parse_binding(kg, "1.95").datatype).endswith("#decimal")
    assert parse_binding(kg, '"text"@en').language == "en"
    assert parse_binding(kg, "true").toPython() is True
    with pytest.raises(UnknownEntity, match="did you mean"):
        parse_binding(kg, "omalizumabb")


def test_ask_construct_describe(any_kg):
    assert run_query(any_kg, "ASK { ig:omalizumab ige:neutralizes ig:free_IgE }").boolean is True
    assert run_query(any_kg, "ASK { ig:omalizumab ige:neutralizes ig:mast_cell }").boolean is False
    construct = run_query(any_kg, "CONSTRUCT { ?d ige:neutralizes ?t } WHERE { ?d ige:neutralizes ?t }")
    assert construct.kind == "CONSTRUCT" and len(construct.triples) == 4
    describe = run_query(any_kg, "DESCRIBE ig:ref_48")
    assert describe.kind == "DESCRIBE"
    assert "ige:referenceNumber 48" in format_result(describe, "table")


@pytest.mark.parametrize("text, line, column", [
    ("SELECT ?x WHERE { ?x ?y }", 1, 19),
    ("SELECT ?x\nWHERE {\n  ?x rdfs:label ?l .\n  FILTER( }", 4, 3),
])
def test_malformed_query_position(kg, text, line, column):
    with pytest.raises(QueryError) as info:
        run_query(kg, text)
    assert (info.value.line, info.value.column) == (line, column)
    first, source, caret = str(info.value).splitlines()
    assert first.startswith("malformed SPARQL") and first.endswith(f"at line {line}, column {column}")
    assert source == "  " + text.splitlines()[line - 1]  # the user's line (the predeclared prefixes are not counted)
    assert caret == "  " + " " * (column - 1) + "^"


@pytest.mark.parametrize("text", [
    "INSERT DATA { ig:x rdfs:label 'x' }",
    "LOAD <http://example.org/data.ttl>",
    "DELETE WHERE { ?s ?p ?o }",
])
def test_updates_refused(kg, text):
    with pytest.raises(QueryError, match="updates .* are refused"):
        run_query(kg, text)


def _no_connections(monkeypatch):
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"network connection attempted to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


@pytest.mark.parametrize("text, word", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
])
def test_network_refused_without_connection(any_kg, monkeypatch, text, word):
    attempts = _no_connections(monkeypatch)
    with pytest.raises(QueryError, match=f"{word}.*refused; pass --allow-network"):
        run_query(any_kg, text)
    assert attempts == []


def test_timeout_enforced_on_embedded_store(kg):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryError, match="timed out after 0.5 s"):
        run_query(kg, heavy, timeout=0.5)


def test_timeout_returns_result_when_fast(kg):
    result = run_query(kg, "SELECT ?l WHERE { ig:omalizumab rdfs:label ?l }", timeout=20)
    assert [r["l"] for r in result.records()] == ["omalizumab"]


def test_evaluation_error_is_query_error(kg_memory):
    with pytest.raises(QueryError, match="query failed"):
        run_query(kg_memory, "SELECT (GROUP_CONCAT(DISTINCT ?l) AS ?g) WHERE { ig:omalizumab ige:binds ?d "
                             "OPTIONAL { ?d ige:nothing ?l } } GROUP BY ?d")


def test_formats(kg):
    result = run_query(kg, "SELECT ?drug ?phase WHERE { { ?drug a ige:Biosimilar } UNION { ?drug a ige:ScFv } "
                           "?drug ige:developmentPhase ?phase } ORDER BY ?drug")
    assert format_result(result, "csv").split("\r\n") == [
        "drug,phase", "https://w3id.org/igegraph/id/CMAB007,https://w3id.org/igegraph/vocab#PhaseIII",
        "https://w3id.org/igegraph/id/recombinant_ScFv,https://w3id.org/igegraph/vocab#Preclinical", "",
    ]
    assert format_result(result, "tsv").splitlines()[1] == (
        "<https://w3id.org/igegraph/id/CMAB007>\t<https://w3id.org/igegraph/vocab#PhaseIII>")
    assert json.loads(format_result(result, "records"))[0] == {"drug": "ig:CMAB007", "phase": "ige:PhaseIII"}
    sj = json.loads(format_result(result, "json"))
    assert sj["head"]["vars"] == ["drug", "phase"]
    assert sj["results"]["bindings"][0]["drug"] == {"type": "uri", "value": "https://w3id.org/igegraph/id/CMAB007"}
    table = format_result(result, "table", labels=kg.labels)
    assert table.splitlines()[2].split() == ["CMAB007", "Phase", "III"]
    assert table.endswith("(2 rows)")


def test_check_query_kinds():
    assert check_query("SELECT * WHERE { ?s ?p ?o }") == "SELECT"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert check_query("DESCRIBE <http://x>") == "DESCRIBE"
