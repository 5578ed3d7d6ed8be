"""The parse-once cache behind every CLI command (igegraph.cache)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import igegraph.cache
import igegraph.fulltext
import igegraph.kg
import igegraph.project
from igegraph.cache import cache_dir, cache_key, clear_cache, load_cached
from igegraph.errors import DataError
from igegraph.fulltext import search, similar_words, text_index
from igegraph.recent import Recent

FIXTURE = """\
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig:  <https://w3id.org/igegraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:test_cell_a a ige:Cell ; rdfs:label "test cell A" .
ig:test_cell_b a ige:Cell ; rdfs:label "test cell B" .
ig:test_cell_a ige:activates ig:test_cell_b .
"""
EXTRA = "ig:test_cell_b ige:inhibits ig:test_cell_a .\n"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch, fresh_shared):
    # fresh_shared: projections shared in the process would answer before the disk cache
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IGEGRAPH_NO_CACHE", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def mine(tmp_path) -> Path:
    path = tmp_path / "mine.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def _entries(folder: Path, suffix: str = ".graph.nq") -> list[Path]:
    return sorted(folder.glob(f"*{suffix}"))


#: The damage every kept value may meet: a tag naming another entry.
_OTHER_KEY = (("tag", "cache_key"), "0" * 32)


def _damage(folder: Path, suffix: str, damage: str, edits: dict[str, tuple[tuple, object]]) -> tuple[Path, bytes]:
    """Damage the one kept value ending in ``suffix``: ``"junk"`` bytes, or its JSON with the
    field at ``edits[damage]``'s path set to its value. Returns the file and its good bytes."""
    (entry,) = _entries(folder, suffix)
    good = entry.read_bytes()
    if damage == "junk":
        entry.write_bytes(b"junk")
        return entry, good
    doc = json.loads(good)
    (*path, last), value = edits[damage]
    place = doc
    for step in path:
        place = place[step]
    place[last] = value
    entry.write_bytes(json.dumps(doc).encode())
    return entry, good


def _head(entry: Path) -> dict:
    """The JSON line that starts a cache entry."""
    return json.loads(entry.read_bytes().partition(b"\n")[0])


def _ground(graph) -> set:
    from rdflib import BNode

    return {t for t in graph if not any(isinstance(term, BNode) for term in t)}


def _forbid(monkeypatch, module, name):
    def boom(*args, **kwargs):
        raise AssertionError(f"{name} was called although the cache should answer")

    monkeypatch.setattr(module, name, boom)


def test_cache_dir_from_environment(isolated_cache):
    assert cache_dir() == isolated_cache


