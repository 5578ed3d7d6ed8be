"""Explorer pages and Linked Data IRIs over HTTP: content, links, escaping, negotiation."""

from __future__ import annotations

import json
import re

import pytest
import rdflib

IG = rdflib.Namespace("https://w3id.org/igegraph/id/")
IGE = rdflib.Namespace("https://w3id.org/igegraph/vocab#")


def test_search_page_lists_hits_as_links(client):
    r = client.get("/", params={"q": "Xolair"})
    assert r.status_code == 200
    assert '<a href="/entity/ig:omalizumab">omalizumab</a>' in r.text
    assert "No entity matches" in client.get("/", params={"q": "zzqqxx"}).text


def test_entity_page_shows_what_describe_shows(client):
    d = client.get("/api/describe/omalizumab").json()
    page = client.get("/entity/ig:omalizumab").text
    assert '<h1 id="entity-label">omalizumab</h1>' in page
    assert d["definition"] in page
    for row in d["outgoing"] + d["incoming"]:
        assert f'href="/entity/{row["id"]}"' in page
    for n in d["references"]:
        assert f'<a href="/reference/{n}">[{n}]</a>' in page
    assert "Xolair®" in page and "DRUGBANK:DB00043" in page
    assert '<dt>class</dt><dd><a href="/vocab#MonoclonalAntibody">monoclonal antibody</a></dd>' in page


def test_every_link_of_an_entity_page_resolves(client):
    page = client.get("/entity/ig:omalizumab").text
    links = set(re.findall(r'href="(/[^"#]*)', page))
    assert len(links) > 10
    for href in sorted(links):
        assert client.get(href.replace("&amp;", "&"), headers={"Accept": "text/html"}).status_code == 200, href


def test_unknown_entity_page_is_404_with_suggestions(client):
    r = client.get("/entity/omalizumb")
    assert r.status_code == 404
    assert '<a href="/?q=omalizumab">omalizumab</a>' in r.text


def test_reference_page_lists_statements(client):
    page = client.get("/reference/29").text
    assert "Reference [29]" in page
    assert re.search(r'<a href="/entity/ig:omalizumab">omalizumab</a></td><td>targets</td>', page)
    assert client.get("/reference/99999").status_code == 404


def test_pages_escape_script_payloads(client, xss_payloads):
    pages = [client.get("/entity/ig:xss_node").text, client.get("/", params={"q": "evil"}).text,
             client.get("/", params={"q": '<script>alert(1)</script>"'}).text,
             client.get("/blocks/view", params={"source": "ig:xss_node", "target": "mast cell degranulation"}).text,
             client.get("/query").text, client.get("/graph", params={"term": '"><script>x</script>'}).text]
    for page in pages:
        for payload in xss_payloads:
            assert payload not in page
        assert "<script>alert" not in page and "<script>x" not in page
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in pages[0]


def test_pages_are_self_contained(client):
    for path in ("/", "/entity/ig:IgE", "/query", "/blocks", "/graph", "/vocab", "/reference/29",
                 "/blocks/view?pathway=ige-fceri-degranulation"):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, path
        # links may point anywhere; nothing the page loads may come from elsewhere
        assert not re.search(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                             r.text, re.I), path
        assert "default-src 'none'" in r.headers["content-security-policy"]
    assert client.get("/static/vis-network.min.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
                                         ("*/*", "turtle")])
def test_entity_iri_resolves_to_its_triples(client, accept, fmt):
    r = client.get("/id/omalizumab", headers={"Accept": accept})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    assert (IG.omalizumab, IGE.neutralizes, IG.free_IgE) in g
    assert [str(label) for label in g.objects(IG.omalizumab, rdflib.RDFS.label)] == ["omalizumab"]
    assert all(IG.omalizumab in (s, o) for s, _, o in g)


def test_entity_iri_gives_browsers_the_page(client):
    r = client.get("/id/omalizumab", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html")
    assert '<h1 id="entity-label">omalizumab</h1>' in r.text
    assert client.get("/id/no_such_entity", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/omalizumab", headers={"Accept": "image/png"}).status_code == 406


def test_vocabulary_resolves(client):
    g = rdflib.Graph().parse(data=client.get("/vocab", headers={"Accept": "text/turtle"}).content, format="turtle")
    assert [str(label) for label in g.objects(IGE.neutralizes, rdflib.RDFS.label)] == ["neutralizes"]
    assert all(str(s).startswith(str(IGE)) for s in g.subjects())
    page = client.get("/vocab", headers={"Accept": "text/html"}).text
    assert '<tr id="neutralizes">' in page


def test_graph_json_for_the_explorer(client):
    data = client.get("/api/graph", params={"term": "omalizumab"}).json()
    assert data["center"] == "ig:omalizumab"
    ids = {n["id"] for n in data["nodes"]}
    assert {"ig:omalizumab", "ig:free_IgE"} <= ids
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert json.dumps(data)  # plain JSON


@pytest.mark.parametrize("path", ["/id/a%20b", "/id/a%3Cb%3E", "/entity/ig:a%20b", "/entity/%3Chttp://x%3E"])
def test_impossible_iris_are_not_found(client, path):
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 404


def test_vocabulary_and_triple_count_are_remade_when_the_graph_changes():
    # both are kept between requests; a change to the graph must not leave them stale
    from igegraph.kg import KnowledgeGraph
    from igegraph.serve import in_process

    graph = rdflib.Graph()
    graph.add((IGE.binds, rdflib.RDFS.label, rdflib.Literal("binds")))
    kg = KnowledgeGraph(graph, "memory")
    void_triples = rdflib.URIRef("http://rdfs.org/ns/void#triples")

    def seen(client) -> tuple[set, str, int]:
        turtle = rdflib.Graph().parse(data=client.get("/vocab", headers={"Accept": "text/turtle"}).content,
                                      format="turtle")
        page = client.get("/vocab", headers={"Accept": "text/html"}).text
        description = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).text,
                                           format="turtle")
        return set(turtle.subjects()), page, int(next(description.objects(None, void_triples)))

    with in_process(kg) as client:
        assert seen(client) == seen(client)  # the second answer comes from what the first kept
        terms, page, count = seen(client)
        assert (terms, count) == ({IGE.binds}, 1) and '<tr id="binds">' in page and 'id="blocks"' not in page
        graph.add((IGE.blocks, rdflib.RDFS.label, rdflib.Literal("blocks")))
        terms, page, count = seen(client)
        assert (terms, count) == ({IGE.binds, IGE.blocks}, 2) and '<tr id="blocks">' in page
