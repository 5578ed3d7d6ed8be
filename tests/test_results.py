"""Query results: the rdflib-like result object and the W3C formats, read back by other tools."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result

import igegraph
from igegraph.errors import QueryError
from igegraph.results import QueryResult, format_result

TRICKY = Path(__file__).parent / "fixtures" / "tricky-values.ttl"
SELECT = "SELECT ?s ?o WHERE { ?s <https://example.org/tricky/v> ?o } ORDER BY STR(?o)"
OX_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
              "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def tricky(request):
    return igegraph.load([TRICKY], curated=False, backend=request.param)


def key(term) -> tuple:
    """A term from rdflib or pyoxigraph as comparable plain data; blank nodes are all alike
    (their labels are the writer's choice) and checked for consistency separately."""
    if term is None:
        return ("unbound",)
    if isinstance(term, (URIRef, ox.NamedNode)):
        return ("iri", term.value if isinstance(term, ox.NamedNode) else str(term))
    if isinstance(term, (BNode, ox.BlankNode)):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        lang = term.language.lower() if term.language else None
        return ("literal", term.value, lang, None if lang else term.datatype.value)
    lang = term.language.lower() if term.language else None
    datatype = None if lang else str(term.datatype or XSD.string)
    return ("literal", str(term), lang, datatype)


def expected(result: QueryResult) -> list[tuple]:
    return [tuple(key(v) for v in row) for row in result.rows]


def as_csv_text(row: tuple) -> tuple:
    """What CSV keeps of a row: IRIs and lexical forms, no types or tags."""
    return tuple(("text", k[1]) if k[0] in ("iri", "literal") else k for k in row)


def without_u2028(tsv: bytes) -> bytes:
    """rdflib's TSV reader splits lines at U+2028, as str.splitlines does (an rdflib bug: the
    character is legal in a Turtle string); Oxigraph reads it. Only that row is left out."""
    return "\n".join(r for r in tsv.decode().split("\n") if "\u2028" not in r).encode()


def test_tricky_fixture_is_tricky(tricky):
    result = tricky.query(SELECT)
    kinds = [key(row[1])[0] for row in result.rows]
    assert len(result) == 13 and kinds.count("bnode") == 1 and kinds.count("iri") == 2
    langs = sorted(r[1].language for r in result.rows if isinstance(r[1], Literal) and r[1].language)
    assert [lang.lower() for lang in langs] == ["en", "fr-ca"]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
def test_w3c_formats_read_back_by_rdflib_and_pyoxigraph(tricky, fmt):
    result = tricky.query(SELECT)
    data = result.serialize(format=fmt)
    want = expected(result)
    by_rdflib = Result.parse(io.BytesIO(without_u2028(data) if fmt == "tsv" else data), format=fmt)
    assert [str(v) for v in by_rdflib.vars] == ["s", "o"]
    got_rdflib = [tuple(key(row[v]) for v in by_rdflib.vars) for row in by_rdflib]
    if fmt == "csv":  # CSV carries text only (W3C CSV is lossy by design; pyoxigraph reads no CSV)
        assert [as_csv_text(r) for r in got_rdflib] == [as_csv_text(r) for r in want]
        return
    assert got_rdflib == [r for r in want if fmt != "tsv" or not any("\u2028" in str(x) for k in r for x in k)]
    by_ox = ox.parse_query_results(data, format=OX_FORMATS[fmt])
    assert [v.value for v in by_ox.variables] == ["s", "o"]
    assert [tuple(key(sol[v]) for v in ("s", "o")) for sol in by_ox] == want


def test_blank_node_labels_stay_consistent(tricky):
    result = tricky.query(SELECT)
    for fmt in ("tsv", "csv", "xml", "json"):
        data = result.serialize(format=fmt)
        rows = list(Result.parse(io.BytesIO(without_u2028(data) if fmt == "tsv" else data), format=fmt))
        as_object = [row.o for row in rows if isinstance(row.o, BNode)]
        as_subject = [row.s for row in rows if isinstance(row.s, BNode)]
        assert len(as_object) == len(as_subject) == 1 and as_object == as_subject


def test_tsv_and_csv_exact_text():
    rows = [(URIRef("https://example.org/x"), Literal('a "b"\tc\nd', lang="en")),
            (BNode("b0"), Literal("7", datatype=XSD.integer)),
            (URIRef("https://example.org/y"), None)]
    result = QueryResult("SELECT", ["s", "o"], rows)
    assert format_result(result, "tsv") == (
        '?s\t?o\n<https://example.org/x>\t"a \\"b\\"\\tc\\nd"@en\n_:b0\t7\n<https://example.org/y>\t\n')
    assert format_result(result, "csv") == (
        's,o\r\nhttps://example.org/x,"a ""b""\tc\nd"\r\n_:b0,7\r\nhttps://example.org/y,\r\n')


def test_xml_refuses_characters_xml_cannot_carry():
    result = QueryResult("SELECT", ["o"], [(Literal("vertical\x0btab"),)])
    with pytest.raises(QueryError, match=r"cannot write the result as xml: .*U\+000B.*use json or tsv"):
        result.serialize(format="xml")
    assert format_result(result, "tsv") == '?o\n"vertical\x0btab"\n'


def test_ask_in_every_format(any_kg):
    result = any_kg.query("ASK { ig:omalizumab ige:neutralizes ig:free_IgE }")
    assert json.loads(result.serialize(format="json")) == {"head": {}, "boolean": True}
    assert Result.parse(io.BytesIO(result.serialize(format="xml")), format="xml").askAnswer is True
    assert ox.parse_query_results(result.serialize(format="tsv"), format=ox.QueryResultsFormat.TSV).__bool__() is True
    assert list(result) == [True] and bool(result) and result.askAnswer is True


def test_result_behaves_like_rdflibs(kg):
    text = "SELECT ?d ?phase WHERE { ?d a ige:Biosimilar ; ige:developmentPhase ?phase }"
    ours = kg.query(text)
    theirs = kg.graph.query("PREFIX ige: <https://w3id.org/igegraph/vocab#> " + text)
    assert ours.type == theirs.type == "SELECT"
    assert ours.bindings == theirs.bindings
    assert [(r.d, r["phase"], r[0]) for r in ours] == [(r.d, r["phase"], r[0]) for r in theirs]
    assert ours.records() == [{"d": "ig:CMAB007", "phase": "ige:PhaseIII"}]
    assert [str(v) for v in theirs.vars] == ours.vars == ["d", "phase"]


def test_serialize_to_a_file_and_graph_results(kg, tmp_path):
    select = kg.query("SELECT ?d WHERE { ?d a ige:Biosimilar }")
    assert select.serialize(tmp_path / "r.tsv", format="tsv") is None
    assert (tmp_path / "r.tsv").read_text() == "?d\n<https://w3id.org/igegraph/id/CMAB007>\n"
    graph = kg.query("CONSTRUCT { ?d a ige:Biosimilar } WHERE { ?d a ige:Biosimilar }")
    assert len(graph) == 1 and list(graph) == graph.triples
    parsed = rdflib.Graph().parse(data=graph.serialize(format="nt"), format="nt")
    assert set(parsed) == set(graph.triples)


def test_labels_refused_with_w3c_formats(kg):
    result = kg.query("SELECT ?d WHERE { ?d a ige:Biosimilar }")
    with pytest.raises(QueryError, match="labels apply to table and records output; csv is a W3C format"):
        format_result(result, "csv", labels=kg.labels)
    assert json.loads(format_result(result, "records", labels=kg.labels)) == [{"d": "CMAB007"}]


def test_graph_results_refuse_solution_formats(kg):
    graph = kg.query("CONSTRUCT { ?d a ige:Biosimilar } WHERE { ?d a ige:Biosimilar }")
    with pytest.raises(QueryError, match="CONSTRUCT gives a graph: use table"):
        format_result(graph, "tsv")
    assert json.loads(format_result(graph, "json"))[0]["@id"] == "https://w3id.org/igegraph/id/CMAB007"


def test_cli_formats(cli):
    text = "SELECT ?d ?l WHERE { ?d a ige:Biosimilar ; rdfs:label ?l }"
    out = cli("query", text, "--format", "csv")
    assert out.exit_code == 0 and out.stdout_bytes == b"d,l\r\nhttps://w3id.org/igegraph/id/CMAB007,CMAB007\r\n"
    out = cli("query", text, "--format", "tsv")
    assert out.output == '?d\t?l\n<https://w3id.org/igegraph/id/CMAB007>\t"CMAB007"\n'
    out = cli("query", text, "--format", "tsv", "--labels")
    assert out.exit_code == 2 and "--labels applies to table and records output" in out.output
    assert [Variable("d"), Variable("l")] == Result.parse(io.BytesIO(cli("query", text, "--format", "xml").stdout_bytes),
                                                          format="xml").vars
