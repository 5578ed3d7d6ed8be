"""Running SPARQL safely: predeclared prefixes, bindings, timeouts, refusals, named queries.

Queries are checked before they run: malformed text is reported with line and column,
updates (``INSERT``, ``LOAD`` …) are refused, and ``SERVICE`` or ``FROM <…>`` (which make the
engines open network connections) are refused unless ``allow_network=True``. Values from users
are bound through the store's binding mechanism (rdflib ``initBindings``, Oxigraph
``substitutions``), never pasted into the query text.

Examples
--------
>>> import igegraph
>>> from igegraph.sparql import run_query
>>> kg = igegraph.load()
>>> r = run_query(kg, "SELECT ?l WHERE { ?d rdfs:label ?l }", bindings={"d": "omalizumab"})
>>> [str(row[0]) for row in r.rows]
['omalizumab']
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .errors import QueryError, QueryTimeout
from .results import RESULT_FORMATS, QueryResult, format_result
from .resources import resource_dir
from .vocab import PREFIXES, expand_curie

if TYPE_CHECKING:
    import rdflib

    from .kg import KnowledgeGraph

__all__ = [
    "QueryResult", "NamedQuery", "run_query", "check_query", "parse_binding",
    "named_queries", "named_query", "format_result", "RESULT_FORMATS", "DEFAULT_TIMEOUT",
]

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ``queries/``: its name, one-line title, description and text."""

    name: str
    title: str
    description: str
    text: str
    path: Path

    @property
    def parameters(self) -> list[str]:
        """The variables its header offers to bind (``# Parameter: ?cell``), in order.

        >>> named_query("cell-releases").parameters
        ['cell']
        """
        _, found, rest = self.description.partition("Parameter")
        return list(dict.fromkeys(re.findall(r"\?(\w+)", rest))) if found else []

    def to_dict(self) -> dict[str, Any]:
        """Name, title, description and parameters: what ``igegraph queries --format json`` lists."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": self.parameters}


# ------------------------------------------------------------------ checking

_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


def _walk(node: Any, seen: set[int] | None = None):
    """Every CompValue in a pyparsing parse tree."""
    seen = seen if seen is not None else set()
    if id(node) in seen:
        return
    seen.add(id(node))
    name = getattr(node, "name", None)
    if name:
        yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, seen)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value, seen)


# rdflib's SPARQL grammar is a pyparsing grammar, which is not thread-safe: concurrent parses
# (a server's threads) fail with spurious TypeErrors or parse errors, so they take turns
_PARSE_LOCK = threading.Lock()


@lru_cache(maxsize=512)  # a verdict depends only on the text: repeated queries skip the parse
def check_query(text: str, allow_network: bool = False) -> str:
    """Check a query and return its kind (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Raises
    ------
    QueryError
        Malformed (with line and column), an update, or a network access not allowed.

    Examples
    --------
    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    igegraph.errors.QueryError: SERVICE reaches the network and is refused; pass --allow-network (allow_network=True) to permit it
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not re.sub(r"(?im)^\s*(PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>|#.*)$", "", text).strip():
        raise QueryError("empty query: give a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    try:
        with _PARSE_LOCK:
            tree = parseQuery(text)
    except ParseException as exc:
        try:
            with _PARSE_LOCK:
                parseUpdate(text)
        except ParseException:
            raise QueryError(f"malformed SPARQL: {exc.msg}", exc.lineno, exc.col) from None
        raise QueryError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR …) are refused: igegraph queries are read-only") from None
    kind = ""
    for node in _walk(tree):
        if node.name in {"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"} and not kind:
            kind = node.name[: -len("Query")].upper()
        if allow_network:
            continue
        if node.name == "ServiceGraphPattern":
            raise QueryError("SERVICE reaches the network and is refused; pass --allow-network (allow_network=True) to permit it")
        if node.name == "DatasetClause":
            raise QueryError("FROM / FROM NAMED load graphs from the network and are refused; pass --allow-network (allow_network=True) to permit it")
    if not kind:
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return kind


# ------------------------------------------------------------------ bindings

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]*$')


def parse_binding(kg: "KnowledgeGraph", value: str) -> "rdflib.term.Identifier":
    """Turn a ``--bind`` value into an RDF term.

    ``<IRI>`` and CURIEs (``ig:mast_cell``, ``CL:0000097``) are IRIs; ``"text"`` (optionally
    ``"text"@en``) is a literal; numbers and true/false are typed literals; anything else is an
    entity name resolved like ``describe`` does (unknown names raise UnknownEntity).

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> str(parse_binding(kg, "Xolair"))
    'https://w3id.org/igegraph/id/omalizumab'
    >>> parse_binding(kg, '"5"').toPython()
    '5'
    """
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        if not _IRI.match(text[1:-1]):
            raise QueryError(f"{text} is not a valid IRI")
        return URIRef(text[1:-1])
    m = re.match(r'^(["\'])(.*)\1(?:@([A-Za-z-]+))?$', text, re.S)
    if m:
        return Literal(m.group(2), lang=m.group(3))
    if text[:1] in ("'", '"'):
        raise QueryError(f"unterminated literal {text}; write it as \"text\" or \"text\"@en")
    if _NUMBER.match(text):
        return Literal(text, datatype=XSD.integer if re.match(r"^[+-]?\d+$", text) else XSD.decimal)
    if text in ("true", "false"):
        return Literal(text == "true")
    if re.match(r"^[A-Za-z][\w.]*:\S+$", text):
        iri = expand_curie(text)
        if iri is not None:
            return URIRef(iri)
    node = kg.resolve(text)
    return kg.iri(node)


# ------------------------------------------------------------------ running

