"""Views (whole graph, pathway, neighbourhood, query) and the HTML page (no browser here)."""

from __future__ import annotations

import math
import re

import pytest

from igegraph.errors import IgegraphError, QueryError, UnknownEntity
from igegraph.viz import (
    LAYOUT_THRESHOLD,
    edge_style,
    focus_view,
    graph_view,
    make_view,
    node_style,
    pathway_view,
    query_view,
    render_html,
    spring_layout,
)

PATHWAY = "ige-fceri-degranulation"


@pytest.fixture(scope="module")
def pathway(kg):
    return pathway_view(kg, PATHWAY)


@pytest.fixture(scope="module")
def whole(kg):
    """The whole curated graph's view (laid out in Python; the tests only read it)."""
    return graph_view(kg)


def test_styles_by_class_and_polarity():
    assert node_style("ige:Drug") == ("#7b3fa0", "box", "#ffffff")
    assert node_style("ige:Cell")[1] == "ellipse"
    assert node_style("ex:Mine", {"ex:Mine": ["ige:Receptor"]}) == node_style("ige:Receptor")
    assert node_style("ex:Unknown") == node_style("ige:Entity")
    neg, pos, neutral = edge_style(-1), edge_style(1), edge_style(0)
    assert (neg["color"]["color"], neg["dashes"] is not False, neg["arrows"]["to"]["type"]) == ("#d62728", True, "bar")
    assert (pos["color"]["color"], pos["dashes"], pos["arrows"]["to"]["type"]) == ("#2e8b57", False, "arrow")
    assert neutral["color"]["color"] == "#9e9e9e"


def test_whole_graph_view(kg, whole):
    view = whole
    assert view.kind == "graph"
    assert set(view.graph) == set(kg.projection)
    assert view.graph.number_of_edges() == kg.projection.number_of_edges()
    assert set(view.positions) == set(view.graph)  # laid out in Python, as every view
    assert view.graph is not kg.projection


def test_focus_view(kg):
    view = focus_view(kg, "Xolair", depth=1)
    assert view.center == "ig:omalizumab"
    assert view.title == "Neighbourhood of omalizumab (depth 1)"
    expected = {"ig:omalizumab"} | set(kg.projection.successors("ig:omalizumab")) | set(
        kg.projection.predecessors("ig:omalizumab"))
    assert set(view.graph) == expected
    assert set(focus_view(kg, "omalizumab", depth=0).graph) == {"ig:omalizumab"}
    with pytest.raises(UnknownEntity, match="unknown entity 'no such drug'"):
        focus_view(kg, "no such drug")


def test_pathway_view_routes_left_to_right(kg, pathway):
    from igegraph.traverse import blocks_pathway

    report = blocks_pathway(kg, PATHWAY)
    assert pathway.title == "Pathway: " + report.title
    pos = pathway.positions
    for route in report.routes:
        xs = [pos[n][0] for n in route.nodes]
        assert xs == sorted(xs) and len(set(xs)) == len(xs), route.nodes
        for node in route.nodes:
            assert pathway.roles[node] == "route"
    route_ys = [pos[n][1] for r in report.routes for n in r.nodes]
    for b in report.blockers:
        assert pathway.roles[b.id] == "blocker"
        # each blocker is tied to what it acts on by its negative relation
        assert pathway.graph.has_edge(b.id, b.acts_on, b.predicate)
        assert pathway.graph.edges[b.id, b.acts_on, b.predicate]["polarity"] == -1
        # drawn off the routes' band, above or below
        assert pos[b.id][1] < min(route_ys) or pos[b.id][1] > max(route_ys)
    assert {"ig:omalizumab", "ig:ligelizumab", "ig:quilizumab"} <= set(pathway.graph)


def test_pathway_blockers_sit_near_their_step(kg, pathway):
    report = pathway.report
    pos = pathway.positions
    span = max(x for x, _ in pos.values()) - min(x for x, _ in pos.values())
    for b in report.blockers:
        if b.acts_on in pos:
            assert abs(pos[b.id][0] - pos[b.acts_on][0]) < span / 2, b.label


