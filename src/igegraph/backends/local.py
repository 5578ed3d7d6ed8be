"""The backends that hold the graph in this process: ``memory``, ``oxigraph`` and ``store``.

Examples
--------
>>> from igegraph.backends import get_backend
>>> ox = get_backend("oxigraph")
>>> g = ox.new_graph()
>>> _ = g.parse(data="<urn:a> <urn:b> <urn:c> .", format="nt")
>>> again = get_backend("memory").restore(ox.dump(g))
>>> [str(t) for t in next(iter(again))]
['urn:a', 'urn:b', 'urn:c']
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..bulk import gc_paused
from ..recent import Recent

if TYPE_CHECKING:
    import pyoxigraph as ox
    import rdflib
    from rdflib.query import Result

    from ..kg import KnowledgeGraph

__all__ = ["MemoryBackend", "OxigraphBackend", "StoreBackend", "oxigraph_graph", "graph_of", "QuadWriter",
           "database_of", "merge_into", "fill_memory", "TermReader", "shared_reader", "ox_term", "graph_query"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Most distinct terms a :class:`TermReader` keeps; past it, it starts again (memory stays bounded).
TERM_CACHE = 1_000_000
#: Largest cache entry (bytes of N-Quads) restored with the process's :func:`shared_reader`.
SHARED_DUMP = 8 << 20
#: Most distinct terms a :func:`shared_reader` keeps.
SHARED_TERMS = 200_000


@functools.cache
def _kinds() -> tuple[Any, Any, Any, Any]:
    """pyoxigraph and rdflib's IRI, blank node and literal classes, imported on first use
    (once: an import statement in a function run per term costs more than the conversion)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    return ox, URIRef, BNode, Literal


class TermReader:
    """pyoxigraph term -> rdflib term, as oxrdflib converts them (a literal keeps its datatype,
    ``xsd:string`` included), each distinct term made once: building rdflib terms (an IRI's
    validity check, a literal's Python value) is most of the cost of reading triples.

    >>> import pyoxigraph as ox
    >>> read = TermReader()
    >>> read(ox.NamedNode("urn:a")) is read(ox.NamedNode("urn:a"))
    True
    >>> read(ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))).toPython()
    5
    """

    def __init__(self, plain_strings: bool = False, limit: int = TERM_CACHE) -> None:
        self.terms: dict[Any, Any] = {}
        #: make an ``xsd:string`` literal without a datatype, as rdflib's own parsers do
        self.plain_strings = plain_strings
        #: most distinct terms kept
        self.limit = limit

    def __call__(self, t: Any) -> Any:
        found = self.terms.get(t)
        if found is None and t is not None:
            if len(self.terms) >= self.limit:
                self.terms.clear()
            found = self.terms[t] = self._convert(t)
        return found

    def remember(self, term: Any, converted: Any) -> None:
        """Read ``converted`` back as ``term`` itself, where the reader would make an equal
        term: an IRI, or a literal with a datatype or a language (a plain literal comes back
        typed ``xsd:string``, a blank node with another label)."""
        _ox, URIRef, _BNode, Literal = _kinds()  # noqa: N806
        kind = type(term)  # not a subclass (a skolem IRI ...): the term may be read by other graphs
        if kind is URIRef or (kind is Literal and (term.datatype is not None or term.language)):
            self.terms[converted] = term

    def _convert(self, t: Any) -> Any:
        ox, URIRef, BNode, Literal = _kinds()  # noqa: N806
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if isinstance(t, ox.Literal):
            if t.language:
                return Literal(t.value, lang=t.language)
            if self.plain_strings and t.datatype.value == _XSD_STRING:
                return Literal(t.value)
            return Literal(t.value, datatype=self(t.datatype))
        return self(t.subject), self(t.predicate), self(t.object)  # an RDF-star triple term


@functools.cache
def shared_reader(plain_strings: bool = False) -> TermReader:
    """The :class:`TermReader` of the graphs this process restores from small cache entries
    (at most :data:`SHARED_DUMP` bytes): each CLI command run in a test process or a doctest
    restores the same graph, and rdflib terms, immutable, can serve every copy (at most
    :data:`SHARED_TERMS` of them are kept).

    >>> import pyoxigraph as ox
    >>> shared_reader()(ox.NamedNode("urn:a")) is shared_reader()(ox.NamedNode("urn:a"))
    True
    """
    return TermReader(plain_strings, limit=SHARED_TERMS)


def _restore_reader(body: bytes, plain_strings: bool = False) -> TermReader:
    """The reader of a restored cache entry: the process's :func:`shared_reader` for a small
    one, a reader of its own for a large one (whose terms would crowd the shared one out)."""
    return shared_reader(plain_strings) if len(body) <= SHARED_DUMP else TermReader(plain_strings)


def ox_term(term: Any) -> Any:
    """The pyoxigraph term of an rdflib term (None stays None: a wildcard in a pattern)."""
    if term is None:
        return None
    ox, URIRef, BNode, Literal = _kinds()  # noqa: N806
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


_SUBJECT, _OBJECT = itemgetter(0), itemgetter(2)
_PREDICATE_OBJECT, _SUBJECT_OBJECT = itemgetter(1, 2), itemgetter(0, 2)


@functools.cache
def _caching_store() -> Any:
    """oxrdflib's store class, whose triple-pattern reads (``graph.triples``,
    ``subject_objects``, ``value`` …) build each distinct rdflib term once (:class:`TermReader`)
    and name the default graph with one Graph object rather than a new one per triple (made on
    first use: importing oxrdflib imports rdflib)."""
    return _oxigraph_classes()[0]


