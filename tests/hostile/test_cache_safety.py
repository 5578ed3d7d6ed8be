"""The cache and the store keep no pickles and trust no file they did not write (item 2)."""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import pytest

import igegraph.project
from igegraph.cache import cache_key, load_cached
from igegraph.store import MANIFEST, build_store, open_store

CELLS = """\
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig:  <https://w3id.org/igegraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:poison_a a ige:Cell ; rdfs:label "poison A" .
ig:poison_b a ige:Cell ; rdfs:label "poison B" .
ig:poison_a ige:activates ig:poison_b .
"""


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache-safety")


@pytest.fixture
def cache(shared, monkeypatch, fresh_shared):
    """One cache for the module: the parsed graph is kept, projections are dropped after each test
    (fresh_shared: projections shared in the process would answer before the files planted)."""
    folder = shared / "cache"
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(folder))
    yield folder
    if folder.exists():
        os.chmod(folder, 0o700)
        for entry in folder.glob("*.projection.json"):  # poisoned ones, left because ignored
            entry.unlink()


@pytest.fixture
def cells(shared) -> Path:
    path = shared / "cells.ttl"
    path.write_text(CELLS, encoding="utf-8")
    return path


class Bomb:
    """Unpickling this runs code: it creates a marker file."""

    marker: Path

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_cache_holds_no_pickle_and_is_private_under_umask_000(cache, cells):
    import shutil

    shutil.rmtree(cache, ignore_errors=True)
    old = os.umask(0)
    try:
        load_cached([cells]).projection
    finally:
        os.umask(old)
    assert _mode(cache) == 0o700
    files = sorted(cache.iterdir())
    assert [p.name.split(".", 1)[1] for p in files] == ["graph.nq", "projection.json"]
    for path in files:
        assert _mode(path) == 0o600
        assert not path.read_bytes().startswith(b"\x80")  # no pickle protocol header
    head = json.loads(files[0].read_bytes().partition(b"\n")[0])
    assert head["format"] == "igegraph-cache/3" and head["count"] > 5000


def test_planted_pickles_never_run(cache, cells, tmp_path):
    """The old entry names, holding a payload: nothing unpickles them."""
    load_cached([cells])
    marker = tmp_path / "ran"
    Bomb.marker = marker
    key = cache_key([cells])
    for name in (f"{key}.graph.pickle", f"{key}.projection.pickle", f"{key}.projection.json", f"{key}.graph.nq"):
        (cache / name).write_bytes(pickle.dumps(Bomb()))
        os.chmod(cache / name, 0o600)
    kg = load_cached([cells])
    assert kg.projection.has_edge("ig:poison_a", "ig:poison_b", "ige:activates")
    assert not marker.exists()


def _poison(path: Path) -> None:
    """Rewrite a projection entry, well formed, with the activation reversed."""
    doc = json.loads(path.read_bytes())
    index = {row[0]: i for i, row in enumerate(doc["nodes"])}
    for edge in doc["edges"]:
        if (edge[0], edge[1]) == (index["ig:poison_a"], index["ig:poison_b"]):
            edge[0], edge[1] = edge[1], edge[0]
    path.write_bytes(json.dumps(doc).encode())


@pytest.mark.parametrize("how", ["group-writable file", "foreign owner", "world-writable folder"])
def test_poisoned_entries_others_could_write_are_ignored(cache, cells, how):
    load_cached([cells]).projection
    (entry,) = cache.glob("*.projection.json")
    _poison(entry)
    if how == "group-writable file":
        os.chmod(entry, 0o620)
    elif how == "foreign owner":
        os.chown(entry, 65534, 65534)
    else:
        os.chmod(cache, 0o777)
    assert load_cached([cells]).projection.has_edge("ig:poison_a", "ig:poison_b", "ige:activates")


def test_a_folder_someone_else_owns_is_not_used(tmp_path, monkeypatch, cells):
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(folder))
    assert load_cached([cells]).projection.has_edge("ig:poison_a", "ig:poison_b")
    assert list(folder.iterdir()) == []


