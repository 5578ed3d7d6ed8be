"""What ``push`` sends: the graph's triples written once to temporary N-Triples files, then
sent from there, so that memory stays bounded whatever the size of the upload.

:func:`prepare_upload` reads the curated files and the user's files with pyoxigraph's
streaming parser and writes each triple to disk as it comes. Only the curated graph (a few
thousand triples) and the user triples the checks read (about vocabulary terms, or values of
:data:`~igegraph.declarations.VALUE_PROPERTIES`) are kept in memory, so the checks of
:func:`igegraph.kg.load` (a malformed file, a vocabulary change, an unusable value) run on
exactly what they would see in a full load, before anything is sent.

:class:`Body` sends byte ranges of those files as one request body of known length, a
megabyte at a time, and can be sent again (an authentication retry).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     upload = prepare_upload([], Path(tmp))
...     body = upload.body()
...     len(body) == upload.size, upload.triples > 5000, sum(map(len, body)) == len(body)
(True, True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import DataError

__all__ = ["Upload", "Body", "prepare_upload", "CHUNK_TRIPLES"]

#: Triples per request when an upload is sent in chunks (about 140 MB of N-Triples).
CHUNK_TRIPLES = 1_000_000
_PIECE = 1 << 20  # bytes read from disk and handed to the HTTP client at a time


class Body:
    """A request body: byte ranges of files, read a megabyte at a time as it is sent.

    Its length is known (the request carries Content-Length, not chunked encoding, which
    some stores refuse) and it can be iterated again (an authentication retry resends it).
    ``on_bytes(n)`` hears of every ``n`` bytes handed to the HTTP client.
    """

    def __init__(self, ranges: list[tuple[Path, int, int]], on_bytes: Callable[[int], None] | None = None):
        self.ranges = [r for r in ranges if r[2] > r[1]]
        self.on_bytes = on_bytes

    def __len__(self) -> int:
        return sum(end - start for _path, start, end in self.ranges)

    def __iter__(self) -> Iterator[bytes]:
        for path, start, end in self.ranges:
            with open(path, "rb") as fh:
                fh.seek(start)
                left = end - start
                while left > 0:
                    piece = fh.read(min(_PIECE, left))
                    if not piece:  # the file shrank under us: send what the length promised or fail
                        raise OSError(f"{path} changed while it was being sent")
                    left -= len(piece)
                    if self.on_bytes is not None:
                        self.on_bytes(len(piece))
                    yield piece


@dataclass
class Upload:
    """The triples of a push, in two N-Triples files.

    ``linked`` holds the triples with a blank node: a store reads the blank nodes of each
    request as new ones, so these must travel in one request. ``plain`` holds the others;
    ``cuts`` are the byte offsets in it where a chunk of ``chunk_triples`` lines ends.
    ``triples`` counts the lines of both (a triple repeated within the user's files is
    written, and counted, each time; the store keeps one).
    """

    linked: Path
    plain: Path
    triples: int = 0
    cuts: list[int] = field(default_factory=list)
    vocabulary_changes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Bytes of N-Triples in all."""
        return self.linked.stat().st_size + self.plain.stat().st_size

    def body(self, on_bytes: Callable[[int], None] | None = None) -> Body:
        """Everything, as one request body."""
        return Body([(self.linked, 0, self.linked.stat().st_size), (self.plain, 0, self.plain.stat().st_size)],
                    on_bytes)

    def chunks(self, on_bytes: Callable[[int], None] | None = None) -> list[Body]:
        """The upload as request bodies of at most ``chunk_triples`` lines each, the blank-node
        triples all in the first one (no empty bodies; none at all for an empty upload)."""
        ends = [*self.cuts, self.plain.stat().st_size]
        starts = [0, *self.cuts]
        bodies = [Body([(self.plain, a, b)], on_bytes) for a, b in zip(starts, ends, strict=True)]
        linked = Body([(self.linked, 0, self.linked.stat().st_size)], on_bytes)
        return [b for b in [linked, *bodies] if len(b)]


