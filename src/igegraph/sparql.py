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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import IgegraphError, QueryError, shorten
from .querycheck import MAX_QUERY_CHARS, _first_line, check_query, checked, prime_parser, unescape_codepoints
from .resources import resource_dir
from .results import RESULT_FORMATS, QueryResult, format_result
from .scales import result_footnote
from .vocab import expand_curie
from .worker import run_in_worker

if TYPE_CHECKING:
    import rdflib

    from .kg import KnowledgeGraph

__all__ = [
    "QueryResult", "NamedQuery", "Parameter", "PARAMETER_TYPES", "run_query", "check_query", "parse_binding",
    "named_queries", "named_query", "format_result", "RESULT_FORMATS", "DEFAULT_TIMEOUT",
    "query_text", "unescape_codepoints", "MAX_QUERY_CHARS",
]

DEFAULT_TIMEOUT = 30.0

T = TypeVar("T")


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
    from rdflib import Literal
    from rdflib.namespace import XSD

    text = value.strip()
    iri = _iri_term(text)
    if iri is not None:
        return iri
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
    return kg.iri(kg.resolve(text))


def _iri_term(text: str) -> "rdflib.URIRef | None":
    """``<IRI>`` or a CURIE with a known prefix as an IRI; None for anything else."""
    from rdflib import URIRef

    if text.startswith("<") and text.endswith(">"):
        if not _IRI.match(text[1:-1]):
            raise QueryError(f"{shorten(text)} is not a valid IRI")
        return URIRef(text[1:-1])
    if re.match(r"^[A-Za-z][\w.]*:\S+$", text):
        iri = expand_curie(text)
        if iri is not None:
            return URIRef(iri)
    return None


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
    full, added, kind, variables = checked(text, allow_network)
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

    return _within(kg, work, timeout)


def _within(kg: "KnowledgeGraph", work: Callable[[], T], timeout: float | None) -> T:
    """``work()`` here without a timeout or on a remote store (which enforces the timeout itself,
    the request's); else in a worker, forked after the SPARQL grammar is prepared here."""
    if timeout is None or kg.engine.remote:
        return work()
    prime_parser()
    return run_in_worker(work, timeout)


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
        out = format_result(result, fmt, kg.labels_of(_iris(result)) if labels else None)
        note = result_footnote(kg, result.rows) if fmt == "table" and result.kind == "SELECT" else ""
        return f"{out}\n\n{note}" if note else out

    return _within(kg, formatted, timeout)


# ------------------------------------------------------------------ named queries

#: The kinds of value a named query's parameter takes, and what ``--bind`` accepts for each.
PARAMETER_TYPES: dict[str, str] = {
    "entity": "an entity: label, synonym, id, CURIE or <IRI> (with a class: one of its members)",
    "phase": "a development phase (ige:DevelopmentPhase): label, synonym, CURIE or <IRI>",
    "class": "a class of the ontology (with a class: one under it): label, synonym, CURIE or <IRI>",
    "literal": "text, matched exactly",
}

# "# param: ?phase phase — the normalised development phase; example: Phase III"
_PARAM = re.compile(r"^param:\s*\?(?P<name>\w+)\s+(?P<type>\w+)(?:\s+(?P<within>[A-Za-z][\w.-]*:\w+))?"
                    r"\s+—\s+(?P<description>.+?);\s*example:\s*(?P<example>\S.*)$")
_PARAM_FORM = "'# param: ?NAME TYPE [CLASS] — DESCRIPTION; example: VALUE'"