def test_pathway_from_to_is_the_same_as_named(kg, pathway):
    view = make_view(kg, source="allergen", target="mast cell degranulation")
    assert set(view.graph) == set(pathway.graph)


def test_query_view(kg):
    view = query_view(kg, "# Drugs that neutralize\nCONSTRUCT { ?d ige:neutralizes ?t } WHERE { ?d ige:neutralizes ?t }")
    assert view.title == "Query result: Drugs that neutralize"
    assert view.graph.has_edge("ig:omalizumab", "ig:free_IgE", "ige:neutralizes")
    assert all(k == "ige:neutralizes" for *_, k in view.graph.edges(keys=True))
    attrs = view.graph.edges["ig:omalizumab", "ig:free_IgE", "ige:neutralizes"]
    assert attrs["polarity"] == -1 and attrs["references"]
    with pytest.raises(QueryError, match="CONSTRUCT or DESCRIBE"):
        query_view(kg, "SELECT ?s WHERE { ?s a ige:Drug }")
    with pytest.raises(QueryError, match="names no entity"):
        query_view(kg, "CONSTRUCT { <http://x.org/a> <http://x.org/b> <http://x.org/c> } WHERE {}")


def test_make_view_refuses_mixed_options(kg):
    with pytest.raises(IgegraphError, match="cannot be combined"):
        make_view(kg, pathway=PATHWAY, focus="omalizumab")
    with pytest.raises(IgegraphError, match="--from and --to go together"):
        make_view(kg, source="allergen")
    assert make_view(kg, focus="omalizumab").kind == "focus"


