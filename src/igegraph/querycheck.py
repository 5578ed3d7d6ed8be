"""Checking a SPARQL query before it runs: the exact text, its kind, its variables, refusals.

SPARQL's ``\\uXXXX`` escapes are replaced before anything else (the grammar says they are
processed before parsing), and the engines then run that same text, so the check judges
exactly what executes: a ``SERVICE`` hidden by escapes is seen. Refused: updates, ``SERVICE``
and ``FROM`` without ``allow_network``, undeclared prefixes, queries too deeply nested for the
parsers and texts over :data:`MAX_QUERY_CHARS`.

Examples
--------
>>> check_query("ASK { ?s ?p ?o }")
'ASK'
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any

from .errors import QueryError
from .recent import Recent

__all__ = ["check_query", "checked", "unescape_codepoints", "caret", "MAX_QUERY_CHARS"]


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


# \uXXXX and \UXXXXXXXX, exactly as the SPARQL grammar defines them (19.2), and any
# backslash-u sequence a second pass (rdflib re-expands, case-insensitively) would change
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ANY_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
#: Longest query text accepted, in characters.
MAX_QUERY_CHARS = 1_000_000


def unescape_codepoints(text: str) -> str:
    r"""Replace SPARQL's ``\u`` / ``\U`` code point escapes, as the grammar does before parsing.

    Both engines then run this text, so the safety check judges what they execute. Escapes
    that spell another escape (``\u005Cu0053``) are refused: engines disagree on them.

    >>> unescape_codepoints(r"SELECT * { ?s ?p \u0022x\u0022 }")
    'SELECT * { ?s ?p "x" }'
    >>> unescape_codepoints(r"\u005Cu0053ERVICE")
    Traceback (most recent call last):
    ...
    igegraph.errors.QueryError: a \u escape in the query spells another escape; write the character itself
    """
    def one(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise QueryError(f"{m.group(0)} is not a Unicode character; write the character itself")
        return chr(code)

    out = _CODEPOINT.sub(one, text)
    if out != text and _ANY_ESCAPE.search(out):
        raise QueryError("a \\u escape in the query spells another escape; write the character itself")
    if malformed := _ANY_ESCAPE.search(out):  # only malformed ones (\U with 4 digits) can be left
        raise QueryError(f"malformed escape {malformed.group(0)}: use \\uXXXX or \\UXXXXXXXX")
    return out


def _variables(tree: Any) -> frozenset[str]:
    """The names of every variable a parsed query mentions."""
    from rdflib import Variable

    found: set[str] = set()
    seen: set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Variable):
            found.add(str(node))
        elif (isinstance(node, (dict, list, tuple)) or type(node).__name__ == "ParseResults") and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return frozenset(found)


# rdflib's SPARQL grammar is a pyparsing grammar, which is not thread-safe: concurrent parses
# (a server's threads) fail with spurious TypeErrors or parse errors, so they take turns
_PARSE_LOCK = threading.Lock()


@cache
def prime_parser() -> None:
    """Have pyparsing prepare rdflib's SPARQL grammar in this process, once.

    pyparsing "streamlines" a grammar on its first parse (about 40 ms here), and compiles each
    token's regular expression the first time that token is tried (5-12 ms for the ones an
    ordinary query tries: prefixed names and variables match large Unicode ranges). A query
    with a timeout is parsed in a worker forked for it (see :mod:`igegraph.worker`), so without
    this every such query paid both again; call it before forking and the workers inherit the
    prepared grammar. The user's query itself is still parsed in the worker, under the timeout.

    >>> prime_parser()
    """
    from pyparsing import Regex
    from rdflib.plugins.sparql.parser import QueryUnit, UpdateUnit, parseQuery

    with _PARSE_LOCK:
        parseQuery("ASK {}")
        seen: set[int] = set()
        stack = [QueryUnit, UpdateUnit]
        while stack:
            element = stack.pop()
            if id(element) not in seen:
                seen.add(id(element))
                if isinstance(element, Regex):
                    element.re  # noqa: B018 - compiled on first access, kept on the element
                stack.extend(element.recurse())


#: Most checked queries whose rdflib algebra is kept (see :func:`checked_algebra`).
ALGEBRA_KEEP = 512
# query text -> the algebra its check made
_ALGEBRA: Recent[str, Any] = Recent(ALGEBRA_KEEP)


def checked_algebra(text: str) -> Any:
    """rdflib's algebra (a prepared ``Query``) of a query this process checked, or None.

    The check parses and translates the query as rdflib's engine would for any graph (a
    query that uses a prefix it does not declare is refused), so the memory backend takes
    this one instead of parsing the text a second time (pyparsing: 20-50 ms a query). None
    for a text not checked here lately, and for one with ``SERVICE``: rdflib writes the
    service's request with the prefixes of the graph it runs on.

    >>> _ = check_query("ASK { ?s ?p ?o }")
    >>> checked_algebra("ASK { ?s ?p ?o }").algebra.name
    'AskQuery'
    """
    return _ALGEBRA.get(text)


def _keep_algebra(text: str, query: Any) -> None:
    query._original_args = (text, {}, None)  # as rdflib's prepareQuery leaves it
    _ALGEBRA.put(text, query)


@lru_cache(maxsize=512)  # a verdict depends only on the text: repeated queries skip the parse
def _checked(text: str, allow_network: bool) -> tuple[str, frozenset[str]]:
    """The kind of an unescaped query and its variables; QueryError if it is refused."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not re.sub(r"(?i)PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>|#[^\n]*", "", text).strip():
        raise QueryError("empty query: give a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    try:
        try:
            with _PARSE_LOCK:
                tree = parseQuery(text)
        except ParseException as exc:
            try:
                with _PARSE_LOCK:
                    parseUpdate(text)
            except ParseException:
                raise QueryError(f"malformed SPARQL: {_expected(text, exc)}", exc.lineno, exc.col,
                                 caret(exc.line, exc.col)) from None
            raise QueryError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR …) are refused: "
                             "igegraph queries are read-only") from None
        kind = ""
        service = False
        nodes = list(_walk(tree))
        for node in nodes:
            if node.name in {"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"} and not kind:
                kind = node.name[: -len("Query")].upper()
            service = service or node.name == "ServiceGraphPattern"
            if allow_network:
                continue
            if node.name == "ServiceGraphPattern":
                raise QueryError("SERVICE reaches the network and is refused; "
                                 "pass --allow-network (allow_network=True) to permit it")
            if node.name == "DatasetClause":
                raise QueryError("FROM / FROM NAMED load graphs from the network and are refused; "
                                 "pass --allow-network (allow_network=True) to permit it")
        if not kind:
            raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        # rdflib's translation knows some thirty prefixes of its own (schema:, foaf:, dc: …), so a
        # query using one it never declared would run, against IRIs the user did not choose, and
        # answer nothing: each prefix must be declared by the query or be one of the project's
        declared = {_prefix(node) for node in nodes if node.name == "PrefixDecl"}
        for node in nodes:
            if node.name == "pname" and _prefix(node) not in declared:
                raise _undeclared_prefix(text, _prefix(node))
        try:
            query = translateQuery(tree)  # errors the grammar lets through
        except RecursionError:
            raise
        except Exception as exc:
            raise QueryError(f"malformed SPARQL: {_first_line(exc)}") from None
        if not service:
            _keep_algebra(text, query)
        return kind, _variables(tree)
    except RecursionError:
        raise QueryError("the query is nested too deeply (groups, or a long chain of UNIONs); simplify it") from None


