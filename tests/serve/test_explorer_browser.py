"""The web explorer in real headless Chromium, with every http(s) request outside the server aborted.

Skipped only when Chromium is absent and CI is not set; with CI=true it must run (the
``browser`` fixture is in tests/conftest.py).
"""

from __future__ import annotations

import pytest

# one Chromium at a time: the browser tests share one xdist worker (make test runs -n auto)
pytestmark = pytest.mark.xdist_group("chromium")


@pytest.fixture(scope="module")
def explorer(browser, server):
    """The module's one page (each test starts with a ``goto``, so a new document), which may
    reach only the server; ``outside`` lists what else it tried, ``dialogs`` what it showed.

    The Content-Security-Policy is bypassed, so that escaping alone must keep payloads inert
    (and Playwright may evaluate its waits).
    """
    context = browser.new_context(viewport={"width": 1200, "height": 800}, bypass_csp=True)
    p = context.new_page()
    p.outside = []
    p.dialogs = []

    def route(r):
        if r.request.url.startswith(server.url + "/"):
            r.continue_()
        else:
            p.outside.append(r.request.url)
            r.abort()

    p.route("**/*", route)
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    yield p
    context.close()


@pytest.fixture
def page(explorer):
    """The explorer's page for one test, which must reach nothing outside the server and show no dialog."""
    explorer.outside.clear()
    explorer.dialogs.clear()
    yield explorer
    assert explorer.outside == [], f"the explorer tried to reach {explorer.outside}"
    assert explorer.dialogs == []


def test_search_then_entity_then_reference(page, server):
    page.goto(server.url + "/")
    page.fill("#search", "Xolair")
    page.press("#search", "Enter")
    page.click("#results a:text-is('omalizumab')")
    assert page.inner_text("#entity-label") == "omalizumab"
    assert "free IgE" in page.inner_text("table.outgoing")
    page.click("a[href='/reference/29']")
    assert page.inner_text("h1") == "Reference [29] of the review"


def test_sparql_editor_runs_a_named_query(page, server, client):
    expected = client.get("/api/queries/cq01-ce3-binders").json()
    page.goto(server.url + "/query")
    page.select_option("#examples", "cq01-ce3-binders")
    assert "ige:binds" in page.input_value("#sparql")
    page.click("#run")
    page.wait_for_selector("#results tbody tr")
    assert page.locator("#results tbody tr").count() == len(expected)
    assert page.inner_text("#status") == f"{len(expected)} rows"
    page.fill("#sparql", "SELECT ?x WHERE {\n  ?x a }")
    page.click("#run")
    page.wait_for_function("document.getElementById('status').textContent.startsWith('error 400')")
    assert "line 2" in page.inner_text("#status")


def test_blocks_form_shows_the_pathway_with_its_blockers(page, server):
    page.goto(server.url + "/blocks")
    page.select_option("select[name=pathway]", "ige-fceri-degranulation")
    page.click("#blocks-form button")
    page.wait_for_function("typeof network !== 'undefined' && network.body.data.nodes.length > 0")
    side = page.inner_text("#ig-side")
    assert "What blocks this pathway" in side
    assert "omalizumab" in side
    assert page.evaluate("network.body.data.nodes.get('ig:omalizumab') !== null")


def test_graph_view_expands_on_click_and_hides_labels_when_zoomed_out(page, server, client):
    start = {n["id"] for n in client.get("/api/graph", params={"term": "IgE"}).json()["nodes"]}
    # a node of the first view whose own neighbourhood brings new entities
    grows = next(n for n in sorted(start)
                 if {m["id"] for m in client.get("/api/graph", params={"term": n}).json()["nodes"]} - start)
    page.goto(server.url + "/graph?term=omalizumab")
    page.wait_for_function("window.igegraphGraph && igegraphGraph.nodes.get('ig:omalizumab') !== null")
    page.fill("#graph-term", "IgE")  # the view's own search box starts over from another entity
    page.press("#graph-term", "Enter")
    page.wait_for_function(f"igegraphGraph.nodes.length === {len(start)} && igegraphGraph.nodes.get('ig:IgE') !== null")
    assert set(page.evaluate("igegraphGraph.nodes.getIds()")) == start
    # freeze the layout and put the node in a corner of its own, so the click cannot miss it
    page.evaluate("""(id) => { const n = igegraphGraph.network;
        n.stopSimulation(); n.setOptions({physics: false});
        const ps = Object.values(n.getPositions());
        n.moveNode(id, Math.max(...ps.map(p => p.x)) + 400, Math.max(...ps.map(p => p.y)) + 400);
        n.fit({animation: false}); }""", grows)
    x, y = page.evaluate(
        """(id) => { const n = igegraphGraph.network, p = n.canvasToDOM(n.getPositions([id])[id]);
                     const r = document.getElementById('graph').getBoundingClientRect();
                     return [r.left + p.x, r.top + p.y]; }""", grows)
    page.mouse.click(x, y)
    page.wait_for_function(f"igegraphGraph.nodes.length > {len(start)}")
    page.mouse.move(600, 500)
    for _ in range(8):
        page.mouse.wheel(0, 400)
    page.wait_for_function("igegraphGraph.network.getScale() < 0.6")
    assert page.evaluate("igegraphGraph.network.body.nodes['ig:IgE'].options.font.size") == 0


def test_script_payloads_in_user_data_stay_inert(page, server):
    paths = ["/entity/ig:xss_node", "/?q=evil", "/graph?term=ig:xss_node"]
    for path in paths:
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
    page.goto(server.url + "/query")
    page.fill("#sparql", "SELECT ?l ?q WHERE { ig:xss_node rdfs:label ?l . ?a rdf:subject ig:xss_node ; "
                         "ige:evidenceQuote ?q }")
    page.click("#run")
    page.wait_for_selector("#results tbody tr")
    assert page.inner_text("#results tbody td >> nth=0") == '<img src=x onerror="window.__xss=1">'
    page.goto(server.url + "/entity/ig:xss_node")
    assert page.inner_text("#entity-label") == '<img src=x onerror="window.__xss=1">'
    assert page.evaluate("window.__xss") is None
