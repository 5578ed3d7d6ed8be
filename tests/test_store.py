"""Persistent stores (igegraph.store, ``igegraph store``): same answers as the other backends,
clear errors, and nothing half-written."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import igegraph.project
from igegraph.cli import main
from igegraph.errors import DataError, StoreError
from igegraph.kg import load
from igegraph.store import MANIFEST, build_store, open_store, store_info

FIXTURE = """\
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig:  <https://w3id.org/igegraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:test_cell_a a ige:Cell ; rdfs:label "test cell A" ; rdfs:comment "plain"@en .
ig:test_cell_b a ige:Cell ; rdfs:label "test cell B" .
ig:test_cell_a ige:activates ig:test_cell_b .
ig:test_drug a ige:Drug ; rdfs:label "test drug" ; ige:inhibits ig:test_cell_a .
ig:test_cell_b ige:expressedOn ig:mast_cell .
"""

SELECTS = [
    # labels of everything a drug acts against
    """SELECT ?drug ?target ?label WHERE {
         ?drug a ige:Drug ; ige:inhibits ?target . ?target rdfs:label ?label } ORDER BY ?drug ?target""",
    # a count per causal predicate
    """SELECT ?p (COUNT(*) AS ?n) WHERE { ?p ige:causal true . ?s ?p ?o } GROUP BY ?p ORDER BY ?p""",
]
NS = {"ige": "https://w3id.org/igegraph/vocab#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


@pytest.fixture(scope="module")
def mine(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "mine.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, mine) -> Path:
    where = tmp_path_factory.mktemp("stores") / "kg"
    build_store(where, data=[mine])
    return where


def _norm(term):
    """Oxigraph reports plain literals as xsd:string ones (RDF 1.1); rdflib Memory does not."""
    from rdflib import BNode, Literal
    from rdflib.namespace import XSD

    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _triples(kg) -> list:
    return sorted(tuple(_norm(t) for t in triple) for triple in kg.graph)


def _answers(kg) -> list:
    return [[tuple(_norm(v) for v in row) for row in kg.graph.query(q, initNs=NS)] for q in SELECTS]


def test_three_backends_give_identical_answers(built, mine):
    kgs = {
        "memory": load([mine], backend="memory"),
        "oxigraph": load([mine], backend="oxigraph"),
        "store": open_store(built),
    }
    reference = kgs.pop("memory")
    ref_triples, ref_answers = _triples(reference), _answers(reference)
    ref_proj = reference.projection
    assert ref_answers[0] == [(igegraph_id("test_drug"), igegraph_id("test_cell_a"), _norm_lit("test cell A"))]
    for name, kg in kgs.items():
        assert len(kg) == len(reference), name
        assert _triples(kg) == ref_triples, name
        assert _answers(kg) == ref_answers, name
        assert set(kg.projection.nodes) == set(ref_proj.nodes), name
        assert sorted(kg.projection.edges(keys=True)) == sorted(ref_proj.edges(keys=True)), name
        assert kg.projection.nodes["ig:test_cell_a"] == ref_proj.nodes["ig:test_cell_a"], name


def igegraph_id(local: str):
    from rdflib import URIRef

    return URIRef("https://w3id.org/igegraph/id/" + local)


def _norm_lit(text: str):
    from rdflib import Literal

    return Literal(text)


def test_store_triples_are_in_the_default_graph(built):
    import pyoxigraph as ox

    from igegraph.traverse.supplyindex import DEFAULT_INDEX_GRAPH

    kg = open_store(built)
    db = kg.graph.store._inner
    # the only named graph is the supply-dominator index, which the data's count leaves out
    assert list(db.named_graphs()) == [ox.NamedNode(DEFAULT_INDEX_GRAPH)]
    assert len(kg) == store_info(built).triples
    assert len(db) == len(kg) + len(list(db.quads_for_pattern(None, None, None, ox.NamedNode(DEFAULT_INDEX_GRAPH))))


def test_projection_comes_from_the_store(built, monkeypatch):
    assert (built / json.loads((built / MANIFEST).read_text())["projection_file"]).is_file()

    def boom(*args, **kwargs):
        raise AssertionError("the projection should be read from the store")

    monkeypatch.setattr(igegraph.project, "build_projection", boom)
    g = open_store(built).projection
    assert g.has_edge("ig:test_cell_a", "ig:test_cell_b", "ige:activates")


def test_projection_rebuilt_when_manifest_changes(built, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["created"] = "2000-01-01T00:00:00+00:00"
    (copy / MANIFEST).write_text(json.dumps(manifest))
    calls = []
    real = igegraph.project.build_projection
    monkeypatch.setattr(igegraph.project, "build_projection", lambda kg, **kw: calls.append(1) or real(kg, **kw))
    assert open_store(copy).projection.has_edge("ig:test_drug", "ig:test_cell_a")
    assert calls == [1]
    assert open_store(copy).projection.number_of_edges() > 0  # rewritten: read back, not rebuilt
    assert calls == [1]


def test_open_with_extra_data_merges_in_memory(built, tmp_path):
    extra = tmp_path / "extra.nt"
    extra.write_text("<https://w3id.org/igegraph/id/test_cell_b> <https://w3id.org/igegraph/vocab#inhibits> "
                     "<https://w3id.org/igegraph/id/test_cell_a> .\n", encoding="utf-8")
    before = store_info(built)
    kg = open_store(built, data=[extra])
    assert len(kg) == before.triples + 1
    assert kg.projection.has_edge("ig:test_cell_b", "ig:test_cell_a", "ige:inhibits")
    assert extra in kg.sources
    assert len(open_store(built)) == before.triples  # the store on disk is untouched
    with pytest.raises(DataError, match="nope.ttl: no such file"):
        open_store(built, data=[tmp_path / "nope.ttl"])


def test_store_info_reports_changed_sources(tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text(FIXTURE, encoding="utf-8")
    build_store(tmp_path / "kg", data=[data])
    assert store_info(tmp_path / "kg").changed == []
    data.write_text(FIXTURE + "\n", encoding="utf-8")
    assert store_info(tmp_path / "kg").changed == [str(data.resolve())]


def test_a_rebuild_of_the_same_files_reuses_their_projection_only(tmp_path, mine, monkeypatch):
    """build_store keeps the projections of recent builds by the bytes they parsed: a rebuild
    of the same bytes writes what a build from its database makes, without building it; one
    of edited bytes (same path and size, modification time put back) never the one before."""
    import igegraph.store.build
    from igegraph.persist import encode_projection
    from igegraph.store.graph import build_store_projection

    def projection(where: Path) -> tuple[bytes, bytes]:
        kept = where / json.loads((where / MANIFEST).read_text())["projection_file"]
        kg = open_store(where)
        return kept.read_bytes(), encode_projection(build_store_projection(kg, False), {"manifest_sha256": kg._digest})

    data = tmp_path / "mine.ttl"
    data.write_text(FIXTURE, encoding="utf-8")
    built_first = []
    real = igegraph.store.build.build_store_projection
    monkeypatch.setattr(igegraph.store.build, "build_store_projection", lambda *a: built_first.append(1) or real(*a))
    build_store(tmp_path / "a", data=[data])
    build_store(tmp_path / "b", data=[data])
    assert built_first == [1]  # the second build's was kept
    kept, fresh = projection(tmp_path / "b")
    assert kept == fresh
    assert open_store(tmp_path / "b").projection.has_edge("ig:test_cell_a", "ig:test_cell_b", "ige:activates")
    stat = data.stat()
    data.write_text(FIXTURE.replace("ige:activates", "ige:inhibits"), encoding="utf-8")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build_store(tmp_path / "c", data=[data])
    kept, fresh = projection(tmp_path / "c")
    assert kept == fresh and built_first == [1, 1]
    g = open_store(tmp_path / "c").projection
    assert g.has_edge("ig:test_cell_a", "ig:test_cell_b", "ige:inhibits")
    assert not g.has_edge("ig:test_cell_a", "ig:test_cell_b", "ige:activates")


def test_a_rebuild_after_the_curated_files_changed_finds_the_vocabulary_changes_anew(tmp_path, monkeypatch):
    """build_store keeps the curated files' vocabulary state by the bytes it parsed: once they
    declare what a data file adds, the data file no longer changes the vocabulary."""
    import igegraph.store.build
    from igegraph.resources import curated_files

    copies = []
    for path in curated_files():
        copies.append(tmp_path / path.name)
        shutil.copyfile(path, copies[-1])
    monkeypatch.setattr(igegraph.store.build, "curated_files", lambda: copies)
    triple = ('<https://w3id.org/igegraph/vocab#inhibits> <http://www.w3.org/2000/01/rdf-schema#comment> '
              '"a test note" .\n')
    data = tmp_path / "note.ttl"
    data.write_text(triple, encoding="utf-8")
    changed = ['ige:inhibits rdfs:comment "a test note" (added)']
    assert build_store(tmp_path / "a", data=[data], allow_vocabulary_changes=True).vocabulary_changes == changed
    assert build_store(tmp_path / "b", data=[data], allow_vocabulary_changes=True).vocabulary_changes == changed
    with open(copies[0], "a", encoding="utf-8") as fh:
        fh.write(triple)
    assert build_store(tmp_path / "c", data=[data]).vocabulary_changes == []


def test_progress_reports_all_bytes(tmp_path, mine):
    seen = []
    build_store(tmp_path / "kg", data=[mine], progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# ------------------------------------------------------------------ opening errors


def test_open_missing_directory(tmp_path):
    with pytest.raises(StoreError, match="no such store; build one with"):
        open_store(tmp_path / "none")


def test_open_foreign_directory(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(StoreError, match=r"is not an igegraph store \(no igegraph-store.json\)"):
        open_store(tmp_path)


def test_open_damaged_manifest(built, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / MANIFEST).write_text("{ not json")
    with pytest.raises(StoreError, match="damaged or unsupported store manifest; rebuild with"):
        open_store(copy)


def test_open_damaged_database(built, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    database = copy / json.loads((copy / MANIFEST).read_text())["database"]
    shutil.rmtree(database)
    database.mkdir()
    with pytest.raises(StoreError, match="Oxigraph database is damaged or unreadable"):
        open_store(copy)


# ------------------------------------------------------------------ building, library


def test_build_refuses_existing_store_then_rebuilds_with_force(tmp_path, mine):
    where = tmp_path / "kg"
    first = build_store(where)
    with pytest.raises(StoreError, match="already holds an igegraph store; pass --force"):
        build_store(where, data=[mine])
    second = build_store(where, data=[mine], force=True)
    assert second.triples > first.triples
    assert len(open_store(where)) == second.triples
    assert _layout(where) == ["igegraph-store.json", "oxigraph-ID", "projection-ID.json"]


def test_build_in_foreign_directory_with_force_keeps_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not an igegraph store; pass --force"):
        build_store(tmp_path)
    build_store(tmp_path, force=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert len(open_store(tmp_path)) > 0


def test_failed_rebuild_keeps_the_old_store(tmp_path, mine):
    where = tmp_path / "kg"
    build_store(where, data=[mine])
    triples = store_info(where).triples
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ig: <https://w3id.org/igegraph/id/> .\nig:a ig:b .\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.ttl:2: malformed turtle"):
        build_store(where, data=[bad], force=True)
    assert store_info(where).triples == triples
    assert _layout(where) == ["igegraph-store.json", "oxigraph-ID", "projection-ID.json"]


def test_a_rebuild_stopped_as_its_staging_folder_appears_leaves_nothing(built, tmp_path, monkeypatch):
    """A SIGTERM unwinds a build (``KeyboardInterrupt`` here) the moment its staging folder
    exists: the folder and the build lock go too, and the old store is as it was."""
    where = tmp_path / "kg"
    shutil.copytree(built, where)
    before, triples = _layout(where), store_info(where).triples
    real_mkdir = os.mkdir

    def mkdir_then_stop(path, *args, **kwargs):
        real_mkdir(path, *args, **kwargs)
        if os.path.basename(path).startswith(".building-"):
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "mkdir", mkdir_then_stop)
    with pytest.raises(KeyboardInterrupt):
        build_store(where, force=True)
    monkeypatch.undo()
    assert _layout(where) == before == ["igegraph-store.json", "oxigraph-ID", "projection-ID.json"]
    assert store_info(where).triples == triples


def test_a_rebuild_stopped_as_it_removes_its_staging_folder_leaves_nothing(built, tmp_path, monkeypatch):
    """A SIGTERM that unwinds a build (``KeyboardInterrupt`` here) once the new store is in
    place, just as the emptied staging folder is removed: the build lock goes too."""
    where = tmp_path / "kg"
    shutil.copytree(built, where)
    real_rmtree = shutil.rmtree
    stopped = []

    def rmtree_then_stop(path, *args, **kwargs):
        real_rmtree(path, *args, **kwargs)
        if os.path.basename(path).startswith(".building-") and not stopped:
            stopped.append(path)
            raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "rmtree", rmtree_then_stop)
    with pytest.raises(KeyboardInterrupt):
        build_store(where, force=True)
    monkeypatch.undo()
    assert stopped
    assert _layout(where) == ["igegraph-store.json", "oxigraph-ID", "projection-ID.json"]
    assert len(open_store(where)) == store_info(where).triples > 5000  # the new store: the curated graph alone


# ------------------------------------------------------------------ building, CLI


def _layout(where: Path) -> list[str]:
    """The entries of a store directory, with the build's random id written ID."""
    return sorted(re.sub(r"-[0-9a-f]{16}", "-ID", p.name) for p in where.iterdir())


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _fails_cleanly(args: list[str], root: Path) -> str:
    before = _tree(root)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    message = result.stderr if hasattr(result, "stderr") and result.stderr else result.output
    assert "Traceback" not in result.output
    lines = [line for line in message.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: ")
    assert _tree(root) == before, "a failed build left files behind"
    return lines[0]


def test_cli_build_missing_file(tmp_path):
    line = _fails_cleanly(["store", "build", str(tmp_path / "kg"), "--data", str(tmp_path / "nope.ttl")], tmp_path)
    assert line.endswith("nope.ttl: no such file")


def test_cli_build_malformed_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://a/s> <http://a/p> "ok" .\n<http://a/s> <http://a/p> oops .\n', encoding="utf-8")
    line = _fails_cleanly(["store", "build", str(tmp_path / "kg"), "--data", str(bad)], tmp_path)
    assert f"{bad}:2: malformed nt" in line


def test_cli_build_unwritable_directory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    line = _fails_cleanly(["store", "build", str(blocker / "kg")], tmp_path)
    assert "cannot write the store in" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_cli_build_read_only_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        line = _fails_cleanly(["store", "build", str(locked / "kg")], tmp_path)
    finally:
        locked.chmod(0o700)
    assert "cannot write the store in" in line


def test_cli_build_existing_non_store_directory(tmp_path):
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "keep.txt").write_text("x")
    line = _fails_cleanly(["store", "build", str(tmp_path / "kg")], tmp_path)
    assert "is not an igegraph store; pass --force" in line