@functools.cache
def _oxigraph_classes() -> tuple[Any, Any]:
    """The store class of :func:`_caching_store` and the Graph class of :func:`oxigraph_graph`."""
    import pyoxigraph as ox
    from oxrdflib import OxigraphStore
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
    from rdflib.paths import Path as RdfPath

    class CachingStore(OxigraphStore):
        def __init__(self, database: "ox.Store | None", read: TermReader,
                     pending: tuple[bytes, int | None] | None = None) -> None:
            super().__init__(store=database)
            # with no database: the N-Quads it is loaded from on first use, and the triple
            # count of its default graph when it has no named graph (else None)
            self._pending = pending
            self._loading = threading.Lock()
            self.read = read
            self.default = Graph(identifier=DATASET_DEFAULT_GRAPH_ID, store=self)

        @property
        def database(self) -> "ox.Store":
            """The pyoxigraph Store, loaded first if it is still pending (every read and write
            comes here, so the graph is the one loaded whenever it is first used)."""
            if self._pending is not None:
                with self._loading:
                    if self._pending is not None:
                        self._store = _loaded(self._pending[0])
                        self._pending = None
            return cast("ox.Store", self._store)

        @property
        def _inner(self) -> "ox.Store":  # what oxrdflib's own methods read and write
            return self.database

        def triples(self, triple_pattern: Any, context: Any = None) -> Any:
            if context is None:
                where = None
            elif context.identifier == DATASET_DEFAULT_GRAPH_ID:
                where = ox.DefaultGraph()
            else:
                where = ox_term(context.identifier)
            return self._matches(triple_pattern, where, contexts=True)

        def default_triples(self, triple_pattern: Any) -> Iterator[Any]:
            """The triples of the default graph that match a pattern (no path), as
            ``Graph.triples`` gives them, without the contexts ``triples`` pairs them with."""
            return self._matches(triple_pattern, ox.DefaultGraph(), contexts=False)

        def _matches(self, triple_pattern: Any, where: Any, contexts: bool) -> Iterator[Any]:
            read = self.read
            try:
                s, p, o = (ox_term(t) for t in triple_pattern)
            except (TypeError, ValueError):  # not an RDF term, or not an absolute IRI
                return iter(())  # a pattern no triple can match (as oxrdflib answers it)
            for given, converted in zip(triple_pattern, (s, p, o), strict=True):
                if converted is not None and converted not in read.terms:
                    read.remember(given, converted)  # matches give back the caller's term, unconverted
            quads = self.database.quads_for_pattern(s, p, o, where)
            return self._read(quads, s, p, o, where, contexts)

        def _read(self, quads: Any, s: Any, p: Any, o: Any, where: Any, contexts: bool) -> Iterator[Any]:
            # rdflib reads every triple through here (subject_objects, SPARQL's BGPs ...): a
            # term the pattern gives is converted once, not per match, and the others are
            # looked up in the reader's table before calling it
            read = self.read
            known = read.terms.get
            fixed = [None if t is None else read(t) for t in (s, p, o)]
            the_s, the_p, the_o = fixed
            default = (self.default,) if isinstance(where, ox.DefaultGraph) else None
            for q in quads:
                ts = the_s
                if ts is None:
                    ts = known(q.subject)
                    if ts is None:
                        ts = read(q.subject)
                tp = the_p
                if tp is None:
                    tp = known(q.predicate)
                    if tp is None:
                        tp = read(q.predicate)
                to = the_o
                if to is None:
                    to = known(q.object)
                    if to is None:
                        to = read(q.object)
                if contexts:
                    yield (ts, tp, to), iter(default or (self.graph_named(q.graph_name),))
                else:
                    yield ts, tp, to

        def __len__(self, context: Any = None) -> int:
            # oxrdflib counts with a SPARQL COUNT(DISTINCT ...) over every quad (about 12 ms on
            # the curated graph); with no named graph, the database's own count is that number
            default = context is None or context.identifier == DATASET_DEFAULT_GRAPH_ID
            if default and self._pending is not None and self._pending[1] is not None:
                return self._pending[1]  # not loaded: nothing changed it
            if default and next(iter(self.database.named_graphs()), None) is None:
                return len(self.database)
            return int(super().__len__(context))

        def close(self, commit_pending_transaction: bool = False) -> None:
            # the store and its default graph refer to each other: without this, only a garbage
            # collection would let go of the database (and close it)
            super().close(commit_pending_transaction)
            self._pending = None

        def graph_named(self, name: Any) -> Any:
            if isinstance(name, ox.DefaultGraph):
                return self.default
            return Graph(identifier=self.read(name), store=self)

    class OxigraphGraph(Graph):
        """A Graph whose reads of its store's default graph skip the generator
        ``Graph.triples`` wraps around the store's (which also pairs each triple with its
        contexts, dropped there): about a sixth of a scan such as ``subject_objects``."""

        def triples(self, triple: Any) -> Any:
            store = self.store
            if type(store) is CachingStore and self.identifier is DATASET_DEFAULT_GRAPH_ID \
                    and not isinstance(triple[1], RdfPath):
                return store.default_triples(triple)
            return super().triples(triple)  # another store (graph + graph makes one), a path

        # rdflib's are generators that take each triple of ``triples`` apart in Python; these
        # pick the terms with a C iterator (rdflib's own for unique terms and lists of terms)

        def subjects(self, predicate: Any = None, object: Any = None, unique: bool = False) -> Any:  # noqa: A002
            if unique or isinstance(object, list):
                return super().subjects(predicate, object, unique)
            return map(_SUBJECT, self.triples((None, predicate, object)))

        def objects(self, subject: Any = None, predicate: Any = None, unique: bool = False) -> Any:
            if unique or isinstance(subject, list):
                return super().objects(subject, predicate, unique)
            return map(_OBJECT, self.triples((subject, predicate, None)))

        def predicate_objects(self, subject: Any = None, unique: bool = False) -> Any:
            if unique:
                return super().predicate_objects(subject, unique)
            return map(_PREDICATE_OBJECT, self.triples((subject, None, None)))

        def subject_objects(self, predicate: Any = None, unique: bool = False) -> Any:
            if unique:
                return super().subject_objects(predicate, unique)
            return map(_SUBJECT_OBJECT, self.triples((None, predicate, None)))

    return CachingStore, OxigraphGraph