@dataclass(frozen=True)
class Parameter:
    """A variable that a named query offers to bind, as its header declares it.

    ``type`` is one of :data:`PARAMETER_TYPES`; ``within`` (a CURIE) narrows an entity to the
    members of a class and a class to the classes under it; ``example`` is a value that gives
    answers on the curated graph.
    """

    name: str
    type: str
    description: str
    example: str
    within: str | None = None

    def term(self, kg: "KnowledgeGraph", value: str) -> "rdflib.term.Identifier":
        """The RDF term a ``--bind`` value stands for, looked up among this parameter's type only.

        >>> import igegraph
        >>> phase = named_query("cq05-table1-phases").parameters[0]
        >>> [phase.term(igegraph.load(), v).n3() for v in ("Phase III", "phase 3", "ige:PhaseIII")]
        ['<https://w3id.org/igegraph/vocab#PhaseIII>', '<https://w3id.org/igegraph/vocab#PhaseIII>', '<https://w3id.org/igegraph/vocab#PhaseIII>']
        """
        from rdflib import Literal

        text = value.strip()
        if self.type == "literal":
            quoted = text[:1] in ("'", '"')
            return parse_binding(kg, text) if quoted else Literal(text)
        text = text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in ("'", '"') else text
        if self.type == "entity":
            if self.within is None:
                return _iri_term(text) or kg.iri(kg.resolve(text))
            # as describe reads it (identifiers such as CL:0000097, plurals), if that names a member
            try:
                found = kg.iri(kg.resolve(text))
            except IgegraphError:
                found = None
            if found is not None and found in _choices(kg, self.type, self.within).labels:
                return found
        return self._candidate(kg, text)

    def _candidate(self, kg: "KnowledgeGraph", text: str) -> "rdflib.URIRef":
        """The one member (or subclass) of the parameter's class that ``text`` names."""
        from .resolve import normalize

        choices = _choices(kg, self.type, self.within)
        where = f"parameter '{self.name}'"
        iri = _iri_term(text)
        if iri is not None:
            if iri in choices.labels:
                return iri
            article = "an" if choices.kind[:1] in "aeiou" else "a"
            raise QueryError(f"{where}: {shorten(text)} is not {article} {choices.kind}; {choices.hint()}")
        key = normalize(text)
        for keys in (choices.label_keys, choices.other_keys):  # labels first, then synonyms and ids
            hits = sorted(iri for iri, found in keys.items() if key in found)
            if len(hits) == 1:
                return hits[0]
            if hits:
                labels = ", ".join(sorted(choices.labels[h] for h in hits))
                raise QueryError(f"{where}: '{shorten(text)}' names several: {labels}; use one of those")
        raise QueryError(f"{where}: no {choices.kind} is named '{shorten(text)}'; {choices.hint(text)}")

    def to_dict(self) -> dict[str, Any]:
        """Name, type, class, description and example, as ``igegraph queries --format json`` lists them."""
        return {"name": self.name, "type": self.type, "within": self.within,
                "description": self.description, "example": self.example}


@dataclass(frozen=True)
class _Choices:
    """What a phase, class or class-bound entity parameter may name."""

    kind: str  # what they are, for messages: "development phase", "class under drug or therapy"
    labels: dict  # IRI -> label
    label_keys: dict  # IRI -> normalised labels
    other_keys: dict  # IRI -> normalised synonyms (skos:altLabel) and local id

    def hint(self, text: str | None = None) -> str:
        """The end of an error: every choice when there are few, else the closest to ``text``."""
        import difflib

        labels = sorted(set(self.labels.values()), key=str.lower)
        if len(labels) <= 12:
            return f"use one of: {', '.join(labels)}"
        close = difflib.get_close_matches(text or "", labels, n=5, cutoff=0.4)
        return f"did you mean: {', '.join(close)}?" if close else f"there are {len(labels)}; try 'igegraph search'"


