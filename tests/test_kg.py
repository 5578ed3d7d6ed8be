"""Loading, merging user files in every format, backends, and malformed input."""

from __future__ import annotations

import json

import pytest

import igegraph
from igegraph.errors import DataError
from igegraph.kg import rdf_format

EXTRA_TTL = """@prefix ig: <https://w3id.org/igegraph/id/> .
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:my_drug a ige:MonoclonalAntibody ; rdfs:label "my drug" .
ig:my_drug ige:neutralizes ig:free_IgE .
"""
EXTRA_NT = (
    "<https://w3id.org/igegraph/id/my_drug> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/igegraph/vocab#MonoclonalAntibody> .\n"
    "<https://w3id.org/igegraph/id/my_drug> <http://www.w3.org/2000/01/rdf-schema#label> \"my drug\" .\n"
    "<https://w3id.org/igegraph/id/my_drug> <https://w3id.org/igegraph/vocab#neutralizes> "
    "<https://w3id.org/igegraph/id/free_IgE> .\n"
)
EXTRA_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:ige="https://w3id.org/igegraph/vocab#">
  <ige:MonoclonalAntibody rdf:about="https://w3id.org/igegraph/id/my_drug">
    <rdfs:label>my drug</rdfs:label>
    <ige:neutralizes rdf:resource="https://w3id.org/igegraph/id/free_IgE"/>
  </ige:MonoclonalAntibody>
</rdf:RDF>
"""
EXTRA_JSONLD = json.dumps({
    "@context": {"ig": "https://w3id.org/igegraph/id/", "ige": "https://w3id.org/igegraph/vocab#",
                 "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
    "@id": "ig:my_drug", "@type": "ige:MonoclonalAntibody", "rdfs:label": "my drug",
    "ige:neutralizes": {"@id": "ig:free_IgE"},
})


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
@pytest.mark.parametrize("suffix, content", [
    (".ttl", EXTRA_TTL), (".nt", EXTRA_NT), (".rdf", EXTRA_XML), (".jsonld", EXTRA_JSONLD),
])
def test_merge_user_file(tmp_path, backend, suffix, content):
    path = tmp_path / f"mine{suffix}"
    path.write_text(content, encoding="utf-8")
    kg = igegraph.load([path], backend=backend)
    assert kg.resolve("my drug") == "ig:my_drug"
    assert kg.projection.edges["ig:my_drug", "ig:free_IgE", "ige:neutralizes"]["polarity"] == -1
    assert path in kg.sources


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
@pytest.mark.parametrize("suffix, content, line", [
    (".ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n", 3),
    (".nt", "<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n", 2),
    (".rdf", "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n<oops>\n</rdf:RDF>\n", 4),
    (".jsonld", "{\n  \"@id\": \"http://e/a\",\n  \"http://e/b\": [\n}\n", 4),
])
def test_malformed_file_names_file_and_line(tmp_path, backend, suffix, content, line):
    path = tmp_path / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        igegraph.load([path], backend=backend)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: malformed")


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        igegraph.load([tmp_path / "nope.ttl"])


def test_unknown_extension(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with pytest.raises(DataError, match=r"unknown RDF file extension '.csv'; use one of"):
        igegraph.load([path])


def test_remote_jsonld_context_refused(tmp_path):
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": "https://example.org/context.jsonld", "@id": "http://e/a"}))
    with pytest.raises(DataError, match="remote JSON-LD @context 'https://example.org/context.jsonld' is not fetched"):
        igegraph.load([path])


def test_rdf_format():
    assert [rdf_format(f"x{s}") for s in (".ttl", ".nt", ".owl", ".jsonld", ".json")] == [
        "turtle", "nt", "xml", "json-ld", "json-ld"]


def test_backends_identical(kg, kg_memory):
    assert len(kg) == len(kg_memory)
    assert set(kg.projection.nodes) == set(kg_memory.projection.nodes)
    assert set(kg.projection.edges(keys=True)) == set(kg_memory.projection.edges(keys=True))
    for s, o, k, d in kg.projection.edges(keys=True, data=True):
        assert kg_memory.projection.edges[s, o, k] == d


def test_oxigraph_triples_in_default_graph(kg):
    # pitfall: Graph(store="Oxigraph") without an identifier puts triples in a BNode graph
    assert kg.query("ASK { ig:omalizumab a ige:MonoclonalAntibody }").boolean is True


def test_curated_counts(kg):
    g = kg.projection
    assert (g.number_of_nodes(), g.number_of_edges()) == (165, 248)


def test_every_causal_edge_has_provenance(kg):
    for s, o, k, d in kg.projection.edges(keys=True, data=True):
        assert d["assertion"] == f"ig:a_{s[3:]}_{k[4:]}_{o[3:]}", (s, k, o)
        assert d["references"], (s, k, o)
        assert d["evidence"], (s, k, o)


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_projection_and_labels_follow_graph_changes(backend):
    kg = igegraph.load(backend=backend)
    assert kg.projection.number_of_nodes() == 165 and kg.label("ig:mast_cell") == "mast cell"
    kg.graph.update("PREFIX ig: <https://w3id.org/igegraph/id/> PREFIX ige: <https://w3id.org/igegraph/vocab#> "
                    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                    "INSERT DATA { ig:x a ige:Cell ; rdfs:label 'x cell' . ig:x ige:differentiatesInto ig:mast_cell }")
    assert kg.projection.has_edge("ig:x", "ig:mast_cell") and kg.label("ig:x") == "x cell"
    kg.graph.update("PREFIX ig: <https://w3id.org/igegraph/id/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                    "DELETE { ig:mast_cell rdfs:label ?l } INSERT { ig:mast_cell rdfs:label 'MC' } "
                    "WHERE { ig:mast_cell rdfs:label ?l }")  # same number of triples
    assert kg.labels["ig:mast_cell"] == kg.projection.nodes["ig:mast_cell"]["label"] == "MC"
    kg.graph.remove((kg.iri("ig:x"), None, None))
    assert "ig:x" not in kg.projection


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_direct_pair_reads_are_rdflibs(backend, tmp_path):
    """What projections, labels and links read (backends.local.subject_objects, straight from
    the store) are rdflib's subject_objects: the same terms in the same order, for every
    predicate and one no triple has; graphs the direct reads do not know (another store, a
    Memory store holding two graphs) are read through rdflib."""
    import rdflib
    from rdflib.plugins.stores.memory import Memory

    from igegraph.backends.local import subject_objects

    user = tmp_path / "mine.ttl"
    user.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "a"@en, "A", "a"@EN .\n', encoding="utf-8")
    kg = igegraph.load([user], backend=backend)
    for p in sorted(set(kg.graph.predicates())) + [rdflib.URIRef("urn:none")]:
        assert list(subject_objects(kg.graph, p)) == list(kg.graph.subject_objects(p)), p
    p = rdflib.URIRef("urn:p")
    store = Memory()
    one, two = (rdflib.Graph(store, identifier=rdflib.URIRef(f"urn:g{i}")) for i in (1, 2))
    one.add((rdflib.URIRef("urn:a"), p, rdflib.URIRef("urn:b")))
    two.add((rdflib.URIRef("urn:c"), p, rdflib.URIRef("urn:d")))
    simple = rdflib.Graph(store="SimpleMemory")
    simple.add((rdflib.URIRef("urn:e"), p, rdflib.Literal("f")))
    for graph in (one, two, simple):
        assert list(subject_objects(graph, p)) == list(graph.subject_objects(p)) and len(graph) == 1