class _Writer:
    """Writes triples as N-Triples lines to the two files of an :class:`Upload`."""

    def __init__(self, upload: Upload, chunk_triples: int, linked: IO[bytes], plain: IO[bytes]):
        import pyoxigraph as ox

        self.upload, self.chunk, self.linked, self.plain = upload, chunk_triples, linked, plain
        self.blank = ox.BlankNode
        self.in_chunk = 0
        self.offset = 0

    def write(self, quad: Any) -> None:
        line = f"{quad.subject} {quad.predicate} {quad.object} .\n".encode()
        self.upload.triples += 1
        if type(quad.subject) is self.blank or type(quad.object) is self.blank:
            self.linked.write(line)
            return
        if self.in_chunk == self.chunk:
            self.upload.cuts.append(self.offset)
            self.in_chunk = 0
        self.plain.write(line)
        self.offset += len(line)
        self.in_chunk += 1


def _read(path: Path, on_bytes: Callable[[int], None], each: Callable[[Any], None]) -> int:
    """Call ``each`` on every triple of one file (blank nodes renamed apart, as a merge
    does); how many there were. Errors name the file and line."""
    import pyoxigraph as ox

    from ..store.build import read_rdf_file

    count = 0

    def parse(**kwargs: Any) -> None:
        nonlocal count
        for quad in ox.parse(**kwargs, rename_blank_nodes=True, without_named_graphs=True):
            each(quad)
            count += 1

    read_rdf_file(path, on_bytes, parse)
    return count


def prepare_upload(data: Iterable[str | Path], directory: Path, *, curated: bool = True,
                   allow_vocabulary_changes: bool = False, chunk_triples: int = CHUNK_TRIPLES,
                   on_bytes: Callable[[int, int], None] | None = None) -> Upload:
    """Check the curated files and ``data`` as :func:`igegraph.kg.load` does, and write their
    triples to N-Triples files in ``directory``.

    Parameters
    ----------
    data : iterable of path
        The user's RDF files.
    directory : Path
        An empty directory for the two files (the caller removes it).
    curated : bool
        Include the curated graph.
    allow_vocabulary_changes : bool
        Accept files that redefine the vocabulary (see :func:`igegraph.kg.load`).
    chunk_triples : int
        Triples per chunk, for :meth:`Upload.chunks`.
    on_bytes : callable, optional
        Called as ``on_bytes(bytes_read, total_bytes)`` while the files are read.

    Returns
    -------
    Upload

    Raises
    ------
    DataError
        A file is missing, malformed, redefines the vocabulary or holds an unusable value.
    """
    import pyoxigraph as ox

    from ..declarations import VALUE_PROPERTIES, vocabulary_changes, vocabulary_state
    from ..inputs import check_files
    from ..kg import KnowledgeGraph, check_vocabulary_changes, no_rdf_in_json, rdf_format
    from ..resources import curated_files
    from ..store.build import running_total
    from ..vocab import IGE
    from .local import oxigraph_graph

    mine = [Path(p) for p in data]
    ours = curated_files() if curated else []
    for path in mine:  # cheap checks first: nothing is read for a missing file
        rdf_format(path)
        if not path.is_file():
            raise DataError(str(path), "no such file")
    check_files(mine)  # entity bombs and remote contexts fail at once, before any parsing
    read_bytes = running_total(sum(p.stat().st_size for p in [*ours, *mine]), on_bytes)
    upload = Upload(directory / "blank-nodes.nt", directory / "triples.nt")
    # In memory: the curated graph, and the user triples the checks read (so the checks see
    # what a full load would show them); every other triple goes straight to disk.
    kept = ox.Store()
    with open(upload.linked, "wb") as linked, open(upload.plain, "wb") as plain:
        writer = _Writer(upload, chunk_triples, linked, plain)
        for path in ours:
            _read(path, read_bytes, kept.add)
        for quad in kept:  # the curated triples once each, though some files repeat some
            writer.write(quad)
        if not mine:
            return upload
        graph = oxigraph_graph(kept)
        before = vocabulary_state(graph)
        terms = {ox.NamedNode(str(t)) for t in before}
        checked = {ox.NamedNode(f"{IGE}{name}") for name in VALUE_PROPERTIES}

        def each(quad: Any) -> None:
            if quad in kept:  # in the curated graph, or a checked triple already written
                return
            writer.write(quad)
            if quad.subject in terms or quad.predicate in checked:
                kept.add(quad)

        for path in mine:
            if _read(path, read_bytes, each) == 0 and rdf_format(path) == "json-ld":
                raise no_rdf_in_json(path)
    check = KnowledgeGraph(graph, "oxigraph")
    check.vocabulary_changes = vocabulary_changes(before, vocabulary_state(graph, frozenset(before)))
    check_vocabulary_changes(check, allow_vocabulary_changes, mine)
    upload.vocabulary_changes = check.vocabulary_changes
    return upload