def _choices(kg: "KnowledgeGraph", type_: str, within: str | None) -> _Choices:
    """The members of the parameter's class (or the classes under it), read with a query so that
    any backend answers; built once per graph."""
    from collections import defaultdict

    from rdflib import URIRef

    from .resolve import normalize
    from .vocab import IGE, compact, local_name

    cls = str(IGE.DevelopmentPhase) if type_ == "phase" else expand_curie(within) if within else None
    if type_ == "class":
        pattern = "?x rdfs:subClassOf* ?c ." if cls else "?x a owl:Class . BIND(owl:Class AS ?c)"
    else:
        pattern = "?x a/rdfs:subClassOf* ?c ."
    text = (f"SELECT ?c ?x ?name ?synonym WHERE {{ {pattern} FILTER(isIRI(?x)) "
            "OPTIONAL { ?x rdfs:label ?name } OPTIONAL { ?x skos:altLabel ?synonym } }")

    def build() -> _Choices:
        labels: dict = {}
        label_keys: dict = defaultdict(set)
        other_keys: dict = defaultdict(set)
        for _, x, name, synonym in run_query(kg, text, {"c": URIRef(cls)} if cls else None).rows:
            labels.setdefault(x, local_name(str(x)))
            other_keys[x].add(normalize(local_name(str(x))))
            if name is not None:
                labels[x] = str(name)
                label_keys[x].add(normalize(str(name)))
            if synonym is not None:
                other_keys[x].add(normalize(str(synonym)))
        if type_ == "class":
            kind = f"class under {kg.label(compact(cls))}" if cls else "class"
        else:
            kind = kg.label(compact(str(cls)))
        return _Choices(kind, labels, dict(label_keys), dict(other_keys))

    return kg.derived(f"parameter choices {type_} {cls}", build)


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ``queries/``: its name, one-line title, description, text and parameters."""

    name: str
    title: str
    description: str
    text: str
    path: Path
    parameters: tuple[Parameter, ...] = ()

    @property
    def example(self) -> str:
        """A command that runs it, binding its first parameter to that parameter's example.

        >>> named_query("cq05-table1-phases").example
        "igegraph query cq05-table1-phases --bind 'phase=Phase III'"
        """
        import shlex

        command = f"igegraph query {self.name}"
        if self.parameters:
            first = self.parameters[0]
            command += f" --bind {shlex.quote(f'{first.name}={first.example}')}"
        return command

    def bind(self, kg: "KnowledgeGraph", values: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``--bind`` names against the declared parameters and look each value up by its type.

        Strings become RDF terms (:meth:`Parameter.term`); rdflib terms are kept as they are.

        >>> import igegraph
        >>> named_query("cq05-table1-phases").bind(igegraph.load(), {"phse": "Phase III"})
        Traceback (most recent call last):
        ...
        igegraph.errors.QueryError: unknown parameter 'phse' for cq05-table1-phases; its parameters are: phase
        """
        import shlex

        from rdflib.term import Identifier

        declared = {p.name: p for p in self.parameters}
        out: dict[str, Any] = {}
        for name, value in values.items():
            bare = str(name).strip().lstrip("?$")
            param = declared.get(bare)
            if param is None:
                raise QueryError(f"unknown parameter '{shorten(bare)}' for {self.name}; {self._offered()}")
            if isinstance(value, Identifier):
                out[bare] = value
            elif not str(value).strip():
                raise QueryError(f"parameter '{bare}' of {self.name} has no value; "
                                 f"write it as NAME=VALUE, e.g. {shlex.quote(f'{bare}={param.example}')}")
            else:
                out[bare] = param.term(kg, str(value))
        return out

    def _offered(self) -> str:
        if not self.parameters:
            return "it has no parameters"
        return f"its parameters are: {', '.join(p.name for p in self.parameters)}"

    def to_dict(self) -> dict[str, Any]:
        """What ``igegraph queries --format json`` lists: name, title, description, parameters, example."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": [p.to_dict() for p in self.parameters], "example": self.example}


def _parse_header(path: Path) -> NamedQuery:
    """A query file's leading comments: title, description, and ``# param:`` lines."""
    text = path.read_text(encoding="utf-8")
    comments, parameters = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        comment = line.lstrip("#").strip()
        if not comment.startswith("param:"):
            comments.append(comment)
            continue
        m = _PARAM.match(comment)
        if m is None:
            raise QueryError(f"{path.name}:{number}: malformed parameter line; write {_PARAM_FORM}")
        if m["type"] not in PARAMETER_TYPES:
            raise QueryError(f"{path.name}:{number}: unknown parameter type '{m['type']}'; "
                             f"use one of {', '.join(PARAMETER_TYPES)}")
        if m["within"] is not None and (m["type"] in ("phase", "literal") or expand_curie(m["within"]) is None):
            raise QueryError(f"{path.name}:{number}: '{m['within']}' cannot narrow a {m['type']} parameter")
        if not re.search(rf"[?$]{m['name']}\b", text.split("\n", number)[-1]):
            raise QueryError(f"{path.name}:{number}: the query has no variable ?{m['name']}")
        parameters.append(Parameter(m["name"], m["type"], m["description"], m["example"], m["within"]))
    title = comments[0] if comments else path.stem
    description = " ".join(c for c in comments[1:] if c)
    return NamedQuery(path.stem, title, description, text, path, tuple(parameters))


def named_queries() -> list[NamedQuery]:
    """The queries shipped in ``queries/``, sorted by name.

    >>> any(q.name == "cq01-ce3-binders" for q in named_queries())
    True
    """
    return list(_shipped())


@cache
def _shipped() -> tuple[NamedQuery, ...]:
    """The shipped files, read and checked once per process (they are package files)."""
    return tuple(_parse_header(p) for p in sorted(resource_dir("queries").glob("*.rq")))


def named_query(name: str) -> NamedQuery:
    """One shipped query by name (file stem); unknown names raise QueryError with suggestions."""
    import difflib

    queries = {q.name: q for q in named_queries()}
    if name in queries:
        return queries[name]
    # a prefix ("cq05") names its query better than a close spelling ("cq06-trials")
    close = [q for q in queries if q.startswith(name)][:3] or difflib.get_close_matches(name, list(queries), n=3,
                                                                                      cutoff=0.4)
    hint = f"did you mean: {', '.join(close)}?" if close else "run 'igegraph queries' to list them"
    raise QueryError(f"no named query '{name}'; {hint}")