def oxigraph_graph(database: "ox.Store | None", read: TermReader | None = None,
                   pending: tuple[bytes, int | None] | None = None) -> "rdflib.Graph":
    """An rdflib Graph over a pyoxigraph Store, reading and writing its default graph (its
    terms read by ``read``, else by a new :class:`TermReader`); with no ``database``, a Store
    loaded from ``pending`` N-Quads when first used (see :meth:`OxigraphBackend.restore`)."""
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    store_class, graph_class = _oxigraph_classes()
    store = store_class(database, read or TermReader(), pending)
    return _bound(graph_class(store=store, identifier=DATASET_DEFAULT_GRAPH_ID))


class QuadWriter:
    """rdflib triple -> pyoxigraph quad of the default graph, each distinct triple made once,
    and the :class:`TermReader` that reads the quads' terms back as the very rdflib terms
    given: what :func:`graph_of` converts with. One writer may serve many graphs (each fetched
    cone of a graph repeats most of the previous one's triples: the vocabulary, the same
    nodes); it keeps at most ``limit`` quads, then starts again.

    A blank node is one ox blank node for every graph the writer fills: each store is its own
    scope, so the graphs never share it.
    """

    def __init__(self, limit: int = TERM_CACHE) -> None:
        self.quads: dict[tuple[Any, Any, Any], Any] = {}
        self.terms: dict[Any, Any] = {}
        self.read = TermReader()
        #: most quads kept
        self.limit = limit

    def term(self, t: Any) -> Any:
        """The pyoxigraph term of ``t``, remembered by the reader."""
        ox, _URIRef, BNode, _Literal = _kinds()  # noqa: N806
        found = self.terms.get(t)
        if found is None:
            found = self.terms[t] = ox.BlankNode() if isinstance(t, BNode) else ox_term(t)
            self.read.remember(t, found)
        return found

    def quad(self, triple: tuple[Any, Any, Any]) -> Any:
        """The pyoxigraph quad of an rdflib triple, in the default graph."""
        found = self.quads.get(triple)
        if found is None:
            if len(self.quads) >= self.limit:
                self.quads.clear()
                self.terms.clear()
            ox = _kinds()[0]
            s, p, o = triple
            found = self.quads[triple] = ox.Quad(self.term(s), self.term(p), self.term(o))
        return found


def graph_of(triples: Iterable[tuple[Any, Any, Any]], writer: QuadWriter | None = None) -> "rdflib.Graph":
    """An rdflib Graph over a new in-memory Oxigraph store holding rdflib ``triples``; reading
    it gives back the very term objects given (each term is converted once, and not again on
    the way back), which makes it the fastest way to a queryable graph of fetched triples.
    ``writer`` (:class:`QuadWriter`) converts them, and keeps what it made for the next graph.

    >>> from rdflib import URIRef
    >>> a = URIRef("urn:a")
    >>> next(iter(graph_of([(a, a, a)])))[0] is a
    True
    """
    ox = _kinds()[0]
    writer = writer or QuadWriter()
    database = ox.Store()
    database.extend([writer.quad(t) for t in triples])
    return oxigraph_graph(database, writer.read)


def database_of(graph: "rdflib.Graph") -> "ox.Store | None":
    """The pyoxigraph Store under a graph this module made (:func:`oxigraph_graph`), else None:
    dumping, bulk loading and SELECTs use it directly (Rust on both sides, ~10x rdflib)
    without reaching into oxrdflib's internals."""
    store: Any = graph.store
    return store.database if isinstance(store, _caching_store()) else None


def subject_objects(graph: "rdflib.Graph", predicate: Any) -> Iterable[tuple[Any, Any]]:
    """``graph.subject_objects(predicate)``: the same pairs of rdflib terms in the same order,
    read from the indexes directly for a Memory store holding one graph (an Oxigraph graph of
    :func:`oxigraph_graph` reads its store directly itself), else through rdflib.

    Projections, label maps and links read a dozen predicates of every graph they are built
    on; rdflib's three generator layers per triple (``Graph.triples``, the store's, and
    ``subject_objects``) cost more than the reading itself.

    >>> from rdflib import URIRef
    >>> a, b = URIRef("urn:a"), URIRef("urn:b")
    >>> list(subject_objects(graph_of([(a, b, a), (b, a, b)]), b)) == [(a, a)]
    True
    """
    memory = _memory_triples(graph)
    if memory is not None:
        return [(s, o) for s, _, o in memory((None, predicate, None))]
    return graph.subject_objects(predicate)


