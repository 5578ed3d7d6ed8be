"""RDF of a view (its relations with their assertions) and provenance in named graphs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, XSD, URIRef
from tests.conftest import same_graph

from igegraph.export import export
from igegraph.rdfexport import rdf_statements, view_triples
from igegraph.viz import pathway_view

IG = "https://w3id.org/igegraph/id/"
IGE = "https://w3id.org/igegraph/vocab#"
CLAIM = (URIRef(IG + "omalizumab"), URIRef(IGE + "neutralizes"), URIRef(IG + "free_IgE"))
ASSERTION = URIRef(IG + "a_omalizumab_neutralizes_free_IgE")


@pytest.fixture(scope="module")
def view(kg):
    return pathway_view(kg, "ige-fceri-degranulation")


def test_view_triples_are_its_relations_assertions_and_descriptions(kg, view):
    triples = set(view_triples(kg, view))
    assert CLAIM in triples
    assert (ASSERTION, RDF.subject, CLAIM[0]) in triples and (ASSERTION, URIRef(IGE + "reference"), URIRef(IG + "ref_30")) in triples
    assert (URIRef(IG + "ref_30"), URIRef(IGE + "referenceNumber"), rdflib.Literal(30)) in triples
    nodes = {kg.iri(n) for n in view.graph}
    assertions = {kg.iri(d["assertion"]) for _u, _v, d in view.graph.edges(data=True) if d.get("assertion")}
    references = {o for s, p, o in triples if p == URIRef(IGE + "reference")}
    assert {s for s, _p, _o in triples} == nodes | assertions | references
    relations = {(s, p, o) for s, p, o in triples if s in nodes and o in nodes}
    assert len(relations) == sum(1 for _u, _v, k in view.graph.edges(keys=True) if k != "ige:atStep")
    assert not any(URIRef(IG + "dupilumab") in t for t in triples)  # not in this view


@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_view_exports_round_trip(kg, view, tmp_path, fmt, parse_as):
    (out,) = export(kg, fmt, tmp_path / f"view.{fmt}", view=view)
    back = rdflib.Graph().parse(out, format=parse_as)
    want = rdflib.Graph()
    for s, p, o in view_triples(kg, view):  # xsd:string literals are plain ones in RDF 1.1
        want.add((s, p, rdflib.Literal(str(o)) if isinstance(o, rdflib.Literal) and o.datatype == XSD.string else o))
    assert len(back) == len(want) and same_graph(back, want)


@pytest.mark.parametrize("fmt,ox_format", [("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)])
def test_claims_in_their_assertions_named_graphs(any_kg, tmp_path, fmt, ox_format):
    (out,) = export(any_kg, fmt, tmp_path / f"all.{fmt}")
    ds = ox.Dataset(ox.parse(out.read_bytes(), format=ox_format))
    claim = ox.Triple(*(ox.NamedNode(str(t)) for t in CLAIM))
    named = ox.NamedNode(str(ASSERTION))
    assert ox.Quad(*claim, named) in ds
    assert ox.Quad(*claim, ox.DefaultGraph()) not in ds
    assert ox.Quad(named, ox.NamedNode(str(RDF.subject)), claim.subject, ox.DefaultGraph()) in ds
    quads = rdf_statements(any_kg, fmt, ordered=False)  # counted: no need to sort them
    assert len(ds) == len(quads)
    assertions = set(any_kg.graph.subjects(RDF.type, URIRef(IGE + "Assertion")))
    assert len({g for *_t, g in quads if g is not None}) == len(assertions) == 248
    assert len({q.graph_name for q in ds if not isinstance(q.graph_name, ox.DefaultGraph)}) == 248


def test_cli_view_rdf(cli, tmp_path):
    out = tmp_path / "o.trig"
    result = cli("export", "trig", str(out), "--focus", "omalizumab")
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (625 statements: Neighbourhood of omalizumab (depth 1))\n"
    whole = cli("export", "nquads", str(tmp_path / "all.nq"))
    assert whole.exit_code == 0 and "statements)" in whole.output


def test_jsonld_is_the_same_whatever_the_hash_seed(kg):
    """rdflib lists JSON-LD nodes in the order of a set, which follows Python's per-process hash
    seed: the export sorts them, so two runs write the same file. The runs are this process and
    one started with another hash seed (this one's is random, or the one PYTHONHASHSEED gives)."""
    from igegraph.rdfexport import rdf_text

    script = ("import igegraph; from igegraph.rdfexport import rdf_text; from igegraph.viz import pathway_view; "
              "kg = igegraph.load(); "
              "print(rdf_text(kg, 'jsonld', pathway_view(kg, 'ige-fceri-degranulation')), end='')")
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
    here = rdf_text(kg, "jsonld", pathway_view(kg, "ige-fceri-degranulation"))
    assert other == here
    assert len(json.loads(here)["@graph"]) > 20
