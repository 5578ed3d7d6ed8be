"""The endpoint backend on real servers: a real Oxigraph server holding the curated graph
(pushed by ``igegraph push``) must answer exactly as the embedded backend, and broken
endpoints (closed port, 401, HTML page, silence, trickle) each give one clear error line in
bounded time."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tests.conftest import http

import igegraph
from igegraph.describe import describe, stats
from igegraph.errors import EndpointError, QueryError, UnknownEntity
from igegraph.fulltext import search
from igegraph.sparql import named_queries, named_query, run_query
from igegraph.traverse import blocks_pathway, cutsets, downstream, knockout, neighbors, pathways, upstream


def records(kg, text: str, **bindings) -> list[str]:
    """A query's rows as sorted JSON lines. Unordered rows, and the items a GROUP_CONCAT joins,
    come in the store's own order, so both are sorted."""
    def canonical(value):
        return ", ".join(sorted(value.split(", "))) if isinstance(value, str) else value

    return sorted(json.dumps({k: canonical(v) for k, v in r.items()}, sort_keys=True)
                  for r in run_query(kg, text, bindings).records())


def count(url: str, graph: str | None = None) -> int:
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    if graph:
        params["default-graph-uri"] = graph
    answer = http().post(url, data=params, headers={"Accept": "application/sparql-results+json"}).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


# ---------------------------------------------------------------- answers equal the embedded backend's


@pytest.mark.parametrize("name", [q.name for q in named_queries()])
def test_named_query_same_answer(name, endpoint_kg, kg):
    text = named_query(name).text
    assert records(endpoint_kg, text) == records(kg, text)


@pytest.mark.parametrize(("name", "bindings"), [
    ("cq03-table1-strategies", {"strategy": "ig:strategy_IgE_B_cells"}),
    ("cell-releases", {"cell": "mast cell"}),
    ("cells-expressing", {"receptor": "FcεRI"}),
])
def test_bound_query_same_answer(name, bindings, endpoint_kg, kg):
    text = named_query(name).text
    got = records(endpoint_kg, text, **bindings)
    assert got and got == records(kg, text, **bindings)


def test_bound_literal_cannot_change_the_query(endpoint_kg, kg):
    hostile = '"x\\" } UNION { ?d rdfs:label ?l } #"'
    text = "SELECT ?d WHERE { ?d rdfs:label ?l }"
    assert records(endpoint_kg, text, l=hostile) == records(kg, text, l=hostile) == []


def test_stats_by_counting(endpoint_kg, kg):
    assert stats(endpoint_kg) == stats(kg)


@pytest.mark.parametrize("term", ["Xolair", "Fc epsilon RI", "mast cell", "IgE", "DRUGBANK:DB00043", "38", "Gauvreau"])
def test_describe_fetches_the_neighbourhood(term, endpoint_kg, kg):
    part = endpoint_kg.about(term)
    assert describe(part, term) == describe(kg, term)
    assert len(part) < len(kg) / 2  # not the whole graph


@pytest.fixture
def sent(monkeypatch) -> list[str]:
    """The text of each query the endpoint backend sends during the test (the real requests)."""
    from igegraph.backends.endpoint import EndpointBackend

    texts: list[str] = []
    request = EndpointBackend.request

    def counted(self, method, url, **kwargs):
        texts.append(kwargs["data"]["query"])
        return request(self, method, url, **kwargs)

    monkeypatch.setattr(EndpointBackend, "request", counted)
    return texts


def test_describe_fetches_the_references_once(oxigraph_endpoint, kg, sent):
    remote = igegraph.load(backend="endpoint", location=oxigraph_endpoint)
    assert describe(remote.about("Xolair"), "Xolair") == describe(kg, "Xolair")
    assert len(sent) == len(set(sent))
    assert sum("a ige:Reference" in q for q in sent) == 1


def test_unknown_names_get_the_same_suggestions(endpoint_kg, kg):
    for term in ("omalizumob", "FceR1", "histamin"):
        with pytest.raises(UnknownEntity) as remote:
            endpoint_kg.resolve(term)
        with pytest.raises(UnknownEntity) as local:
            kg.resolve(term)
        assert str(remote.value) == str(local.value)


