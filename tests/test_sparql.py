"""SPARQL: named queries, bindings, formats, refusals, timeouts, errors with positions."""

from __future__ import annotations

import json
import socket

import pytest

from igegraph.errors import QueryError, UnknownEntity
from igegraph.sparql import check_query, format_result, named_queries, named_query, parse_binding, run_query

INJECTION = 'omalizumab" || true) } #'


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


def test_an_unknown_prefix_is_named_where_it_is_used(kg):
    # declared prefixes and the project's are no help; the one used first in code (not in a
    # string, an IRI or a comment) is the one reported, on the user's own line
    text = ('PREFIX ex: <http://example.org/>\n# nope:comment\nSELECT ?x WHERE {\n'
            '  ?x rdfs:label "nope:" ; ex:p <urn:nope:x> ; ige:q nope:foo }')
    with pytest.raises(QueryError) as info:
        run_query(kg, text)
    assert (info.value.line, info.value.column) == (4, 53)
    first, source, caret = str(info.value).splitlines()
    assert first.startswith("malformed SPARQL: the prefix 'nope:' is not declared; declare it (PREFIX nope: <IRI>) "
                            "or use a predeclared prefix (ige:, ig:, rdf:, rdfs:,")
    assert first.endswith(", interpro:, cas:) at line 4, column 53")
    assert source == '    ?x rdfs:label "nope:" ; ex:p <urn:nope:x> ; ige:q nope:foo }'
    assert caret == "  " + " " * 52 + "^"


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


def test_check_query_knows_the_predeclared_prefixes_as_run_query_does():
    # the error for an undeclared prefix lists them, so checking alone must accept them
    assert check_query("ASK { ig:omalizumab ige:neutralizes ig:free_IgE }") == "ASK"
    with pytest.raises(QueryError) as info:
        check_query("ASK {\n  ig:omalizumab nope:p ?o }")
    assert (info.value.line, info.value.column) == (2, 17)
    assert info.value.message.startswith("malformed SPARQL: the prefix 'nope:' is not declared")


@pytest.mark.parametrize("prefix", ["schema", "foaf", "dc", "prov"])
def test_rdflibs_own_prefixes_must_be_declared(kg, prefix):
    """rdflib knows these without a PREFIX line; igegraph does not predeclare them, so a query
    using one must declare it (else it ran against IRIs nobody chose and found nothing)."""
    with pytest.raises(QueryError, match=f"the prefix '{prefix}:' is not declared"):
        kg.query(f"SELECT ?o WHERE {{ ig:omalizumab {prefix}:name ?o }}")
    declared = f"PREFIX {prefix}: <https://example.org/{prefix}#> SELECT ?o WHERE {{ ig:omalizumab {prefix}:name ?o }}"
    assert check_query(declared) == "SELECT" and list(kg.query(declared)) == []
    assert check_query(f'ASK {{ ?s ?p "1"^^{prefix}:x }}'.replace("ASK", f"PREFIX {prefix}: <urn:x:> ASK")) == "ASK"
    with pytest.raises(QueryError, match=f"the prefix '{prefix}:' is not declared"):
        check_query(f'ASK {{ ?s ?p "1"^^{prefix}:x }}')  # a datatype, not only a predicate


def test_the_empty_prefix_is_not_a_prefix_named_prefix():
    assert check_query("PREFIX : <urn:a:> PREFIX prefix: <urn:b:> ASK { :a prefix:b ?c }") == "ASK"
    with pytest.raises(QueryError, match="the prefix 'prefix:' is not declared"):
        check_query("PREFIX : <urn:a:> ASK { :a prefix:b ?c }")
    with pytest.raises(QueryError, match="the empty prefix ':' is not declared"):
        check_query("PREFIX prefix: <urn:b:> ASK { :a prefix:b ?c }")


# ---------------------------------------------------------------- named queries: portable and typed

def _raw_oxigraph():
    """The curated files in a bare pyoxigraph Store: no igegraph, no rdflib, no predeclared prefixes."""
    import pyoxigraph

    from igegraph.resources import curated_files

    store = pyoxigraph.Store()
    for path in curated_files():
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def raw_store():
    return _raw_oxigraph()


def _canonical(term) -> tuple | None:
    """An rdflib or pyoxigraph term as (kind, value, language, datatype), xsd:string as no datatype."""
    if term is None:
        return None
    value = str(term) if type(term).__module__.startswith("rdflib") else term.value  # the lexical form
    language = getattr(term, "language", None) or None
    datatype = getattr(term, "datatype", None)
    datatype = None if datatype is None or language else str(getattr(datatype, "value", datatype))
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    elif datatype and datatype.rsplit("#", 1)[-1] in ("double", "float", "decimal", "integer"):
        value = repr(float(value))  # 1.52e-10 or 1.52E-10: engines keep or canonicalise the lexical form
    kind = "literal" if hasattr(term, "language") else "iri"
    if kind == "literal" and ", " in value:  # GROUP_CONCAT's order is the engine's choice
        value = ", ".join(sorted(value.split(", ")))
    return kind, value, language, datatype