def test_cache_dir_defaults_to_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("IGEGRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "igegraph"


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_second_load_reads_the_cache(backend, isolated_cache, mine, monkeypatch):
    first = load_cached([mine], backend=backend)
    assert len(_entries(isolated_cache)) == 1
    _forbid(monkeypatch, igegraph.kg, "load")  # a warm load must not parse
    second = load_cached([mine], backend=backend)
    assert second.backend == backend
    # blank node labels are fresh on every parse; everything else must be identical
    assert len(second.graph) == len(first.graph)
    assert _ground(second.graph) == _ground(first.graph)
    assert second.sources == first.sources
    assert second.label("ig:test_cell_a") == "test cell A"


def test_projection_is_cached(isolated_cache, mine, monkeypatch):
    first = load_cached([mine]).projection
    assert len(_entries(isolated_cache, ".projection.json")) == 1
    _forbid(monkeypatch, igegraph.project, "build_projection")
    second = load_cached([mine]).projection
    assert set(second.edges(keys=True)) == set(first.edges(keys=True))
    assert dict(second.nodes(data=True)) == dict(first.nodes(data=True))
    assert second.has_edge("ig:test_cell_a", "ig:test_cell_b", "ige:activates")


def test_changing_a_data_file_invalidates_the_cache(mine):
    before = load_cached([mine])
    assert not before.projection.has_edge("ig:test_cell_b", "ig:test_cell_a")
    mine.write_text(FIXTURE + EXTRA, encoding="utf-8")  # new size and mtime
    after = load_cached([mine])
    assert len(after) == len(before) + 1
    assert after.projection.has_edge("ig:test_cell_b", "ig:test_cell_a", "ige:inhibits")


def test_key_covers_backend_and_files(mine, tmp_path):
    other = tmp_path / "other.ttl"
    other.write_text(FIXTURE, encoding="utf-8")
    keys = {cache_key([mine]), cache_key([mine], "memory"), cache_key([other]), cache_key([])}
    assert len(keys) == 4
    assert cache_key([mine]) == cache_key([str(mine)])


def test_key_lists_the_resource_folders_each_time(monkeypatch, tmp_path):
    """The folders are resolved once per process; a file added to one, or edited, still
    makes a new key."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.ttl").write_text(FIXTURE, encoding="utf-8")
    monkeypatch.setattr(igegraph.cache, "_resource_folders", lambda: [folder])
    before = cache_key()
    (folder / "b.ttl").write_text(EXTRA, encoding="utf-8")
    added = cache_key()
    (folder / "b.ttl").write_text(EXTRA + EXTRA, encoding="utf-8")
    assert len({before, added, cache_key()}) == 3 and cache_key() == cache_key()
    assert [p.name for p in igegraph.cache._input_files([])] == ["a.ttl", "b.ttl"]


def test_a_kept_digest_is_never_read_for_an_edited_file(monkeypatch, tmp_path):
    """cache_key keeps the digests of files not changed lately, by their stat: a file edited to
    the same size with its mtime put back has another ctime, so another key."""
    import time

    path = (tmp_path / "mine.ttl").resolve()
    path.write_text(FIXTURE, encoding="utf-8")
    key = cache_key([path])
    assert igegraph.cache._DIGESTS.get(str(path)) is None  # just written: not kept
    monkeypatch.setattr(igegraph.cache, "_SETTLED_NS", -(10**18))  # keep every digest
    assert cache_key([path]) == key and igegraph.cache._DIGESTS.get(str(path)) is not None
    st = path.stat()
    time.sleep(0.05)  # past a tick of the clock that stamps ctime
    path.write_text(FIXTURE.replace("test cell A", "test cell Z"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert cache_key([path]) != key


@pytest.mark.parametrize("damage", [b"", b"not json", b'{"format": "igegraph-cache/3"}\n<a> <b> .'])
def test_corrupt_entry_is_rebuilt(damage, isolated_cache, mine):
    expected = len(load_cached([mine]))
    (entry,) = _entries(isolated_cache)
    entry.write_bytes(damage)
    assert len(load_cached([mine])) == expected
    assert _head(entry)["count"] == expected  # rewritten whole


def test_truncated_entry_is_rebuilt(isolated_cache, mine):
    expected = len(load_cached([mine]))
    (entry,) = _entries(isolated_cache)
    raw = entry.read_bytes()
    entry.write_bytes(raw[: len(raw) // 2])
    assert len(load_cached([mine])) == expected


def test_entry_with_changed_triples_is_rebuilt(isolated_cache, mine):
    """An entry is restored without validating its IRIs again; a byte changed in one, lines
    and count intact, is still found (its SHA-256, checked before any backend restores) and
    the entry rebuilt with the same answer."""
    first = load_cached([mine])
    (entry,) = _entries(isolated_cache)
    raw = entry.read_bytes()
    damaged = raw.replace(b"<https://w3id.org/igegraph/id/test_cell_a>", b"<https://w3id.org/igegraph/id/test cell>")
    assert damaged != raw and damaged.count(b"\n") == raw.count(b"\n")
    entry.write_bytes(damaged)
    again = load_cached([mine])
    assert _ground(again.graph) == _ground(first.graph) and again.label("ig:test_cell_a") == "test cell A"
    head, _, body = entry.read_bytes().partition(b"\n")  # rewritten whole
    assert json.loads(head)["sha256"] == hashlib.sha256(body).hexdigest() and b"test cell>" not in body


def test_entry_with_wrong_count_is_rejected(isolated_cache, mine):
    expected = len(load_cached([mine]))
    (entry,) = _entries(isolated_cache)
    head, _, body = entry.read_bytes().partition(b"\n")
    payload = json.loads(head)
    payload["count"] += 1
    entry.write_bytes(json.dumps(payload).encode() + b"\n" + body)
    assert len(load_cached([mine])) == expected


def test_corrupt_projection_is_rebuilt(isolated_cache, mine):
    edges = set(load_cached([mine]).projection.edges(keys=True))
    (entry,) = _entries(isolated_cache, ".projection.json")
    entry.write_bytes(b"junk")
    assert set(load_cached([mine]).projection.edges(keys=True)) == edges


# queries that find names, quotes, measurements, Table 1 cells and the user's file, and one that finds nothing
_QUERIES = ["half-life", "thrombosis", "Ce3", "test cell", "omalizumob", "IgE receptor"]


def _answers(kg) -> list:
    return [search(kg, q, limit=50) for q in _QUERIES] + [similar_words(kg, "histamin degranulaton")]


def _seed(folder: Path, name: str, text: str, first: Callable[[Path], object]) -> tuple[Path, Path, object]:
    """A data file ``name`` holding ``text`` in ``folder``, and a cache folder with the entry and
    values a first run wrote for it, ``first(file)``'s answer in that run (in a process with no
    shared value yet): made once per module, each test that damages a value copies it."""
    from collections import OrderedDict

    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("IGEGRAPH_CACHE_DIR", str(folder / "cache"))
        m.delenv("IGEGRAPH_NO_CACHE", raising=False)
        m.setattr(igegraph.kg, "_SHARED", OrderedDict())
        answer = first(path)
    return path, folder / "cache", answer


@pytest.fixture(scope="module")
def seeded_fulltext(tmp_path_factory) -> tuple[Path, Path, object]:
    """:func:`_seed` of the FIXTURE with its full-text index, the answers of that index and the index."""

    def first(path: Path) -> tuple[list, object]:
        built = load_cached([path])
        return _answers(built), text_index(built)

    return _seed(tmp_path_factory.mktemp("fulltext"), "mine.ttl", FIXTURE, first)


def test_fulltext_index_is_cached(isolated_cache, seeded_fulltext, monkeypatch):
    """A new process reads the index's texts from the entry: the same hits and scores as the
    index built from the graph."""
    mine, seed, (expected, index) = seeded_fulltext
    shutil.copytree(seed, isolated_cache)  # the entry and values the first run wrote
    (entry,) = _entries(isolated_cache, ".fulltext.json")
    _forbid(monkeypatch, igegraph.fulltext, "_things")
    _forbid(monkeypatch, igegraph.fulltext, "_docs")
    restored = load_cached([mine])
    again = text_index(restored)
    assert again is not index
    assert (again.things, again.docs, again.words) == (index.things, index.docs, index.words)
    assert _answers(restored) == expected
    assert any(h.id == "ig:test_cell_a" for h in expected[3]) and expected[0][0].score == 60


def test_changed_graph_does_not_read_the_cached_index(isolated_cache, seeded_fulltext):
    """A graph changed since it was restored has other texts: its index is built, not read."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import SKOS

    mine, seed, _ = seeded_fulltext
    shutil.copytree(seed, isolated_cache)  # the entry and its index, as the first run wrote them
    kg = load_cached([mine])
    kg.graph.add((URIRef("https://w3id.org/igegraph/id/test_cell_a"), SKOS.definition, Literal("zanzibarite")))
    assert [(h.id, h.field) for h in search(kg, "zanzibarite")] == [("ig:test_cell_a", "definition")]


