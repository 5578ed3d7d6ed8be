"""The KnowledgeGraph object: loading the curated graph, merging user files, backends.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> kg.backend
'oxigraph'
>>> kg.label("ig:omalizumab")
'omalizumab'
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from xml.sax import SAXParseException

from .bulk import gc_paused
from .errors import DataError
from .inputs import check_files, check_offline
from .recent import Recent
from .resources import curated_files
from .vocab import compact, expand_curie, local_name

if TYPE_CHECKING:  # heavy imports stay lazy so that `igegraph --help` is instant
    import networkx as nx
    import rdflib

    from .backends import Backend
    from .backends.local import MemoryBackend
    from .results import QueryResult
    from .traverse.fetch import Select

__all__ = ["KnowledgeGraph", "load", "rdf_format", "MAX_TERM_CHARS", "check_vocabulary_changes"]

#: Longest entity name, synonym or id accepted, in characters.
MAX_TERM_CHARS = 1_000

T = TypeVar("T")

#: Most distinct graph contents whose shared derived values a process keeps (see
#: :meth:`KnowledgeGraph.derived`).
SHARED_CONTENTS = 4
# content key -> {derived value name -> value}, most recently used last
_SHARED: OrderedDict[str, dict[str, Any]] = OrderedDict()
_SHARED_LOCK = threading.Lock()


def _shared_value(content: str, name: str, build: Callable[[], T]) -> T:
    """The value ``name`` of the graphs whose content key is ``content``: built once per
    process by the first graph that needs it (outside the lock: a build may need other
    derived values), kept for the :data:`SHARED_CONTENTS` most recently used contents."""
    with _SHARED_LOCK:
        values = _SHARED.get(content)
        if values is not None:
            _SHARED.move_to_end(content)
            if name in values:
                return cast(T, values[name])
    value = build()
    with _SHARED_LOCK:
        values = _SHARED.setdefault(content, {})
        _SHARED.move_to_end(content)
        while len(_SHARED) > SHARED_CONTENTS:
            _SHARED.popitem(last=False)
        return cast(T, values.setdefault(name, value))  # a racing thread's equal value is kept

@functools.lru_cache(maxsize=1 << 16)  # labels are asked of the same few thousand nodes again and again
def _label_key(node: str) -> str:
    """The compact id under which the labels of a node (compact id, CURIE or IRI) are kept."""
    return compact(expand_curie(node) or node)


# file extension -> rdflib format name (each backend chooses its parser for it)
_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".n3": "n3",
}


def rdf_format(path: str | Path) -> str:
    """The rdflib format name for a file, from its extension.

    >>> rdf_format("mine.nt")
    'nt'
    """
    suffix = Path(path).suffix.lower()
    try:
        return _FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise DataError(str(path), f"unknown RDF file extension '{suffix}'; use one of {known}") from None


def _error_line(exc: BaseException) -> int | None:
    """The 1-based line of a parser error, whatever parser raised it."""
    if isinstance(exc, SAXParseException):
        return exc.getLineNumber()
    lines = getattr(exc, "lines", None)  # rdflib's notation3 BadSyntax: 0-based
    if isinstance(lines, int):
        return lines + 1
    lineno = getattr(exc, "lineno", None)
    return lineno if isinstance(lineno, int) else None


def _error_text(exc: BaseException) -> str:
    text = getattr(exc, "why", None) or getattr(exc, "msg", None) or str(exc)
    text = str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__
    return text


def parse_into(graph: "rdflib.Graph", path: str | Path, backend: "str | Backend") -> None:
    """Parse one RDF file into ``graph`` (made by ``backend``); any failure becomes a DataError
    naming file and line."""
    from .backends import get_backend

    path = Path(path)
    fmt = rdf_format(path)
    if not path.is_file():
        raise DataError(str(path), "no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), f"cannot read file: {exc}") from None
    check_offline(path, text, fmt)
    engine = get_backend(backend)
    parse_format = cast("MemoryBackend", engine).parser_format(fmt)
    # JSON-LD is read on its own first: what it holds is counted, not what it adds (its
    # triples may all be in the graph already)
    into = engine.new_graph() if fmt == "json-ld" else graph
    try:
        into.parse(data=text, format=parse_format, publicID=path.resolve().as_uri())
    except Exception as exc:  # parsers raise many unrelated types
        line = _error_line(exc)
        if line is None:
            line = _locate_error(text, fmt, path)
        raise DataError(str(path), f"malformed {fmt}: {_error_text(exc)}", line) from None
    if into is not graph:
        if not len(into):
            raise no_rdf_in_json(path)
        graph.addN((s, p, o, graph) for s, p, o in into)


def no_rdf_in_json(path: str | Path) -> DataError:
    """The error for a JSON-LD file that holds no triple: plain JSON parses as JSON-LD with
    none, so it is almost surely the wrong file."""
    return DataError(str(path), "no RDF in this JSON-LD file (no @id/@type or context-mapped keys)")


def _locate_error(text: str, fmt: str, path: Path) -> int | None:
    """Find the line of a parse error when the first parser did not say (error path only).

    The other engine's parser often reports a position; N-Triples is checked line by line.
    """
    import rdflib

    if fmt == "nt":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    rdflib.Graph().parse(data=line, format="nt")
                except Exception:
                    return number
        return None
    for parse_format in (fmt, f"ox-{fmt}"):
        scratch = rdflib.Graph(store="Oxigraph") if parse_format.startswith("ox-") else rdflib.Graph()
        try:
            scratch.parse(data=text, format=parse_format, publicID=path.resolve().as_uri())
        except Exception as exc:
            found = _error_line(exc)
            if found is not None:
                return found
    return None


def new_graph(backend: "str | Backend") -> "rdflib.Graph":
    """An empty rdflib Graph on the chosen backend, with the project's prefixes bound."""
    from .backends import get_backend

    return get_backend(backend).new_graph()