def _rdflib_rows(result) -> list:
    return sorted((tuple(_canonical(t) for t in row) for row in result.rows), key=repr)


def _raw_rows(store, text: str, bindings=None) -> tuple[list[str], list]:
    import pyoxigraph

    substitutions = None
    if bindings:
        substitutions = {pyoxigraph.Variable(k): pyoxigraph.NamedNode(str(v)) if not hasattr(v, "language")
                         else pyoxigraph.Literal(str(v), language=v.language) for k, v in bindings.items()}
    solutions = store.query(text, substitutions=substitutions)
    names = [v.value for v in solutions.variables]
    rows = sorted((tuple(_canonical(s[n]) for n in names) for s in solutions), key=repr)
    return names, rows


@pytest.mark.parametrize("query", named_queries(), ids=lambda q: q.name)
def test_named_query_parses_alone_in_pyoxigraph(query):
    import pyoxigraph

    # no prefixes bound, no igegraph in between: the file as any SPARQL 1.1 engine would get it
    solutions = pyoxigraph.Store().query(query.text)
    assert list(solutions) == []


@pytest.mark.parametrize("query", named_queries(), ids=lambda q: q.name)
def test_named_query_same_answers_on_three_engines(query, kg, kg_memory, raw_store):
    """rdflib's own engine (Memory), embedded Oxigraph through rdflib, and a bare pyoxigraph Store."""
    ox, mem = run_query(kg, query.text), run_query(kg_memory, query.text)
    names, raw = _raw_rows(raw_store, query.text)
    assert ox.kind == mem.kind == "SELECT"
    assert ox.vars == mem.vars == names
    assert raw, f"{query.name} returned nothing"
    assert _rdflib_rows(ox) == _rdflib_rows(mem) == raw


NAMED_PARAMETERS = [(q, p) for q in named_queries() for p in q.parameters]


@pytest.mark.parametrize("query, param", NAMED_PARAMETERS, ids=lambda x: getattr(x, "name", ""))
def test_parameter_example_selects_exactly_its_rows(query, param, kg, kg_memory, raw_store):
    # each parameter is an answer column, so binding it is the same as keeping the unbound
    # answers whose column holds that term: through rdflib, Oxigraph substitutions alike
    unbound = run_query(kg, query.text)
    assert param.name in unbound.vars
    term = query.bind(kg, {param.name: param.example})[param.name]
    assert query.bind(kg_memory, {param.name: param.example})[param.name] == term
    column = unbound.vars.index(param.name)
    expected = [r for r in _rdflib_rows(unbound) if r[column] == _canonical(term)]
    assert expected, f"{query.name}: the example {param.example!r} of ?{param.name} selects nothing"
    for graph in (kg, kg_memory):
        assert _rdflib_rows(run_query(graph, query.text, {param.name: term})) == expected
    assert _raw_rows(raw_store, query.text, {param.name: term})[1] == expected


def test_parameters_declared_in_headers():
    declared = {q.name: [(p.name, p.type, p.within) for p in q.parameters] for q in named_queries()}
    assert {name: params for name, params in declared.items() if params} == {
        "cell-releases": [("cell", "entity", "ige:Cell")],
        "cells-expressing": [("receptor", "entity", None)],
        "claim-provenance": [("subject", "entity", None), ("object", "entity", None)],
        "cq03-table1-strategies": [("strategy", "entity", "ige:Strategy")],
        "cq05-table1-phases": [("phase", "phase", None)],
        "cq06-trials": [("drug", "entity", None)],
        "cq10-receptor-cells": [("receptor", "entity", None)],
        "cq13-pathway-blockers": [("name", "literal", None)],
        "curator-notes": [("entity", "entity", None)],
        "drugs-by-phase": [("phase", "phase", None)],
        "drugs-by-strategy": [("strategy", "entity", "ige:Strategy"), ("therapy", "entity", None)],
        "drugs-by-target": [("target", "entity", None), ("drug", "entity", None), ("kind", "class", "ige:Drug")],
        "numbers": [("entity", "entity", None)],
    }
    q = named_query("cq05-table1-phases")
    assert q.to_dict()["parameters"] == [{"name": "phase", "type": "phase", "within": None,
                                          "description": "the normalised development phase", "example": "Phase III"}]
    assert q.example == "igegraph query cq05-table1-phases --bind 'phase=Phase III'"
    assert named_query("cq01-ce3-binders").example == "igegraph query cq01-ce3-binders"
    assert "Parameter" not in q.description  # the param lines are not part of the description


