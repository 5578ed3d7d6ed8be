"""No query, file or escape trick reaches the network unless --allow-network (issue 13, items 1 and 3).

A real listener on 127.0.0.1 counts connections; every test asserts it saw none.
"""

from __future__ import annotations

import json

import pytest

# Each hides a SERVICE call from a checker that does not replace \u escapes the way the
# grammar says (the first is the fuzzer's case: rdflib saw the SERVICE inside a string,
# Oxigraph executed it).
ESCAPED = [
    'SELECT * WHERE {{ BIND(CONCAT("A\\u005C") AS ?a) SERVICE <{url}/x> {{ ?s ?p ?o }} BIND(CONCAT(", \\u0022z") AS ?q) }}',
    "SELECT * WHERE {{ \\u0053ERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\U00000053ERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE \\u003C{url}/x\\u003E {{ ?s ?p ?o }} }}",
    "SELECT * \\u0046ROM <{url}/g> WHERE {{ ?s ?p ?o }}",
    "SELECT * WHERE {{ \\u005Cu0053ERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    'SELECT * WHERE {{ BIND("\\u005C\\u0022" AS ?a) SERVICE <{url}/x> {{ ?s ?p ?o }} }}',
    "LOAD <{url}/x>",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
]


def _no_rows_or_refused(result) -> None:
    """Either refused with one clean line, or answered without running any SERVICE."""
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output


@pytest.mark.parametrize("template,backend", [(t, "oxigraph") for t in ESCAPED] + [(t, "memory") for t in ESCAPED[:3]])
def test_escaped_service_never_connects(run, listener, template, backend):
    text = template.format(url=listener.url)
    _no_rows_or_refused(run("query", text, "--backend", backend, "--timeout", "20"))
    assert listener.hits == 0


@pytest.mark.parametrize("template", ESCAPED[:2])
def test_escaped_service_through_file_store_and_export(run, listener, template, tmp_path, store_dir):
    text = template.format(url=listener.url)
    query = tmp_path / "q.rq"
    query.write_text(text, encoding="utf-8")
    construct = tmp_path / "c.rq"
    construct.write_text("CONSTRUCT { ?s ?p ?o } WHERE { " + text.split("WHERE {", 1)[1], encoding="utf-8")
    for args in (["query", "--file", query], ["query", text, "--store", store_dir],
                 ["export", "html", tmp_path / "g.html", "--query", construct],
                 ["export", "html", tmp_path / "g.html", "--query", construct, "--backend", "memory"],
                 ["export", "html", tmp_path / "g.html", "--query", construct, "--store", store_dir]):
        _no_rows_or_refused(run(*args))
    assert listener.hits == 0
    assert not (tmp_path / "g.html").exists()


def test_the_escaped_query_means_what_both_engines_run(run, listener):
    """The fuzzer's query, read as the grammar says: the SERVICE is inside a string."""
    text = ESCAPED[0].format(url=listener.url)
    answers = {b: run("query", text, "--backend", b, "--format", "records").output for b in ("oxigraph", "memory")}
    assert answers["oxigraph"] == answers["memory"]
    assert json.loads(answers["oxigraph"])[0]["q"].startswith('A") AS ?a) SERVICE <')
    assert listener.hits == 0


def test_listener_sees_an_allowed_service(run, listener):
    """The control: with --allow-network the same escape does reach the listener."""
    run("query", ESCAPED[1].format(url=listener.url), "--allow-network", "--timeout", "5")
    assert listener.hits >= 1


def _jsonld(tmp_path, doc) -> str:
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


REMOTE_JSONLD = [
    {"@context": {"@version": 1.1, "@import": "{url}/ctx"}, "@id": "https://w3id.org/igegraph/id/x",
     "https://w3id.org/igegraph/vocab#activates": {"@id": "https://w3id.org/igegraph/id/y"}},
    {"@context": "{url}/ctx", "@id": "https://w3id.org/igegraph/id/x"},
    {"@context": [{"ex": "https://example.org/"}, "{url}/ctx"], "@id": "https://w3id.org/igegraph/id/x"},
    {"@context": {"t": {"@id": "https://example.org/t", "@context": "{url}/scoped"}},
     "@id": "https://w3id.org/igegraph/id/x", "t": {"@id": "https://w3id.org/igegraph/id/y"}},
    {"@graph": [{"@context": {"@import": "{url}/deep"}, "@id": "https://w3id.org/igegraph/id/x"}]},
]


@pytest.mark.parametrize("doc", REMOTE_JSONLD, ids=range(len(REMOTE_JSONLD)))
def test_remote_jsonld_contexts_are_never_fetched(run, listener, failed, tmp_path, doc):
    path = _jsonld(tmp_path, json.loads(json.dumps(doc).replace("{url}", listener.url)))
    for args in (["stats", "--data", path], ["stats", "--data", path, "--backend", "memory"],
                 ["validate", "--data", path], ["store", "build", tmp_path / "kg", "--data", path]):
        line = failed(run(*args))
        assert "is not fetched (no network); inline the context" in line
    assert listener.hits == 0
    assert not (tmp_path / "kg").exists()


def test_external_dtd_is_never_fetched(run, listener, failed, tmp_path):
    path = tmp_path / "ext.rdf"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{listener.url}/dtd">\n'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n', encoding="utf-8")
    entity = tmp_path / "ent.rdf"
    entity.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "{listener.url}/e">]>\n'
                      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>\n',
                      encoding="utf-8")
    for backend in ("oxigraph", "memory"):
        assert "external DTDs are not fetched" in failed(run("stats", "--data", path, "--backend", backend))
        assert "external DTD entity 'e' is not fetched" in failed(run("stats", "--data", entity, "--backend", backend))
    assert "external DTDs are not fetched" in failed(run("store", "build", tmp_path / "kg", "--data", path))
    assert listener.hits == 0