def _prefix(node: Any) -> str:
    """The prefix of a parsed PREFIX declaration or prefixed name ("" for the empty prefix;
    CompValue.get would answer a missing key with the key's own name)."""
    return str(node["prefix"]) if "prefix" in node else ""


_QUERY_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE",
                "AskQuery": "ASK"}


def _expected(text: str, exc: Any) -> str:
    """What the parser expected where it stopped, in plain words, and what it found there.

    The grammar names only the production that failed (``Expected SelectQuery``), so the
    words come from where it failed and from brackets or quotes left open.

    >>> from pyparsing import ParseException
    >>> from rdflib.plugins.sparql.parser import parseQuery
    >>> q = "SELECT ?x WHERE { ?x rdfs:label }"
    >>> try:
    ...     parseQuery(q)
    ... except ParseException as exc:
    ...     print(_expected(q, exc))
    expected a triple pattern (subject, predicate and object, each pattern ending with '.' or '}'),
    or FILTER, OPTIONAL, BIND, VALUES, UNION or a '{ }' group; found '?x rdfs:label }'
    """
    rest = exc.line[exc.col - 1:].strip() if exc.line else ""
    lines_after = text[exc.loc:].strip()
    found = f"found '{rest[:40]}{'…' if len(rest) > 40 else ''}'" if lines_after else "found the end of the query"
    name = str(exc.msg).removeprefix("Expected ").strip()
    if name == "end of text":
        return (f"expected the end of the query here, or a complete GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or "
                f"VALUES clause; {found}")
    if name.startswith("{") or name not in _QUERY_FORMS:
        return f"expected SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE lines); {found}"
    form = _QUERY_FORMS[name]
    body = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*', "", text)  # strings, IRIs, comments
    if re.search(r'(?<![<\w])["\']', body):
        return f"a string literal is not closed (a quote \" or \' has no partner); {found}"
    for opening, closing in (("{", "}"), ("(", ")")):
        if body.count(opening) > body.count(closing):
            return f"a '{opening}' is never closed with '{closing}'; {found}"
        if body.count(closing) > body.count(opening):
            return f"a '{closing}' has no '{opening}' before it; {found}"
    if not lines_after:
        return f"the {form} query ends before it is complete; {found}"
    if form == "SELECT" and "{" in text and exc.loc < text.index("{"):
        return f"expected variables, '*' or '(expression AS ?name)' in the SELECT clause, then WHERE {{ … }}; {found}"
    return ("expected a triple pattern (subject, predicate and object, each pattern ending with '.' or '}'), "
            f"or FILTER, OPTIONAL, BIND, VALUES, UNION or a '{{ }}' group; {found}")