@pytest.mark.parametrize("line, error", [
    ("# param: ?phase phase the phase; example: Phase III",
     "q.rq:2: malformed parameter line; write '# param: ?NAME TYPE [CLASS] — DESCRIPTION; example: VALUE'"),
    ("# param: ?phase stage — the phase; example: Phase III",
     "q.rq:2: unknown parameter type 'stage'; use one of entity, phase, class, literal"),
    ("# param: ?phase literal ige:Drug — the phase; example: Phase III",
     "q.rq:2: 'ige:Drug' cannot narrow a literal parameter"),
    ("# param: ?stage phase — the phase; example: Phase III", "q.rq:2: the query has no variable ?stage"),
])
def test_malformed_parameter_header(tmp_path, line, error):
    from igegraph.sparql import _parse_header

    path = tmp_path / "q.rq"
    path.write_text(f"# A title\n{line}\nSELECT ?phase WHERE {{ ?d <http://x/p> ?phase }}\n", encoding="utf-8")
    with pytest.raises(QueryError) as info:
        _parse_header(path)
    assert str(info.value) == error


PHASE_III = "https://w3id.org/igegraph/vocab#PhaseIII"


@pytest.mark.parametrize("value", ["Phase III", "phase 3", "PHASE 3", "ige:PhaseIII", f"<{PHASE_III}>", "PhaseIII",
                                   '"Phase III"'])
def test_phase_bound_by_label_synonym_or_curie(any_kg, value):
    query = named_query("cq05-table1-phases")
    bound = query.bind(any_kg, {"phase": value})
    assert {k: str(v) for k, v in bound.items()} == {"phase": PHASE_III}
    rows = run_query(any_kg, query.text, bound).records()
    assert [(r["therapy"], r["phaseLabel"], r["phaseText"]) for r in rows] == [
        ("ig:CMAB007", "Phase III", "Phase III; Local license")]


def test_drugs_by_phase_bound_by_arabic_numeral(any_kg):
    query = named_query("drugs-by-phase")
    rows = run_query(any_kg, query.text, query.bind(any_kg, {"phase": "phase 2"})).records()
    assert {r["drug"] for r in rows} == {"ig:ligelizumab", "ig:quilizumab"}


@pytest.mark.parametrize("query, value, error", [
    ("cq05-table1-phases", "Phase 7", "parameter 'phase': no development phase is named 'Phase 7'; "
                                      "use one of: Marketed, Phase I, Phase II, Phase III, Preclinical"),
    # an evidence level is labelled "phase III" too: the phase parameter never looks there
    ("cq05-table1-phases", "ige:PhaseIIIEvidence", "parameter 'phase': ige:PhaseIIIEvidence is not a development "
                                                   "phase; use one of: Marketed, Phase I, Phase II, Phase III, Preclinical"),
    ("cq05-table1-phases", "CMAB007 phase III trial in China", "parameter 'phase': no development phase is named "
     "'CMAB007 phase III trial in China'; use one of: Marketed, Phase I, Phase II, Phase III, Preclinical"),
    ("cq03-table1-strategies", "IgE+ B cell", "parameter 'strategy': no therapeutic strategy is named 'IgE+ B cell'; "
                                              "use one of: IgE+ B cells, IgE-effector cells, Serum IgE neutralization"),
])
def test_typed_parameter_refuses_other_types(kg, query, value, error):
    q = named_query(query)
    with pytest.raises(QueryError) as info:
        q.bind(kg, {q.parameters[0].name: value})
    assert str(info.value) == error


def test_entity_of_a_class_is_read_as_describe_reads_it(any_kg):
    """An identifier or a plural names a member as it does for describe; a non-member is refused."""
    releases = named_query("cell-releases")
    assert str(releases.bind(any_kg, {"cell": "CL:0000097"})["cell"]) == "https://w3id.org/igegraph/id/mast_cell"
    assert str(releases.bind(any_kg, {"cell": "mast cells"})["cell"]) == "https://w3id.org/igegraph/id/mast_cell"
    with pytest.raises(QueryError, match="^parameter 'cell': no cell is named 'histamine'"):
        releases.bind(any_kg, {"cell": "histamine"})