def raw_triples(graph: "rdflib.Graph") -> tuple[Iterator[tuple[Any, Any, Any]], Callable[[Any], Any] | None]:
    """Every triple of ``graph`` in the store's own terms, and the function that turns one of
    them into the rdflib term ``graph.triples`` gives (None when they are rdflib terms): a
    walk over every triple that needs something of each distinct term (a digest) can convert
    each one once, not each time it is read (on the Oxigraph backend, building rdflib terms
    is most of the cost of a walk). Pyoxigraph terms are equal only when they are the same
    term; rdflib's are not a key for that (``"x"@EN == "x"@en``).

    >>> import rdflib
    >>> a = rdflib.URIRef("urn:a")
    >>> triples, term = raw_triples(graph_of([(a, a, a)]))
    >>> [tuple(map(term, t)) for t in triples] == [(a, a, a)]
    True
    >>> raw_triples(rdflib.Graph())[1] is None
    True
    """
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    database = database_of(graph)
    if database is None or graph.identifier != DATASET_DEFAULT_GRAPH_ID:
        return iter(graph.triples((None, None, None))), None
    ox = _kinds()[0]
    quads = database.quads_for_pattern(None, None, None, ox.DefaultGraph())
    store: Any = graph.store  # the caching store of oxigraph_graph: its reader gives graph.triples' terms
    return ((q.subject, q.predicate, q.object) for q in quads), store.read


