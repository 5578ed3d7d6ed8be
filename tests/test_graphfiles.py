"""GraphML and Cytoscape JSON read back by networkx and python-igraph, with the view's layout."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from igegraph.export import export
from igegraph.graphfiles import to_cytoscape, to_graphml
from igegraph.viz import graph_view, pathway_view

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
def pathway(kg):
    return pathway_view(kg, "ige-fceri-degranulation")


def triples(g) -> set[tuple[str, str, str]]:
    return {(u, v, d["predicate"]) for u, v, d in g.edges(data=True)}


def test_graphml_has_unique_edge_ids_and_one_type_per_key(kg, pathway):
    for graph in (kg.projection, pathway.graph):
        root = ET.fromstring(to_graphml(graph).encode())
        ids = [e.get("id") for e in root.iter(f"{GRAPHML}edge")]
        assert len(ids) == len(set(ids)) == graph.number_of_edges()
        keys = [(k.get("for"), k.get("attr.name")) for k in root.iter(f"{GRAPHML}key")]
        assert len(keys) == len(set(keys))  # one declaration (so one type) per attribute name


def test_graphml_reloads_in_networkx(kg, tmp_path):
    (out,) = export(kg, "graphml", tmp_path / "g.graphml")
    back = nx.read_graphml(out, force_multigraph=True)
    assert set(back) == set(kg.projection) and back.number_of_edges() == 248
    assert triples(back) == triples(kg.projection)
    node = back.nodes["ig:omalizumab"]
    assert node["label"] == "omalizumab" and "Xolair" in node["synonyms"]  # list flattened to text
    (edge,) = [d for u, v, d in back.edges(data=True) if (u, v, d["predicate"]) == ("ig:omalizumab", "ig:free_IgE", "ige:neutralizes")]
    assert edge["polarity"] == -1 and edge["references"] == "30" and edge["causal"] is True


def test_graphml_reloads_in_python_igraph(kg, pathway, tmp_path):
    igraph = pytest.importorskip("igraph", reason="python-igraph is in the test extra")
    for name, graph in (("all", kg.projection), ("pathway", pathway.graph)):
        path = tmp_path / f"{name}.graphml"
        path.write_text(to_graphml(graph))
        g = igraph.Graph.Read_GraphML(str(path))
        assert (g.vcount(), g.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
        assert g.is_directed()
    ranks = {r for r in g.es["evidence_rank"] if not math.isnan(r)}  # NaN where a drawing-only edge has none
    assert ranks <= set(range(8)) and ranks


def test_cytoscape_reloads_with_positions_and_style(pathway, tmp_path):
    doc = json.loads(to_cytoscape(pathway))
    back = nx.cytoscape_graph(doc)
    assert set(back) == set(pathway.graph)
    assert triples(back) == triples(pathway.graph)
    positions = {n["data"]["value"]: n["position"] for n in doc["elements"]["nodes"]}
    assert positions == {n: {"x": round(x, 1), "y": round(y, 1)} for n, (x, y) in pathway.positions.items()}
    edge_ids = [e["data"]["id"] for e in doc["elements"]["edges"]]
    assert len(edge_ids) == len(set(edge_ids))
    assert [s["selector"] for s in doc["style"]] == ["node", "node.blocker", "edge", "edge.activating",
                                                     "edge.inhibiting", "edge.neutral"]
    omalizumab = next(n for n in doc["elements"]["nodes"] if n["data"]["value"] == "ig:omalizumab")
    assert omalizumab["classes"] == "ige_MonoclonalAntibody blocker"
    assert omalizumab["data"]["name"] == "omalizumab" and omalizumab["data"]["shape"] in {"diamond", "round-rectangle", "ellipse", "star", "triangle", "hexagon", "vee", "rectangle"}
    neut = next(e for e in doc["elements"]["edges"] if e["data"]["predicate"] == "ige:neutralizes")
    assert neut["classes"] == "inhibiting"
    predicates = {e["data"]["predicate"] for e in doc["elements"]["edges"]}
    assert "ige:atStep" in predicates and {p.split(":")[0] for p in predicates} == {"ige"}  # declared prefix


def test_cytoscape_whole_graph_uses_the_svg_layout(kg):
    view = graph_view(kg)
    doc = json.loads(to_cytoscape(view))
    assert all("position" in n for n in doc["elements"]["nodes"])
    assert len(doc["elements"]["nodes"]) == 165 and len(doc["elements"]["edges"]) == 248