def test_page_is_self_contained(whole, pathway):
    for view in (whole, pathway):
        page = render_html(view)
        assert page.startswith("<!DOCTYPE html>")
        assert "bootstrap" not in page.lower()
        assert not re.search(r"<(script|link|img)[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
        assert "vis.Network" in page  # vis-network inlined
        assert "popup.innerHTML" not in page
        assert f"<title>{view.title.replace('&', '&amp;')}</title>" in page
        assert 'id="ig-search"' in page and "Legend" in page


def test_pathway_page_lists_blockers_by_step(pathway):
    page = render_html(pathway)
    assert "What blocks this pathway" in page
    assert "at IgE+ B cell" in page and "at IgE → FcεRI" in page
    assert "omalizumab" in page and "cuts every route" in page


def test_user_text_is_escaped(xss_kg, xss_payloads):
    for view in (graph_view(xss_kg), focus_view(xss_kg, "ig:xss_node", depth=1)):
        page = render_html(view)
        for payload in (*xss_payloads, 'onmouseover="window.__xss=1"'):
            assert payload not in page
        assert "&lt;b onmouseover=&quot;window.__xss=1&quot;&gt;evil class&lt;/b&gt;" in page  # legend
        # a tooltip holding "href" reaches vis-network as its (plain-text) title, not pyvis' HTML popup
        assert "popup.innerHTML" not in page and '"tip": ' not in page and '"title": "' in page
    title_page = render_html(focus_view(xss_kg, "ig:xss_node"))
    assert "<title>Neighbourhood of &lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; (depth 1)</title>" in title_page


@pytest.mark.xdist_group("chromium")  # shares the big view with test_browser.py (conftest's big_view)
def test_big_views_get_a_python_layout(big_view):
    view = big_view
    assert view.graph.number_of_nodes() > LAYOUT_THRESHOLD
    assert view.positions is not None and set(view.positions) == set(view.graph)
    assert _overlapping(view) == [], view.title  # as test_no_node_box_overlaps_another's views
    page = render_html(view)
    assert '"physics": {"enabled": false}' in page


def _layout_module():
    """The module of the ``spring_layout`` this file calls, its memo included. A doctest run of
    src/igegraph/viz/layout.py earlier in the same process imports that file again, so
    ``igegraph.viz.layout`` may then name another module object than the function's."""
    import types

    return types.SimpleNamespace(**spring_layout.__globals__)


def test_spring_layout_is_deterministic_and_spread():
    import networkx as nx

    layout = _layout_module()

    g = nx.grid_2d_graph(6, 6)
    a = spring_layout(g)
    layout._spring_positions.cache_clear()  # computed twice, not kept
    b = spring_layout(g)
    assert a == b
    pts = list(a.values())
    closest = min(((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5
                  for i, (x1, y1) in enumerate(pts) for (x2, y2) in pts[i + 1:])
    assert closest > 20  # pixels: no two nodes on top of each other



def test_spring_layout_positions_are_pinned():
    """The force layout's arithmetic, to the last bit: a faster loop must sum the same terms in
    the same order (the digests are of the positions the first version computed)."""
    import hashlib

    import networkx as nx

    layout = _layout_module()

    g = nx.gnm_random_graph(80, 160, seed=0)
    layout._spring_positions.cache_clear()
    digests = [hashlib.sha256(repr(sorted(spring_layout(g, groups=groups).items())).encode()).hexdigest()[:16]
               for groups in (None, {v: "abc"[v % 3] for v in g})]
    assert digests == ["cbdd2c37686515ed", "7fdbfafa9847952e"]


def test_spring_layout_memo_gives_what_the_arithmetic_gives():
    """A kept force layout comes back only for the same nodes, edges, groups and parameters,
    as a dict of the caller's own; and only so many layouts are kept."""
    import networkx as nx

    layout = _layout_module()

    def fresh(graph, **options):
        layout._spring_positions.cache_clear()
        return spring_layout(graph, **options)

    g = nx.path_graph(12)
    base = fresh(g)
    mine = spring_layout(g)
    assert mine == base
    mine[0] = (1.0, 1.0)  # changing the answer does not change the kept layout
    assert spring_layout(g) == base
    longer = g.copy()
    longer.add_edge(0, 6)
    renamed = nx.relabel_nodes(g, {11: "z"})
    for graph, options in [(longer, {}), (renamed, {}), (g, {"groups": {n: str(n % 2) for n in g}}),
                           (g, {"seed": 8}),
                           (g, {"iterations": 30}), (g, {"scale": 100.0})]:
        assert spring_layout(g) == base  # the first layout kept …
        got = spring_layout(graph, **options)  # … is not what another graph or option gets
        assert got != base and got == fresh(graph, **options), options
    for seed in range(layout.SPRING_MEMO + 3):
        spring_layout(g, seed=seed)
    assert layout._spring_positions.cache_info().currsize == layout.SPRING_MEMO


def _overlapping(view):
    from igegraph.viz.layout import overlaps

    ext = view.extents()
    box = {n: (x + ext[n][0], y + ext[n][1], x + ext[n][2], y + ext[n][3]) for n, (x, y) in view.positions.items()}
    nodes = sorted(box)
    return [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:] if overlaps(box[a], box[b])]


def test_separate_pushes_along_the_shorter_overlap_around_fixed_nodes():
    from igegraph.viz.layout import separate

    square, small = (-10.0, -10.0, 10.0, 10.0), (-8.0, -8.0, 8.0, 8.0)
    ext = {"a": square, "b": (-30.0, -5.0, 30.0, 25.0), "c": square, "d": small}
    pos = separate({"a": (0, 0), "b": (5, 3), "c": (0, 0), "d": (12, -4)}, ext, fixed=["a"])
    # exact: the pushes, their order and the ties (c on a) are the layout's, not approximations
    assert pos == {"a": (0.0, 0.0), "b": (5.0, 35.125), "c": (32.0, 8.9375), "d": (30.0, -21.0625)}


def test_no_node_box_overlaps_another(kg, pathway, whole):
    for view in (pathway, focus_view(kg, "omalizumab", depth=2), whole):  # the big view: above
        assert set(view.positions) == set(view.graph)
        assert _overlapping(view) == [], view.title


#: The nodes a large view labels (igegraph.viz.views._nodes_that_matter): the focus, its neighbours
#: and the named pathways' entities in the view …
FOCUS_LABELS = {
    "ig:B_cell", "ig:CD23", "ig:CMAB007", "ig:Ce3", "ig:FDA", "ig:FcERI", "ig:IgE", "ig:IgE_B_cell",
    "ig:IgE_FcERI_binding", "ig:IgE_plasma_cell", "ig:MEDI4212", "ig:Novartis", "ig:Th2_activation", "ig:XmAb7195",
    "ig:allergen", "ig:allergic_disease", "ig:antigen_presentation", "ig:arterial_thrombosis", "ig:basophil",
    "ig:cardiovascular_disease", "ig:celastrol_micelles", "ig:cell_bound_IgE", "ig:chronic_spontaneous_urticaria",
    "ig:free_IgE", "ig:inflammatory_cell", "ig:ligelizumab", "ig:mast_cell", "ig:mast_cell_degranulation",
    "ig:omalizumab", "ig:plasmablast", "ig:severe_asthma",
}
#: … and in the whole graph the named pathways' entities, the interventions and the 15 most connected nodes
WHOLE_LABELS = {
    "ig:B_cell", "ig:CD23", "ig:CMAB007", "ig:CTLA4Fce", "ig:Ce3", "ig:FcERI", "ig:IgE", "ig:IgE_B_cell",
    "ig:IgE_plasma_cell", "ig:IgEnio", "ig:LTC4", "ig:MEDI4212", "ig:MEDI4212_Fc_variant", "ig:PAF", "ig:PGD2",
    "ig:T_cell", "ig:Th2_activation", "ig:XmAb7195", "ig:allergen", "ig:allergic_disease", "ig:allergic_reaction",
    "ig:basophil", "ig:basophil_degranulation", "ig:bronchoconstriction", "ig:bsc_IgE_CD3", "ig:calcium_ion",
    "ig:celastrol", "ig:celastrol_micelles", "ig:cell_bound_IgE", "ig:class_switching_to_IgE", "ig:dupilumab",
    "ig:free_IgE", "ig:histamine", "ig:immunoadsorption", "ig:leukotriene", "ig:ligelizumab", "ig:mast_cell",
    "ig:mast_cell_degranulation", "ig:mucosal_edema", "ig:mucus_secretion", "ig:omalizumab", "ig:plasmablast",
    "ig:quilizumab",
}


def test_large_views_label_the_nodes_that_matter(kg, pathway, whole):
    from igegraph.viz import LABEL_ALL

    assert pathway.labelled is None and pathway.edge_labels  # a pathway labels everything
    small = focus_view(kg, "omalizumab", depth=1)
    assert small.graph.number_of_nodes() <= LABEL_ALL and small.labelled is None
    view = focus_view(kg, "omalizumab", depth=2)
    assert view.graph.number_of_nodes() > LABEL_ALL and not view.edge_labels
    neighbours = set(kg.projection.successors("ig:omalizumab")) | set(kg.projection.predecessors("ig:omalizumab"))
    assert {"ig:omalizumab"} | neighbours <= view.labelled
    assert view.labelled < set(view.graph)  # the others show their name on hover
    blockers = {u for u, _v, a in whole.graph.edges(data=True) if a.get("polarity") == -1}
    assert {"ig:omalizumab", "ig:ligelizumab", "ig:IgE", "ig:mast_cell"} <= whole.labelled
    assert blockers - whole.labelled == set()
    # exactly: the focus, its neighbours and the pathways' entities in the view (the allergen, the
    # mast cell …, two steps from omalizumab); the pathways' entities, the interventions and the hubs
    on_pathways = {"ig:allergen", "ig:mast_cell", "ig:mast_cell_degranulation", "ig:basophil", "ig:IgE_B_cell"}
    assert on_pathways <= view.labelled - neighbours
    from igegraph.traverse import pathways

    steps = {e for p in pathways(kg) for e in (p.source, p.target, *(e for s in p.steps for e in s["entities"]))}
    assert view.labelled == {"ig:omalizumab"} | neighbours | (steps & set(view.graph)) == FOCUS_LABELS
    assert whole.labelled == WHOLE_LABELS


def test_focus_ring_groups_classes_and_crosses_few_edges(kg):
    """The first ring keeps each class together; its order crosses fewer edges than the class order.

    The class-sorted circle this replaced drew 911 crossings of straight edges here."""
    from igegraph.viz.layout import edge_crossings
    from igegraph.viz.views import _top_class

    view = focus_view(kg, "omalizumab", depth=2)
    edges = [(u, v) for u, v in view.graph.edges() if u != v]
    assert edge_crossings(view.positions, edges) == CROSSINGS
    ring = sorted((n for n, d in view.rings.items() if d == 1),
                  key=lambda n: math.atan2(view.positions[n][1], view.positions[n][0]))
    classes = [_top_class(view.graph.nodes[n]["category"], view.class_parents) for n in ring]
    runs = [c for i, c in enumerate(classes) if c != classes[i - 1]]  # around the ring (wraps)
    assert sorted(runs) == sorted(set(classes)), classes  # one arc per class


CROSSINGS = 435


def test_focus_rings(kg):
    import math

    import networkx as nx

    view = focus_view(kg, "omalizumab", depth=2)
    assert view.positions["ig:omalizumab"] == (0.0, 0.0)
    dist = nx.single_source_shortest_path_length(view.graph.to_undirected(), "ig:omalizumab")
    radius = {n: math.hypot(*view.positions[n]) for n in view.graph}
    assert max(radius[n] for n in view.graph if dist[n] == 1) < min(radius[n] for n in view.graph if dist[n] == 2)


def test_pathway_rows(pathway):
    pos = pathway.positions
    spine = ["ig:allergen", "ig:IgE", "ig:FcERI", "ig:mast_cell", "ig:mast_cell_degranulation"]
    assert {pos[n][1] for n in spine} == {0.0}  # the first route is one row
    for n in ("ig:class_switching_to_IgE", "ig:IgE_B_cell", "ig:IgE_plasma_cell"):  # the others below it
        assert pos[n][1] > 0
    for n in ("ig:free_IgE", "ig:IgE_FcERI_binding"):  # acted on, off the routes: above their step
        assert pos[n][1] < 0


def test_html_and_svg_draw_one_legend(pathway):
    from igegraph.viz import legend, to_svg

    page, svg = render_html(pathway), to_svg(pathway)
    for entry in legend(pathway):
        assert f"<span>{entry.text}</span>" in page
        assert f">{entry.text}</text>" in svg
    assert '<div id="ig-legend">' in page and '<g id="legend">' in svg


def test_page_style_and_script_are_package_files(kg):
    from importlib import resources

    static = resources.files("igegraph.viz").joinpath("static")
    assert sorted(p.name for p in static.iterdir()) == ["page.css", "page.js"]
    page = render_html(make_view(kg, focus="omalizumab"))
    assert static.joinpath("page.css").read_text(encoding="utf-8") in page
    assert static.joinpath("page.js").read_text(encoding="utf-8") in page


def test_blocker_tooltip_lines_indent_the_mechanism_and_give_one_evidence_line(kg):
    from igegraph.traverse import blocks_pathway
    from igegraph.viz.html import _blocker_lines

    report = blocks_pathway(kg, "ige-fceri-degranulation")
    lines = _blocker_lines([b for b in report.blockers if b.id == "ig:omalizumab"])
    assert "\n".join(lines).splitlines()[:5] == [
        "• neutralizes at IgE (on free IgE) — cuts every route",
        "  It binds selectively to the Cε3 domain of the Fc fragment on the",
        "  heavy chain of free IgE, reducing IgE availability significantly",
        "  evidence: Marketed",
        "  references: [30]",
    ]


def test_pyvis_template_is_compiled_once_per_process(pathway, monkeypatch):
    from jinja2 import Environment

    first = render_html(pathway)  # compiles it, unless an earlier test did
    compiled = []
    compile_ = Environment.compile
    monkeypatch.setattr(Environment, "compile", lambda env, *a, **k: compiled.append(a[1:2]) or compile_(env, *a, **k))
    assert render_html(pathway) == first
    assert compiled == []