def merge_into(graph: "rdflib.Graph", other: "rdflib.Graph") -> "rdflib.Graph":
    """Add the triples of ``other`` to ``graph`` (``graph += other``); ``graph``.

    Between two graphs of this module the triples go store to store, as pyoxigraph quads:
    ``+=`` would make an rdflib term of each and convert it back (~10x slower), and the
    endpoint backend merges its vocabulary into every graph it fetches. An empty graph of
    rdflib's Memory store is filled by :func:`fill_memory`.

    >>> import pyoxigraph as ox
    >>> a, b = oxigraph_graph(ox.Store()), oxigraph_graph(ox.Store())
    >>> _ = a.parse(data="<urn:a> <urn:b> <urn:c> .", format="nt")
    >>> _ = b.parse(data="<urn:a> <urn:b> <urn:d> .", format="nt")
    >>> sorted(str(o) for o in merge_into(a, b).objects())
    ['urn:c', 'urn:d']
    """
    if fill_memory(graph, other.triples((None, None, None))):  # (before database_of imports oxrdflib)
        return graph
    ox, *_ = _kinds()
    target, source = database_of(graph), database_of(other)
    if target is None or source is None:
        graph += other
    else:  # their default graphs: the graphs rdflib reads and writes
        target.extend(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return graph


#: Most distinct (query text, prefixes) pairs kept parsed for rdflib's engine (see :func:`graph_query`).
QUERY_CACHE = 512


@functools.lru_cache(maxsize=QUERY_CACHE)
def _prepared(text: str, namespaces: tuple[tuple[str, Any], ...]) -> Any:
    """``text`` parsed and translated to rdflib's algebra, prefixes not declared in it taken from
    ``namespaces``, as ``Graph.query`` does with a string; a prepared query is meant to be
    evaluated again, with other bindings. A query checked before it runs was translated by
    its check already (:func:`igegraph.querycheck.checked_algebra`)."""
    from rdflib.plugins.sparql import prepareQuery

    from ..querycheck import checked_algebra

    checked = checked_algebra(text)
    return checked if checked is not None else prepareQuery(text, initNs=dict(namespaces))


#: Fewest solutions on a join's right side for which :func:`_hash_join` indexes them.
HASH_JOIN_MIN = 8


def _hash_join(ctx: Any, part: Any) -> Any:
    """rdflib's eager join (``evalJoin``), with the right side's solutions indexed by the
    variables they all bind: rdflib compares every left solution with every right one, which
    made queries such as ``cq13-pathway-blockers`` take seconds on the curated graph.

    The answer is the same sequence: a left solution is compared, by rdflib's own
    ``compatible``, only with the right solutions of equal values on the indexed variables it
    binds, in the order rdflib takes them (with none of them bound, with every right
    solution, as rdflib does). Registered in rdflib's ``CUSTOM_EVALS`` (its extension point) by
    :func:`_install_hash_join`; every other part is left to rdflib (``NotImplementedError``)."""
    if part.name != "Join" or part.lazy:
        raise NotImplementedError
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.evalutils import _join

    left = evalPart(ctx, part.p1)
    right = list(set(evalPart(ctx, part.p2)))  # as evalJoin: a set, taken in its order
    if len(right) < HASH_JOIN_MIN:
        return _join(left, right)
    shared = set(right[0]).intersection(*right[1:])
    if not shared:
        return _join(left, right)
    return _indexed_join(left, right, sorted(shared, key=str))


def _indexed_join(left: Iterable[Any], right: list[Any], keys: list[Any]) -> Any:
    indexes: dict[tuple, dict[tuple, list]] = {}  # by the indexed variables a left solution binds
    for x in left:
        bound = set(x)  # what x binds itself (x[k] would also answer the query's initial bindings)
        on = tuple(k for k in keys if k in bound)
        if on:
            index = indexes.get(on)
            if index is None:
                index = indexes[on] = {}
                for y in right:
                    index.setdefault(tuple(y[k] for k in on), []).append(y)
            candidates = index.get(tuple(x[k] for k in on), ())
        else:
            candidates = right
        for y in candidates:
            if x.compatible(y):
                yield x.merge(y)


def _bgp(ctx: Any, part: Any) -> Any:
    """rdflib's basic graph pattern (``evalBGP``) without a query context per matched triple.

    rdflib pushes a new context, a copy of every binding so far, for each triple a pattern
    matches, and most of a query's time on the memory backend went there. Here one mapping is
    extended and taken back as the patterns are matched, and a solution is made only for a
    complete match: the same solutions, with their variables in the same order, in the same
    sequence (the patterns in rdflib's order, the same ``graph.triples`` calls in the same
    order, values compared as rdflib does). Registered in ``CUSTOM_EVALS`` with
    :func:`_hash_join`; every other part is left to rdflib (``NotImplementedError``)."""
    if part.name != "BGP":
        raise NotImplementedError
    # as rdflib orders them: the patterns with the fewest unbound terms first
    return _bgp_solutions(ctx, sorted(part.triples, key=lambda t: len([n for n in t if ctx[n] is None])))


def _bgp_solutions(ctx: Any, patterns: list[tuple[Any, Any, Any]]) -> Iterator[Any]:
    from rdflib.paths import Path as PropertyPath
    from rdflib.plugins.sparql.sparql import FrozenBindings
    from rdflib.term import BNode, Variable

    memory = _memory_triples(ctx.graph)
    solution = dict(ctx.bindings)  # rdflib's bindings: variables (and blank nodes, its labels) -> terms
    last = len(patterns)
    # which terms of each pattern are variables (rdflib reads a blank node as one too)
    variable = [tuple(isinstance(t, (BNode, Variable)) for t in pattern) for pattern in patterns]
    # where each pattern's triples are read: a property path is evaluated by the graph
    readers = [ctx.graph.triples if memory is None or isinstance(p, PropertyPath) else memory
               for _, p, _ in patterns]

    def match(i: int) -> Iterator[Any]:
        if i == last:
            yield FrozenBindings(ctx, solution)
            return
        pattern = s, p, o = patterns[i]
        vs, vp, vo = variable[i]
        triples = readers[i]
        # each term of the pattern, or its value when it is a bound variable (None: unbound)
        given = (solution.get(s) if vs else s, solution.get(p) if vp else p, solution.get(o) if vo else o)
        if given[0] is not None and given[1] is not None and given[2] is not None:
            for _ in triples(given):
                yield from match(i + 1)
            return
        for found in triples(given):
            added = []
            for term, value, new in zip(pattern, given, found, strict=True):
                if value is not None:
                    continue
                if term not in solution:
                    solution[term] = new
                    added.append(term)
                elif solution[term] != new:  # a variable twice in the pattern, two values
                    break
            else:
                yield from match(i + 1)
            for term in added:
                del solution[term]

    return match(0)


def _memory_triples(graph: Any) -> Callable[[tuple[Any, Any, Any]], Iterable[tuple[Any, Any, Any]]] | None:
    """``graph.triples`` for a plain pattern (no property path) read from the indexes of
    rdflib's Memory store when ``graph`` is the store's only graph; else None.

    rdflib's ``Memory.triples`` checks and describes the graphs of each triple it finds, more
    than half of a look-up's time, all of it idle when the store holds one graph. The
    triples come in its order (the same indexes, read the same way)."""
    import rdflib
    from rdflib.plugins.stores.memory import Memory

    store = graph.store
    if type(graph) is not rdflib.Graph or type(store) is not Memory:
        return None
    identifier = graph.identifier
    # rdflib keeps the graphs of a triple only when they are not those of the store's first
    # triple: with none kept, each triple is in this graph if the first one is
    state = vars(store)  # its indexes are private: s -> p -> o, p -> o -> s, o -> s -> p
    names = ("_Memory__defaultContexts", "_Memory__tripleContexts", "_Memory__spo", "_Memory__pos", "_Memory__osp")
    if not all(name in state for name in names):  # another rdflib's layout: read as rdflib reads
        return None
    contexts, kept, spo, pos, osp = (state[name] for name in names)
    if kept or not contexts or f"{type(identifier).__name__}:{identifier}" not in contexts:
        return None

    def triples(pattern: tuple[Any, Any, Any]) -> Iterable[tuple[Any, Any, Any]]:
        s, p, o = pattern
        if s is not None:
            by_p = spo.get(s)
            if by_p is None:
                return ()
            if p is not None:
                by_o = by_p.get(p)
                if by_o is None:
                    return ()
                if o is not None:
                    return (pattern,) if o in by_o else ()
                return [(s, p, x) for x in list(by_o)]
            if o is not None:
                return [(s, x, o) for x in list(by_p) if o in by_p[x]]
            return [(s, x, y) for x in list(by_p) for y in list(by_p[x])]
        if p is not None:
            by_o = pos.get(p)
            if by_o is None:
                return ()
            if o is not None:
                return [(x, p, o) for x in list(by_o[o])] if o in by_o else ()
            return [(y, p, x) for x in list(by_o) for y in list(by_o[x])]
        if o is not None:
            by_s = osp.get(o)
            if by_s is None:
                return ()
            return [(x, y, o) for x in list(by_s) for y in list(by_s[x])]
        return graph.triples(pattern)

    return triples


@functools.cache
def _install_hash_join() -> None:
    from rdflib.plugins.sparql import CUSTOM_EVALS

    CUSTOM_EVALS["igegraph_hash_join"] = _hash_join
    CUSTOM_EVALS["igegraph_bgp"] = _bgp


def graph_query(graph: "rdflib.Graph", text: str, bindings: Mapping[Any, Any],
                own_engine: bool = False) -> "Result":
    """``graph.query(text, initBindings=bindings)`` (with ``own_engine``, by rdflib's engine even
    over a store with its own). Where rdflib's engine evaluates, each distinct query text is
    parsed once per set of prefixes: its pyparsing parser takes 20-50 ms for the queries of a
    projection or a fetch, often more than evaluating them on a small graph, and a
    traversal or a projection runs the same few texts on graph after graph."""
    from rdflib.plugins.stores.memory import Memory, SimpleMemory

    if own_engine or isinstance(graph.store, (Memory, SimpleMemory)):
        _install_hash_join()
        query = _prepared(text, tuple(graph.namespaces()))
        return graph.query(query, initBindings=dict(bindings), use_store_provided=False)
    return graph.query(text, initBindings=dict(bindings))


#: Most shipped files (by path and content) kept parsed for :class:`MemoryBackend`.
PARSED_KEEP = 64


@functools.lru_cache(maxsize=PARSED_KEEP)
def _parsed(path: Path, content: bytes) -> tuple[tuple[tuple[Any, Any, Any], ...], bool]:
    """The triples of one shipped file, parsed by rdflib once per content (``content`` is the
    key: an edited file is parsed again), and whether any holds a blank node."""
    import rdflib

    from ..kg import parse_into

    graph = rdflib.Graph()
    parse_into(graph, path, "memory")
    triples = tuple(graph)
    return triples, any(isinstance(t, rdflib.BNode) for s, _p, o in triples for t in (s, o))


def _add_parsed(graph: "rdflib.Graph", path: Path, content: bytes) -> None:
    """Add a shipped file's triples to ``graph`` from :func:`_parsed`, each blank node renamed
    to a new one: two graphs never share a blank node, as two parses would not."""
    from rdflib import BNode

    triples, blank = _parsed(path, content)
    if not blank:
        graph.addN((s, p, o, graph) for s, p, o in triples)
        return
    fresh: dict[Any, Any] = {}

    def renamed(t: Any) -> Any:
        if isinstance(t, BNode):
            found = fresh.get(t)
            if found is None:
                found = fresh[t] = BNode()
            return found
        return t

    graph.addN((renamed(s), p, renamed(o), graph) for s, p, o in triples)


#: Most graph contents a process keeps a :func:`_filled` template of (or remembers seeing once).
MEMORY_TEMPLATES = 8
#: Largest graph (in triples) kept as a :func:`_filled` template.
TEMPLATE_TRIPLES = 50_000
# content key -> its template graph, or None when seen once; most recently used last
_TEMPLATES: "Recent[Hashable, rdflib.Graph | None]" = Recent(MEMORY_TEMPLATES)
#: The instance attributes of rdflib's Memory store that :func:`_copy_memory` copies (or leaves,
#: as a new store has them): a store with others is of a Memory this module does not know.
MEMORY_FIELDS = frozenset({"identifier", "dispatcher", "_Store__node_pickler"} | {f"_Memory__{name}" for name in (
    "spo", "pos", "osp", "namespace", "prefix", "context_obj_map", "tripleContexts", "contextTriples",
    "all_contexts", "defaultContexts")})


def _memory_state(graph: "rdflib.Graph") -> dict[str, Any] | None:
    """The attributes of ``graph``'s store when it is rdflib's Memory as :func:`_copy_memory`
    knows it (its own, not a subclass, nothing added: a KnowledgeGraph's watch on it, say)."""
    from rdflib.plugins.stores.memory import Memory

    store = graph.store
    if type(store) is not Memory or vars(store).keys() != MEMORY_FIELDS:
        return None
    return vars(store)


def _copy_index(index: dict[Any, dict[Any, dict[Any, int]]]) -> dict[Any, dict[Any, dict[Any, int]]]:
    return {a: {b: c.copy() for b, c in bc.items()} for a, bc in index.items()}


def _copy_memory(source: "rdflib.Graph", target: "rdflib.Graph") -> bool:
    """Make the empty graph ``target`` hold ``source``'s triples, both on rdflib's Memory store,
    by copying the store's indexes (a quarter of the time of adding each triple, which is
    nearly all Python: an event, three indexes, the context records). The copy is the store
    the adds would make, in the same order (checked by the tests, on the rdflib installed).

    Returns False, changing nothing, when a store is not rdflib's Memory as this function
    knows it, ``target`` is not empty, or ``source`` holds triples of another graph or quoted
    ones: the caller then adds the triples.
    """
    src, dst = _memory_state(source), _memory_state(target)
    if src is None or dst is None or len(target) or dst["_Memory__defaultContexts"] is not None:
        return False
    # rdflib's name of each graph in its store
    mine = target.store._Memory__ctx_to_str(target)  # type: ignore[attr-defined]
    theirs = source.store._Memory__ctx_to_str(source)  # type: ignore[attr-defined]
    triples = src["_Memory__contextTriples"]
    if src["_Memory__defaultContexts"] is None:  # nothing added yet
        return not triples[None]
    if src["_Memory__tripleContexts"] or triples.keys() != {None, theirs} \
            or src["_Memory__defaultContexts"] != {theirs: False, None: False} \
            or src["_Memory__all_contexts"] != {source} or len(triples[None]) != len(triples[theirs]):
        return False
    for name in ("spo", "pos", "osp"):
        dst[f"_Memory__{name}"] = _copy_index(src[f"_Memory__{name}"])
    # a copy of a set iterates as a copy of the set the adds make (the graph's iteration order)
    dst["_Memory__contextTriples"] = {None: triples[None].copy(), mine: triples[theirs].copy()}
    dst["_Memory__defaultContexts"] = {mine: False, None: False}
    dst["_Memory__all_contexts"] = {target}
    return True


@gc_paused  # the indexes are thousands of small dicts and sets
def fill_memory(graph: "rdflib.Graph", triples: Iterable[tuple[Any, Any, Any]]) -> bool:
    """Make the empty graph ``graph``, on rdflib's Memory store, hold ``triples`` by building
    the store's indexes directly: the store the adds would make, in the same order (checked by
    the tests, on the rdflib installed), in about a third of the time (``Memory.add`` is all
    Python: an event, three indexes, the context records for each triple).

    Returns False, having read nothing of ``triples``, when the store is not rdflib's Memory as
    this module knows it (see :func:`_memory_state`) or ``graph`` is not empty: the caller then
    adds the triples.

    >>> import rdflib
    >>> a = rdflib.URIRef("urn:a")
    >>> graph = rdflib.Graph()
    >>> fill_memory(graph, [(a, a, a), (a, a, a)]), list(graph) == [(a, a, a)]
    (True, True)
    """
    state = _memory_state(graph)
    if state is None or state["_Memory__spo"] or state["_Memory__defaultContexts"] is not None:
        return False
    spo, pos, osp = (state[f"_Memory__{name}"] for name in ("spo", "pos", "osp"))
    default: set[tuple[Any, Any, Any]] = state["_Memory__contextTriples"][None]
    named: set[tuple[Any, Any, Any]] = set()
    for triple in triples:
        s, p, o = triple
        objects = spo.setdefault(s, {}).setdefault(p, {})
        if o in objects:
            continue
        objects[o] = 1
        pos.setdefault(p, {}).setdefault(o, {})[s] = 1
        osp.setdefault(o, {}).setdefault(s, {})[p] = 1
        default.add(triple)
        named.add(triple)
    if named:
        mine = graph.store._Memory__ctx_to_str(graph)  # type: ignore[attr-defined]  # rdflib's name of the graph
        state["_Memory__contextTriples"][mine] = named
        state["_Memory__defaultContexts"] = {mine: False, None: False}
        state["_Memory__all_contexts"].add(graph)
    return True


@gc_paused  # the copies are thousands of small dicts and sets
def _filled(graph: "rdflib.Graph", key: Hashable | None, fill: Callable[["rdflib.Graph"], None]) -> None:
    """``fill(graph)``, an empty graph of rdflib's Memory store; the second time a process
    fills a graph with the content named ``key`` (None: one not to keep), it keeps a copy of
    the result (a template, up to :data:`TEMPLATE_TRIPLES` triples) and later graphs of that
    content are copies of it (:func:`_copy_memory`): each CLI command run in a test process
    loads the same graph again. ``fill`` must give the same triples in the same order each
    time for one key."""
    import rdflib

    template = None if key is None else _TEMPLATES.get(key)
    if template is not None and _copy_memory(template, graph):
        return
    fill(graph)
    if key is None or len(graph) > TEMPLATE_TRIPLES:
        return
    made = None
    if key in _TEMPLATES:  # seen once before: keep a template now
        made = rdflib.Graph()
        if not _copy_memory(graph, made):
            return
    _TEMPLATES.put(key, made)


@functools.lru_cache(maxsize=PARSED_KEEP)
def _shipped_nquads(path: Path, content: bytes) -> bytes | None:
    """A shipped Turtle file's triples as N-Quads, in the order its parse adds them, made once
    per content (the key: an edited file is parsed again). Loading them gives the store the
    parse would (same triples, same order) in a quarter of the time. None when the file is not
    plain Turtle that parses, or holds a blank node (a parse makes new ones each time, a copy
    would not): :func:`igegraph.kg.parse_into` then parses it, and reports what is wrong."""
    import pyoxigraph as ox

    from ..inputs import check_offline
    from ..kg import rdf_format

    try:
        if rdf_format(path) != "turtle":
            return None
        check_offline(path, content.decode("utf-8"), "turtle")
        quads = list(ox.parse(input=content, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    except Exception:  # any failure is the parser's to report
        return None
    if any(not isinstance(t, ox.NamedNode | ox.Literal) for q in quads for t in (q.subject, q.object)):
        return None
    return cast(bytes, ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def _bound(graph: "rdflib.Graph") -> "rdflib.Graph":
    from ..vocab import PREFIXES

    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


class MemoryBackend:
    """rdflib's pure-Python Memory store."""

    name = "memory"
    remote = False
    #: whole graphs of this backend are kept in the on-disk cache (see :mod:`igegraph.cache`)
    cacheable = True

    def __repr__(self) -> str:
        return f"<backend {self.name}>"

    def parser_format(self, fmt: str) -> str:
        """The rdflib parser to use for a file of rdflib format ``fmt``."""
        return fmt

    def new_graph(self) -> "rdflib.Graph":
        import rdflib

        return _bound(rdflib.Graph())

    def load_files(self, graph: "rdflib.Graph", paths: Iterable[Path]) -> None:
        """Parse ``paths`` into ``graph``; shipped files are parsed once per process and added
        from that copy after it (see :meth:`_add_shipped`)."""
        from ..kg import parse_into
        from ..resources import curated_files

        shipped = set(curated_files())
        paths = [Path(p) for p in paths]
        if paths and all(p in shipped for p in paths) and self._add_shipped(graph, paths):
            return
        for path in paths:
            if not (path in shipped and self._add_shipped(graph, [path])):
                parse_into(graph, path, self)

    def _add_shipped(self, graph: "rdflib.Graph", paths: list[Path]) -> bool:
        """Add shipped files' triples from this process's parse of each (rdflib's Turtle parser
        took about 0.25 s of each load of the curated graph, a copy takes 0.06-0.07 s), into an
        empty graph from a template of them all when the process has loaded them before
        (:func:`_filled`); False when the files must be parsed instead."""
        contents = [path.read_bytes() for path in paths]
        if any(_parsed(path, content)[1] for path, content in zip(paths, contents, strict=True)):
            key = None  # blank nodes: each load has new ones, a copy would not
        else:
            key = ("shipped", tuple(zip(paths, contents, strict=True)))

        def fill(into: "rdflib.Graph") -> None:
            for path, content in zip(paths, contents, strict=True):
                _add_parsed(into, path, content)

        if len(graph):
            fill(graph)
        else:
            _filled(graph, key, fill)
        return True

    def load(self, data: Iterable[str | Path] = (), *, curated: bool = True, allow_vocabulary_changes: bool = False,
             lenient: bool = False) -> "KnowledgeGraph":
        from ..kg import load_files

        return load_files(self, data, curated=curated, allow_vocabulary_changes=allow_vocabulary_changes,
                          lenient=lenient)

    def query(self, graph: "rdflib.Graph", text: str, bindings: Mapping[Any, Any],
              timeout: float | None = None) -> "Result":
        return graph_query(graph, text, bindings)

    def dump(self, graph: "rdflib.Graph") -> bytes:
        return graph.serialize(format="nt", encoding="utf-8")

    def restore(self, body: bytes) -> "rdflib.Graph":
        import pyoxigraph as ox

        def fill(graph: "rdflib.Graph") -> None:
            # equal terms become one object, as the parser makes them
            term = _restore_reader(body, plain_strings=True)
            quads = ox.parse(body, format=ox.RdfFormat.N_QUADS, lenient=True)  # what dump() wrote
            graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)

        graph = self.new_graph()
        # the same entry restored again is a copy (its blank nodes keep their labels either way)
        _filled(graph, ("restored", body) if len(body) <= SHARED_DUMP else None, fill)
        return graph

    def serialize(self, graph: "rdflib.Graph", fmt: str) -> bytes:
        return graph.serialize(format=fmt, encoding="utf-8")

    def subgraph(self, graph: "rdflib.Graph", construct: str, bindings: Mapping[Any, Any]) -> "rdflib.Graph":
        out = self.new_graph()
        found = cast("Iterable[tuple[Any, Any, Any]]", self.query(graph, construct, bindings))
        out.addN((s, p, o, out) for s, p, o in found)
        return out


class OxigraphBackend(MemoryBackend):
    """rdflib over an embedded, in-memory Oxigraph store (fast; the default)."""

    name = "oxigraph"

    def parser_format(self, fmt: str) -> str:
        return f"ox-{fmt}"

    def new_graph(self) -> "rdflib.Graph":
        import pyoxigraph as ox

        return oxigraph_graph(ox.Store())

    def _add_shipped(self, graph: "rdflib.Graph", paths: list[Path]) -> bool:
        """Load shipped files' triples from the N-Quads of this process's parse of each (see
        :func:`_shipped_nquads`: Oxigraph's parser is faster than a copy of rdflib's triples)."""
        import pyoxigraph as ox

        database = database_of(graph)
        if database is None:
            return False
        bodies = [_shipped_nquads(path, path.read_bytes()) for path in paths]
        if any(body is None for body in bodies):
            return False
        for body in bodies:
            # straight into the store, as the parser loads it (no store method changes it)
            database.load(input=body, format=ox.RdfFormat.N_QUADS, lenient=True)
        return True

    def query(self, graph: "rdflib.Graph", text: str, bindings: Mapping[Any, Any],
              timeout: float | None = None) -> "Result":
        try:
            return graph_query(graph, text, bindings)
        except (ValueError, SyntaxError, TypeError, RuntimeError):
            if not bindings:
                raise
            # Oxigraph refuses substitutions of variables outside the SELECT clause: evaluate
            # with rdflib's own engine over the same store instead.
            return graph_query(graph, text, bindings, own_engine=True)

    def dump(self, graph: "rdflib.Graph") -> bytes:
        import pyoxigraph as ox

        database = database_of(graph)
        if database is None:  # a graph some other code made: rdflib's writer
            return super().dump(graph)
        return cast(bytes, database.dump(format=ox.RdfFormat.N_QUADS))  # bytes without an output

    def restore(self, body: bytes) -> "rdflib.Graph":
        """The graph of ``body`` (what :meth:`dump` wrote). Restored before in this process,
        it is loaded only when first used: a CLI command that answers from the entry's kept
        values (or fails first) never needs the triples, and loading them is most of a
        restore (about 13 ms for the curated graph)."""
        read = _restore_reader(body)
        if len(body) <= SHARED_DUMP:
            known = _RESTORED.get(body)
            if known is not None:
                return oxigraph_graph(None, read, pending=(body, known[0]))
        database = _loaded(body)
        if len(body) <= SHARED_DUMP:
            # what a pending graph of the same bytes counts before it is loaded: the same
            # store's count, when it has no named graph (whose count needs the store)
            _RESTORED.put(body, (len(database) if next(iter(database.named_graphs()), None) is None else None,))
        return oxigraph_graph(database, read)


#: Most cache entries (their N-Quads) a process remembers restoring (see :meth:`OxigraphBackend.restore`).
RESTORED_KEEP = 8
# N-Quads restored in this process -> (their store's triple count, or None: it has named graphs)
_RESTORED: "Recent[bytes, tuple[int | None]]" = Recent(RESTORED_KEEP)


def _loaded(body: bytes) -> "ox.Store":
    """A new in-memory Store holding the N-Quads of a cache entry (what :meth:`OxigraphBackend.dump` wrote)."""
    import pyoxigraph as ox

    database = ox.Store()
    database.load(input=body, format=ox.RdfFormat.N_QUADS, lenient=True)
    return database


class StoreBackend(OxigraphBackend):
    """A persistent store directory (see :mod:`igegraph.store`), opened read-only.

    Graphs it makes (for entailments, merges) are in-memory Oxigraph graphs; the store on
    disk is never written.
    """

    name = "store"
    cacheable = False

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"<backend store {self.directory}>"

    def load(self, data: Iterable[str | Path] = (), *, curated: bool = True, allow_vocabulary_changes: bool = False,
             lenient: bool = False) -> "KnowledgeGraph":
        """Open the store, merging ``data`` into an in-memory copy (see :func:`igegraph.store.open_store`)."""
        from ..store import open_store

        return open_store(self.directory, data, allow_vocabulary_changes=allow_vocabulary_changes, lenient=lenient)
