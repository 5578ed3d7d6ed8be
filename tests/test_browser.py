"""The HTML pages in a real headless Chromium, offline, from file://.

Skipped only when Chromium is absent and CI is not set; with CI=true they must run.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from igegraph.export import export
from igegraph.viz import focus_view, graph_view, make_view, pathway_view, query_view, render_html

# one Chromium at a time: the browser tests share one xdist worker (make test runs -n auto)
pytestmark = [pytest.mark.usefixtures("chromium"), pytest.mark.xdist_group("chromium")]


def test_png_export(kg, tmp_path, browser):
    """The pathway PNG at 1440×900: its size, its title and its legend (by pixel sampling).

    Drawn in the module's browser (``png_browser``), which stays open with no context left
    behind; the README's ``igegraph export png`` example draws one in a Chromium of its own."""
    from PIL import Image

    from igegraph.viz import legend

    contexts = len(browser.contexts)
    (out,) = export(kg, "png", tmp_path / "p.png", pathway="ige-fceri-degranulation", png_size=(1440, 900),
                    png_browser=browser)
    assert browser.is_connected() and len(browser.contexts) == contexts
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(out).convert("RGB")
    assert image.size == (1440, 900)
    # the legend strip: light grey (#fafafa) under the graph, with every swatch colour of the legend
    strip = image.crop((0, 900 - 110, 1140, 900))
    colours = {rgb for _count, rgb in strip.getcolors(maxcolors=1 << 16)}
    assert image.getpixel((1100, 897)) == (250, 250, 250)
    for entry in legend(pathway_view(kg, "ige-fceri-degranulation")):
        rgb = tuple(int(entry.color[i:i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"legend swatch of {entry.text} ({entry.color}) missing"
    # the title: dark text in the header
    header = image.crop((10, 5, 700, 40)).convert("L")
    assert sum(header.histogram()[:80]) > 500


def test_a_picture_too_small_for_the_panels_says_so_at_once(kg, browser):
    # 400×300, the smallest the CLI takes: the blockers panel and the legend leave the pathway's
    # graph no room, where vis-network never draws (this used to wait out the 60 s timeout)
    from igegraph.errors import IgegraphError
    from igegraph.viz import render_png

    page = render_html(pathway_view(kg, "ige-fceri-degranulation"))
    contexts = len(browser.contexts)
    # this message, not the timeout's ("Chromium could not render the page: ... Timeout"): the page
    # said it has no room instead of never getting ready
    with pytest.raises(IgegraphError, match=r"^a 400×300 picture leaves this view's graph no room beside its "
                                            r"legend and panels; make it larger \(e\.g\. 800×500\)$"):
        render_png(page, 400, 300, browser=browser)
    assert len(browser.contexts) == contexts
    # with room for the graph, as small as it gets: a picture of that size
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(render_png(page, 600, 400, browser=browser))).size == (600, 400)


class Opened:
    """A page opened offline; ``requests`` lists every http(s) request it tried."""

    def __init__(self, page, requests, seconds):
        self.page, self.requests, self.seconds = page, requests, seconds

    def node_count(self) -> int:
        return self.page.evaluate("network.body.data.nodes.length")

    def hover_node(self, node: str) -> str:
        """Move the mouse onto a node; return the tooltip's text."""
        x, y = self.page.evaluate(
            """(id) => { const p = network.canvasToDOM(network.getPositions([id])[id]);
                         const r = document.getElementById('mynetwork').getBoundingClientRect();
                         return [r.left + p.x, r.top + p.y]; }""", node)
        return self._hover(x, y)

    def hover_edge(self, edge_id: str) -> str:
        """Move the mouse onto the middle of an edge (straight edges only)."""
        x, y = self.page.evaluate(
            """(id) => { const e = network.body.edges[id];
                         const a = network.getPositions([e.fromId])[e.fromId], b = network.getPositions([e.toId])[e.toId];
                         const p = network.canvasToDOM({x: a.x + (b.x - a.x) * 0.3, y: a.y + (b.y - a.y) * 0.3});
                         const r = document.getElementById('mynetwork').getBoundingClientRect();
                         return [r.left + p.x, r.top + p.y]; }""", edge_id)
        return self._hover(x, y)

    def _hover(self, x: float, y: float) -> str:
        self.page.mouse.move(x - 30, y - 30)
        self.page.mouse.move(x, y, steps=4)
        self.page.wait_for_function(
            "(() => { const t = document.querySelector('.vis-tooltip'); "
            "return t && t.style.visibility !== 'hidden' && t.innerText.length > 0; })()", timeout=5000)
        return self.page.evaluate("document.querySelector('.vis-tooltip').innerText")


def test_launch_spares_the_omnibox_popup_and_keeps_playwrights_features(browser, tab):
    """The browser starts without the omnibox popup's WebUI page (a renderer of its own), and
    Playwright's own disabled features are passed on, merged, not lost."""
    from igegraph.viz import chromium_launch_options

    options = chromium_launch_options()
    (ours,) = [a for a in options["args"] if a.startswith("--disable-features=")]
    (playwrights,) = options["ignore_default_args"]
    assert "HttpsUpgrades" in playwrights.split("=", 1)[1].split(",")
    assert ours == playwrights + ",WebUIOmniboxAimPopup,WebUIOmniboxPopup"
    targets = browser.new_browser_cdp_session().send("Target.getTargets")["targetInfos"]
    assert not [t["url"] for t in targets if "omnibox" in t["url"]]


@pytest.fixture(scope="module")
def tab(browser):
    """The module's one page, in which each test opens its files: a new document each time (no
    script state carries over), without a new browser context and renderer for each. Every
    http(s) request is aborted and recorded in ``tab.requests``, which ``open_page`` renews.
    It prefers reduced motion: the search box then shows a match at once instead of zooming to
    it for 400 ms (frames the renderer would draw for nothing here)."""
    page = browser.new_page(reduced_motion="reduce")
    page.requests = []

    def block(route):
        page.requests.append(route.request.url)
        route.abort()

    page.route("**/*", lambda route: block(route) if route.request.url.startswith(("http:", "https:"))
               else route.continue_())
    yield page
    page.close()


@pytest.fixture
def open_page(tab, tmp_path):
    opened: list[Path] = []

    def run(html: str, width: int = 1400, height: int = 900) -> Opened:
        """Open ``html`` at ``width``×``height``; tests whose checks do not depend on the size
        (counts, a hover on a two-node view) take 800×500: a smaller canvas to draw and composite."""
        path = tmp_path / f"view{len(opened)}.html"
        path.write_text(html, encoding="utf-8")
        opened.append(path)
        tab.set_viewport_size({"width": width, "height": height})
        tab.requests = []
        start = time.perf_counter()
        tab.goto(path.as_uri())
        tab.wait_for_function("typeof network !== 'undefined' && network.body.data.nodes.length > 0", timeout=20000)
        tab.wait_for_function("window.__igegraphReady === true", timeout=30000)
        return Opened(tab, tab.requests, time.perf_counter() - start)

    return run


LABEL_SIZES = """() => Object.fromEntries(network.body.nodeIndices
    .filter((id) => String(nodes.get(id).label).trim())
    .map((id) => [id, network.body.nodes[id].options.font.size * network.getScale()]))"""


def assert_readable_labels(page, expected: set[str]) -> None:
    """Exactly ``expected`` carry a label, each at least 11 px on screen at the page's own zoom."""
    sizes = page.evaluate(LABEL_SIZES)
    assert set(sizes) == expected
    small = {node: round(px, 1) for node, px in sizes.items() if px < 11}
    assert small == {}, f"labels under 11 px: {small}"


def test_whole_graph_renders_offline(kg, open_page):
    view = graph_view(kg)
    opened = open_page(render_html(view))
    assert_no_overlap(opened.page)
    # the allergen starts every named pathway: labelled, as every entity of those pathways
    assert_readable_labels(opened.page, view.labelled)  # the set itself: test_viz.WHOLE_LABELS
    assert opened.page.evaluate("nodes.get('ig:allergen').label") == "allergen"
    assert opened.node_count() == view.graph.number_of_nodes()
    assert opened.page.evaluate("network.body.data.edges.length") == view.graph.number_of_edges()
    assert opened.requests == []
    assert opened.page.title() == view.title
    print(f"\nwhole graph ({view.graph.number_of_nodes()} nodes): ready in {opened.seconds:.2f} s")


NODE_BOXES = """() => network.body.nodeIndices.map((id) => [id, network.getBoundingBox(id)])"""


def assert_no_overlap(page) -> None:
    """No two node boxes (labels included) of the drawn network intersect."""
    boxes = page.evaluate(NODE_BOXES)
    hits = [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
            if p["left"] < q["right"] and q["left"] < p["right"] and p["top"] < q["bottom"] and q["top"] < p["bottom"]]
    assert hits == []


def test_pathway_page_fits_one_screen(kg, open_page):
    """At 1440×900: graph, blockers panel and legend on screen; readable edge labels clear of nodes."""
    view = pathway_view(kg, "ige-fceri-degranulation")
    opened = open_page(render_html(view), 1440, 900)
    page = opened.page
    for selector in ("#ig-legend", "#ig-side", "#mynetwork", "#ig-header"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0, selector
        assert box["x"] + box["width"] <= 1440 and box["y"] + box["height"] <= 900, selector
    assert page.locator("#ig-side .ig-step").first.is_visible()
    # the blockers panel shows all its rows without scrolling
    scroll, client = page.evaluate("(() => { const s = document.getElementById('ig-side'); "
                                   "return [s.scrollHeight, s.clientHeight]; })()")
    assert scroll <= client, f"the blockers panel scrolls: {scroll} px of content in {client} px"
    assert page.locator("#ig-side .ig-blocker").count() == len(view.report.blockers) + len(view.report.acts_on_target)
    # no text of the panel or the legend under 11 px
    sizes = page.evaluate("""() => [...document.querySelectorAll('#ig-side *, #ig-legend *')]
        .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .map((e) => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 11
    # a row opens on a click on its details: what it acts on, evidence, references, mechanism
    row = page.locator("#ig-side .ig-blocker").filter(
        has=page.locator(".ig-blocker-name", has_text=re.compile("^omalizumab$"))).first
    assert not row.locator(".ig-more").is_visible()
    row.locator("summary").click()
    more = row.locator(".ig-more").inner_text()
    assert more == ("neutralizes free IgE · cuts every route · Marketed · references [30]\n“It binds selectively to "
                    "the Cε3 domain of the Fc fragment on the heavy chain of free IgE, reducing IgE availability "
                    "significantly”")
    legend_box, canvas = page.locator("#ig-legend").bounding_box(), page.locator("#mynetwork").bounding_box()
    assert canvas["y"] + canvas["height"] <= legend_box["y"] + 0.5  # the legend covers no part of the graph
    assert_no_overlap(page)
    # the graph fills the canvas: no empty band above, below or at the sides
    extent = page.evaluate("""() => { const r = {l: 1e9, t: 1e9, r: -1e9, b: -1e9};
        for (const id of network.body.nodeIndices) { const b = network.getBoundingBox(id);
          const p = network.canvasToDOM({x: b.left, y: b.top}), q = network.canvasToDOM({x: b.right, y: b.bottom});
          r.l = Math.min(r.l, p.x); r.t = Math.min(r.t, p.y); r.r = Math.max(r.r, q.x); r.b = Math.max(r.b, q.y); }
        return r; }""")
    assert extent["l"] < 60 and canvas["width"] - extent["r"] < 60 or extent["t"] < 60 and canvas["height"] - extent["b"] < 60
    assert extent["t"] < 0.2 * canvas["height"] and extent["b"] > 0.8 * canvas["height"]
    # edge labels: at least 11 px on screen, and none on a node
    labels = page.evaluate("""() => network.body.edgeIndices.map((id) => network.body.edges[id])
        .filter((e) => e.options.label && e.options.label.trim())
        .map((e) => [e.id, e.options.label, e.options.font.size * network.getScale(), e.labelModule.size])""")
    assert {"crosslinks", "activates", "secretes"} <= {text for _id, text, _px, _box in labels}
    boxes = dict(page.evaluate(NODE_BOXES))
    for edge_id, text, px, box in labels:
        assert px >= 11, f"{text!r} is drawn at {px:.1f} px"
        for node, b in boxes.items():
            assert not (box["left"] < b["right"] and b["left"] < box["left"] + box["width"]
                        and box["top"] < b["bottom"] and b["top"] < box["top"] + box["height"]), (text, node)
    assert opened.requests == []


def test_pathway_view_and_tooltips(kg, open_page):
    view = pathway_view(kg, "ige-fceri-degranulation")
    opened = open_page(render_html(view))
    assert opened.node_count() == view.graph.number_of_nodes()
    assert opened.requests == []
    # fixed layout: the browser keeps the positions computed in Python
    x_allergen = opened.page.evaluate("network.getPositions(['ig:allergen'])['ig:allergen'].x")
    assert x_allergen == pytest.approx(view.positions["ig:allergen"][0])
    tip = opened.hover_node("ig:omalizumab")
    assert "omalizumab" in tip and "references: [30]" in tip and "Marketed" in tip
    edge_tip = opened.hover_edge("ig:omalizumab|ige:neutralizes|ig:free_IgE")
    assert "omalizumab — neutralizes → free IgE" in edge_tip
    assert "evidence: marketed" in edge_tip and "references: [30]" in edge_tip


def test_focus_view_and_search_box(kg, open_page):
    view = focus_view(kg, "omalizumab", depth=2)
    opened = open_page(render_html(view))
    assert opened.node_count() == view.graph.number_of_nodes()
    assert_no_overlap(opened.page)
    assert_readable_labels(opened.page, view.labelled)  # the set itself: test_viz.FOCUS_LABELS
    # a node drawn without its label shows it while hovered, at the labels' size
    quiet = sorted(set(view.graph) - view.labelled)[0]
    assert opened.page.evaluate("(id) => [nodes.get(id).label, nodes.get(id).font.size]", quiet) == [" ", 11]
    opened.hover_node(quiet)
    assert opened.page.evaluate("(id) => [nodes.get(id).label, nodes.get(id).font.size]", quiet) == [
        view.graph.nodes[quiet]["label"], view.look.node_font]
    tip = opened.hover_node("ig:omalizumab")
    assert "DRUGBANK:DB00043" in tip and "references of its relations here:" in tip
    assert opened.page.evaluate("igegraphFind('free IgE')") == "1 match"
    assert opened.page.evaluate("network.getSelectedNodes()") == ["ig:free_IgE"]
    # with reduced motion the match is in the middle, at readable scale, at once (no zoom to wait for)
    centre, at, scale = opened.page.evaluate("""() => [network.getViewPosition(),
        network.getPositions(['ig:free_IgE'])['ig:free_IgE'], network.getScale()]""")
    assert (centre["x"], centre["y"]) == pytest.approx((at["x"], at["y"]), abs=0.5) and scale >= 1.0
    assert opened.page.evaluate("igegraphFind('no such entity')") == "no match"
    assert opened.requests == []


def test_query_view(kg, open_page):
    view = query_view(kg, "CONSTRUCT { ?d ige:neutralizes ?t } WHERE { ?d ige:neutralizes ?t }")
    opened = open_page(render_html(view), 800, 500)
    assert opened.node_count() == view.graph.number_of_nodes()
    assert opened.requests == []


def test_big_synthetic_view_uses_python_layout(big_view, open_page):
    view = big_view
    assert view.graph.number_of_nodes() > 300
    opened = open_page(render_html(view), 800, 500)
    assert opened.node_count() == view.graph.number_of_nodes()
    assert opened.page.evaluate("network.physics.physicsEnabled") is False
    assert opened.seconds < 15
    print(f"\nsynthetic graph ({view.graph.number_of_nodes()} nodes, layout in Python): ready in {opened.seconds:.2f} s")


def test_script_in_user_data_stays_inert(xss_kg, open_page, xss_payloads):
    img, script, _href = xss_payloads
    for view in (focus_view(xss_kg, "ig:xss_node", depth=1), graph_view(xss_kg)):
        opened = open_page(render_html(view))
        page = opened.page
        assert opened.node_count() == view.graph.number_of_nodes()
        tip = opened.hover_node("ig:xss_node")
        assert img in tip and script in tip  # shown as text
        if view.kind == "focus":  # two nodes, one edge: its middle is easy to hit
            edge_tip = opened.hover_edge("ig:xss_node|ige:activates|ig:mast_cell")
            assert script in edge_tip
        page.evaluate("(t) => igegraphFind(t)", img)
        page.fill("#ig-search", script)
        page.keyboard.press("Enter")
        page.wait_for_timeout(100)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.querySelectorAll('#ig-side img, #ig-header img, .vis-tooltip img').length") == 0
        assert opened.requests == []


def test_page_from_cli_with_user_data(cli, tmp_path, xss_ttl, open_page):
    out = tmp_path / "x.html"
    result = cli("export", "html", str(out), "--data", str(xss_ttl), "--focus", "ig:xss_node")
    assert result.exit_code == 0, result.output
    opened = open_page(Path(out).read_text(encoding="utf-8"), 800, 500)
    opened.hover_node("ig:xss_node")
    assert opened.page.evaluate("typeof window.__xss") == "undefined"
    assert opened.requests == []


def test_make_view_pages_match_subgraph(kg, open_page):
    view = make_view(kg, source="allergen", target="mast cell degranulation")
    opened = open_page(render_html(view), 800, 500)
    assert opened.node_count() == view.graph.number_of_nodes()