@pytest.mark.parametrize("text", ["Xolair", "FcεRI", "half-life", "thrombosis", "mg/mL"])
def test_search_finds_the_same_things(text, endpoint_kg, kg):
    got = search(endpoint_kg.matching(text), text, limit=20)
    want = search(kg, text, limit=10)
    # names rank the same; text scores (60 and below) come from the candidates' own word statistics
    assert [(h.id, h.field, h.score) for h in got if h.score > 60] == [(h.id, h.field, h.score) for h in want
                                                                        if h.score > 60]
    assert {h.id for h in want} <= {h.id for h in got}


def test_cli_output_is_the_embedded_one(oxigraph_endpoint, cli):
    for args in (["query", "--name", "cq01-ce3-binders", "--labels"], ["describe", "Xolair"],
                 ["stats", "--format", "json"], ["query", "ASK { ig:omalizumab ige:neutralizes ig:free_IgE }"]):
        remote, local = cli(*args, "--endpoint", oxigraph_endpoint), cli(*args)
        assert remote.exit_code == local.exit_code == 0, remote.output
        assert remote.output == local.output


def test_what_an_endpoint_cannot_do_is_refused(oxigraph_endpoint, cli, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text("<urn:a> <urn:b> <urn:c> .\n")
    for args, message in (
        (["stats", "--data", str(mine)], "--data cannot be merged into an endpoint's graph"),
        (["query", "--reasoning", "rdfs", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], "RDFS reasoning runs on a graph"),
        (["query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"], "SERVICE"),
        (["stats", "--store", str(tmp_path)], "give --store DIR or --endpoint URL, not both"),
    ):
        result = cli(*args, "--endpoint", oxigraph_endpoint)
        assert result.exit_code != 0
        assert message in result.output, result.output


# ---------------------------------------------------------------- traversals fetch their cone


def plain(value):
    from igegraph.plain import to_plain

    return json.loads(json.dumps(to_plain(value), sort_keys=True, default=str))


# named here, not read from a graph loaded at collection (on every xdist worker); the test
# below checks that these are all the pathways of the data
PATHWAYS = ["allergic-cascade", "cd23-th2", "ige-fceri-degranulation", "sensitization"]


def test_every_pathway_is_compared(kg):
    assert [p.name for p in pathways(kg)] == PATHWAYS


@pytest.mark.parametrize("name", PATHWAYS)
@pytest.mark.parametrize("any_agent", [False, True])
def test_blocks_pathway_same_answer(name, any_agent, endpoint_kg, kg):
    remote = blocks_pathway(endpoint_kg, name, interventions_only=not any_agent)
    assert plain(remote) == plain(blocks_pathway(kg, name, interventions_only=not any_agent))


@pytest.mark.parametrize(("items", "source", "target"), [
    (["FcεRI"], "allergen", "mast cell degranulation"),
    (["omalizumab", "IgE"], "allergen", "mast cell degranulation"),
    (["CTLA4Fce"], "allergen", "IgE"),
    (["histamine"], "allergen", "histamine"),
])
def test_knockout_same_answer(items, source, target, endpoint_kg, kg):
    assert plain(knockout(endpoint_kg, items, source, target)) == plain(knockout(kg, items, source, target))


@pytest.mark.parametrize(("source", "target", "entities"), [
    ("IgE", "Th2 activation", False), ("allergen", "mast cell degranulation", True),
    ("allergen", "histamine", False)])
def test_cutsets_same_answer(source, target, entities, endpoint_kg, kg):
    got = cutsets(endpoint_kg, source, target, max_size=2, entities=entities)
    assert got and plain(got) == plain(cutsets(kg, source, target, max_size=2, entities=entities))


@pytest.mark.parametrize(("term", "depth", "direction", "predicates"), [
    ("IgE", 1, "both", ()), ("mast cell", 2, "down", ()), ("IgE+ B cell", 1, "down", ("secretes",)),
    ("IgE", 3, "up", ())])
def test_neighbors_same_answer(term, depth, direction, predicates, endpoint_kg, kg):
    part = endpoint_kg.around(term, depth, direction)
    got = neighbors(part, term, depth=depth, direction=direction, predicates=predicates)
    assert got and got == neighbors(kg, term, depth=depth, direction=direction, predicates=predicates)


@pytest.mark.parametrize(("term", "max_depth"), [("histamine", None), ("histamine", 2), ("allergen", None), ("IgE", None), ("omalizumab", 2),
                                              ("mast cell degranulation", 4), ("plasmablast", 1), ("ligelizumab", 1)])
def test_closures_same_answer(term, max_depth, endpoint_kg, kg):
    up, down = endpoint_kg.around(term, max_depth, "up", causal=True), endpoint_kg.around(term, max_depth, "down",
                                                                                            causal=True)
    assert upstream(up, term, max_depth) == upstream(kg, term, max_depth)
    assert downstream(down, term, max_depth) == downstream(kg, term, max_depth)
    assert upstream(up, term, max_depth) or downstream(down, term, max_depth)


def test_traversals_fetch_less_than_the_graph(endpoint_kg, kg):
    from igegraph.traverse.fetch import FetchStats, cone_graph

    stats, indexed = FetchStats(), FetchStats()
    small = cone_graph(endpoint_kg, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8, stats=stats)
    assert stats.cone_nodes == 8 and len(small) < len(kg) / 2
    # with the supply index that push wrote, the dominator chains stand in for the ancestry
    cone_graph(endpoint_kg, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8, stats=indexed,
               index=endpoint_kg.supply_index())
    assert indexed.indexed and indexed.cone_nodes == 8 and indexed.triples < len(kg) / 2


def test_a_graph_asks_its_vocabulary_and_names_once(oxigraph_endpoint, kg, sent):
    remote = igegraph.load(backend="endpoint", location=oxigraph_endpoint)
    for items, target in ((["FcεRI"], "mast cell degranulation"), (["omalizumab", "IgE"], "mast cell degranulation"),
                          (["histamine"], "histamine")):
        assert plain(knockout(remote, items, "allergen", target)) == plain(knockout(kg, items, "allergen", target))
    # the relation properties, entity classes and named pathways: once for the three cones
    assert [sum(part in q for q in sent) for part in ("?p ige:polarity ?pol", "rdfs:subClassOf* ige:Entity",
                                                     "hasStep/ige:reference ?s")] == [1, 1, 1]
    # the names looked up (allergen, FcεRI, mast cell degranulation, omalizumab, IgE, histamine): each once
    assert sum("AS ?id)" in q and "skos:altLabel }" in q for q in sent) == 6


def test_blocks_prints_the_embedded_table(oxigraph_endpoint, cli):
    for args in (["blocks", "--pathway", "ige-fceri-degranulation"], ["path", "allergen", "histamine", "--all"],
                 ["knockout", "FcεRI", "--from", "allergen", "--to", "histamine"], ["pathways"],
                 ["cutsets", "allergen", "histamine"], ["neighbors", "mast cell", "--depth", "2"],
                 ["upstream", "histamine"], ["downstream", "allergen", "--max-depth", "3"]):
        remote, local = cli(*args, "--endpoint", oxigraph_endpoint), cli(*args)
        assert remote.exit_code == local.exit_code == 0, remote.output
        assert remote.output == local.output


def test_exports_from_an_endpoint(oxigraph_endpoint, cli, kg, tmp_path):
    out = tmp_path / "kg.nt"
    result = cli("export", "ntriples", str(out), "--endpoint", oxigraph_endpoint)
    assert result.output == f"wrote {out} ({len(kg)} triples)\n"
    import rdflib

    def values(graph):  # the store may write a value in its own lexical form (1.52e-10 as 0.000000000152)
        return {(s, p, o.toPython() if isinstance(o, rdflib.Literal) else o) for s, p, o in graph}

    assert values(rdflib.Graph().parse(out, format="nt")) == values(kg.graph)
    assert not list(tmp_path.glob(".*.tmp"))
    page = tmp_path / "p.html"
    remote = cli("export", "html", str(page), "--pathway", "ige-fceri-degranulation", "--endpoint", oxigraph_endpoint)
    local = cli("export", "html", str(tmp_path / "q.html"), "--pathway", "ige-fceri-degranulation")
    assert remote.output.split(" (")[1] == local.output.split(" (")[1]
    assert cli("validate", "--endpoint", oxigraph_endpoint).output == cli("validate").output


# ---------------------------------------------------------------- push


def test_push_replaces_a_named_graph_and_repeats_harmlessly(oxigraph_endpoint, kg, tmp_path, push_cli):
    graph = "https://example.org/graphs/igegraph"
    default_before = count(oxigraph_endpoint)
    first = push_cli(oxigraph_endpoint, "--graph", graph)
    assert first.startswith(f"pushed {len(kg):,} triples to graph <{graph}> at ")
    assert count(oxigraph_endpoint, graph) == len(kg)
    push_cli(oxigraph_endpoint, "--graph", graph)
    assert count(oxigraph_endpoint, graph) == len(kg)
    mine = tmp_path / "mine.ttl"
    mine.write_text('@prefix ig: <https://w3id.org/igegraph/id/> .\n@prefix ige: <https://w3id.org/igegraph/vocab#> .\n'
                    '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                    'ig:my_drug a ige:MonoclonalAntibody ; rdfs:label "mydrugumab" ; ige:binds ig:Ce3 .\n')
    report = json.loads(push_cli(oxigraph_endpoint, "--graph", graph, "--data", str(mine), "--format", "json"))
    assert report["triples"] == len(kg) + 3 == count(oxigraph_endpoint, graph)
    assert count(oxigraph_endpoint) == default_before  # the default graph was not touched
    on_graph = igegraph.load(backend="endpoint", location=oxigraph_endpoint, graph=graph)
    assert on_graph.resolve("mydrugumab") == "ig:my_drug"
    push_cli(oxigraph_endpoint, "--graph", graph)  # replaced, not merged: the extra triples are gone
    assert count(oxigraph_endpoint, graph) == len(kg)


# a depleter of the only progenitor of mast cells: it starves the route, as the index's
# dominators say, until the data gets a second source of mast cells
_PROGENITOR = """@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig: <https://w3id.org/igegraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:x:drug> a ige:MonoclonalAntibody ; rdfs:label "test depleter" ; ige:depletes <urn:x:prog> .
<urn:x:prog> a ige:Cell ; rdfs:label "test progenitor" ; ige:differentiatesInto ig:mast_cell .
"""


def test_push_writes_the_supply_index_and_a_changed_graph_is_not_trusted(oxigraph_endpoint, kg, push_cli, cli,
                                                                        tmp_path):
    from igegraph.traverse import blocks_pathway
    from igegraph.traverse.supplyindex import index_graph

    graph = "https://example.org/graphs/indexed"
    mine = tmp_path / "progenitor.ttl"
    mine.write_text(_PROGENITOR, encoding="utf-8")
    push_cli(oxigraph_endpoint, "--graph", graph, "--data", str(mine))
    assert count(oxigraph_endpoint, graph) == len(kg) + 6 and count(oxigraph_endpoint, index_graph(graph)) > 20
    on_graph = igegraph.load(backend="endpoint", location=oxigraph_endpoint, graph=graph)
    assert on_graph.supply_index() is not None
    local = igegraph.load(data=[mine])
    want = blocks_pathway(local, "ige-fceri-degranulation").to_dict()
    assert {(b["id"], b["mode"], b["cuts_all_routes"]) for b in want["blockers"] if b["id"] == "urn:x:drug"} == {
        ("urn:x:drug", "upstream", True)}
    assert blocks_pathway(on_graph, "ige-fceri-degranulation").to_dict() == want
    assert [s.indexed for s in on_graph.derived("traverse.fetch_stats", list)] == [True]
    # the data changed by other means: a second source of mast cells, so the depleter no longer
    # starves the route; the index no longer matches and is not used
    update = oxigraph_endpoint.rsplit("/", 1)[0] + "/update"
    edge = "<urn:x:other> <https://w3id.org/igegraph/vocab#differentiatesInto> <https://w3id.org/igegraph/id/mast_cell>"
    http().post(update, data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ {edge} }} }}"}).raise_for_status()
    local.graph.update(f"INSERT DATA {{ {edge} }}")
    want_changed = blocks_pathway(local, "ige-fceri-degranulation").to_dict()
    assert not [b for b in want_changed["blockers"] if b["id"] == "urn:x:drug"]
    changed = igegraph.load(backend="endpoint", location=oxigraph_endpoint, graph=graph)
    # answered with the stale index while the COUNT ran, found stale, answered again from the
    # whole ancestry: only the second answer is returned
    assert blocks_pathway(changed, "ige-fceri-degranulation").to_dict() == want_changed
    assert [s.indexed for s in changed.derived("traverse.fetch_stats", list)] == [True, False]
    assert changed.supply_index() is None and changed.supply_index_current()
    again = igegraph.load(backend="endpoint", location=oxigraph_endpoint, graph=graph)
    assert again.supply_index() is not None and not again.supply_index_current() and again.supply_index() is None
    done = cli("index", "--endpoint", oxigraph_endpoint, "--graph", graph)
    assert done.exit_code == 0 and done.output.startswith(f"indexed {oxigraph_endpoint}: ")
    assert igegraph.load(backend="endpoint", location=oxigraph_endpoint, graph=graph).supply_index() is not None
    for name in (graph, index_graph(graph)):
        http().post(update, data={"update": f"DROP GRAPH <{name}>"}).raise_for_status()