def test_same_size_edit_with_mtime_restored_is_seen(cache, tmp_path):
    cells = tmp_path / "cells.ttl"
    cells.write_text(CELLS, encoding="utf-8")
    assert load_cached([cells]).label("ig:poison_a") == "poison A"
    st = cells.stat()
    cells.write_text(CELLS.replace("poison A", "poison Z"), encoding="utf-8")
    os.utime(cells, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cells.stat().st_size == st.st_size
    assert load_cached([cells]).label("ig:poison_a") == "poison Z"


@pytest.mark.parametrize("bad", [
    {"nodes": "not a list"},
    {"edges": [[0, 100_000, "ige:activates", {}]]},
    {"edges": [[0, 1, "ige:activates", {"polarity": {"nested": "dict"}}]]},
    {"nodes": [["ig:x", {}], ["ig:x", {}]]},
])
def test_projection_of_the_wrong_shape_is_rebuilt(cache, cells, monkeypatch, fresh_shared, bad):
    edges = set(load_cached([cells]).projection.edges(keys=True))
    (entry,) = cache.glob("*.projection.json")
    doc = json.loads(entry.read_bytes())
    doc.update(bad)
    entry.write_bytes(json.dumps(doc).encode())
    calls = []
    real = igegraph.project.build_projection
    monkeypatch.setattr(igegraph.project, "build_projection", lambda kg: calls.append(1) or real(kg))
    fresh_shared()  # as in a new process
    assert set(load_cached([cells]).projection.edges(keys=True)) == edges
    assert calls == [1]


def test_folders_made_for_a_vouch_are_private_under_umask_000(tmp_path):
    """``store build`` vouches in ``CACHE/vouched``: a cache folder it makes must be 0700 too, or
    the cache would be ignored (and everything parsed again) from then on."""
    from igegraph.persist import private_dir_ok, vouch, vouched

    folder = tmp_path / "cache" / "vouched"
    old = os.umask(0)
    try:
        vouch(folder, b"a projection")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "cache") == _mode(folder) == 0o700
    assert private_dir_ok(tmp_path / "cache") and vouched(folder, b"a projection")


def test_store_is_private_and_pickle_free(tmp_path):
    where = tmp_path / "kg"
    old = os.umask(0)
    try:
        build_store(where)
    finally:
        os.umask(old)
    manifest = json.loads((where / MANIFEST).read_text())
    assert _mode(where) == 0o700
    for path in where.rglob("*"):
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path
    assert not list(where.rglob("*.pickle"))
    assert (where / manifest["projection_file"]).read_bytes().startswith(b'{"format":"igegraph-projection/1"')


@pytest.mark.parametrize("foreign", [True, False], ids=["foreign owner", "received: owned by me, 0600"])
def test_store_projection_i_did_not_build_is_rebuilt(store_dir, tmp_path, foreign):
    """A store from someone else (a tarball unpacks as mine) cannot plant a projection."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(store_dir, copy)
    projection = copy / json.loads((copy / MANIFEST).read_text())["projection_file"]
    doc = json.loads(projection.read_bytes())
    doc["edges"] = []  # a well-formed lie: no relations at all
    projection.write_bytes(json.dumps(doc).encode())
    if foreign:
        os.chown(projection, 65534, 65534)
    assert open_store(copy).projection.number_of_edges() == open_store(store_dir).projection.number_of_edges() > 100


def test_store_i_built_is_read_without_rebuilding(store_dir, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("a store this user built must not rebuild its projection")

    monkeypatch.setattr(igegraph.project, "build_projection", boom)
    assert open_store(store_dir).projection.has_edge("ig:omalizumab", "ig:free_IgE", "ige:neutralizes")


def test_temporary_files_of_killed_runs_are_swept(cache, tmp_path):
    data = tmp_path / "sweep.ttl"
    data.write_text(CELLS.replace("poison", "sweep"), encoding="utf-8")
    cache.mkdir(mode=0o700, exist_ok=True)
    stale, live = cache / ".tmp-stale.nq", cache / ".tmp-live.nq"
    for path in (stale, live):
        path.write_bytes(b"half an entry")
    os.utime(stale, (1_000_000, 1_000_000))
    load_cached([data])  # a new entry: the cache is pruned after writing it
    assert not stale.exists() and live.exists()
    live.unlink()


def test_first_and_later_runs_give_rows_in_the_same_order(cache, tmp_path):
    """A cold run answers from the entry it just wrote, so row order never changes run to run."""
    import shutil

    from igegraph.sparql import run_query

    shutil.rmtree(cache, ignore_errors=True)
    text = "SELECT ?cell WHERE { ?receptor ige:expressedOn ?cell }"
    for backend in ("oxigraph", "memory"):
        runs = [run_query(load_cached(backend=backend), text, {"receptor": "FcεRII"}).rows for _ in range(2)]
        assert runs[0] == runs[1] and len(runs[0]) == 2