@pytest.mark.parametrize("damage", ["junk", "other key", "unknown thing", "bad field", "not a word list"])
def test_corrupt_fulltext_index_is_rebuilt(damage, isolated_cache, seeded_fulltext, fresh_shared):
    mine, seed, (expected, _) = seeded_fulltext
    shutil.copytree(seed, isolated_cache)  # the entry and values the first run wrote
    entry, good = _damage(isolated_cache, ".fulltext.json", damage, {
        "other key": _OTHER_KEY, "unknown thing": (("docs", 0, 0), "ig:nothing_at_all"),
        "bad field": (("docs", 0, 1), "secret"), "not a word list": (("words",), [1, 2])})
    fresh_shared()
    assert _answers(load_cached([mine])) == expected
    assert entry.read_bytes() == good  # rewritten whole


def test_unwritable_cache_directory_is_ignored(monkeypatch, tmp_path, mine):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(blocker / "cache"))
    kg = load_cached([mine])
    assert kg.projection.has_edge("ig:test_cell_a", "ig:test_cell_b")


def test_no_cache_switch(monkeypatch, isolated_cache, mine):
    monkeypatch.setenv("IGEGRAPH_NO_CACHE", "1")
    load_cached([mine])
    assert not isolated_cache.exists()


def test_missing_data_file_is_a_data_error(tmp_path, isolated_cache):
    with pytest.raises(DataError, match="nope.ttl: no such file"):
        load_cached([tmp_path / "nope.ttl"])
    assert not isolated_cache.exists() or not _entries(isolated_cache)