def test_cli_build_and_info(tmp_path, mine):
    result = CliRunner().invoke(main, ["store", "build", str(tmp_path / "kg"), "--data", str(mine)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Built {tmp_path / 'kg'}: ")
    result = CliRunner().invoke(main, ["store", "info", str(tmp_path / "kg"), "--format", "json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["sources"][-1]["path"] == str(mine.resolve())
    assert info["changed"] == [] and info["triples"] > 1000


def test_cli_info_on_non_store(tmp_path):
    line = _fails_cleanly(["store", "info", str(tmp_path)], tmp_path)
    assert "is not an igegraph store" in line


def test_the_supply_index_is_read_unless_files_are_merged(built, mine, tmp_path, kg):
    import gc

    import pyoxigraph as ox

    from igegraph.describe import stats
    from igegraph.traverse import blocks_pathway
    from igegraph.traverse.supplyindex import DEFAULT_INDEX_GRAPH

    store = open_store(built)
    assert store.supply_index() is not None
    loaded = load([mine])  # read only below: one parse for both comparisons
    assert stats(store) == stats(loaded)  # the index graph is not part of the data
    want = blocks_pathway(loaded, "ige-fceri-degranulation").to_dict()
    assert blocks_pathway(store, "ige-fceri-degranulation").to_dict() == want
    assert [s.indexed for s in store.derived("traverse.fetch_stats", list)] == [True]
    merged = open_store(built, data=[mine])  # the index does not cover merged files
    assert merged.supply_index() is None
    # a store without an index (an older igegraph built it): 'igegraph index --store' writes it
    where = tmp_path / "old"
    build_store(where)
    db = ox.Store(str(where / json.loads((where / MANIFEST).read_text())["database"]))
    db.remove_graph(ox.NamedNode(DEFAULT_INDEX_GRAPH))
    del db
    gc.collect()
    old = open_store(where)
    assert old.supply_index() is None
    curated = blocks_pathway(kg, "ige-fceri-degranulation").to_dict()  # the session's load() of the curated graph
    assert blocks_pathway(old, "ige-fceri-degranulation").to_dict() == curated
    del old
    gc.collect()
    result = CliRunner().invoke(main, ["index", "--store", str(where)])
    assert result.exit_code == 0 and result.output.startswith(f"indexed {where}: ")
    assert open_store(where).supply_index() is not None
    assert CliRunner().invoke(main, ["index"]).output.endswith("give either --store DIR or --endpoint URL\n")
