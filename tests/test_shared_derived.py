"""Derived values shared by graphs of one content (kg.derived(..., shared=True)) never go stale."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

import igegraph
from igegraph.backends.local import _shipped_nquads
from igegraph.cache import load_cached
from igegraph.fulltext import search
from igegraph.kg import KnowledgeGraph, parse_into
from igegraph.project import relation_properties
from igegraph.references import references
from igegraph.resources import curated_files
from igegraph.vocab import IGE

NEW = URIRef("https://w3id.org/igegraph/id/zz_shared_probe")
PROBE_RELATION = IGE.zzSharedProbe
PROBE_REFERENCE = URIRef("https://w3id.org/igegraph/id/ref_999")


def _add_probe(kg: KnowledgeGraph) -> None:
    """A new cell, named and linked to the mast cell, added through rdflib."""
    kg.graph.add((NEW, RDF.type, IGE.Cell))
    kg.graph.add((NEW, RDFS.label, Literal("zz shared probe")))
    kg.graph.add((NEW, SKOS.altLabel, Literal("quokkacyte")))
    kg.graph.add((NEW, IGE.activates, URIRef("https://w3id.org/igegraph/id/mast_cell")))
    kg.graph.add((PROBE_RELATION, IGE.polarity, Literal(1)))
    kg.graph.add((PROBE_REFERENCE, IGE.referenceNumber, Literal(999)))


def _sees_probe(kg: KnowledgeGraph) -> bool:
    seen = [
        kg.label("ig:zz_shared_probe") == "zz shared probe",  # a look-up: before the label map is built
        "ige:zzSharedProbe" in relation_properties(kg),
        999 in references(kg),
        "ig:zz_shared_probe" in kg.projection,
        kg.projection.has_edge("ig:zz_shared_probe", "ig:mast_cell"),
        kg.labels.get("ig:zz_shared_probe") == "zz shared probe",
        any(h.id == "ig:zz_shared_probe" for h in search(kg, "quokkacyte")),
    ]
    try:
        seen.append(kg.resolve("quokkacyte") == "ig:zz_shared_probe")
    except igegraph.UnknownEntity:
        seen.append(False)
    assert len(set(seen)) == 1, seen  # all of them, or none
    return seen[0]


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(params=["oxigraph", "memory"])
def loader(request, monkeypatch, module_cache):
    """Graphs of one content from the library loader and from the CLI's cache: one cache
    folder for the module, and the process's shared values as earlier tests left them (a test
    that needs them built after its change starts both afresh: ``fresh``)."""
    backend = request.param
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(module_cache))
    monkeypatch.delenv("IGEGRAPH_NO_CACHE", raising=False)
    return [lambda: igegraph.load(backend=backend), lambda: load_cached(backend=backend)]


@pytest.fixture
def fresh(loader, monkeypatch, tmp_path, fresh_shared):
    """The loader's graphs with no shared value and no cache entry yet, as in a new process
    with an empty cache."""
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return loader


def test_loaded_graphs_share_derived_values(fresh):
    for load in fresh:
        a, b = load(), load()
        assert a.content_key is not None and a.content_key == b.content_key
        assert a.projection is b.projection
        assert a.resolve("Xolair") == b.resolve("Xolair") == "ig:omalizumab"


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_changed_graph_sees_its_change_and_the_others_do_not(loader, when, request):
    if when == "before":  # the shared values are built after the change: none may be there yet
        loader = request.getfixturevalue("fresh")
    for load in loader:
        a, b = load(), load()
        if when == "after":  # the shared values are built before the change
            assert not _sees_probe(a) and not _sees_probe(b)
        _add_probe(b)
        assert b.content_key is None
        assert _sees_probe(b)
        assert not _sees_probe(a)
        assert not _sees_probe(load())


def test_an_update_is_seen_too(loader):
    for load in loader:
        a, b = load(), load()
        a.projection  # noqa: B018 - built and shared before the change
        b.graph.update('DELETE WHERE { <https://w3id.org/igegraph/id/omalizumab> '
                       '<http://www.w3.org/2004/02/skos/core#altLabel> ?name }')
        with pytest.raises(igegraph.UnknownEntity):
            b.resolve("Xolair")
        assert a.resolve("Xolair") == load().resolve("Xolair") == "ig:omalizumab"


def test_a_change_past_rdflibs_store_methods_is_seen(loader):
    """oxrdflib's parser writes to the Oxigraph store directly, so no store method says so: the
    triple count does."""
    probe = ('<https://w3id.org/igegraph/id/zz_shared_probe> a <https://w3id.org/igegraph/vocab#Cell> ; '
             '<http://www.w3.org/2000/01/rdf-schema#label> "zz shared probe" ; '
             '<http://www.w3.org/2004/02/skos/core#altLabel> "quokkacyte" ; '
             '<https://w3id.org/igegraph/vocab#activates> <https://w3id.org/igegraph/id/mast_cell> . '
             '<https://w3id.org/igegraph/vocab#zzSharedProbe> <https://w3id.org/igegraph/vocab#polarity> 1 . '
             '<https://w3id.org/igegraph/id/ref_999> <https://w3id.org/igegraph/vocab#referenceNumber> 999 .')
    for load in loader:
        a, b = load(), load()
        assert not _sees_probe(a)
        b.graph.parse(data=probe, format="ox-turtle" if b.backend == "oxigraph" else "turtle")
        assert b.content_key is None
        assert _sees_probe(b)
        assert not _sees_probe(a) and not _sees_probe(load())


def test_every_graph_over_one_store_forgets_on_change():
    a = igegraph.load()
    again = KnowledgeGraph(a.graph, a.engine, a.sources)
    a.projection, again.projection  # noqa: B018
    _add_probe(again)
    assert _sees_probe(a) and _sees_probe(again)


def test_curated_load_keeps_the_parsers_triples_and_order():
    fresh = igegraph.load()
    fresh = igegraph.load()  # the second load reads the files' N-Quads kept by the first
    parsed = igegraph.kg.new_graph("oxigraph")
    for path in curated_files():
        parse_into(parsed, path, "oxigraph")
    assert list(fresh.graph) == list(parsed)


def test_shipped_files_with_blank_nodes_are_parsed_each_time(tmp_path):
    path = tmp_path / "blank.ttl"
    path.write_text("<urn:a> <urn:b> [ <urn:c> 1 ] .\n", encoding="utf-8")
    assert _shipped_nquads(path, path.read_bytes()) is None
    path.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    assert _shipped_nquads(path, path.read_bytes()) == b"<urn:a> <urn:b> <urn:c> .\n"


def test_the_curated_vocabulary_is_read_once_per_content(monkeypatch, tmp_path):
    """The vocabulary state of the curated graph, before a --data file, is found once per
    content: a load after it gives the same changes without it, and shipped files of other
    content (or with blank nodes in it, named anew by each parse) make it found again."""
    import igegraph.declarations
    import igegraph.kg
    from igegraph.recent import Recent

    monkeypatch.setattr(igegraph.kg, "_VOCABULARIES", Recent(igegraph.kg.CURATED_VOCABULARIES))
    mine = tmp_path / "mine.ttl"
    mine.write_text("<https://w3id.org/igegraph/vocab#activates> "
                    "<https://w3id.org/igegraph/vocab#biolinkCategory> \"biolink:Other\" .\n", encoding="utf-8")
    whole = []  # states of every declared term, not of the terms given
    real = igegraph.declarations.vocabulary_state
    monkeypatch.setattr(igegraph.declarations, "vocabulary_state",
                        lambda graph, terms=None: (terms is None and whole.append(1)) or real(graph, terms))

    def changes() -> list[str]:
        return igegraph.load([mine], allow_vocabulary_changes=True).vocabulary_changes

    first = changes()
    assert first == ['ige:activates ige:biolinkCategory "biolink:Other" (added)'] and whole == [1]
    assert changes() == first and whole == [1]
    shipped = igegraph.kg.curated_files()
    small = min(shipped, key=lambda path: path.stat().st_size)  # parsed by rdflib from here on
    others = [path for path in shipped if path != small]
    other = tmp_path / "other.ttl"
    other.write_bytes(small.read_bytes() + b"\n" + mine.read_bytes())
    monkeypatch.setattr(igegraph.kg, "curated_files", lambda: [*others, other])
    assert changes() == [] and whole == [1, 1]  # other content, which says it already: found again
    blank = tmp_path / "blank.ttl"
    blank.write_bytes(small.read_bytes() + b"\n<https://w3id.org/igegraph/vocab#activates> "
                      b"<urn:b> [ <urn:c> <urn:d> ] .\n")
    monkeypatch.setattr(igegraph.kg, "curated_files", lambda: [*others, blank])
    assert changes() == first and changes() == first and whole == [1, 1, 1, 1]  # blank nodes: each time
