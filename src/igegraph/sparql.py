"""Running SPARQL safely: predeclared prefixes, bindings, timeouts, refusals, named queries.

Queries are checked before they run, on the very text the engines execute (code point escapes
``\\uXXXX`` already replaced): malformed text is reported with line and column, updates
(``INSERT``, ``LOAD`` …) are refused, and ``SERVICE`` or ``FROM <…>`` (which make the engines
open network connections) are refused unless ``allow_network=True``. Binding a variable the
query does not have is an error. Values from users are bound through the store's binding
mechanism (rdflib ``initBindings``, Oxigraph ``substitutions``), never pasted into the query
text. With a timeout, a query runs in a worker process that dies with its parent.

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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import IgegraphError, QueryError, shorten
from .querycheck import MAX_QUERY_CHARS, _checked, _first_line, check_query, unescape_codepoints
from .resources import resource_dir
from .results import RESULT_FORMATS, QueryResult, format_result
from .vocab import PREFIXES, expand_curie
from .worker import run_in_worker

if TYPE_CHECKING:
    import rdflib

    from .kg import KnowledgeGraph

__all__ = [
    "QueryResult", "NamedQuery", "run_query", "check_query", "parse_binding",
    "named_queries", "named_query", "format_result", "RESULT_FORMATS", "DEFAULT_TIMEOUT",
    "query_text", "unescape_codepoints", "MAX_QUERY_CHARS",
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


# ------------------------------------------------------------------ bindings

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]*$')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")  # BCP 47, as SPARQL's LANGTAG
_VARNAME = re.compile(r"^[A-Za-z_0-9\u00B7\u00C0-\uFFFF]+$")


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
            raise QueryError(f"{shorten(text)} is not a valid IRI")
        return URIRef(text[1:-1])
    m = re.match(r'^(["\'])(.*)\1(?:@(.*))?$', text, re.S)
    if m:
        if m.group(3) is not None and not _LANG.match(m.group(3)):
            raise QueryError(f"'{shorten(m.group(3))}' is not a language tag; write e.g. \"text\"@en or \"text\"@en-GB")
        return Literal(m.group(2), lang=m.group(3))
    if text[:1] in ("'", '"'):
        raise QueryError(f"unterminated literal {shorten(text)}; write it as \"text\" or \"text\"@en")
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


def _bound(kg: "KnowledgeGraph", bindings: Mapping[str, Any], variables: frozenset[str]) -> dict:
    """Check binding names against the query's variables and parse their values."""
    from rdflib import Variable
    from rdflib.term import Identifier

    known = ", ".join(f"?{v}" for v in sorted(variables)) or "none"
    out = {}
    for name, value in bindings.items():
        bare = str(name).lstrip("?$")
        if not _VARNAME.match(bare):
            raise QueryError(f"'{shorten(str(name))}' is not a variable name; the query's variables are {known}")
        if bare not in variables:
            raise QueryError(f"the query has no variable ?{bare} to bind; its variables are {known}")
        out[Variable(bare)] = value if isinstance(value, Identifier) else parse_binding(kg, str(value))
    return out


# ------------------------------------------------------------------ running

_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


def _with_prefixes(text: str) -> tuple[str, int]:
    """Prepend, on one line, the PREFIXes the query does not declare; return text and lines added."""
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return (" ".join(missing) + "\n" + text, 1) if missing else (text, 0)


_ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+): ")


def _engine_error(exc: BaseException, added: int) -> QueryError:
    """An engine's error as one line, with positions in the user's own lines."""
    text = _first_line(exc)
    m = _ENGINE_POSITION.match(text)
    if m:  # Oxigraph's parser: "error at LINE:COLUMN: expected one of …"
        return QueryError(f"query failed: {shorten(text[m.end():], 120)}", int(m.group(1)) - added, int(m.group(2)))
    return QueryError(f"query failed: {shorten(text, 200)}")


def _execute(kg: "KnowledgeGraph", text: str, bindings: Mapping[str, Any], kind: str, added: int,
             max_rows: int | None = None, timeout: float | None = None) -> QueryResult:
    try:
        return _collect(kg.engine.query(kg.graph, text, bindings, timeout), kind, max_rows)
    except IgegraphError:  # already one clear line (a remote store's own errors among them)
        raise
    except RecursionError:
        raise QueryError("the query is nested too deeply to evaluate; flatten it") from None
    except Exception as exc:  # evaluation errors of either engine, whatever their type
        raise _engine_error(exc, added) from None


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


def _check_and_run(kg: "KnowledgeGraph", text: str, bindings: Mapping[str, Any] | None,
                   allow_network: bool, max_rows: int | None = None, timeout: float | None = None) -> QueryResult:
    """Check a query and its bindings, then run it (all of it inside any timeout: parsing a
    pathological query can take as long as running it)."""
    full, added = _with_prefixes(unescape_codepoints(text))
    try:
        kind, variables = _checked(full, allow_network)
    except QueryError as exc:
        if exc.line is not None:
            raise QueryError(str(exc).rsplit(" at line", 1)[0], max(exc.line - added, 1), exc.column) from None
        raise
    return _execute(kg, full, _bound(kg, bindings or {}, variables), kind, added, max_rows, timeout)


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
        rdflib terms are used as they are. Always bound, never formatted into the text. A name
        that is not a variable of the query raises QueryError.
    timeout : float, optional
        Seconds before the query is stopped (QueryError); it then runs in a worker process
        (see :mod:`igegraph.worker`). None runs it here without a limit.
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
    >>> run_query(kg, "SELECT ?d WHERE { ?d ige:neutralizes ?t }", {"drug": "omalizumab"})
    Traceback (most recent call last):
    ...
    igegraph.errors.QueryError: the query has no variable ?drug to bind; its variables are ?d, ?t
    """
    def work() -> QueryResult:
        return _check_and_run(kg, text, bindings, allow_network, max_rows, timeout)

    # a remote store enforces the timeout itself (the request's); a local one runs in a worker
    return work() if timeout is None or kg.engine.remote else run_in_worker(work, timeout)


def _iris(result: QueryResult) -> set["rdflib.URIRef"]:
    """The IRIs a result shows (whose labels ``--labels`` prints)."""
    from rdflib import URIRef

    return {t for row in (result.rows or result.triples) for t in row if isinstance(t, URIRef)}


def query_text(
    kg: "KnowledgeGraph",
    text: str,
    bindings: Mapping[str, Any] | None = None,
    *,
    fmt: str = "table",
    labels: bool = False,
    timeout: float | None = None,
    allow_network: bool = False,
) -> str:
    """Run a query and format its result (:func:`format_result`), both within ``timeout``.

    The parameters are those of :func:`run_query`, plus ``fmt`` and ``labels`` (show labels
    instead of IRIs). With a timeout the formatting runs in the worker too, so a huge result
    cannot outlast it.

    >>> import igegraph
    >>> print(query_text(igegraph.load(), "ASK { ig:omalizumab ige:neutralizes ig:free_IgE }", timeout=30))
    true
    """
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format '{fmt}'; use one of {', '.join(RESULT_FORMATS)}")
    def formatted() -> str:
        result = _check_and_run(kg, text, bindings, allow_network, timeout=timeout)
        return format_result(result, fmt, kg.labels_of(_iris(result)) if labels else None)

    return formatted() if timeout is None or kg.engine.remote else run_in_worker(formatted, timeout)


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
