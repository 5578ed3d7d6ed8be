"""Every export re-parses to what was written (line separators in literals, characters XML
cannot carry), and an export that would not re-parse fails with a clear error and no file."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

import igegraph
from igegraph.errors import IgegraphError
from igegraph.export import export
from igegraph.rdfexport import rdf_quads
from igegraph.readback import verify
from igegraph.viz import focus_view

BREAKS = "line\u2028sep, vertical\x0btab, form\x0cfeed, next\x85line, para\u2029sep"
CONTROLS = "nul\x00and\x01start"


@pytest.fixture(scope="module")
def odd_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("odd") / "odd.ttl"
    escaped = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04X}" for c in BREAKS)
    path.write_text(
        '@prefix ig: <https://w3id.org/igegraph/id/> .\n@prefix ige: <https://w3id.org/igegraph/vocab#> .\n'
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        f'ig:odd a ige:Cell ; rdfs:label "{escaped}" ; ige:binds ig:mast_cell .\n'
        'ig:ctrl a ige:Cell ; rdfs:label "nul\\u0000and\\u0001start" ; ige:binds ig:odd .\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def odd_small(request, odd_file):
    """Just the odd triples (fast to write three times on two backends)."""
    return igegraph.load([odd_file], backend=request.param, curated=False)


@pytest.fixture(scope="module")
def odd_kg(odd_file):
    return igegraph.load([odd_file])


@pytest.mark.parametrize("fmt,ox_format", [("ntriples", ox.RdfFormat.N_TRIPLES), ("turtle", ox.RdfFormat.TURTLE),
                                           ("jsonld", ox.RdfFormat.JSON_LD)])
def test_line_separators_in_literals_round_trip(odd_small, tmp_path, fmt, ox_format):
    (out,) = export(odd_small, fmt, tmp_path / f"odd.{fmt}")
    data = out.read_bytes()
    labels = {t.object.value for t in ox.parse(data, format=ox_format)
              if t.predicate.value == str(rdflib.RDFS.label) and t.subject.value.endswith(("/odd", "/ctrl"))}
    assert labels == {BREAKS, CONTROLS}
    back = rdflib.Graph().parse(data=data, format={"ntriples": "nt", "turtle": "turtle", "jsonld": "json-ld"}[fmt])
    assert len(back) == len(odd_small) == 6
    if fmt == "ntriples":
        assert data.count(b"\n") == 6  # one statement per line, none split


def test_graphml_and_svg_with_control_characters_are_well_formed(odd_kg, tmp_path):
    view = focus_view(odd_kg, "ig:ctrl")
    (graphml,) = export(odd_kg, "graphml", tmp_path / "odd.graphml", view=view)
    back = nx.read_graphml(graphml, force_multigraph=True)
    assert back.nodes["ig:ctrl"]["label"] == "nul\ufffdand\ufffdstart"  # replaced, as documented
    assert back.nodes["ig:odd"]["label"] == BREAKS.replace("\x0b", "\ufffd").replace("\x0c", "\ufffd")
    (svg,) = export(odd_kg, "svg", tmp_path / "odd.svg", view=view)
    texts = {t.text for t in ET.parse(svg).getroot().iter("{http://www.w3.org/2000/svg}text")}
    assert "nul\ufffdand\ufffdstart" in texts


def test_an_export_that_would_not_read_back_writes_nothing(tmp_path, cli):
    bad = tmp_path / "bad.nt"  # rdflib's memory store takes this IRI with a space; Oxigraph does not
    bad.write_text('<http://example.org/a\\u0020b> <http://example.org/p> "x" .\n')
    kg = igegraph.load([bad], backend="memory")
    with pytest.raises(IgegraphError, match=r"bad.jsonld would not read back as jsonld \(5\d+ statements instead of 5\d+\); nothing was written"):
        export(kg, "jsonld", tmp_path / "bad.jsonld")
    with pytest.raises(IgegraphError, match="cannot write bad.ttl as turtle: Invalid IRI code point ' '; nothing was written"):
        export(kg, "turtle", tmp_path / "bad.ttl")
    result = cli("export", "ntriples", str(tmp_path / "bad2.nt"), "--data", str(bad), "--backend", "memory")
    assert result.exit_code == 1 and "nothing was written" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nt"]


def test_verify_names_the_problem():
    with pytest.raises(IgegraphError, match=r"g.graphml would not read back as graphml"):
        verify("graphml", "g.graphml", "<graphml><node id='a'>\x01</node></graphml>")
    with pytest.raises(IgegraphError, match="a row has a different number of columns than the header"):
        verify("kgx", "nodes.tsv", "id\tname\nx\n")
    with pytest.raises(IgegraphError, match="not a PNG picture"):
        verify("png", "p.png", b"GIF89a")
    verify("kgx-jsonl", "nodes.jsonl", '{"id": "x"}\n')


def test_a_changed_statement_is_found_and_a_value_in_another_form_is_not_a_change():
    """The read-back compares the statements read as written at once and the others by value:
    one changed literal among statements of the same count is still reported, and a double
    written in another lexical form (as JSON-LD may) is the same statement."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    a, p = URIRef("https://example.org/a"), URIRef("https://example.org/p")
    statements = [(a, p, Literal("1.52e-10", datatype=XSD.double)), (a, p, Literal("x"))]
    for quads in (None, rdf_quads(statements)):  # converted here, or as the writer converted them
        verify("ntriples", "ok.nt", f'<{a}> <{p}> "0.000000000152"^^<{XSD.double}> .\n<{a}> <{p}> "x" .\n',
               statements=statements, quads=quads)
        with pytest.raises(IgegraphError, match=r'the statement .* "x" is missing or changed'):
            verify("ntriples", "bad.nt", f'<{a}> <{p}> "1.52e-10"^^<{XSD.double}> .\n<{a}> <{p}> "y" .\n',
                   statements=statements, quads=quads)