def test_the_index_of_an_endpoint_is_the_index_of_a_store(oxigraph_endpoint, kg, push_cli):
    """push computes the index from the endpoint's answer, read as it arrives; a store from its
    own database: the same triples for the same data."""
    import pyoxigraph as ox

    from igegraph.traverse.supplyindex import index_graph, write_store_index

    graph = "https://example.org/graphs/same-index"
    push_cli(oxigraph_endpoint, "--graph", graph)
    db = ox.Store()
    db.load(kg.engine.dump(kg.graph), format=ox.RdfFormat.N_QUADS)
    write_store_index(db, index_graph(graph))
    want = {q.triple for q in db.quads_for_pattern(None, None, None, ox.NamedNode(index_graph(graph)))}
    answer = http().post(oxigraph_endpoint, data={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                  "default-graph-uri": index_graph(graph)},
                         headers={"Accept": "application/n-triples"})
    got = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    assert got == want and len(want) > 20
    update = oxigraph_endpoint.rsplit("/", 1)[0] + "/update"
    for name in (graph, index_graph(graph)):
        http().post(update, data={"update": f"DROP GRAPH <{name}>"}).raise_for_status()


def test_chunked_push_replaces_a_graph_and_repeats_harmlessly(oxigraph_endpoint, kg, tmp_path, push_cli):
    from igegraph.backends import get_backend
    from igegraph.backends.endpoint import push

    graph = "https://example.org/graphs/chunked"
    mine = tmp_path / "mine.ttl"
    mine.write_text('@prefix ig: <https://w3id.org/igegraph/id/> .\n'
                    '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                    'ig:my_drug rdfs:label "mydrugumab" ; rdfs:comment [ rdfs:label "one" ], [ rdfs:label "two" ] .\n')
    first = push_cli(oxigraph_endpoint, "--graph", graph, "--data", str(mine), "--chunked", "--chunk-size", "1000")
    chunks = 1 + -(-(len(kg) + 1) // 1000)  # the blank-node triples, then the others by 1000
    assert first.startswith(f"pushed {len(kg) + 5:,} triples to graph <{graph}> at {oxigraph_endpoint[:-5]}store "
                            f"({chunks} chunks, not atomic) in ")
    assert count(oxigraph_endpoint, graph) == len(kg) + 5
    # each blank node kept its two triples, though they came in another request than ig:my_drug's label
    remote = igegraph.load(backend="endpoint", location=oxigraph_endpoint, graph=graph)
    labels = run_query(remote, "SELECT ?l WHERE { ig:my_drug rdfs:comment ?b . ?b rdfs:label ?l }").records()
    assert sorted(r["l"] for r in labels) == ["one", "two"]
    backend = get_backend("endpoint", oxigraph_endpoint, graph=graph)
    report = push(backend, [mine], chunked=True, chunk_triples=1000)
    assert (report.triples, report.requests, report.atomic) == (len(kg) + 5, 1 + chunks, False)
    assert backend.server.startswith("Oxigraph/")  # so its POSTs skipped transactions
    assert count(oxigraph_endpoint, graph) == len(kg) + 5
    push_cli(oxigraph_endpoint, "--graph", graph, "--chunked")  # replaced, not merged
    assert count(oxigraph_endpoint, graph) == len(kg)


def test_a_failed_index_upload_says_the_data_is_in(oxigraph_endpoint, kg, monkeypatch):
    from igegraph.backends import endpoint, get_backend
    from igegraph.errors import EndpointError

    def refuse(backend):  # the store refusing the second PUT, after the data went in
        raise EndpointError("the store refused the supply index upload")

    monkeypatch.setattr(endpoint, "push_index", refuse)
    graph = "https://example.org/graphs/no-index"
    with pytest.raises(EndpointError) as failed:
        endpoint.push(get_backend("endpoint", oxigraph_endpoint, graph=graph))
    assert str(failed.value) == (
        f"the graph now holds the {len(kg):,} triples pushed, but its supply index was not written (the store "
        f"refused the supply index upload); run 'igegraph index --endpoint {oxigraph_endpoint}'")
    assert count(oxigraph_endpoint, graph) == len(kg)
    http().post(oxigraph_endpoint.rsplit("/", 1)[0] + "/update", data={"update": f"DROP GRAPH <{graph}>"}).raise_for_status()


def test_push_refuses_bad_files_before_sending(oxigraph_endpoint, cli, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    result = cli("push", "--endpoint", oxigraph_endpoint, "--graph", "https://example.org/bad", "--data", str(bad))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}:1: malformed turtle")
    assert count(oxigraph_endpoint, "https://example.org/bad") == 0


def test_push_needs_a_store_url_it_can_tell(cli):
    result = cli("push", "--endpoint", "http://127.0.0.1:9/sparql")
    assert result.exit_code == 1
    assert "give it with --store-url" in result.output


def test_chunk_size_needs_chunked(cli):
    result = cli("push", "--endpoint", "http://127.0.0.1:9/query", "--chunk-size", "10")
    assert result.exit_code == 2 and "--chunk-size needs --chunked" in result.output


# ---------------------------------------------------------------- broken endpoints: real servers


class _Broken(BaseHTTPRequestHandler):
    """/bad: refuses every query (400); /html: a web page; /auth: SPARQL behind Basic auth (user
    "ann", password "secret"); /silent: answers after 5 s; /trickle: a byte every 0.1 s for 5 s;
    /late: its headers after 0.35 s, then a byte every 0.35 s (each wait shorter than the tests'
    0.5 s timeout, TIMEOUT); /slow: an empty answer (no rows, no triples) after 0.2 s;
    /truncated: SPARQL JSON results that break off after a row; /redirect?to=URL: a redirect
    (307) to URL."""

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, kind: str, body: bytes, **headers: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timed out), as it should
            pass

    def do_POST(self):  # noqa: N802 (the http.server API)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/bad":
            self._send(400, "text/plain", b"Parser error at 1:8\nexpected a variable")
        elif self.path.startswith("/redirect?to="):
            self._send(307, "text/plain", b"", Location=self.path.removeprefix("/redirect?to="))
        elif self.path == "/html":
            self._send(200, "text/html", b"<html><body>Welcome</body></html>")
        elif self.path == "/auth":
            if self.headers.get("Authorization") == "Basic " + base64.b64encode(b"ann:secret").decode():
                body = {"head": {"vars": ["n"]}, "results": {"bindings": [
                    {"n": {"type": "literal", "value": "7", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}
                self._send(200, "application/sparql-results+json", json.dumps(body).encode())
            else:
                self._send(401, "text/plain", b"unauthorized", WWW_Authenticate='Basic realm="sparql"')
        elif self.path == "/silent":
            time.sleep(5)
            self._send(200, "application/sparql-results+json", b"{}")
        elif self.path in ("/trickle", "/late"):
            pause = 0.1 if self.path == "/trickle" else 0.35
            try:
                time.sleep(0 if self.path == "/trickle" else pause)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                for _ in range(50):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(pause)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                pass
        elif self.path == "/truncated":
            row = b'{"s":{"type":"uri","value":"urn:a"},"o":{"type":"uri","value":"urn:b"}}'
            self._send(200, "application/sparql-results+json",
                       b'{"head":{"vars":["s","o"]},"results":{"bindings":[' + row + b"," + row[:20])
        elif self.path == "/slow":
            time.sleep(0.2)
            if "n-triples" in self.headers.get("Accept", ""):  # CONSTRUCT: no triples
                self._send(200, "application/n-triples", b"")
            else:  # SELECT: no rows
                empty = {"head": {"vars": []}, "results": {"bindings": []}}
                self._send(200, "application/sparql-results+json", json.dumps(empty).encode())


@pytest.fixture(scope="module")
def broken():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    server.daemon_threads = True
    # shutdown() waits for the loop to poll: every 0.5 s by default, 0.05 s here
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """The broken server's answers over HTTPS, with a certificate it signed itself (made by the
    openssl command line tool)."""
    import shutil
    import ssl
    import subprocess

    from tests.conftest import required_tool

    openssl = required_tool(shutil.which("openssl"), "openssl", "openssl")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    server.daemon_threads = True
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _one_error_line(result) -> str:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_unreachable_endpoint(cli, closed_port):
    url = f"http://127.0.0.1:{closed_port}/query"
    line = _one_error_line(cli("stats", "--endpoint", url))
    assert line == f"Error: cannot reach {url}: connection refused; is the SPARQL server running?"


def test_a_self_signed_certificate_is_refused(cli, self_signed):
    url = f"{self_signed}/auth"
    line = _one_error_line(cli("query", "ASK {}", "--endpoint", url))
    # OpenSSL 3 says "self-signed certificate", OpenSSL 1.1 "self signed certificate"
    assert re.fullmatch(re.escape(f"Error: {url} is not trusted: its TLS certificate did not verify (self")
                        + r"[- ]signed certificate\)", line), line


def test_a_redirect_to_https_checks_its_certificate(cli, broken, self_signed):
    # plain http:// and https:// requests go through different transports (the CA bundle is read
    # for the first https:// one): a redirect from one to the other is checked all the same
    url = f"{broken}/redirect?to={self_signed}/auth"
    line = _one_error_line(cli("query", "ASK {}", "--endpoint", url))
    assert re.fullmatch(re.escape(f"Error: {url} is not trusted: its TLS certificate did not verify (self")
                        + r"[- ]signed certificate\)", line), line


def test_plain_http_reads_no_certificates(broken, monkeypatch):
    from igegraph.backends import endpoint, get_backend

    def refuse():
        raise AssertionError("the CA bundle was read for a plain http:// endpoint")

    monkeypatch.setattr(endpoint, "tls_context", refuse)
    backend = get_backend("endpoint", f"{broken}/auth", user="ann", password="secret")
    assert [int(n) for n, in backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")] == [7]


def test_a_password_in_the_url_is_refused_and_never_echoed(cli, closed_port):
    line = _one_error_line(cli("stats", "--endpoint", f"http://me:s3cret@127.0.0.1:{closed_port}/query"))
    assert line == ("Error: --endpoint must not carry a user or password; "
                    "use --endpoint-user and $IGEGRAPH_ENDPOINT_PASSWORD")


def test_html_page_is_not_an_endpoint(cli, broken):
    line = _one_error_line(cli("query", "ASK {}", "--endpoint", f"{broken}/html"))
    assert line == (f"Error: {broken}/html is not a SPARQL endpoint (it answered text/html); give the query URL, "
                    "e.g. http://127.0.0.1:7878/query for Oxigraph server")


def test_401_and_basic_auth(cli, broken, monkeypatch):
    url = f"{broken}/auth"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    line = _one_error_line(cli("query", query, "--endpoint", url))
    assert line == (f"Error: {url} refused access (HTTP 401); give --endpoint-user and set "
                    "IGEGRAPH_ENDPOINT_PASSWORD")
    monkeypatch.delenv("IGEGRAPH_ENDPOINT_PASSWORD", raising=False)
    line = _one_error_line(cli("query", query, "--endpoint", url, "--endpoint-user", "ann"))
    assert line == "Error: --endpoint-user ann needs a password: set IGEGRAPH_ENDPOINT_PASSWORD"
    monkeypatch.setenv("IGEGRAPH_ENDPOINT_PASSWORD", "wrong")
    line = _one_error_line(cli("query", query, "--endpoint", url, "--endpoint-user", "ann"))
    assert line == f"Error: {url} refused access (HTTP 401); check --endpoint-user and IGEGRAPH_ENDPOINT_PASSWORD"
    monkeypatch.setenv("IGEGRAPH_ENDPOINT_PASSWORD", "secret")
    result = cli("query", query, "--endpoint", url, "--endpoint-user", "ann", "--format", "csv")
    assert result.exit_code == 0 and result.output.splitlines() == ["n", "7"]


#: The --timeout of the tests below, in seconds: each of them waits that long. Its broken
#: servers keep every single wait shorter (see _Broken), and the command must end within
#: TIMEOUT + SLACK: the slack is what a loaded machine needs to give up and print the error.
TIMEOUT, SLACK = 0.5, 0.4


@pytest.mark.parametrize("path", ["silent", "trickle", "late"])
def test_timeout_is_kept(cli, broken, path):
    url = f"{broken}/{path}"
    started = time.monotonic()
    line = _one_error_line(cli("query", "ASK {}", "--endpoint", url, "--timeout", str(TIMEOUT)))
    # /late keeps each wait under TIMEOUT: only a bound on the whole request stops it in time
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert line == f"Error: {url} did not answer the query within {TIMEOUT:g} s (raise --timeout to wait longer)"


def test_timeout_bounds_the_whole_command(cli, broken):
    # describe sends several queries; each is answered in 0.2 s, so only the command's
    # deadline (not a per-request timeout) stops it within --timeout
    url = f"{broken}/slow"
    started = time.monotonic()
    line = _one_error_line(cli("describe", "Xolair", "--endpoint", url, "--timeout", str(TIMEOUT)))
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert line == f"Error: {url} did not answer the query within {TIMEOUT:g} s (raise --timeout to wait longer)"


def test_not_an_http_url():
    with pytest.raises(EndpointError, match="--endpoint ftp://example.org/q is not an http"):
        igegraph.load(backend="endpoint", location="ftp://example.org/q")


def test_a_refused_query_is_the_stores_error(broken):
    remote = igegraph.load(backend="endpoint", location=f"{broken}/bad")
    with pytest.raises(QueryError, match="^the endpoint refused the query: Parser error at 1:8$"):
        run_query(remote, "SELECT * WHERE { ?s ?p ?o }")


def test_an_answer_read_as_it_arrives_that_breaks_off_is_one_error(broken):
    from igegraph.backends import get_backend

    backend = get_backend("endpoint", f"{broken}/truncated", timeout=5)
    rows = backend.rows("SELECT ?s ?o WHERE { ?s ?p ?o }")
    with pytest.raises(EndpointError, match="^" + f"{broken}/truncated is not a SPARQL endpoint "
                       r"\(it answered malformed SPARQL results\)"):
        list(rows)
    with pytest.raises(EndpointError, match=r"it answered text/html\)"):
        list(get_backend("endpoint", f"{broken}/html", timeout=5).rows("SELECT ?s WHERE { ?s ?p ?o }"))