class KnowledgeGraph:
    """The curated graph plus any merged user data, with its networkx projection.

    Parameters
    ----------
    graph : rdflib.Graph
        The RDF graph, made by ``backend``.
    backend : str or Backend
        The backend or its registered name (see :mod:`igegraph.backends`); ``kg.backend`` is
        the name and ``kg.engine`` the backend itself.
    sources : list of Path
        The files that were loaded, in order.

    Examples
    --------
    >>> import igegraph
    >>> kg = igegraph.load(backend="memory")
    >>> kg.projection.has_edge("ig:omalizumab", "ig:free_IgE")
    True
    """

    def __init__(self, graph: "rdflib.Graph", backend: "str | Backend", sources: list[Path] | None = None):
        from .backends import get_backend

        self.graph = graph
        self.engine = get_backend(backend)
        self.backend = self.engine.name
        self.sources = list(sources or [])
        #: Triples about curated ``ige:`` terms that user files added or removed (see load).
        self.vocabulary_changes: list[str] = []
        self.content_key = None
        _forget_on_change(graph.store, self)

    @property
    def content_key(self) -> str | None:
        """Names the graph's content while it is as loaded (set by the loaders, None once it
        changes): graphs of one content key share derived values (see :meth:`derived`).

        A change that bypasses rdflib's store methods (oxrdflib's parsers and
        :func:`igegraph.backends.local.merge_into` write to Oxigraph directly) is caught by the
        triple count, kept when the key was set.
        """
        key: str | None = self.__dict__.get("_content_key")
        if key is not None and len(self.graph) != self.__dict__["_content_count"]:
            self.forget_derived()
            return None
        return key

    @content_key.setter
    def content_key(self, key: str | None) -> None:
        self.__dict__["_content_key"] = key
        self.__dict__["_content_count"] = len(self.graph) if key is not None else -1

    def forget_derived(self) -> None:
        """Drop the projection, labels and other derived values; they are rebuilt when next used.

        Called by itself whenever the graph changes (``kg.graph.update``, ``add``, ``remove``);
        the graph no longer has the content its loader named, so it shares no value again.
        """
        self.content_key = None
        for name in ("projection", "labels", "_derived", "_label_cache"):
            self.__dict__.pop(name, None)

    def __len__(self) -> int:
        return len(self.graph)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.backend} {len(self)} triples from {len(self.sources)} files>"

    @cached_property
    def projection(self) -> "nx.MultiDiGraph":
        """The networkx MultiDiGraph of entities and relations (see :mod:`igegraph.project`);
        shared by the graphs of one content, so it is never changed in place."""
        return self.derived("projection", self._build_projection, shared=True)

    def _build_projection(self) -> "nx.MultiDiGraph":
        from .persist import decode_projection, encode_projection
        from .project import build_projection

        return self._kept("projection", lambda: build_projection(self), encode_projection, decode_projection)

    def _kept(self, name: str, build: Callable[[], T], encode: Callable[[T, dict[str, str]], bytes],
              decode: Callable[[bytes | None, dict[str, str]], T | None]) -> T:
        """The derived value ``name``: built here; a graph restored from the CLI cache reads it
        from (or writes it to) its cache entry (see :mod:`igegraph.cache`).

        ``encode(value, tag)`` makes the bytes kept; ``decode(raw, tag)`` returns the value, or
        None for bytes that are missing, malformed or made for another tag.
        """
        return build()

    @cached_property
    def labels(self) -> dict[str, str]:
        """Compact id -> rdfs:label for every labelled IRI."""
        from rdflib.namespace import RDFS

        from .backends.local import subject_objects

        def build() -> dict[str, str]:
            out: dict[str, str] = {}
            for s, o in subject_objects(self.graph, RDFS.label):
                key = compact(s)
                if key not in out or (getattr(o, "language", None) in (None, "en")):
                    out[key] = str(o)
            return out

        return self.derived("labels", build, shared=True)

    def labels_of(self, iris: Iterable["rdflib.URIRef"]) -> dict[str, str]:
        """Compact id -> label, at least for ``iris`` (all labels on a local graph, where they
        are at hand; only these on an endpoint)."""
        return self.labels

    def label(self, node: str) -> str:
        """The label of a node (compact id, CURIE or IRI); falls back to the local name.

        Uses the full label map when it has been built, else looks the one node up, so that
        a few labels on a million-triple store do not cost a pass over every label.
        """
        key = _label_key(node)
        if "labels" in self.__dict__:
            found = self.labels.get(key)
        else:
            # the look-ups of the graphs of one content, shared (each CLI command run in a test
            # process asks for the same labels again): an entry added is what any of them finds
            cache: dict[str, str | None] = self.derived("kg.label_lookups", dict, shared=True)
            if key not in cache:
                from rdflib.namespace import RDFS

                value = self.graph.value(self.iri(key), RDFS.label)
                cache[key] = str(value) if value is not None else None
            found = cache[key]
        return found or local_name(key.split(":", 1)[-1])

    #: Traversals fetch the causal cone they need (:mod:`igegraph.traverse.fetch`) instead of
    #: building the whole projection: set by backends whose graph is too big to project.
    fetches_cones = False
    #: How many of a cone fetch's batched queries may run at once: a SPARQL server works on
    #: one while this process reads another's answer; an embedded store gains nothing.
    parallel_queries = 1

    def select(self, query: str, bindings: "Mapping[str, rdflib.term.Identifier]") -> list[tuple]:
        """Run one SPARQL SELECT (or ASK) on the graph with variable bindings: rows of rdflib
        terms (an ASK gives ``[(True,)]`` or ``[]``). What :func:`igegraph.traverse.fetch.fetch_cone`
        reads through; an endpoint backend overrides it."""
        from .backends.local import database_of
        from .traverse.fetch import graph_select, store_select

        def build() -> "Select":
            database = database_of(self.graph)  # an Oxigraph graph is read without rdflib's query layer
            return graph_select(self.graph) if database is None else store_select(database)

        return self.derived("kg.select", build)(query, bindings)

    def supply_index(self) -> "Select | None":
        """A SELECT runner over this graph's supply-dominator index
        (:mod:`igegraph.traverse.supplyindex`), which cone fetches read in place of the supply
        ancestry; None when there is none to trust (a local graph has the ancestry at hand)."""
        return None

    def supply_index_current(self) -> bool:
        """Whether the index :meth:`supply_index` gave still matches the data (a check some
        backends finish while the cone is fetched); a cone fetched with a stale one is fetched
        again without it."""
        return True

    def derived(self, key: str, build: Callable[[], T], shared: bool = False) -> T:
        """A value derived from the graph, built once and kept for the life of this object.

        Traversal views, search indexes and the like live here, so a KnowledgeGraph is never
        rebuilt from scratch by the functions that read it. With ``shared``, a graph that has
        a :attr:`content_key` (loaded, and not changed since) takes the value from any graph
        of the same content key in this process: each CLI command run in a test process or
        a server loads the same graph again. Only a value that depends on nothing but the
        triples, refers to no graph object and is never changed in place may be shared.
        """
        cache = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            content = self.content_key if shared else None
            cache[key] = build() if content is None else _shared_value(content, key, build)
        return cache[key]

    def links(self, predicate: str, inverse: bool = False) -> dict[str, list[str]]:
        """Subject -> objects of one predicate (objects -> subjects with ``inverse``), compact
        ids in a stable order, built once per graph.

        >>> import igegraph
        >>> igegraph.load().links("ige:formOf")["ig:free_IgE"]
        ['ig:IgE']
        """

        def build() -> dict[str, list[str]]:
            from .backends.local import subject_objects

            out: dict[str, list[str]] = {}
            for s, o in subject_objects(self.graph, self.iri(predicate)):
                key, value = (compact(o), compact(s)) if inverse else (compact(s), compact(o))
                out.setdefault(key, []).append(value)
            return {k: sorted(set(v)) for k, v in out.items()}

        return self.derived(f"links.{predicate}.{inverse}", build, shared=True)

    def about(self, term: str) -> "KnowledgeGraph":
        """The part of the graph that describes one entity or reference, in this process.

        A local graph is all at hand and returns itself; a graph on an endpoint fetches the
        entity's triples and those around it (see :mod:`igegraph.backends.remote`).
        """
        return self

    def around(self, term: str, depth: int | None = 1, direction: str = "both", causal: bool = False,
               ) -> "KnowledgeGraph":
        """The relations within ``depth`` steps of an entity (``direction`` up, down or both;
        only causal ones with ``causal``) in this process: a local graph returns itself."""
        return self

    def entire(self) -> "KnowledgeGraph":
        """The whole graph in this process: itself when local; downloaded from an endpoint."""
        return self

    def matching(self, text: str) -> "KnowledgeGraph":
        """The part of the graph whose names and texts may match ``text`` (for search); a
        local graph returns itself."""
        return self

    def iri(self, node: str) -> "rdflib.URIRef":
        """The rdflib IRI of a compact id, CURIE or full IRI.

        >>> import igegraph
        >>> str(igegraph.load().iri("ig:mast_cell"))
        'https://w3id.org/igegraph/id/mast_cell'
        """
        from rdflib import URIRef

        return URIRef(expand_curie(node) or node)

    def query(self, sparql: str, *, reasoning: str = "none", **kwargs: Any) -> "QueryResult":
        """Run a SPARQL query; see :func:`igegraph.sparql.run_query` for the other arguments.

        ``reasoning="rdfs"`` runs it on the graph plus its RDFS entailments (computed once;
        see :mod:`igegraph.reasoning`), so ``?d a ige:Drug`` finds the subclasses' members too.
        """
        from .reasoning import REASONING, entailed
        from .sparql import run_query

        if reasoning not in REASONING:
            from .errors import QueryError

            raise QueryError(f"unknown reasoning '{reasoning}'; use one of {', '.join(REASONING)}")
        return run_query(entailed(self) if reasoning == "rdfs" else self, sparql, **kwargs)

    def resolve(self, term: str) -> str:
        """The compact id of the entity a term names; see :func:`igegraph.resolve.resolve`.

        Terms longer than :data:`MAX_TERM_CHARS` are refused at once.

        >>> import igegraph
        >>> igegraph.load().resolve("x" * 5000)
        Traceback (most recent call last):
        ...
        igegraph.errors.UnknownEntity: a term of 5,000 characters names no entity (the limit is 1,000):
        xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…
        """
        from .resolve import resolve

        return resolve(self, term)


