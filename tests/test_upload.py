"""What push sends (igegraph.backends.upload): exactly the triples a full load holds, checked
as a full load checks them, written to disk and cut into chunks without splitting blank nodes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import igegraph
from igegraph.backends.upload import prepare_upload
from igegraph.errors import DataError

MINE = """@prefix ig: <https://w3id.org/igegraph/id/> .
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ig:my_drug a ige:MonoclonalAntibody ; rdfs:label "mydrugumab" ; ige:binds ig:Ce3 ;
    rdfs:comment [ rdfs:label "first" ], [ rdfs:label "second" ] .
ig:omalizumab rdfs:label "omalizumab" .
"""


def lines(upload) -> list[str]:
    return [line for path in (upload.linked, upload.plain) for line in path.read_text(encoding="utf-8").splitlines()]


def triples(text: str) -> set:
    """The triples of N-Triples text, blank nodes replaced by a marker (their labels differ per parse)."""
    return {tuple("_" if isinstance(t, ox.BlankNode) else t for t in (q.subject, q.predicate, q.object))
            for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)}


def test_the_curated_graph_once_each(kg, tmp_path):
    upload = prepare_upload([], tmp_path)
    sent = lines(upload)
    assert upload.triples == len(sent) == len(set(sent)) == len(kg)
    assert triples("\n".join(sent)) == triples(kg.engine.dump(kg.graph).decode())
    assert upload.vocabulary_changes == [] and upload.size == sum(len(line.encode()) + 1 for line in sent)


def test_user_triples_with_blank_nodes_apart(kg, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    upload = prepare_upload([mine], tmp_path / "out")
    merged = igegraph.load([mine])
    # ig:omalizumab's label is a curated triple: sent once
    assert upload.triples == len(merged) == len(kg) + 7
    assert triples("\n".join(lines(upload))) == triples(merged.engine.dump(merged.graph).decode())
    linked = upload.linked.read_text(encoding="utf-8").splitlines()
    assert len(linked) == 4 and all("_:" in line for line in linked)
    assert "_:" not in upload.plain.read_text(encoding="utf-8")


def test_chunks_keep_blank_nodes_together(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    upload = prepare_upload([mine], tmp_path / "out", chunk_triples=1000)
    bodies = upload.chunks()
    texts = [b"".join(body).decode() for body in bodies]
    assert len(bodies) == 1 + -(-(upload.triples - 4) // 1000)
    assert texts[0] == upload.linked.read_text(encoding="utf-8")
    assert [t.count("\n") for t in texts[1:-1]] == [1000] * (len(texts) - 2)
    assert "".join(texts[1:]) == upload.plain.read_text(encoding="utf-8")
    assert [len(b) for b in bodies] == [len(t.encode()) for t in texts]
    whole = upload.body()
    assert b"".join(whole) == b"".join(b"".join(b) for b in bodies) and len(whole) == upload.size
    assert b"".join(whole) == b"".join(whole)  # sent again (an authentication retry): the same bytes


def test_progress_counts_every_byte(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    seen = []
    upload = prepare_upload([mine], tmp_path / "out", on_bytes=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
    sent = []
    assert sum(len(piece) for piece in upload.body(sent.append)) == sum(sent) == upload.size


def _load_error(path) -> str:
    with pytest.raises(DataError) as caught:
        igegraph.load([path])
    return str(caught.value)


RENAMED = """@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ige:activates rdfs:label "turns off" .
"""


@pytest.mark.parametrize("text", [
    RENAMED,  # redefines the vocabulary
    # a value commands cannot use
    "@prefix ige: <https://w3id.org/igegraph/vocab#> .\n<urn:x:a> ige:polarity 7 .\n",
])
def test_refused_as_a_load_refuses(text, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(text, encoding="utf-8")
    (tmp_path / "out").mkdir()
    with pytest.raises(DataError) as caught:
        prepare_upload([mine], tmp_path / "out")
    assert str(caught.value) == _load_error(mine)


def test_vocabulary_changes_allowed_are_listed(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text(RENAMED, encoding="utf-8")
    (tmp_path / "out").mkdir()
    upload = prepare_upload([mine], tmp_path / "out", allow_vocabulary_changes=True)
    assert upload.vocabulary_changes == igegraph.load([mine], allow_vocabulary_changes=True).vocabulary_changes
    assert upload.vocabulary_changes == ['ige:activates rdfs:label "turns off" (added)']


@pytest.mark.parametrize(("name", "text", "message"), [
    ("bad.ttl", "<urn:a> <urn:b> .\n", ":1: malformed turtle"),
    ("plain.jsonld", '{"name": "not linked data"}', ": no RDF in this JSON-LD file"),
    ("missing.nt", None, ": no such file"),
    ("notes.txt", "", ": unknown RDF file extension '.txt'"),
])
def test_bad_files_fail_naming_the_file(name, text, message, tmp_path):
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    (tmp_path / "out").mkdir()
    with pytest.raises(DataError) as caught:
        prepare_upload([path], tmp_path / "out")
    assert str(caught.value).startswith(f"{path}{message}")


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_json_ld_whose_triples_are_all_curated_is_rdf_for_load_and_push(backend, tmp_path):
    """What a JSON-LD file holds is counted, not what it adds: load and push agree."""
    path = tmp_path / "again.jsonld"
    path.write_text('{"@id": "https://w3id.org/igegraph/id/omalizumab", '
                    '"http://www.w3.org/2000/01/rdf-schema#label": "omalizumab"}', encoding="utf-8")
    base = igegraph.load(backend=backend)
    assert len(igegraph.load([path], backend=backend)) == len(base)
    (tmp_path / "out").mkdir()
    assert prepare_upload([path], tmp_path / "out").triples == len(base)