def _with_prefixes(text: str) -> tuple[str, int]:
    """Prepend PREFIX lines the query does not declare itself; return text and lines added."""
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return "\n".join(lines + [text]), len(lines)


def _execute(kg: "KnowledgeGraph", text: str, bindings: Mapping[str, Any], kind: str,
             max_rows: int | None = None) -> QueryResult:
    try:
        try:
            result = kg.graph.query(text, initBindings=dict(bindings))
        except (ValueError, SyntaxError, TypeError, RuntimeError):
            if kg.backend != "oxigraph" or not bindings:
                raise
            # Oxigraph refuses substitutions of variables outside the SELECT clause: evaluate
            # with rdflib's own engine over the same store instead.
            result = kg.graph.query(text, initBindings=dict(bindings), use_store_provided=False)
        return _collect(result, kind, max_rows)
    except QueryError:
        raise
    except Exception as exc:  # evaluation errors of either engine, whatever their type
        raise QueryError(f"query failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _collect(result, kind: str, max_rows: int | None = None) -> QueryResult:
    from itertools import islice

    # the kind comes from the parsed query: oxrdflib reports DESCRIBE results as CONSTRUCT
    if kind == "ASK":
        return QueryResult(kind, boolean=bool(result.askAnswer))
    # one item past the cap tells whether anything was cut; Oxigraph's rows are lazy, so a
    # capped query stops reading rows there
    stop = None if max_rows is None else max_rows + 1
    if kind == "SELECT":
        names = [str(v) for v in result.vars]
        rows = [tuple(row) for row in islice(result, stop)]
        return QueryResult(kind, vars=names, rows=rows[:max_rows], truncated=len(rows) == stop)
    triples = list(islice(result.graph, stop))
    return QueryResult(kind, triples=triples[:max_rows], truncated=len(triples) == stop)


def _run_with_timeout(func: Callable[[], QueryResult], timeout: float) -> QueryResult:
    """Run ``func`` in a forked child that is killed when ``timeout`` seconds pass.

    Neither rdflib nor pyoxigraph can interrupt an embedded query, so the query runs in a
    copy-on-write fork of this process and its result comes back through a pipe.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send(("ok", func()))
        except BaseException as exc:  # the parent re-raises it
            sender.send(("error", exc if isinstance(exc, QueryError) else QueryError(f"query failed: {exc}")))
        finally:
            sender.close()

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"query timed out after {timeout:g} s; narrow it or raise --timeout")
        status, payload = receiver.recv()
    except EOFError:
        raise QueryError("query process ended without an answer") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if status == "error":
        raise payload
    return payload


def run_query(
    kg: "KnowledgeGraph",
    text: str,
    bindings: Mapping[str, Any] | None = None,
    *,
    timeout: float | None = None,
    allow_network: bool = False,
    max_rows: int | None = None,
) -> QueryResult:
    """Run a SPARQL query on a knowledge graph.

    Parameters
    ----------
    kg : KnowledgeGraph
    text : str
        SELECT, ASK, CONSTRUCT or DESCRIBE. The project's prefixes (``ige:``, ``ig:``, ``rdfs:``,
        ``skos:``, ``obo:`` …) are predeclared.
    bindings : mapping, optional
        Variable name (without ``?``) -> value. Strings are parsed with :func:`parse_binding`;
        rdflib terms are used as they are. Always bound, never formatted into the text.
    timeout : float, optional
        Seconds before the query is stopped (QueryError). None runs it without a limit.
    allow_network : bool
        Permit SERVICE and FROM, which open network connections.
    max_rows : int, optional
        Keep at most this many rows (triples for CONSTRUCT/DESCRIBE); the result's
        ``truncated`` says whether more were found.

    Returns
    -------
    QueryResult

    Examples
    --------
    >>> import igegraph
    >>> kg = igegraph.load()
    >>> run_query(kg, "ASK { ig:omalizumab ige:neutralizes ig:free_IgE }").boolean
    True
    >>> capped = run_query(kg, "SELECT ?s WHERE { ?s a ige:Cell }", max_rows=2)
    >>> len(capped.rows), capped.truncated
    (2, True)
    """
    from rdflib import Variable
    from rdflib.term import Identifier

    full, added = _with_prefixes(text)
    try:
        kind = check_query(full, allow_network=allow_network)
    except QueryError as exc:
        if exc.line is not None:
            raise QueryError(str(exc).rsplit(" at line", 1)[0], exc.line - added, exc.column) from None
        raise
    bound = {
        Variable(name.lstrip("?$")): value if isinstance(value, Identifier) else parse_binding(kg, str(value))
        for name, value in (bindings or {}).items()
    }

    def work() -> QueryResult:
        return _execute(kg, full, bound, kind, max_rows)

    if timeout is None:
        return work()
    if timeout <= 0:
        raise QueryError(f"timeout must be positive, not {timeout:g}")
    return _run_with_timeout(work, timeout)


# ------------------------------------------------------------------ named queries

def _parse_header(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("#").strip())
    title = comments[0] if comments else path.stem
    description = " ".join(c for c in comments[1:] if c)
    return NamedQuery(path.stem, title, description, text, path)


def named_queries() -> list[NamedQuery]:
    """The queries shipped in ``queries/``, sorted by name.

    >>> any(q.name == "cq01-ce3-binders" for q in named_queries())
    True
    """
    return [_parse_header(p) for p in sorted(resource_dir("queries").glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """One shipped query by name (file stem); unknown names raise QueryError with suggestions."""
    import difflib

    queries = {q.name: q for q in named_queries()}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.4)
    hint = f"did you mean: {', '.join(close)}?" if close else "run 'igegraph queries' to list them"
    raise QueryError(f"no named query '{name}'; {hint}")