def caret(line: str, column: int, width: int = 100) -> str:
    """A query line and a caret under a column (1-based), both indented two spaces; a long
    line is cut around the column.

    >>> print(caret("SELECT ?x WHERE { ?x rdfs:label }", 19))
      SELECT ?x WHERE { ?x rdfs:label }
                        ^
    """
    line = line.replace("\t", " ").rstrip("\n")
    start = 0 if len(line) <= width else min(max(0, column - 1 - width // 2), len(line) - width)
    shown = line[start:start + width]
    lead = "…" if start else ""
    return f"  {lead}{shown}{'…' if start + width < len(line) else ''}\n  {' ' * (len(lead) + column - 1 - start)}^"


# strings, IRIs and comments: where text that looks like a prefix is none
_NOT_CODE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                       r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*')


def _prefix_used(text: str, prefix: str) -> re.Match | None:
    """Where ``prefix:`` is first used as a whole prefix (not the end of a longer name), outside
    strings, IRIs and comments."""
    code = _NOT_CODE.sub(lambda s: re.sub(r"[^\n]", " ", s.group(0)), text)  # newlines kept: lines stay lines
    return re.search(rf"(?<![\w.:?$@\\-]){re.escape(prefix)}:", code)


def _undeclared_prefix(text: str, prefix: str) -> QueryError:
    """The error for a prefix ("" the empty one) no PREFIX declares: where it is first used and
    the prefixes that are predeclared.

    >>> e = _undeclared_prefix("ASK { ?s nope:p ?o }", "nope")
    >>> e.message.split(";")[0], e.line, e.column
    ("malformed SPARQL: the prefix 'nope:' is not declared", 1, 10)
    >>> print(e.excerpt)
      ASK { ?s nope:p ?o }
             ^
    """
    from .errors import shorten
    from .vocab import PREFIXES

    where = _prefix_used(text, prefix)
    name = f"the prefix '{shorten(prefix)}:'" if prefix else "the empty prefix ':'"
    message = (f"malformed SPARQL: {name} is not declared; declare it (PREFIX {shorten(prefix)}: <IRI>) or use a "
               f"predeclared prefix ({', '.join(f'{p}:' for p in PREFIXES)})")
    if where is None:
        return QueryError(message)
    start = text.rfind("\n", 0, where.start()) + 1
    end = text.find("\n", where.start())
    column = where.start() - start + 1
    return QueryError(message, text.count("\n", 0, where.start()) + 1, column,
                      caret(text[start:end if end >= 0 else len(text)], column))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:")


def _with_prefixes(text: str) -> tuple[str, int]:
    """Prepend, on one line, the project's PREFIXes the query may use (``p:`` is somewhere in
    its text) but does not declare; return text and lines added. Only those: each declaration
    is parsed (pyparsing), and all twenty were half the check of a short query (10 -> 4.6 ms).
    A prefix the text does not contain cannot be used by it, and one it names only in a string
    or an IRI is declared unused, as every prefix used to be.

    >>> _with_prefixes("ASK { ig:omalizumab ?p ?o }")[0].splitlines()
    ['PREFIX ig: <https://w3id.org/igegraph/id/>', 'ASK { ig:omalizumab ?p ?o }']
    >>> _with_prefixes("ASK { ?s ?p ?o }")
    ('ASK { ?s ?p ?o }', 0)
    """
    from .vocab import PREFIXES

    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(text)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared and f"{p}:" in text]
    return (" ".join(missing) + "\n" + text, 1) if missing else (text, 0)


def checked(text: str, allow_network: bool = False) -> tuple[str, int, str, frozenset[str]]:
    """Check a query as it will run: code point escapes replaced, the project's prefixes it uses
    and does not declare added (:func:`_with_prefixes`).

    Returns the text to run, the lines added before the user's, the query's kind and its
    variables. Errors give positions in the user's own lines.

    >>> checked("ASK { ig:omalizumab ?p ?o }")[1:3]
    (1, 'ASK')
    """
    full, added = _with_prefixes(unescape_codepoints(text))
    try:
        kind, variables = _checked(full, allow_network)
    except QueryError as exc:
        if exc.line is not None:
            raise QueryError(exc.message, max(exc.line - added, 1), exc.column, exc.excerpt) from None
        raise
    return full, added, kind, variables


def check_query(text: str, allow_network: bool = False) -> str:
    r"""Check a query and return its kind (SELECT, ASK, CONSTRUCT, DESCRIBE).

    The check runs on the text after code point escapes are replaced (see
    :func:`unescape_codepoints`), which is the text the engines execute, with the project's
    prefixes (``ige:``, ``ig:``, ``rdfs:`` …) predeclared as :func:`igegraph.sparql.run_query` has them.

    Raises
    ------
    QueryError
        Malformed (with line and column), an update, nested too deeply, or a network access
        not allowed.

    Examples
    --------
    >>> check_query("ASK { ?s ?p ?o }")
    'ASK'
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    igegraph.errors.QueryError: SERVICE reaches the network and is refused;
    pass --allow-network (allow_network=True) to permit it
    >>> check_query(r"SELECT * WHERE { \u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    igegraph.errors.QueryError: SERVICE reaches the network and is refused;
    pass --allow-network (allow_network=True) to permit it
    """
    return checked(text, allow_network)[2]