def test_malformed_data_file_is_not_cached(tmp_path, isolated_cache):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ig: <https://w3id.org/igegraph/id/> .\nig:a ig:b .\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.ttl:2: malformed turtle"):
        load_cached([bad])
    assert not isolated_cache.exists() or not _entries(isolated_cache)


def test_old_entries_are_pruned(isolated_cache, tmp_path, monkeypatch):
    monkeypatch.setattr(igegraph.cache, "MAX_ENTRIES", 2)
    for i in range(3):
        path = tmp_path / f"f{i}.ttl"
        path.write_text(FIXTURE, encoding="utf-8")
        text_index(load_cached([path]))
    assert len(_entries(isolated_cache)) == 2
    for suffix in (".projection.json", ".fulltext.json"):
        assert [p.name.split(".")[0] for p in _entries(isolated_cache, suffix)] == \
            [p.name.split(".")[0] for p in _entries(isolated_cache)]
    assert load_cached([tmp_path / "f2.ttl"]).label("ig:test_cell_b") == "test cell B"


def test_the_entries_kept_are_the_most_recently_used(isolated_cache, tmp_path, monkeypatch):
    # f0 is read again after f1 was written: f2's write drops f1, the least recently used
    monkeypatch.setattr(igegraph.cache, "MAX_ENTRIES", 2)
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"f{i}.ttl")
        paths[-1].write_text(FIXTURE, encoding="utf-8")
    keys = [cache_key([p]) for p in paths]
    load_cached([paths[0]])
    load_cached([paths[1]])
    load_cached([paths[0]])
    load_cached([paths[2]])
    assert sorted(p.name.split(".")[0] for p in _entries(isolated_cache)) == sorted([keys[0], keys[2]])


def test_clear_cache(isolated_cache, mine):
    text_index(load_cached([mine]))
    assert clear_cache() == 3
    assert not _entries(isolated_cache)


UNLABELLED = FIXTURE.replace('ig:test_cell_b a ige:Cell ; rdfs:label "test cell B" .', "ig:test_cell_b a ige:Cell .")


def _shacl_of(path: Path) -> list:
    from igegraph.validate import _shacl

    return _shacl(load_cached([path], lenient=True))


def test_shacl_results_are_cached(isolated_cache, tmp_path, monkeypatch):
    """A new process reads the shapes' results from the entry instead of running pySHACL; the
    entry of a changed file is another, with its own results."""
    import igegraph.validate

    path = tmp_path / "unlabelled.ttl"
    path.write_text(UNLABELLED, encoding="utf-8")
    first = _shacl_of(path)
    assert [(v.focus, v.rule) for v in first] == [("ig:test_cell_b", "entity-label")]
    (entry,) = _entries(isolated_cache, ".shacl.json")
    with monkeypatch.context() as m:
        _forbid(m, igegraph.validate, "_run_shapes")
        _forbid(m, igegraph.validate, "_digest")
        assert _shacl_of(path) == first
    path.write_text(FIXTURE, encoding="utf-8")  # labelled now: a new key, nothing stale read
    assert _shacl_of(path) == []
    assert len(_entries(isolated_cache, ".shacl.json")) == 2