def _forget_on_change(store: Any, kg: KnowledgeGraph) -> None:
    """Make every change through the store drop ``kg``'s derived values.

    Graph.add, remove, update, parse and ``+=`` all end in these four store methods, on both
    backends; wrapping them here keeps a stale projection from answering after a change. A
    store read by several KnowledgeGraphs (a cache entry's graph rewrapped) tells each of them.
    """
    import weakref

    owners = getattr(store, "_igegraph_owners", None)
    if owners is not None:
        owners.add(kg)
        return
    owners = weakref.WeakSet([kg])
    store._igegraph_owners = owners
    for name in ("add", "addN", "remove", "update"):
        method = getattr(store, name, None)
        if method is None:
            continue

        def changed(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            result = _method(*args, **kwargs)
            for owner in list(owners):
                owner.forget_derived()
            return result

        setattr(store, name, changed)


def load(
    data: Iterable[str | Path] = (),
    *,
    backend: "str | Backend" = "oxigraph",
    location: str | Path | None = None,
    curated: bool = True,
    allow_vocabulary_changes: bool = False,
    lenient: bool = False,
    **options: Any,
) -> KnowledgeGraph:
    """Load the curated ontology and data, then merge user RDF files.

    Parameters
    ----------
    data : iterable of path
        User files to merge (Turtle, N-Triples, RDF/XML, JSON-LD; chosen by extension).
    backend : str or Backend
        A registered backend (see :mod:`igegraph.backends`): ``"oxigraph"`` (rdflib over an
        in-memory Oxigraph store, fast, the default) or ``"memory"`` (rdflib's pure-Python
        store) give identical answers; ``"store"`` opens the persistent store at ``location``
        and ``"endpoint"`` connects to the SPARQL endpoint at ``location`` without loading it.
    location : str or Path, optional
        The store directory or endpoint URL.
    curated : bool
        Load the shipped ontology and data first (default True).
    allow_vocabulary_changes : bool
        Accept user files that add or remove triples about the ontology's ``ige:`` terms
        (polarities, classes …); they are listed in ``kg.vocabulary_changes``. Without it such
        a file is refused.
    lenient : bool
        Refuse neither vocabulary changes nor unusable vocabulary values (``validate`` loads
        this way to report them all).
    **options
        Backend options, e.g. ``user``, ``password``, ``graph`` and ``timeout`` of an endpoint.

    Returns
    -------
    KnowledgeGraph

    Raises
    ------
    DataError
        A file is missing, has an unknown extension or is malformed (message names file and
        line), redefines the vocabulary without ``allow_vocabulary_changes``, or gives a
        vocabulary value commands cannot use (``ige:polarity "banana"``).

    Examples
    --------
    >>> import igegraph
    >>> kg = igegraph.load()
    >>> len(kg) > 1000
    True
    """
    from .backends import get_backend

    engine = get_backend(backend, location, **options)
    return engine.load(data, curated=curated, allow_vocabulary_changes=allow_vocabulary_changes, lenient=lenient)


@gc_paused
def load_files(backend: "Backend", data: Iterable[str | Path] = (), *, curated: bool = True,
               allow_vocabulary_changes: bool = False, lenient: bool = False) -> KnowledgeGraph:
    """Parse the curated files and ``data`` into a new graph of ``backend`` (see :func:`load`)."""
    from .declarations import vocabulary_changes, vocabulary_state

    mine = [Path(p) for p in data]
    # entity bombs and remote contexts fail at once, before any parsing (and before a graph of
    # the default backend imports rdflib's SPARQL engine, about 0.3 s)
    check_files(mine)
    graph = backend.new_graph()
    ours = curated_files() if curated else []
    backend.load_files(graph, ours)
    kg = KnowledgeGraph(graph, backend, ours + mine)
    if mine:
        before = _curated_vocabulary(kg, ours) if curated else vocabulary_state(graph)
        backend.load_files(graph, mine)
        kg.vocabulary_changes = vocabulary_changes(before, vocabulary_state(graph, frozenset(before)))
        if not lenient:
            check_vocabulary_changes(kg, allow_vocabulary_changes, mine)
    elif curated:
        kg.content_key = _curated_content_key(kg)
    return kg


# content key of the curated graph -> whether it holds a blank node
_BLANK_NODES: dict[str, bool] = {}


def _curated_content_key(kg: KnowledgeGraph) -> str | None:
    """The content key of a fresh load of the curated files (see :meth:`KnowledgeGraph.derived`):
    its cache key (a digest of every shipped file and module), for a backend whose parse of
    the same files gives the same triples in the same order; None for a graph with blank
    nodes, whose labels each parse makes anew."""
    from .cache import cache_key

    if not getattr(kg.engine, "cacheable", False):
        return None
    try:
        key = cache_key((), kg.backend)
    except OSError:  # a shipped file went away: nothing to share
        return None
    if key not in _BLANK_NODES:
        from rdflib import BNode

        _BLANK_NODES[key] = any(isinstance(t, BNode) for triple in kg.graph for t in triple)
    return None if _BLANK_NODES[key] else f"parsed:{key}"


#: Most curated contents whose :func:`_curated_vocabulary` a process keeps.
CURATED_VOCABULARIES = 4
# (backend, (path, content) of each curated file) -> the vocabulary state of their load (read
# only: compared, never changed)
_VOCABULARIES: "Recent[tuple[str, tuple[tuple[Path, bytes], ...]], dict[Any, frozenset]]" = \
    Recent(CURATED_VOCABULARIES)


def _curated_vocabulary(kg: KnowledgeGraph, files: list[Path]) -> dict[Any, frozenset]:
    """:func:`igegraph.declarations.vocabulary_state` of ``kg``, a fresh load of the curated
    ``files``, found once per backend and content of the files in this process: every load
    with ``--data`` compares the vocabulary before and after the user's files, and the state
    before is that of the curated graph (a pass over its type triples and a pattern read per
    term: a quarter of a CLI load with ``--data`` whose cache entry is not written yet). A
    state with blank nodes is not kept: each parse names them anew."""
    from rdflib import BNode

    from .declarations import vocabulary_state

    if not getattr(kg.engine, "cacheable", False):  # a backend that may not parse the same way twice
        return vocabulary_state(kg.graph)
    try:
        key = (kg.backend, tuple((path, path.read_bytes()) for path in files))
    except OSError:  # a shipped file went away since: nothing to share
        return vocabulary_state(kg.graph)
    found = _VOCABULARIES.get(key)
    if found is None:
        found = vocabulary_state(kg.graph)
        terms = [t for term, pairs in found.items() for t in (term, *(x for pair in pairs for x in pair))]
        if not any(isinstance(t, BNode) for t in terms):
            _VOCABULARIES.put(key, found)
    return found


def check_vocabulary_changes(kg: KnowledgeGraph, allowed: bool, files: Iterable[Path] = ()) -> None:
    """Refuse a graph whose user files redefine the vocabulary (unless ``allowed``) or give it
    values commands cannot use; DataError names the first problem and how many there are."""
    from .declarations import value_problems

    where = ", ".join(str(p) for p in files) or "--data"
    if kg.vocabulary_changes and not allowed:
        n = len(kg.vocabulary_changes)
        raise DataError(where, f"changes the igegraph vocabulary ({kg.vocabulary_changes[0]}"
                               f"{f' and {n - 1} more' if n > 1 else ''}); pass --allow-vocabulary-changes to apply it")
    problems = value_problems(kg.graph)
    if problems:
        focus, _rule, message = problems[0]
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise DataError(where, f"{focus}: {message}{more}; run 'igegraph validate' for all problems")
