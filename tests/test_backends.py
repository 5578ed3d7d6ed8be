"""The backend registry and the local backends: names, locations, dump/restore, and that no
code outside igegraph.backends reaches into a store or compares backend names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import igegraph
from igegraph.backends import Backend, backend_location, backend_names, get_backend, register
from igegraph.cli.options import graph_options

SRC = Path(igegraph.__file__).parent


def test_registry_names_and_locations():
    assert backend_names() == ["endpoint", "memory", "oxigraph", "store"]
    assert [backend_location(n) for n in backend_names()] == ["URL", None, None, "DIR"]
    with pytest.raises(ValueError, match="the store backend needs a DIR"):
        get_backend("store")
    with pytest.raises(ValueError, match="the memory backend takes no location"):
        get_backend("memory", "/tmp")
    for name in ("memory", "oxigraph"):
        assert isinstance(get_backend(name), Backend)


def test_cli_choices_come_from_the_registry():
    @graph_options
    def command(data, backend, store):
        pass

    choices = next(p for p in command.__click_params__ if p.name == "backend").type.choices
    assert list(choices) == [n for n in backend_names() if backend_location(n) is None]


def test_a_registered_backend_loads(tmp_path, kg):
    register("pure-python", "igegraph.backends.local:MemoryBackend")
    try:
        loaded = igegraph.load(backend="pure-python")
        assert loaded.resolve("Xolair") == "ig:omalizumab"
        assert len(loaded) == len(kg)  # the session's igegraph.load()
    finally:
        from igegraph import backends

        del backends._REGISTRY["pure-python"]


@pytest.mark.parametrize(("first", "second"), [("oxigraph", "memory"), ("memory", "oxigraph"),
                                                ("oxigraph", "oxigraph")])
def test_dump_and_restore_keep_every_triple(first, second, kg):
    dumped = get_backend(first).restore(get_backend("oxigraph").dump(kg.graph))
    again = get_backend(second).restore(get_backend(first).dump(dumped))
    assert len(dumped) == len(again) == len(kg)
    # back on Oxigraph, whose rdflib terms kg has (rdflib's Memory store types plain literals differently)
    assert set(get_backend("oxigraph").restore(get_backend(second).dump(again))) == set(kg.graph)


@pytest.mark.parametrize("name", ["oxigraph", "memory"])
def test_restores_of_small_entries_share_their_terms(name, monkeypatch):
    """Two restores of a small dump give one object per term; past SHARED_DUMP, each restore
    has a reader of its own."""
    from rdflib import URIRef

    from igegraph.backends import local

    backend = get_backend(name)
    body = b"<urn:x:a> <urn:x:p> <urn:x:b> .\n"
    a = URIRef("urn:x:a")
    first, second = (next(s for s in backend.restore(body).subjects() if s == a) for _ in range(2))
    assert first is second
    monkeypatch.setattr(local, "SHARED_DUMP", len(body) - 1)
    assert next(iter(backend.restore(body).subjects())) is not first


def test_the_store_backend_opens_a_store(tmp_path):
    from igegraph.store import build_store

    build_store(tmp_path / "kg")
    kg = igegraph.load(backend="store", location=tmp_path / "kg")
    assert (kg.backend, kg.resolve("FcεRI")) == ("store", "ig:FcERI")


def test_nothing_outside_backends_touches_store_internals():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "backends" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\._inner\b", text) or re.search(r"""backend\s*[!=]=\s*["']""", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_oxigraph_graphs_read_each_term_once_and_as_oxrdflib_does(kg):
    """Reads through the caching store give oxrdflib's terms (a plain literal comes back typed
    xsd:string), one object per distinct term; graph_of gives back the terms it was given."""
    from oxrdflib import OxigraphStore
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from igegraph.backends.local import graph_of

    plain = Graph(store=OxigraphStore())
    plain += kg.graph
    pattern = (None, RDFS.label, None)
    assert sorted(kg.graph.triples(pattern)) == sorted(plain.triples(pattern))
    assert list(kg.graph.triples((URIRef("omalizumab"), None, None))) == []  # not an IRI: no triple, no error
    first = {s: s for s, _o in kg.graph.subject_objects(RDFS.label)}
    assert all(first[s] is s for s, _o in kg.graph.subject_objects(RDFS.label))

    a, b, typed = URIRef("urn:a"), BNode(), Literal("5", datatype=XSD.integer)
    small = graph_of([(a, a, Literal("x")), (a, a, typed), (a, a, b), (b, a, Literal("y", lang="en"))])
    read = sorted(small, key=str)
    assert {o for _s, _p, o in read} - {b} >= {Literal("x", datatype=XSD.string), typed, Literal("y", lang="en")}
    assert [t for t in read if t[2] == typed][0][2] is typed and all(t[0] is a for t in read if t[0] == a)
    (node,) = {o for _s, _p, o in read if isinstance(o, BNode)}
    assert (node, a, Literal("y", lang="en")) in small  # one blank node, wherever it appears


def test_oxigraph_graph_reads_are_rdflibs_own(kg):
    """The Oxigraph graph class reads its default graph without rdflib's generators (triples,
    subjects, objects, predicate_objects, subject_objects); each gives rdflib's own answer, in
    its order, for every pattern shape, unique terms, lists of terms and paths, and a graph it
    makes with rdflib's operators (over another store) reads as rdflib does."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, RDFS

    graph = kg.graph
    assert type(graph) is not Graph and isinstance(graph, Graph)
    drug, cell = URIRef("https://w3id.org/igegraph/id/omalizumab"), URIRef("https://w3id.org/igegraph/vocab#Cell")
    calls = [("triples", ((None, RDFS.label, None),)), ("triples", ((drug, None, None),)),
             ("triples", ((None, None, None),)), ("triples", ((None, RDF.type / RDFS.subClassOf, None),)),
             ("subjects", (RDF.type, cell)), ("subjects", (RDF.type, cell, True)), ("subjects", (RDF.type, [cell, drug])),
             ("subjects", ()), ("objects", (drug, RDFS.label)), ("objects", ([drug, cell], None)),
             ("objects", (None, RDF.type, True)), ("objects", (drug, RDF.type / RDFS.subClassOf)),
             ("predicate_objects", (drug,)), ("predicate_objects", (drug, True)), ("predicate_objects", ()),
             ("subject_objects", (RDFS.label,)), ("subject_objects", (RDF.type, True)), ("subject_objects", ()),
             ("subject_objects", (RDFS.subClassOf * "+",))]
    for name, args in calls:
        assert list(getattr(graph, name)(*args)) == list(getattr(Graph, name)(graph, *args)), (name, args)
    assert graph.value(drug, RDFS.label) == Graph.value(graph, drug, RDFS.label)
    assert (drug, RDFS.label, None) in graph and (drug, RDFS.label, drug) not in graph
    made = graph + Graph()
    assert type(made) is type(graph) and type(made.store) is not type(graph.store)
    assert sorted(made.subject_objects(RDFS.label)) == sorted(graph.subject_objects(RDFS.label))


def test_oxigraph_reads_give_back_the_terms_of_the_pattern_and_count_the_default_graph():
    """A bound position of a pattern not read before comes back as the caller's own object; len() is the
    database's count when it has no named graph, else the default graph's own triples."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from igegraph.backends.local import oxigraph_graph

    a, p = ox.NamedNode("urn:a"), ox.NamedNode("urn:p")
    database = ox.Store()
    database.extend([ox.Quad(a, p, ox.Literal("1", datatype=ox.NamedNode(XSD.integer))), ox.Quad(a, p, a)])
    graph = oxigraph_graph(database)
    s, one = URIRef("urn:a"), Literal("1", datatype=XSD.integer)
    assert [t[2] is one for t in graph.triples((None, None, one))] == [True]
    assert [t[0] is s for t in oxigraph_graph(database).triples((s, None, None))] == [True, True]
    assert len(graph) == 2
    database.add(ox.Quad(a, p, p, ox.NamedNode("urn:g")))
    assert (len(graph), len(database)) == (2, 3)


def test_rdflib_engine_joins_give_rdflibs_own_answer_in_its_order():
    """The memory backend's indexed join: the same rows, in the same order, as rdflib's nested
    loops, with left solutions binding all, some or none of the shared variables (OPTIONAL),
    a variable only some right solutions bind (UNION) and an initial binding."""
    import rdflib
    from rdflib.plugins.sparql import CUSTOM_EVALS

    from igegraph.backends.local import HASH_JOIN_MIN, graph_query

    ex = rdflib.Namespace("urn:x:")
    graph = rdflib.Graph()
    for i in range(3 * HASH_JOIN_MIN):
        graph.add((ex[f"a{i}"], ex.p, ex[f"b{i % 5}"]))
        if i % 3:
            graph.add((ex[f"a{i}"], ex.q, rdflib.Literal(i % 4)))
        graph.add((ex[f"b{i % 5}"], ex.r, rdflib.Literal(i % 4)))
        graph.add((ex[f"c{i}"], ex.s, ex[f"b{i % 7}"]))
    text = """SELECT * WHERE {
        { SELECT * WHERE { ?a <urn:x:p> ?b OPTIONAL { ?a <urn:x:q> ?n } } LIMIT 1000 }
        { ?x <urn:x:r> ?n }
        { ?b <urn:x:r> ?m } UNION { ?c <urn:x:s> ?b }
    }"""
    for bindings in ({}, {"b": ex.b2}):
        ours = [tuple(row) for row in graph_query(graph, text, bindings)]
        saved = CUSTOM_EVALS.pop("igegraph_hash_join")
        try:
            theirs = [tuple(row) for row in graph.query(text, initBindings=bindings)]
        finally:
            CUSTOM_EVALS["igegraph_hash_join"] = saved
        assert ours == theirs and len(ours) > 2 * HASH_JOIN_MIN


def test_rdflib_engine_graph_patterns_give_rdflibs_own_answer_in_its_order():
    """The memory backend's basic graph patterns: the same solutions, each binding its
    variables in the same order, in the same sequence as rdflib's own, with a variable twice in
    one pattern, a blank node as a variable, a property path matched more than once with both
    ends bound, constants only, and initial bindings."""
    import rdflib
    from rdflib.plugins.sparql import CUSTOM_EVALS

    from igegraph.backends.local import graph_query

    ex = rdflib.Namespace("urn:x:")
    graph = rdflib.Graph()
    for i in range(12):
        graph.add((ex[f"a{i}"], ex.p, ex[f"a{(i * 5) % 12}"]))
        graph.add((ex[f"a{i}"], ex.q, rdflib.Literal(i % 3)))
        graph.add((ex[f"a{i}"], ex[f"r{i % 2}"], ex[f"a{i}"]))
    texts = ["SELECT * WHERE { ?x ?p ?x . ?x <urn:x:q> ?n }",
             "SELECT * WHERE { _:b <urn:x:p> ?y . ?y <urn:x:q> ?n . _:b <urn:x:q> ?n }",
             "SELECT * WHERE { ?x <urn:x:p>/<urn:x:p> ?y . ?x <urn:x:p>|<urn:x:r0> ?z . ?z <urn:x:q> 1 }",
             "SELECT * WHERE { ?x <urn:x:q> ?n . ?x (<urn:x:p>|<urn:x:r1>)* ?y . <urn:x:a3> <urn:x:p> <urn:x:a3> }",
             "ASK { <urn:x:a1> <urn:x:p> <urn:x:a5> . <urn:x:a5> <urn:x:q> 2 }"]
    for text in texts:
        for bindings in ({}, {"n": rdflib.Literal(1)}, {"x": ex.a4}):
            result = graph_query(graph, text, bindings)
            ours = result.askAnswer if result.type == "ASK" else [list(row.asdict().items()) for row in result]
            saved = {name: CUSTOM_EVALS.pop(name) for name in ("igegraph_hash_join", "igegraph_bgp")}
            try:
                result = graph.query(text, initBindings=bindings)
                theirs = result.askAnswer if result.type == "ASK" else [list(row.asdict().items()) for row in result]
            finally:
                CUSTOM_EVALS.update(saved)
            assert ours == theirs, (text, bindings)


def test_memory_store_read_from_its_indexes_as_rdflib_reads_it():
    """The triples the basic graph patterns read from rdflib's Memory store's indexes: those of
    ``graph.triples``, in its order, for every kind of pattern; not read that way from a store
    holding other graphs too."""
    import itertools

    import rdflib

    from igegraph.backends.local import _memory_triples

    ex = rdflib.Namespace("urn:x:")
    graph = rdflib.Graph()
    for i in range(30):
        graph.add((ex[f"s{i % 7}"], ex[f"p{i % 3}"], ex[f"s{(i * 5) % 7}"] if i % 2 else rdflib.Literal(i % 4)))
    read = _memory_triples(graph)
    terms = [None, ex.s1, ex.s3, ex.p2, ex.nothing, rdflib.Literal(2)]
    for pattern in itertools.product(terms, repeat=3):
        assert list(read(pattern)) == list(graph.triples(pattern)), pattern
    dataset = rdflib.Dataset()
    one, two = dataset.graph(ex.g1), dataset.graph(ex.g2)
    one.add((ex.s1, ex.p1, ex.s2))
    two.add((ex.s1, ex.p1, ex.s3))
    assert _memory_triples(rdflib.Graph(store=dataset.store, identifier=ex.g1)) is None
    # a store laid out otherwise (another rdflib) is read as rdflib reads it
    other = rdflib.Graph()
    other.add((ex.s1, ex.p1, ex.s2))
    del vars(other.store)["_Memory__osp"]
    assert _memory_triples(other) is None


def test_memory_backend_parses_a_shipped_file_once_and_copies_it(tmp_path, monkeypatch):
    import rdflib

    import igegraph.kg
    import igegraph.resources

    shipped = tmp_path / "shipped.ttl"
    shipped.write_text('<urn:a> <urn:p> [ <urn:q> "x" ] .\n', encoding="utf-8")
    monkeypatch.setattr(igegraph.resources, "curated_files", lambda: [shipped])
    parsed: list[Path] = []
    parse_into = igegraph.kg.parse_into
    monkeypatch.setattr(igegraph.kg, "parse_into", lambda g, path, b: parsed.append(path) or parse_into(g, path, b))
    memory = get_backend("memory")

    def load() -> rdflib.Graph:
        graph = memory.new_graph()
        memory.load_files(graph, [shipped])
        return graph

    first, second = load(), load()
    assert parsed == [shipped]
    assert len(first) == len(second) == 2 and first.isomorphic(second)
    blanks = [{t for triple in g for t in triple if isinstance(t, rdflib.BNode)} for g in (first, second)]
    assert len(blanks[0]) == len(blanks[1]) == 1 and not blanks[0] & blanks[1]  # as two parses would be
    first.remove((None, rdflib.URIRef("urn:q"), None))
    first.add((rdflib.URIRef("urn:b"), rdflib.URIRef("urn:p"), rdflib.URIRef("urn:c")))
    third = load()
    assert len(second) == len(third) == 2 and second.isomorphic(third)  # the copy of one is its own
    assert (rdflib.URIRef("urn:b"), None, None) not in third
    shipped.write_text("<urn:a> <urn:p> <urn:d> .\n", encoding="utf-8")  # the content is the key
    assert sorted(load()) == [(rdflib.URIRef("urn:a"), rdflib.URIRef("urn:p"), rdflib.URIRef("urn:d"))]
    assert parsed == [shipped, shipped]


def _memory_state(graph) -> dict:
    """A Memory store's attributes, the indexes and triple sets flattened in their order (a
    set as rdflib reads it: a copy of it)."""
    out = {}
    for name, value in vars(graph.store).items():
        if name.endswith(("__spo", "__pos", "__osp")):
            value = [(a, b, list(c)) for a, bc in value.items() for b, c in bc.items()]
        elif name.endswith("__contextTriples"):
            value = {ctx: list(triples.copy()) for ctx, triples in value.items()}
        elif name == "dispatcher":
            value = type(value)
        out[name] = value
    return out


def test_memory_copies_are_the_store_the_adds_make(kg):
    """_copy_memory writes rdflib Memory's private indexes: this fails when the rdflib
    installed keeps them otherwise (then loads add each triple again, slower but right)."""
    import rdflib

    from igegraph.backends.local import _copy_memory

    name = rdflib.URIRef("urn:x:graph")
    triples = list(kg.graph)
    added, source = rdflib.Graph(identifier=name), rdflib.Graph()
    for graph in (added, source):
        graph.addN((s, p, o, graph) for s, p, o in triples)
    copied = rdflib.Graph(identifier=name)
    assert _copy_memory(source, copied)
    assert _memory_state(copied) == _memory_state(added)
    assert list(copied) == list(added) and len(copied) == len(kg)
    assert _copy_memory(rdflib.Graph(), rdflib.Graph())  # an empty one too
    # refused, nothing changed: a target not empty, a source with quoted triples, another store
    one = rdflib.Graph()
    one.add(triples[0])
    assert not _copy_memory(source, one) and list(one) == triples[:1]
    quoted = rdflib.Graph()
    quoted.store.add(triples[0], quoted, quoted=True)
    empty = rdflib.Graph()
    assert not _copy_memory(quoted, empty) and not len(empty)
    assert not _copy_memory(source, get_backend("oxigraph").new_graph())


def test_memory_filled_is_the_store_the_adds_make(kg):
    """fill_memory writes rdflib Memory's private indexes: this fails when the rdflib installed
    keeps them otherwise (then the SHACL copy adds each triple, slower but right)."""
    import rdflib

    from igegraph.backends.local import fill_memory

    name = rdflib.URIRef("urn:x:graph")
    triples = list(kg.graph)
    triples += triples[:3]  # a triple given twice is held once, as add() does
    added, filled = rdflib.Graph(identifier=name), rdflib.Graph(identifier=name)
    for triple in triples:
        added.add(triple)
    assert fill_memory(filled, iter(triples))
    assert _memory_state(filled) == _memory_state(added)
    assert list(filled) == list(added) and len(filled) == len(kg)
    empty = rdflib.Graph(identifier=name)
    assert fill_memory(empty, []) and _memory_state(empty) == _memory_state(rdflib.Graph(identifier=name))
    # refused, nothing read: a graph not empty, another store
    one = rdflib.Graph()
    one.add(triples[0])
    unread = iter(triples)
    assert not fill_memory(one, unread) and list(one) == triples[:1] and next(unread) == triples[0]
    assert not fill_memory(get_backend("oxigraph").new_graph(), unread) and next(unread) == triples[1]


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_vocabulary_changes_follow_the_curated_files_content(backend, tmp_path, monkeypatch):
    """A load with user files compares their vocabulary triples with the curated graph's, whose
    state a process keeps per content of the curated files: a curated file changed is read anew."""
    import igegraph.kg
    import igegraph.resources

    prefix = ("@prefix ige: <https://w3id.org/igegraph/vocab#> . @prefix owl: <http://www.w3.org/2002/07/owl#> . "
              "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
    shipped, user = tmp_path / "vocab.ttl", tmp_path / "user.ttl"
    shipped.write_text(prefix + 'ige:p a owl:ObjectProperty ; rdfs:comment "one" .\n', encoding="utf-8")
    user.write_text(prefix + 'ige:p rdfs:comment "two" .\n', encoding="utf-8")
    for module in (igegraph.kg, igegraph.resources):
        monkeypatch.setattr(module, "curated_files", lambda: [shipped])

    def changes() -> list[str]:
        return igegraph.load([user], backend=backend, allow_vocabulary_changes=True).vocabulary_changes

    assert changes() == changes() == ['ige:p rdfs:comment "two" (added)']
    shipped.write_text(prefix + 'ige:p a owl:ObjectProperty ; rdfs:comment "two" .\n', encoding="utf-8")
    assert changes() == []


@pytest.mark.parametrize("how", ["load", "restore"])
def test_memory_graphs_of_one_content_are_copies_of_their_own(how, tmp_path, monkeypatch):
    """From the second load (or restore) of one content on, a process copies a template: a
    copy changed is its own, the template and later copies stay as the content, and another
    content is not answered from it."""
    import rdflib

    import igegraph.resources
    from igegraph.backends import local

    monkeypatch.setattr(local, "_TEMPLATES", type(local._TEMPLATES)(local.MEMORY_TEMPLATES))
    memory = get_backend("memory")
    shipped = tmp_path / "shipped.ttl"
    monkeypatch.setattr(igegraph.resources, "curated_files", lambda: [shipped])
    a, b, c = (rdflib.URIRef(f"urn:{x}") for x in "abc")

    def load() -> rdflib.Graph:
        if how == "restore":
            return memory.restore(shipped.read_bytes())
        graph = memory.new_graph()
        memory.load_files(graph, [shipped])
        return graph

    shipped.write_text("<urn:a> <urn:p> <urn:b> .\n<urn:b> <urn:p> <urn:c> .\n", encoding="utf-8")
    graphs = [load() for _ in range(4)]
    assert len(local._TEMPLATES) == 1 and local._TEMPLATES.values()[0] is not None
    p = rdflib.URIRef("urn:p")
    graphs[2].remove((a, None, None))
    graphs[3].add((c, p, a))
    graphs[3].parse(data="<urn:c> <urn:p> <urn:b> .", format="nt")
    expected = [(a, p, b), (b, p, c)]
    assert sorted(graphs[0]) == sorted(graphs[1]) == sorted(load()) == expected
    assert sorted(graphs[2]) == expected[1:] and len(graphs[3]) == 4
    assert list(load().subjects(p, c)) == [b] and list(load().objects(c, p)) == []
    shipped.write_text("<urn:a> <urn:p> <urn:c> .\n", encoding="utf-8")  # the content is the key
    assert sorted(load()) == [(a, p, c)]


def test_a_restored_entry_restored_again_is_its_own_graph():
    """The second restore of one entry in a process is loaded when first used: its count is
    the store's before and after, and a change to one restore is in no other."""
    from rdflib import URIRef

    from igegraph.backends.local import database_of

    backend = get_backend("oxigraph")
    body = b"<urn:x:a> <urn:x:p> <urn:x:b> .\n<urn:x:a> <urn:x:p> <urn:x:c> .\n"
    first = backend.restore(body)
    second = backend.restore(body)
    assert second.store._pending is not None and len(second) == 2  # counted without loading
    second.add((URIRef("urn:x:a"), URIRef("urn:x:p"), URIRef("urn:x:d")))
    assert second.store._pending is None and len(second) == 3
    third = backend.restore(body)
    database_of(third).add(ox_quad("urn:x:e"))  # past rdflib: straight into the store it loads
    assert (len(first), len(second), len(third), len(backend.restore(body))) == (2, 3, 3, 2)
    assert sorted(str(o) for o in first.objects()) == ["urn:x:b", "urn:x:c"]


def test_a_restored_entry_with_named_graphs_counts_its_default_graph():
    backend = get_backend("oxigraph")
    body = b"<urn:x:a> <urn:x:p> <urn:x:b> .\n<urn:x:a> <urn:x:p> <urn:x:c> <urn:x:g> .\n"
    counts = [len(backend.restore(body)) for _ in range(3)]
    assert counts == [1, 1, 1]


def ox_quad(obj: str):
    import pyoxigraph as ox

    return ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.NamedNode(obj))