def test_changed_graph_does_not_read_the_cached_shacl_results(isolated_cache, tmp_path):
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    from igegraph.validate import _shacl

    path = tmp_path / "unlabelled.ttl"
    path.write_text(UNLABELLED, encoding="utf-8")
    assert len(_shacl_of(path)) == 1
    kg = load_cached([path], lenient=True)
    kg.graph.add((URIRef("https://w3id.org/igegraph/id/test_cell_b"), RDFS.label, Literal("test cell B")))
    assert _shacl(kg) == []


@pytest.fixture(scope="module")
def seeded_shacl(tmp_path_factory) -> tuple[Path, Path, object]:
    """:func:`_seed` of UNLABELLED with its SHACL results, and those results."""
    return _seed(tmp_path_factory.mktemp("shacl"), "unlabelled.ttl", UNLABELLED, _shacl_of)


@pytest.mark.parametrize("damage", ["junk", "other key", "other pyshacl", "bad row"])
def test_corrupt_or_foreign_shacl_results_are_rebuilt(damage, isolated_cache, seeded_shacl, monkeypatch):
    """Results of another entry, of another pySHACL or rdflib, or malformed, are not read."""
    import igegraph.validate

    path, seed, expected = seeded_shacl
    shutil.copytree(seed, isolated_cache)  # the entry and values the first run wrote
    entry, good = _damage(isolated_cache, ".shacl.json", damage, {
        "other key": _OTHER_KEY, "other pyshacl": (("engine", "pyshacl"), "0.0.1"),
        "bad row": (("violations", 0, 1), 7)})
    # the process's own memo would answer too (emptied for this test only: later tests of the
    # process keep theirs, the curated graph's above all)
    monkeypatch.setattr(igegraph.validate, "_SHACL_SEEN", Recent(igegraph.validate._SHACL_KEEP))
    runs = []
    real = igegraph.validate._run_shapes
    monkeypatch.setattr(igegraph.validate, "_run_shapes", lambda kg: runs.append(1) or real(kg))
    assert _shacl_of(path) == expected
    assert runs == [1]
    assert entry.read_bytes() == good  # rewritten whole


def test_values_whose_entry_is_gone_are_pruned_and_not_written(isolated_cache, tmp_path, mine, monkeypatch,
                                                                fresh_shared):
    """A process that still holds a graph of a pruned entry writes none of its values (nothing
    would ever remove them); values left without their entry go at the next prune; values go
    next to their entry whatever the cache folder is by the time they are built."""
    kg = load_cached([mine])
    (entry,) = _entries(isolated_cache)
    entry.unlink()  # pruned by another process
    text_index(kg)
    assert kg.projection.has_edge("ig:test_cell_a", "ig:test_cell_b")
    assert not list(isolated_cache.glob("*.json"))
    orphan = isolated_cache / f"{'f' * 32}.shacl.json"
    orphan.write_bytes(b"{}")
    kept = load_cached([mine])  # written again, and a prune
    fresh_shared()
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(tmp_path / "elsewhere"))
    text_index(kept)
    assert not orphan.exists() and not (tmp_path / "elsewhere").exists()
    assert [p.name.split(".")[0] for p in _entries(isolated_cache, ".fulltext.json")] == [entry.name.split(".")[0]]


def test_an_entry_written_again_does_not_read_the_values_of_the_one_before(isolated_cache, tmp_path, monkeypatch,
                                                                           fresh_shared):
    """Each parse gives blank nodes new labels: the entry written again after damage has
    other triples, and the full-text index kept for the first is not its own."""
    path = tmp_path / "blank.ttl"
    path.write_text(FIXTURE + 'ig:test_cell_a ige:note [ rdfs:label "quokkacyte" ] .\n', encoding="utf-8")
    text_index(load_cached([path]))
    (entry,) = _entries(isolated_cache)
    (index,) = _entries(isolated_cache, ".fulltext.json")
    before = json.loads(index.read_bytes())["tag"]
    assert before["entry"] == _head(entry)["sha256"]
    entry.write_bytes(b"junk")
    fresh_shared()
    again = load_cached([path])
    built = []
    real = igegraph.fulltext._things
    monkeypatch.setattr(igegraph.fulltext, "_things", lambda *a: built.append(1) or real(*a))
    text_index(again)
    after = json.loads(index.read_bytes())["tag"]
    assert built == [1] and after["entry"] == _head(entry)["sha256"] != before["entry"]