def test_strategy_and_class_resolved_within_their_type(any_kg):
    # "IgE+ B cells" alone names the cell (what describe finds); as a strategy it is the Table 1 group
    assert any_kg.resolve("IgE+ B cells") == "ig:IgE_B_cell"
    cq03 = named_query("cq03-table1-strategies")
    assert str(cq03.bind(any_kg, {"strategy": "IgE+ B cells"})["strategy"]) == "https://w3id.org/igegraph/id/strategy_IgE_B_cells"
    assert str(cq03.bind(any_kg, {"strategy": "Targeting IgE+ B cells"})["strategy"]).endswith("/strategy_IgE_B_cells")
    by_target = named_query("drugs-by-target")
    bound = by_target.bind(any_kg, {"kind": "monoclonal antibody", "target": "IgE"})
    assert {k: str(v) for k, v in bound.items()} == {"kind": "https://w3id.org/igegraph/vocab#MonoclonalAntibody",
                                                     "target": "https://w3id.org/igegraph/id/IgE"}
    rows = run_query(any_kg, by_target.text, bound).records()
    assert [(r["drug"], r["relation"]) for r in rows] == [("ig:omalizumab", "targets")]
    with pytest.raises(QueryError, match="parameter 'kind': no class under drug or therapy is named 'mast cell'"):
        by_target.bind(any_kg, {"kind": "mast cell"})


def test_literal_parameter(any_kg):
    cq13 = named_query("cq13-pathway-blockers")
    assert cq13.bind(any_kg, {"name": "cd23-th2"})["name"].n3() == '"cd23-th2"'
    assert cq13.bind(any_kg, {"name": '"cd23-th2"'})["name"].n3() == '"cd23-th2"'
    assert run_query(any_kg, cq13.text, cq13.bind(any_kg, {"name": "no-such-pathway"})).rows == []


@pytest.mark.parametrize("query, bindings, error", [
    ("cq05-table1-phases", {"phse": "Phase III"}, "unknown parameter 'phse' for cq05-table1-phases; its parameters are: phase"),
    ("claim-provenance", {"subjects": "IgE"}, "unknown parameter 'subjects' for claim-provenance; "
                                              "its parameters are: subject, object"),
    ("cq01-ce3-binders", {"drug": "omalizumab"}, "unknown parameter 'drug' for cq01-ce3-binders; it has no parameters"),
    ("cq05-table1-phases", {"phase": " "}, "parameter 'phase' of cq05-table1-phases has no value; "
                                           "write it as NAME=VALUE, e.g. 'phase=Phase III'"),
])
def test_unknown_or_missing_parameter_names_the_parameters(kg, query, bindings, error):
    with pytest.raises(QueryError) as info:
        named_query(query).bind(kg, bindings)
    assert str(info.value) == error


def test_project_prefixes_added_once_and_only_when_missing(kg):
    from igegraph.querycheck import _with_prefixes

    # a named query declares its own: nothing it declares is added again, and a project prefix
    # it does not use is not declared
    text, _ = _with_prefixes(named_query("cq09-ige-b-cell-reducers").text + "# skos:note\n")
    assert [text.count(f"PREFIX {p}:") for p in ("ige", "ig", "rdf", "rdfs", "skos", "owl")] == [1, 1, 1, 1, 1, 0]
    # an ad-hoc query that declares ige: itself still gets rdfs:, and errors keep the user's lines
    own = "PREFIX ige: <https://w3id.org/igegraph/vocab#>\nSELECT ?l WHERE { ige:PhaseIII rdfs:label ?l }"
    assert [r["l"] for r in run_query(kg, own).records()] == ["Phase III"]
    with pytest.raises(QueryError) as info:
        run_query(kg, "PREFIX ige: <https://w3id.org/igegraph/vocab#>\nSELECT ?x WHERE { ?x ?y }")
    assert (info.value.line, info.value.column) == (2, 19)


def test_memory_backend_runs_the_algebra_its_check_made(kg_memory, monkeypatch):
    """A checked query is parsed once: the memory backend evaluates the algebra its check made,
    and parses only texts never checked (its own queries), with the graph's prefixes."""
    import rdflib.plugins.sparql

    from igegraph.querycheck import checked_algebra

    prepared = []
    prepare = rdflib.plugins.sparql.prepareQuery
    monkeypatch.setattr(rdflib.plugins.sparql, "prepareQuery", lambda *a, **k: prepared.append(a) or prepare(*a, **k))
    text = "SELECT ?l WHERE { ig:omalizumab rdfs:label ?l }  # checked, then run on the memory backend"
    assert [r["l"] for r in run_query(kg_memory, text).records()] == ["omalizumab"]
    other = "SELECT ?l WHERE { ig:omalizumab rdfs:label ?l }  # another text, same algebra"
    assert [r["l"] for r in run_query(kg_memory, other).records()] == ["omalizumab"]
    assert prepared == []
    unchecked = "SELECT ?l WHERE { ig:omalizumab rdfs:label ?l }  # never checked, prefixes of the graph"
    assert [str(row[0]) for row in kg_memory.engine.query(kg_memory.graph, unchecked, {})] == ["omalizumab"]
    assert [a[0] for a in prepared] == [unchecked]
    # rdflib writes a SERVICE request with the prefixes of the graph: such a query is prepared for it
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }  # kept?"
    assert check_query(service, allow_network=True) == "SELECT"
    assert checked_algebra(service) is None
