"""Exports: RDF round trips, GraphML / Cytoscape / KGX reloads, SVG, atomic writes, the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache

import pytest

from igegraph.errors import IgegraphError, OutputExists
from igegraph.export import atomic_write, export, kgx_paths, to_cytoscape, to_graphml, to_svg
from igegraph.viz import focus_view, pathway_view


@cache
def _memory_copy(kg):
    """kg's triples in a Memory graph; xsd:string literals written plain (the same in RDF 1.1).
    Made once per graph (the session's graphs are never changed) and only read."""
    import rdflib
    from rdflib.namespace import XSD

    g = rdflib.Graph()
    for s, p, o in kg.graph:
        if isinstance(o, rdflib.Literal) and o.datatype == XSD.string:
            o = rdflib.Literal(str(o))
        g.add((s, p, o))
    return g


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``export(kg, fmt, folder/graph.fmt)`` of the whole graph, made once per graph and format
    in this module: the tests that read the same export share the file (and only read it)."""
    done: dict = {}

    def get(kg, fmt):
        if (kg, fmt) not in done:
            (done[kg, fmt],) = export(kg, fmt, tmp_path_factory.mktemp("export") / f"graph.{fmt}")
        return done[kg, fmt]

    return get


_RELOADED: dict = {}


def _reloaded(path, parse_as):
    """The graph rdflib reads from ``path``: parsed once per content and format, as both backends
    write the same bytes (the graph is only read)."""
    import rdflib

    key = (path.read_bytes(), parse_as)
    if key not in _RELOADED:
        _RELOADED[key] = rdflib.Graph().parse(path, format=parse_as)
    return _RELOADED[key]


@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")])
def test_rdf_exports_reload_isomorphic(any_kg, exported, fmt, parse_as):
    from tests.conftest import same_graph

    out = exported(any_kg, fmt)
    back = _reloaded(out, parse_as)
    assert len(back) == len(any_kg)
    assert same_graph(back, _memory_copy(any_kg))


def test_rdf_export_includes_user_data(xss_kg, tmp_path):
    import rdflib

    (out,) = export(xss_kg, "turtle", tmp_path / "merged.ttl")
    back = rdflib.Graph().parse(out, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/igegraph/id/xss_node"), None, None) in back


def test_jsonld_is_compact_with_inline_context(kg, exported):
    out = exported(kg, "jsonld")
    doc = json.loads(out.read_text())
    assert doc["@context"]["ige"] == "https://w3id.org/igegraph/vocab#"
    assert all(isinstance(v, str) for v in doc["@context"].values())  # nothing to fetch
    ids = {node.get("@id") for node in doc["@graph"]}
    assert "ig:omalizumab" in ids


def test_existing_output_needs_force(kg, tmp_path):
    out = tmp_path / "g.ttl"
    out.write_text("keep me")
    with pytest.raises(OutputExists, match="g.ttl exists; pass --force to overwrite it"):
        export(kg, "turtle", out)
    assert out.read_text() == "keep me"
    export(kg, "turtle", out, force=True)
    assert out.read_text().startswith("@prefix")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.ttl"]  # no temporary files left
    _, edges, _ = kgx_paths(tmp_path / "k")
    edges.write_text("x")
    with pytest.raises(OutputExists):
        export(kg, "kgx", tmp_path / "k")
    assert not (tmp_path / "k_nodes.tsv").exists()  # nothing written when one file exists


def test_atomic_write_cleans_up_on_failure(tmp_path):
    class Boom(Exception):
        pass

    from igegraph import export as ex

    with pytest.raises(Boom), ex._atomic_path(tmp_path / "x.txt") as tmp:
        tmp.write_text("half")
        raise Boom
    assert list(tmp_path.iterdir()) == []
    assert atomic_write(tmp_path / "y.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    with pytest.raises(IgegraphError, match="does not exist"):
        atomic_write(tmp_path / "missing" / "y.txt", "x")


@pytest.mark.parametrize("nth", [1, 2])  # the writability probe, then the write's own file
def test_a_write_stopped_as_its_temporary_file_appears_leaves_nothing(tmp_path, monkeypatch, nth):
    """A SIGTERM unwinds the command (``KeyboardInterrupt`` here) the moment a temporary file
    next to the output exists: the file goes too."""
    import os

    real_open, made = os.open, []

    def open_then_stop(path, flags, *args):
        fd = real_open(path, flags, *args)
        if os.path.basename(path).startswith(".z.txt."):
            made.append(path)
            if len(made) == nth:
                os.close(fd)
                raise KeyboardInterrupt
        return fd

    monkeypatch.setattr(os, "open", open_then_stop)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "z.txt", "whole")
    assert len(made) == nth and list(tmp_path.iterdir()) == []


def test_unknown_format(kg, tmp_path):
    with pytest.raises(IgegraphError, match="unknown export format 'xls'"):
        export(kg, "xls", tmp_path / "x.xls")


def test_graph_formats_flatten_user_data(xss_kg):
    import networkx as nx

    text = to_graphml(xss_kg.projection)
    assert "<script>" not in text  # XML-escaped
    nx.parse_graphml(text)
    doc = json.loads(to_cytoscape(focus_view(xss_kg, "ig:xss_node")))
    assert any(n["data"]["id"] == "ig:xss_node" for n in doc["elements"]["nodes"])


def test_svg_is_valid_and_escaped(kg, xss_kg, xss_payloads):
    svg = to_svg(pathway_view(kg, "ige-fceri-degranulation"))
    root = ET.fromstring(svg.encode())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text.startswith("Pathway: Allergen")
    texts = {t.text for t in root.iter(f"{ns}text")}
    assert {"omalizumab", "mast cell", "crosslinks", "Legend"} <= texts
    # a blocker's action is in its edge's tooltip (the side panel of the page lists them)
    tips = {t.text for p in root.iter(f"{ns}path") for t in p.iter(f"{ns}title")}
    assert "omalizumab neutralizes free IgE" in tips
    assert 'stroke-dasharray="7 4"' in svg  # blocking edges dashed
    bad = to_svg(focus_view(xss_kg, "ig:xss_node"))
    ET.fromstring(bad.encode())
    for payload in xss_payloads:
        assert payload not in bad


def test_cli_exports(cli, tmp_path):
    out = tmp_path / "p.svg"
    result = cli("export", "svg", str(out), "--pathway", "ige-fceri-degranulation")
    assert result.exit_code == 0
    assert result.output.startswith(f"wrote {out} (")
    again = cli("export", "svg", str(out), "--pathway", "ige-fceri-degranulation")
    assert again.exit_code == 1 and "exists; pass --force" in again.output
    assert cli("export", "svg", str(out), "--pathway", "ige-fceri-degranulation", "--force").exit_code == 0
    mixed = cli("export", "html", str(tmp_path / "x.html"), "--focus", "omalizumab", "--pathway", "x")
    assert mixed.exit_code == 2 and "cannot be combined" in mixed.output
    unknown = cli("export", "html", str(tmp_path / "y.html"), "--focus", "no such thing")
    assert unknown.exit_code == 1 and "unknown entity 'no such thing'" in unknown.output
    kgx = cli("export", "kgx", str(tmp_path / "kgx") + "/")
    assert kgx.exit_code == 0 and kgx.output.count("wrote ") == 3
    for fmt in ("svg", "html"):  # no route, no picture: one line, no file
        none = cli("export", fmt, str(tmp_path / f"none.{fmt}"), "--from", "histamine", "--to", "omalizumab")
        assert (none.exit_code, none.output) == (1, "Error: no route from histamine to omalizumab at any length: "
                                                    "nothing causal leads from one to the other, so there is no "
                                                    "pathway to draw\n")
        assert not (tmp_path / f"none.{fmt}").exists()


def test_cli_query_view(cli, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("CONSTRUCT { ?d ige:neutralizes ?t } WHERE { ?d ige:neutralizes ?t }")
    out = tmp_path / "q.json"
    result = cli("export", "cytoscape", str(out), "--query", str(q))
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert {e["data"]["predicate"] for e in doc["elements"]["edges"]} == {"ige:neutralizes"}


def test_cli_data_merges_user_file(cli, tmp_path, xss_ttl):
    out = tmp_path / "x.graphml"
    result = cli("export", "graphml", str(out), "--data", str(xss_ttl), "--focus", "ig:xss_node")
    assert result.exit_code == 0, result.output
    assert "ig:xss_node" in out.read_text()
