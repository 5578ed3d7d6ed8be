"""The SPARQL 1.1 Protocol endpoint of a real ``igegraph serve``: clients, formats, refusals."""

from __future__ import annotations

import io
import select
import socket
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result
from tests.conftest import http

from .conftest import MAX_ROWS, TIMEOUT

IG = "https://w3id.org/igegraph/id/"
CE3_BINDERS = "SELECT ?drug ?label WHERE { ?drug ige:binds ig:Ce3 ; rdfs:label ?label } ORDER BY ?label"
EXPECTED_ROWS = [(IG + "CMAB007", "CMAB007"), (IG + "MEDI4212", "MEDI4212"),
                 (IG + "ligelizumab", "ligelizumab"), (IG + "omalizumab", "omalizumab")]
CONSTRUCT = "CONSTRUCT { ?drug ige:binds ig:Ce3 } WHERE { ?drug ige:binds ig:Ce3 }"
EXPECTED_TRIPLES = {(IG + d, "https://w3id.org/igegraph/vocab#binds", IG + "Ce3")
                    for d in ("CMAB007", "MEDI4212", "ligelizumab", "omalizumab")}

SELECT_FORMATS = {  # media type -> (rdflib parser, pyoxigraph parser; it refuses lossy CSV)
    "application/sparql-results+json": ("json", ox.QueryResultsFormat.JSON),
    "application/sparql-results+xml": ("xml", ox.QueryResultsFormat.XML),
    "text/csv": ("csv", None),
    "text/tab-separated-values": ("tsv", ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS = {  # media type -> (rdflib format, pyoxigraph format)
    "text/turtle": ("turtle", ox.RdfFormat.TURTLE),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/ld+json": ("json-ld", ox.RdfFormat.JSON_LD),
    "application/rdf+xml": ("xml", ox.RdfFormat.RDF_XML),
}


def _rows_rdflib(data: bytes, fmt: str) -> list[tuple[str, str]]:
    return [(str(r["drug"]), str(r["label"])) for r in Result.parse(io.BytesIO(data), format=fmt)]


def _rows_ox(data: bytes, fmt) -> list[tuple[str, str]]:
    return [(s["drug"].value, s["label"].value) for s in ox.parse_query_results(data, format=fmt)]


@pytest.mark.parametrize("media", list(SELECT_FORMATS))
def test_select_in_every_format_parses_back_with_rdflib_and_pyoxigraph(client, media):
    r = client.get("/sparql", params={"query": CE3_BINDERS}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    rdflib_fmt, ox_fmt = SELECT_FORMATS[media]
    if ox_fmt is not None:
        assert _rows_ox(r.content, ox_fmt) == EXPECTED_ROWS
    assert _rows_rdflib(r.content, rdflib_fmt) == EXPECTED_ROWS
    assert "x-result-truncated" not in r.headers


@pytest.mark.parametrize("media", list(GRAPH_FORMATS))
def test_construct_in_every_format_parses_back(client, media):
    r = client.post("/sparql", content=CONSTRUCT, headers={"Content-Type": "application/sparql-query", "Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    rdflib_fmt, ox_fmt = GRAPH_FORMATS[media]
    g = rdflib.Graph().parse(data=r.content, format=rdflib_fmt)
    assert {tuple(map(str, t)) for t in g} == EXPECTED_TRIPLES
    assert {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(r.content, ox_fmt)} == EXPECTED_TRIPLES


@pytest.mark.parametrize("media, ox_fmt", [("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                                           ("application/sparql-results+xml", ox.QueryResultsFormat.XML)])
def test_ask(client, media, ox_fmt):
    for text, expected in (("ASK { ig:omalizumab ige:neutralizes ig:free_IgE }", True),
                           ("ASK { ig:free_IgE ige:neutralizes ig:omalizumab }", False)):
        r = client.get("/sparql", params={"query": text}, headers={"Accept": media})
        assert bool(ox.parse_query_results(r.content, format=ox_fmt)) is expected
        assert Result.parse(io.BytesIO(r.content), format=media.rsplit("+", 1)[1]).askAnswer is expected


def test_post_form_and_format_parameter(client):
    r = client.post("/sparql", data={"query": CE3_BINDERS, "format": "tsv"}, headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    assert _rows_ox(r.content, ox.QueryResultsFormat.TSV) == EXPECTED_ROWS
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
    assert r.headers["content-type"].startswith("application/n-triples")
    assert len(r.text.strip().splitlines()) == 4


def test_negotiation_falls_back_and_refuses(client):
    r = client.get("/sparql", params={"query": CE3_BINDERS}, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = client.get("/sparql", params={"query": CE3_BINDERS}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"] == "not acceptable"
    r = client.get("/sparql", params={"query": CE3_BINDERS, "format": "turtle"})
    assert r.status_code == 400 and "does not fit a SELECT result" in r.json()["detail"]
    r = client.post("/sparql", content=CE3_BINDERS, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_sparqlwrapper_json_xml_and_construct(server):
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(CE3_BINDERS)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert [(b["drug"]["value"], b["label"]["value"]) for b in rows] == EXPECTED_ROWS
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == [label for _, label in EXPECTED_ROWS]
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert {tuple(map(str, t)) for t in g} == EXPECTED_TRIPLES


def test_rdflib_sparqlstore_select_and_ask(server):
    g = rdflib.Graph(store="SPARQLStore")
    g.open(server.sparql)
    rows = g.query("PREFIX ige: <https://w3id.org/igegraph/vocab#> PREFIX ig: <https://w3id.org/igegraph/id/> "
                   "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + CE3_BINDERS)
    assert [(str(r.drug), str(r.label)) for r in rows] == EXPECTED_ROWS
    ask = g.query("ASK { <https://w3id.org/igegraph/id/omalizumab> <https://w3id.org/igegraph/vocab#neutralizes> "
                  "<https://w3id.org/igegraph/id/free_IgE> }")
    assert ask.askAnswer is True


def test_another_triple_store_federates_to_it(server):
    # Oxigraph sends the SERVICE part of its own query to this endpoint
    query = (f"SELECT ?drug ?label WHERE {{ SERVICE <{server.sparql}> {{ ?drug <https://w3id.org/igegraph/vocab#binds> "
             "<https://w3id.org/igegraph/id/Ce3> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } } ORDER BY ?label")
    rows = ox.Store().query(query)
    assert [(r["drug"].value, r["label"].value) for r in rows] == EXPECTED_ROWS


def test_service_description(client, server, kg, xss_ttl):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(server.sparql)
    assert (service, sd.endpoint, service) in g
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert len(set(g.objects(service, sd.resultFormat))) == 8
    (triples,) = g.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) == len(kg) + len(rdflib.Graph().parse(xss_ttl))
    browser = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"].endswith("/query")


@pytest.fixture
def listener():
    """A loopback TCP listener that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def _connected(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0.3)[0])


def test_network_access_refused_and_nothing_fetched(client, listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    refused = {
        "SERVICE": client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}),
        "FROM": client.get("/sparql", params={"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"}),
        "FROM NAMED": client.get("/sparql", params={"query": f"SELECT * FROM NAMED <{url}> WHERE {{ ?s ?p ?o }}"}),
        "LOAD as query": client.get("/sparql", params={"query": f"LOAD <{url}>"}),
        "default-graph-uri": client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": url}),
    }
    for what, r in refused.items():
        assert r.status_code == 400, what
        assert set(r.json()) >= {"error", "detail"}, what
    assert "SERVICE reaches the network" in refused["SERVICE"].json()["detail"]
    assert "FROM / FROM NAMED" in refused["FROM"].json()["detail"]
    updates = [
        client.get("/sparql", params={"update": f"LOAD <{url}>"}),
        client.post("/sparql", data={"update": f"LOAD <{url}>"}),
        client.post("/sparql", content=f"LOAD <{url}>", headers={"Content-Type": "application/sparql-update"}),
        client.post("/sparql", content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                    headers={"Content-Type": "application/sparql-update"}),
    ]
    assert [r.status_code for r in updates] == [403] * 4
    assert updates[0].json()["error"] == "updates are forbidden"
    assert not _connected(listener), "the server opened a connection"
    assert client.get("/sparql", params={"query": "ASK { ?s <urn:b> <urn:c> }"}).json()["boolean"] is False


def test_malformed_query_gives_line_and_column(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x a ige:Cell .\n  FILTER(?x = ) }"})
    assert r.status_code == 400
    body = r.json()
    assert (body["line"], body["column"]) == (3, 3)
    assert body["detail"].startswith("malformed SPARQL") and "line 3, column 3" in body["detail"]


def test_an_unknown_prefix_gives_its_line_and_column(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x nope:p ige:Cell }"})
    assert r.status_code == 400
    body = r.json()
    assert (body["line"], body["column"]) == (2, 6)
    assert body["detail"].startswith("malformed SPARQL: the prefix 'nope:' is not declared; declare it "
                                     "(PREFIX nope: <IRI>) or use a predeclared prefix (ige:, ig:,")
    assert body["detail"].endswith(" at line 2, column 6\n    ?x nope:p ige:Cell }\n       ^")


def test_oversized_requests_refused_with_413(client):
    big = client.post("/sparql", content=b"#" * (2 << 20), headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413 and big.json()["error"] == "request too large"
    long_query = "ASK {}" + " " * 40_000
    r = client.post("/sparql", content=long_query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "at most 32768" in r.json()["detail"]


def test_results_capped_at_max_rows_with_a_header(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS
    assert r.headers["x-result-truncated"] == f"max-rows={MAX_ROWS}"


def test_runaway_query_times_out_while_a_cheap_one_answers(server):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    slow: dict = {}

    def run_slow() -> None:
        start = time.monotonic()
        slow["response"] = http().get(server.sparql, params={"query": runaway}, timeout=30)
        slow["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # let the runaway query start first
    start = time.monotonic()
    cheap = http().get(server.sparql, params={"query": "ASK { ig:omalizumab ige:neutralizes ig:free_IgE }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
    cheap_seconds = time.monotonic() - start
    thread.join()
    assert cheap.json()["boolean"] is True
    assert cheap_seconds < 1.0
    assert thread_ok(slow)


def thread_ok(slow: dict) -> bool:
    r = slow["response"]
    assert r.status_code == 503
    assert r.json() == {"error": "query timed out",
                        "detail": f"query timed out after {TIMEOUT:g} s; narrow it or raise --timeout"}
    assert TIMEOUT <= slow["seconds"] < TIMEOUT + 3
    return True


def test_service_description_behind_a_proxy_names_the_public_endpoint(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "kg.example.org",
                                       "X-Forwarded-Proto": "https"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    endpoint = rdflib.URIRef("https://kg.example.org/sparql")
    assert (endpoint, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), endpoint) in g


def test_describe_gives_the_entity_triples(client):
    r = client.get("/sparql", params={"query": "DESCRIBE ig:omalizumab"}, headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    omalizumab = rdflib.URIRef(IG + "omalizumab")
    assert (omalizumab, rdflib.URIRef("https://w3id.org/igegraph/vocab#neutralizes"), rdflib.URIRef(IG + "free_IgE")) in g
    assert set(g.subjects()) == {omalizumab}


def test_cors_only_for_the_origins_given(kg):
    from igegraph.serve import ServerConfig, in_process

    allowed, other = "https://yasgui.example.org", "https://elsewhere.example.org"
    with in_process(kg, ServerConfig(cors=(allowed,), workers=1)) as app:
        ok = app.get("/api/stats", headers={"Origin": allowed})
        assert ok.headers["access-control-allow-origin"] == allowed
        assert "access-control-allow-origin" not in app.get("/api/stats", headers={"Origin": other}).headers
    with in_process(kg, ServerConfig(workers=1)) as app:
        assert "access-control-allow-origin" not in app.get("/api/stats", headers={"Origin": allowed}).headers


def test_same_query_same_format_is_answered_from_the_answer_cache(kg):
    from igegraph.serve import in_process

    with in_process(kg) as client:  # the session's graph, its query process closed at the end
        query = "SELECT ?d WHERE { ?d ige:neutralizes ig:free_IgE } ORDER BY ?d"
        first = client.get("/sparql", params={"query": query, "format": "json"})
        again = client.get("/sparql", params={"query": query, "format": "json"})
        other = client.get("/sparql", params={"query": query, "format": "csv"})
        assert first.status_code == again.status_code == other.status_code == 200
        assert first.content == again.content and other.content != first.content
        cached = client.app.state.sparql_answers
        assert [key[0] for key in cached.keys()] == [query, query]  # one answer per query and format
        # refusals are never cached
        assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}).status_code == 400
        assert len(cached) == 2
