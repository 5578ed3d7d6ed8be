"""The ``endpoint`` backend: any SPARQL 1.1 Protocol endpoint, over HTTP.

Queries are POSTed as they are (``application/x-www-form-urlencoded``); SELECT and ASK answers
are read as ``application/sparql-results+json``, CONSTRUCT and DESCRIBE ones as N-Triples or
Turtle. ``graph`` sends the ``default-graph-uri`` parameter, so a named graph acts as the
default graph. Values from users travel as a ``VALUES`` block written from validated rdflib
terms (:func:`values_clause`), never pasted raw. HTTP Basic and Digest authentication are
both answered (Virtuoso's authenticated endpoints want Digest). Every request, reading the
answer included, ends within ``timeout`` seconds.

:func:`push` uploads a graph with the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT``, or
an empty ``PUT`` and ``POST`` requests of a million triples each (``chunked``).

Examples
--------
>>> from rdflib import Literal, URIRef
>>> values_clause({"x": URIRef("https://w3id.org/igegraph/id/mast_cell"), "n": Literal('say "hi"')})
'VALUES (?x ?n) { (<https://w3id.org/igegraph/id/mast_cell> "say \\\\"hi\\\\"") }'
>>> values_clause({"x": [URIRef("urn:a"), URIRef("urn:b")]})
'VALUES (?x) { (<urn:a>) (<urn:b>) }'
>>> values_clause({"x": URIRef("urn:a b")})
Traceback (most recent call last):
...
igegraph.errors.QueryError: <urn:a b> is not an IRI a SPARQL query can hold
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import DataError, EndpointError, QueryError, shorten
from . import PASSWORD_ENV
from .local import OxigraphBackend, TermReader

if TYPE_CHECKING:
    import ssl
    from collections.abc import Generator, Iterator

    import rdflib
    from rdflib.query import Result

    from ..kg import KnowledgeGraph

__all__ = ["EndpointBackend", "values_clause", "sparql_term", "query_form", "PASSWORD_ENV", "push", "PushReport",
           "PushProgress", "push_index", "tls_context"]

_T = TypeVar("_T")
_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VARNAME = re.compile(r"^[A-Za-z_0-9\u00B7\u00C0-\uFFFF]+$")
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
#: The one column of Virtuoso 7's answer to ASK, a SELECT result: a row with 1, or no row.
_VIRTUOSO_ASK = "__ASK_RETVAL"
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


# ------------------------------------------------------------------ terms in query text


def _iri(value: str) -> str:
    if not value or _BAD_IRI.search(value):
        raise QueryError(f"<{shorten(value)}> is not an IRI a SPARQL query can hold")
    return f"<{value}>"


def sparql_term(term: Any) -> str:
    """An rdflib IRI or literal written as SPARQL (None: ``UNDEF``); anything else is refused.

    >>> from rdflib import Literal
    >>> sparql_term(Literal("FcεRI", lang="en")), sparql_term(Literal(5)), sparql_term(None)
    ('"FcεRI"@en', '"5"^^<http://www.w3.org/2001/XMLSchema#integer>', 'UNDEF')
    """
    from rdflib import Literal, URIRef

    if term is None:
        return "UNDEF"
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, Literal):
        text = '"' + "".join(_ECHAR.get(ch, ch) for ch in str(term)) + '"'
        if term.language:
            if not _LANG.match(term.language):
                raise QueryError(f"'{shorten(term.language)}' is not a language tag")
            return f"{text}@{term.language}"
        return f"{text}^^{_iri(str(term.datatype))}" if term.datatype else text
    raise QueryError(f"{shorten(repr(term))} cannot be sent to an endpoint: bind an IRI or a literal")


def values_clause(bindings: Mapping[Any, Any]) -> str:
    """A SPARQL ``VALUES`` block binding each variable to a term, or to each of a list of terms.

    Lists give one row per item (all lists the same length); a single term is repeated on
    every row. Terms are checked and escaped by :func:`sparql_term`.
    """
    names = []
    for name in bindings:
        bare = str(name).lstrip("?$")
        if not _VARNAME.match(bare):
            raise QueryError(f"'{shorten(str(name))}' is not a variable name")
        names.append(bare)
    columns = [list(v) if isinstance(v, (list, tuple, set, frozenset)) else None for v in bindings.values()]
    lengths = {len(c) for c in columns if c is not None}
    if len(lengths) > 1:
        raise QueryError("the lists of values to bind differ in length")
    count = lengths.pop() if lengths else 1
    rows = []
    for i in range(count):
        cells = [sparql_term(c[i] if c is not None else v) for c, v in zip(columns, bindings.values(), strict=True)]
        rows.append(f"({' '.join(cells)})")
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {' '.join(rows)} }}"


class _AnswerReader(TermReader):
    """A :class:`~igegraph.backends.local.TermReader` for answers of SPARQL stores, which also
    reads Virtuoso's stored booleans, written 0 and 1, as the canonical false and true."""

    def _convert(self, t: Any) -> Any:
        term = super()._convert(t)
        if getattr(t, "datatype", None) is not None and t.datatype.value == _XSD_BOOLEAN and t.value in ("0", "1"):
            return type(term)("true" if t.value == "1" else "false", datatype=term.datatype)
        return term


# ------------------------------------------------------------------ HTTP


@functools.cache
def tls_context() -> "ssl.SSLContext":
    """The TLS settings of every endpoint client of this process: certificates checked against
    certifi's CA bundle, host names checked.

    Made once, when a client first sends a request to an ``https://`` URL: loading the bundle
    costs 20-60 ms, and httpx would do it again for each client (each backend), even one that
    only ever speaks plain HTTP.

    >>> import ssl
    >>> tls_context() is tls_context(), tls_context().verify_mode == ssl.CERT_REQUIRED
    (True, True)
    """
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class _TlsTransport(httpx.BaseTransport):
    """The transport of an endpoint client's ``https://`` requests, made for the first of them:
    a command that only speaks plain HTTP (a local store) never reads the CA bundle of
    :func:`tls_context` (40-60 ms of each such process's CPU)."""

    def __init__(self) -> None:
        self._transport: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()  # requests run in threads of their own (see _within)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            if self._transport is None:
                self._transport = httpx.HTTPTransport(verify=tls_context())
        return self._transport.handle_request(request)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


@functools.cache
def _trusting_nothing() -> "ssl.SSLContext":
    """TLS settings that check certificates and host names but trust no certificate (made
    once: 2 ms)."""
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _client(auth: httpx.Auth | None) -> httpx.Client:
    """An HTTP client of the endpoint backend: redirects followed, proxy settings of the
    environment not read, ``https://`` certificates checked by :func:`tls_context`.

    Plain ``http://`` requests go through a transport whose TLS settings trust no certificate
    at all: they never use them (each URL, a redirect's too, is sent by its scheme's transport),
    and would fail, not pass, if they did.
    """
    plain = httpx.HTTPTransport(verify=_trusting_nothing())
    return httpx.Client(auth=auth, follow_redirects=True, trust_env=False, transport=plain,
                        mounts={"https://": _TlsTransport()})


class _Auth(httpx.Auth):
    """HTTP Basic or Digest, whichever the server's first challenge asks for (then kept).

    Bodies are not read into memory first (``requires_request_body`` is False): form bodies
    are bytes and push's :class:`~igegraph.backends.upload.Body` can be sent again, so a retry
    after the challenge resends them from where they are.
    """

    requires_request_body = False

    def __init__(self, user: str, password: str):
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)
        self._scheme: str | None = None

    @property
    def scheme(self) -> str | None:
        """``"basic"`` or ``"digest"`` once the server has asked for one, else None."""
        return self._scheme

    def auth_flow(self, request: httpx.Request) -> "Generator[httpx.Request, httpx.Response, None]":
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").strip().lower()
        if challenge.startswith("digest"):
            self._scheme = "digest"
            flow = self._digest.auth_flow(request)
            next(flow)
            try:
                retry = flow.send(response)
            except StopIteration:
                return
            response = yield retry
            with contextlib.suppress(StopIteration):
                flow.send(response)
        elif challenge.startswith("basic"):
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return shorten(line.strip(), 200)
    return ""


class EndpointBackend(OxigraphBackend):
    """A SPARQL 1.1 Protocol endpoint; graphs fetched from it are held in local Oxigraph graphs.

    Parameters
    ----------
    url : str
        The query URL (``http://127.0.0.1:7878/query`` for Oxigraph server,
        ``http://host:8890/sparql`` for Virtuoso).
    user : str, optional
        HTTP user; the password comes from ``password`` or ``$IGEGRAPH_ENDPOINT_PASSWORD``.
    password : str, optional
    graph : str, optional
        A named graph IRI to use as the default graph (``default-graph-uri``; for push, the
        graph replaced).
    timeout : float
        Seconds each request may take, reading the answer included.
    deadline : float, optional
        A :func:`time.monotonic` time after which no request runs: a request that would end
        later stops there (the CLI sets it, so that a whole command ends within --timeout).
    store_url : str, optional
        The Graph Store Protocol URL for :func:`push`; by default the query URL with its last
        path segment ``query`` replaced by ``store`` (Oxigraph server's layout).
    """

    name = "endpoint"
    remote = True
    cacheable = False

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None, graph: str | None = None,
                 timeout: float = 30.0, deadline: float | None = None, store_url: str | None = None):
        self.url = _checked_url(str(url), "--endpoint")
        self.graph = str(_iri(graph)[1:-1]) if graph else None
        self.timeout = timeout
        self.deadline = deadline
        #: the ``Server`` header of the last answer (push uses Oxigraph's own options on Oxigraph)
        self.server = ""
        self.store_url = _checked_url(store_url, "--store-url") if store_url else None
        if user is not None and password is None:
            password = os.environ.get(PASSWORD_ENV)
            if password is None:
                raise EndpointError(f"--endpoint-user {user} needs a password: set {PASSWORD_ENV}")
        self._auth = _Auth(user, password or "") if user is not None else None
        self._client: httpx.Client | None = None
        self._read = _AnswerReader()  # kept: the same IRIs come back in query after query
        # the graphs fetched (and the local graphs made of them) read their terms with one
        # reader: a command's parts repeat the same vocabulary, names and assertions
        self._graph_read = TermReader()

    def __repr__(self) -> str:
        return f"<backend endpoint {self.url}>"

    def new_graph(self) -> "rdflib.Graph":
        import pyoxigraph as ox

        from .local import oxigraph_graph

        return oxigraph_graph(ox.Store(), self._graph_read)

    @property
    def auth_pending(self) -> bool:
        """Whether credentials are set and the server has not yet asked for Basic or Digest."""
        return self._auth is not None and self._auth.scheme is None

    # -------------------------------------------------------------- requests

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = _client(self._auth)
        return self._client

    def close(self) -> None:
        """Close the HTTP connections (they are also closed when the backend is collected)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(self, method: str, url: str, *, timeout: float | None = None, accept: str, what: str,
                sink: BinaryIO | None = None, also_ok: tuple[int, ...] = (), **kwargs: Any) -> tuple[str, bytes]:
        """Send one request; return the answer's media type and body, read within ``timeout``.

        The whole request (connecting, sending, waiting and reading) ends within ``timeout``
        seconds and by :attr:`deadline`. With ``sink``, a successful answer's body is written
        there as it arrives (and ``b""`` returned). ``also_ok`` lists HTTP error statuses taken
        as answers. Raises EndpointError (unreachable, refused, timed out, not SPARQL) or
        QueryError (the store says the query is wrong, HTTP 400).
        """
        limit = self.timeout if timeout is None else timeout
        late = EndpointError(f"{url} did not answer {what} within {limit:g} s (raise --timeout to wait longer)")
        if self.deadline is not None:
            limit = min(limit, self.deadline - time.monotonic())
            if limit <= 0:
                raise late
        headers = {"Accept": accept, **kwargs.pop("headers", {})}
        client = self._http()
        abandoned = threading.Event()

        def send() -> tuple[httpx.Response, bytes]:
            with client.stream(method, url, timeout=httpx.Timeout(limit), headers=headers,
                               **kwargs) as response:
                ok = response.status_code < 300
                chunks = []
                for chunk in response.iter_bytes():
                    if abandoned.is_set():
                        raise late
                    if sink is not None and ok:
                        sink.write(chunk)
                    else:
                        chunks.append(chunk)
            return response, b"".join(chunks)

        # the client stays: other threads (a background COUNT) may be using it; leaving the
        # stream above closes the abandoned request's own connection
        def give_up() -> None:
            abandoned.set()

        try:
            response, body = _within(limit, send, give_up)
        except TimeoutError:
            raise late from None
        except httpx.TimeoutException:
            raise late from None
        except httpx.ConnectError as exc:
            untrusted = _certificate_error(exc)
            if untrusted is not None:  # the server is running: saying so would mislead
                raise EndpointError(f"{url} is not trusted: its TLS certificate did not verify "
                                    f"({untrusted.verify_message or 'no reason given'})") from None
            raise EndpointError(f"cannot reach {url}: {_reason(exc)}; is the SPARQL server running?") from None
        except httpx.HTTPError as exc:
            raise EndpointError(f"{url}: {_reason(exc)}") from None
        self.server = response.headers.get("server", "")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        status = response.status_code
        if status in (401, 403):
            hint = (f"check --endpoint-user and {PASSWORD_ENV}" if self._auth is not None
                    else f"give --endpoint-user and set {PASSWORD_ENV}")
            raise EndpointError(f"{url} refused access (HTTP {status}); {hint}")
        if status == 400 and method == "POST" and accept != "*/*":
            detail = _first_line(body.decode("utf-8", "replace")) if kind.startswith("text/") else ""
            raise QueryError(f"the endpoint refused the query: {detail or 'HTTP 400'}")
        if status >= 400 and status not in also_ok:
            detail = _first_line(body.decode("utf-8", "replace")) if kind.startswith("text/plain") else ""
            raise EndpointError(f"{url} answered HTTP {status}{': ' + detail if detail else ''}")
        return kind, body

    def _ask_endpoint(self, text: str, accept: str, timeout: float | None,
                      sink: BinaryIO | None = None) -> tuple[str, bytes]:
        data = {"query": text}
        if self.graph:
            data["default-graph-uri"] = self.graph
        return self.request("POST", self.url, data=data, accept=accept, timeout=timeout, what="the query", sink=sink)

    def _not_sparql(self, kind: str) -> EndpointError:
        return EndpointError(f"{self.url} is not a SPARQL endpoint (it answered {kind or 'without a media type'}); "
                             "give the query URL, e.g. http://127.0.0.1:7878/query for Oxigraph server")

    def _results(self, text: str, timeout: float | None, sink: BinaryIO | None = None) -> Any:
        """The answer to a query as pyoxigraph reads SPARQL JSON results (its parser, in Rust,
        reads a big answer several times faster than ``json`` and dicts would): a QueryBoolean
        or QuerySolutions. With ``sink`` (a seekable binary file), the answer is written there
        as it arrives and read back from it as the solutions are iterated."""
        import pyoxigraph as ox

        kind, body = self._ask_endpoint(text, f"{_RESULTS_JSON}, application/json;q=0.5", timeout, sink)
        if kind not in (_RESULTS_JSON, "application/json"):
            raise self._not_sparql(kind)
        if sink is not None:
            sink.seek(0)
        try:
            return ox.parse_query_results(body if sink is None else sink, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError):
            raise self._not_sparql(f"{kind} that is not SPARQL results") from None

    def select(self, query: str, bindings: Mapping[Any, Any] | None = None, timeout: float | None = None, *,
               inline: bool = False) -> list[tuple[Any, ...]]:
        """The rows of a SELECT query (tuples of rdflib terms, None where unbound).

        ``bindings`` (variable -> term, or -> list of terms for one row each) are sent as a
        ``VALUES`` block made by :func:`values_clause`: first in the WHERE clause
        (:func:`_values_first`), or with ``inline`` where the query says :data:`INLINE`
        (inside a subquery, or where a store should start from the bound values).
        """
        return self._select(query, bindings, timeout, inline)[1]

    def _select(self, query: str, bindings: Mapping[Any, Any] | None,
                timeout: float | None, inline: bool = False) -> tuple[list[str], list[tuple[Any, ...]]]:
        import pyoxigraph as ox

        answer = self._results(_with_values(query, bindings, inline), timeout)
        if not isinstance(answer, ox.QuerySolutions):
            raise self._not_sparql("a boolean to a SELECT query")
        read = self._read
        try:
            return [v.value for v in answer.variables], [tuple(map(read, row)) for row in answer]
        except (SyntaxError, ValueError):  # the parser reads rows as they are iterated
            raise self._not_sparql("malformed SPARQL results") from None

    def rows(self, query: str, timeout: float | None = None) -> "Iterator[Any]":
        """The rows of a SELECT query as pyoxigraph reads them (QuerySolution rows of pyoxigraph
        terms), for answers of millions of rows: the answer goes to a temporary file as it
        arrives, and each row is read from there when iterated, so neither the answer's text
        nor its terms are all in memory at once (what the supply index reads; see
        :func:`igegraph.traverse.supplyindex.compute_index`). The request is sent when
        iteration starts.
        """
        import tempfile

        import pyoxigraph as ox

        with tempfile.TemporaryFile(prefix="igegraph-answer-") as sink:
            answer = self._results(query, timeout, sink)
            if not isinstance(answer, ox.QuerySolutions):
                raise self._not_sparql("a boolean to a SELECT query")
            try:
                yield from answer
            except (SyntaxError, ValueError):  # the parser reads rows as they are iterated
                raise self._not_sparql("malformed SPARQL results") from None

    def ask(self, query: str, bindings: Mapping[Any, Any] | None = None, timeout: float | None = None) -> bool:
        """The answer of an ASK query.

        ``bindings`` go first in the WHERE clause (:func:`_values_first`). Virtuoso 7's answer,
        a one-column SELECT result, is read as the boolean it stands for.
        """
        import pyoxigraph as ox

        answer = self._results(_with_values(query, bindings), timeout)
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        if [v.value for v in answer.variables] != [_VIRTUOSO_ASK]:
            raise self._not_sparql("rows, not a boolean, to an ASK query")
        try:
            return any(row[0] is not None and row[0].value == "1" for row in answer)
        except (SyntaxError, ValueError):
            raise self._not_sparql("malformed SPARQL results") from None

    def construct(self, query: str, bindings: Mapping[Any, Any] | None = None, timeout: float | None = None, *,
                  inline: bool = False) -> "rdflib.Graph":
        """The triples of a CONSTRUCT or DESCRIBE query, in a new local (Oxigraph) graph
        (``bindings`` as for :meth:`select`)."""
        import pyoxigraph as ox

        from .local import oxigraph_graph

        kind, body = self._ask_endpoint(_with_values(query, bindings, inline), _GRAPH_TYPES, timeout)
        fmt = ox.RdfFormat.N_TRIPLES if kind == "text/plain" else ox.RdfFormat.from_media_type(kind)
        if fmt is None or not fmt.supports_datasets and fmt not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE,
                                                                    ox.RdfFormat.RDF_XML, ox.RdfFormat.N3):
            raise self._not_sparql(kind)
        database = ox.Store()
        try:
            database.load(input=body, format=fmt, to_graph=ox.DefaultGraph())
        except (SyntaxError, ValueError, OSError) as exc:
            raise self._not_sparql(f"{kind} it could not parse: {_reason(exc)}") from None
        return oxigraph_graph(database, self._graph_read)

    def save(self, query: str, media_type: str, sink: BinaryIO, timeout: float | None = None) -> str:
        """Write the answer to a CONSTRUCT query to ``sink`` as it arrives; its media type."""
        data = {"query": query}
        if self.graph:
            data["default-graph-uri"] = self.graph
        kind, _ = self.request("POST", self.url, data=data, accept=media_type, timeout=timeout, what="the query",
                               sink=sink)
        if kind != media_type:
            raise self._not_sparql(kind)
        return kind

    def count(self, pattern: str = "?s ?p ?o", timeout: float | None = None) -> int:
        """How many solutions a basic graph pattern has (``COUNT(*)``)."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", timeout=timeout)
        try:
            return int(rows[0][0])
        except (IndexError, TypeError, ValueError):
            raise self._not_sparql("a count that is not a number") from None

    # -------------------------------------------------------------- the Backend protocol

    def load(self, data: Iterable[str | Path] = (), *, curated: bool = True, allow_vocabulary_changes: bool = False,
             lenient: bool = False) -> "KnowledgeGraph":
        """The graph on the endpoint, not loaded: commands fetch what they need."""
        from .remote import EndpointKnowledgeGraph

        files = list(data)
        if files:
            raise DataError(str(files[0]), "--data cannot be merged into an endpoint's graph; "
                                           "upload it with 'igegraph push --data' first")
        return EndpointKnowledgeGraph(self)

    def query(self, graph: "rdflib.Graph", text: str, bindings: Mapping[Any, Any],
              timeout: float | None = None) -> "Result":
        """Run a query on the endpoint (``graph`` is not used); an rdflib Result."""
        from rdflib import Variable
        from rdflib.query import Result

        form = query_form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            result = Result(form)
            result.graph = self.construct(text, bindings, timeout)
            return result
        if form == "ASK":
            result = Result("ASK")
            result.askAnswer = self.ask(text, bindings, timeout)
            return result
        names, rows = self._select(text, bindings, timeout)
        result = Result("SELECT")
        result.vars = [Variable(n) for n in names]
        result.bindings = [{Variable(n): t for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
        return result

    def subgraph(self, graph: "rdflib.Graph", construct: str, bindings: Mapping[Any, Any]) -> "rdflib.Graph":
        return self.construct(construct, bindings)


def _within(seconds: float, work: "Callable[[], _T]", give_up: "Callable[[], None]") -> "_T":
    """``work()``'s result (or exception), or TimeoutError once ``seconds`` have passed.

    The work runs in a daemon thread, so that nothing it waits for (a name look-up, a
    connection, a server that sends a byte just before each read would time out) can make it
    last longer; ``give_up()`` tells it to stop, and it ends by itself at the latest when
    its own socket timeouts expire.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="igegraph-endpoint-request", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        give_up()
        raise TimeoutError
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _certificate_error(exc: BaseException) -> "ssl.SSLCertVerificationError | None":
    """The certificate check that failed under an httpx error (httpx and httpcore each wrap
    the error below them), or None."""
    import ssl

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        cause = cause.__cause__ or cause.__context__
    return cause


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    # httpx wraps the socket error: "[Errno 111] Connection refused" -> "connection refused"
    m = re.search(r"\[Errno -?\d+\]\s*(.*)", text)
    text = m.group(1) if m else text
    return shorten(text.splitlines()[0], 120).rstrip(".").lower() if text else type(exc).__name__


def _checked_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{option} {shorten(url)} is not an http(s) URL; "
                            "give e.g. http://127.0.0.1:7878/query")
    if parts.username is not None or parts.password is not None:
        # error lines, logs and push's report all show the URL: a password in it would leak there
        raise EndpointError(f"{option} must not carry a user or password; "
                            "use --endpoint-user and $IGEGRAPH_ENDPOINT_PASSWORD")
    return url


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_SKIP = re.compile(r'#[^\n]*|<[^<>\s"{}|^`\\]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside IRIs, strings and comments."""
    m = _FORM.search(_SKIP.sub(" ", text))
    return m.group(1).upper() if m else "SELECT"


#: Where :meth:`EndpointBackend.select` puts the VALUES block of ``inline`` bindings.
INLINE = "{{VALUES}}"


def _with_values(query: str, bindings: Mapping[Any, Any] | None, inline: bool = False) -> str:
    """The query with its bindings as a VALUES block: at :data:`INLINE` (so that the store
    starts from them), first in the WHERE clause of SELECT and ASK (:func:`_values_first`), or
    trailing CONSTRUCT and DESCRIBE (SPARQL 1.1 §10.2.2)."""
    if inline:
        return query.replace(INLINE, values_clause(bindings) if bindings else "")
    if not bindings:
        return query
    if query_form(query) in ("SELECT", "ASK"):
        return _values_first(query, bindings)
    return f"{query}\n{values_clause(bindings)}"


def _values_first(query: str, bindings: Mapping[Any, Any] | None) -> str:
    """A SELECT or ASK query with its bindings as a VALUES block first in its WHERE clause (the
    first ``{`` after the query form outside parentheses, IRIs, strings and comments).

    The bound variables are then bound in the whole pattern, as rdflib's ``initBindings`` and
    Oxigraph's substitutions bind them, whether or not the query returns them. A trailing
    VALUES clause would be joined with the result only, and Virtuoso 7 refuses one after ASK
    or on a variable the SELECT does not return.

    >>> from rdflib import URIRef
    >>> _values_first('SELECT ?o (EXISTS { ?o ?q ?r } AS ?e) WHERE { ?s <urn:p> "{" }', {"s": URIRef("urn:a")})
    'SELECT ?o (EXISTS { ?o ?q ?r } AS ?e) WHERE { VALUES (?s) { (<urn:a>) } ?s <urn:p> "{" }'
    """
    if not bindings:
        return query
    masked = _SKIP.sub(lambda m: " " * len(m.group()), query)
    form = _FORM.search(masked)
    depth = 0
    for at in range(form.end() if form else 0, len(masked)):
        depth += {"(": 1, ")": -1}.get(masked[at], 0)
        if masked[at] == "{" and depth == 0:
            return f"{query[:at + 1]} {values_clause(bindings)}{query[at + 1:]}"
    raise QueryError("the query has no WHERE clause to bind variables in")


# ------------------------------------------------------------------ push (Graph Store Protocol)


@dataclass
class PushReport:
    """What :func:`push` sent: ``triples``, the ``graph`` replaced (None: the default graph),
    the Graph Store ``url``, the ``files`` read, the ``vocabulary_changes`` they make, the
    ``requests`` sent and whether the replacement was ``atomic`` (one PUT)."""

    triples: int
    graph: str | None
    url: str
    files: list[Path] = field(default_factory=list)
    vocabulary_changes: list[str] = field(default_factory=list)
    requests: int = 1
    atomic: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"triples": self.triples, "graph": self.graph, "url": self.url, "files": [str(p) for p in self.files],
                "vocabulary_changes": self.vocabulary_changes, "requests": self.requests, "atomic": self.atomic}


def store_url(backend: EndpointBackend) -> str:
    """The Graph Store Protocol URL: ``store_url``, else the query URL ending ``/store``."""
    if backend.store_url:
        return backend.store_url
    parts = urlsplit(backend.url)
    head, _, last = parts.path.rpartition("/")
    if last != "query":
        raise EndpointError(f"cannot tell the Graph Store URL of {backend.url}; give it with --store-url "
                            "(Oxigraph server: .../store, Virtuoso: .../sparql-graph-crud-auth)")
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/store", "", ""))


#: Called as ``progress(stage, done, total)`` by :func:`push`: stage ``"read"`` counts the bytes
#: of the files read, ``"send"`` the bytes of N-Triples sent.
PushProgress = Callable[[str, int, int], None]


def push(backend: EndpointBackend, data: Iterable[str | Path] = (), *, curated: bool = True,
         allow_vocabulary_changes: bool = False, chunked: bool = False, chunk_triples: int | None = None,
         progress: PushProgress | None = None) -> PushReport:
    """Replace the endpoint's graph (``backend.graph``, else its default graph) with the curated
    graph plus ``data``, with the Graph Store Protocol.

    The files are read and checked as every command checks them (a malformed file or a
    vocabulary change fails before anything is sent), and written to temporary N-Triples
    files (:func:`igegraph.backends.upload.prepare_upload`; in ``$TMPDIR``, about 140 bytes a
    triple): memory stays bounded whatever the size. Then, by default, one ``PUT`` sends
    them all, as one request body read from disk: the store replaces the graph in one
    transaction where it allows. With ``chunked``, an empty ``PUT`` clears the graph and
    ``POST`` requests of ``chunk_triples`` triples each add the rest (Oxigraph server, told by
    its ``Server`` header, is asked to skip its transactions: ``no_transaction``). That is
    faster for millions of triples, but not atomic: queries meanwhile see part of the
    graph, and a failed push leaves part of it (push again). Either way, running it again
    leaves the same graph.

    Returns
    -------
    PushReport

    Raises
    ------
    DataError
        A file is missing, malformed or redefines the vocabulary.
    EndpointError
        The store cannot be reached or refused the upload.

    Examples
    --------
    A store that cannot be reached fails after the files were checked, before anything
    is sent:

    >>> from igegraph.backends import get_backend
    >>> push(get_backend("endpoint", "http://127.0.0.1:9/query", timeout=5))
    Traceback (most recent call last):
    ...
    igegraph.errors.EndpointError: cannot reach http://127.0.0.1:9/store: connection refused; ...
    """
    import tempfile

    from .upload import CHUNK_TRIPLES, prepare_upload

    url = store_url(backend)  # a URL it cannot tell fails before the files are read
    files = [Path(p) for p in data]
    tell = progress or (lambda stage, done, total: None)
    with tempfile.TemporaryDirectory(prefix="igegraph-push-") as tmp:
        upload = prepare_upload(files, Path(tmp), curated=curated, allow_vocabulary_changes=allow_vocabulary_changes,
                                chunk_triples=chunk_triples or CHUNK_TRIPLES,
                                on_bytes=lambda done, total: tell("read", done, total))
        sent = 0
        total = upload.size

        def on_bytes(n: int) -> None:
            nonlocal sent
            sent += n
            tell("send", sent, total)

        # what to send: one PUT of everything, or an empty PUT then a POST per chunk
        requests = ([("PUT", upload.body(on_bytes))] if not chunked
                    else [("PUT", b""), *(("POST", body) for body in upload.chunks(on_bytes))])
        tell("send", 0, total)
        _send(backend, url, graph_params(backend.graph), requests)
    try:
        push_index(backend)
    except (EndpointError, QueryError) as exc:  # the data is there already: say so
        raise EndpointError(f"the graph now holds the {upload.triples:,} triples pushed, but its supply index "
                            f"was not written ({exc}); run 'igegraph index --endpoint {backend.url}'") from None
    return PushReport(upload.triples, backend.graph, url, files, upload.vocabulary_changes, len(requests), not chunked)


def push_index(backend: EndpointBackend) -> int:
    """Compute the supply-dominator index of the endpoint's graph (``backend.graph``, else its
    default graph) and replace the index's own named graph with it, in one Graph Store ``PUT``;
    the number of index triples.

    The index graph is :func:`igegraph.traverse.supplyindex.index_graph` of the data graph, so
    queries on the data graph do not see it (on a store whose default graph is the union of all
    graphs, as Virtuoso's is, push to a named graph with ``--graph``). ``push`` calls this after
    the upload; ``igegraph index --endpoint`` after the data changed by other means.
    """
    from ..traverse.supplyindex import compute_index, dependency_edges_query, index_graph

    iri = index_graph(backend.graph)
    query = dependency_edges_query(lambda text, bindings: backend.select(text, bindings))
    # the dependency edges are read as they arrive, never as rdflib terms (millions at 10M triples)
    index = compute_index(backend.rows(query) if query else (), iri)
    backend.request("PUT", store_url(backend), params=graph_params(iri), content=index.ntriples,
                    headers={"Content-Type": "application/n-triples"}, accept="*/*", what="the supply index upload")
    return index.triples


def graph_params(graph: str | None) -> dict[str, str]:
    """The Graph Store Protocol's query parameters for a named graph (None: the default graph).

    >>> graph_params("https://example.org/g"), graph_params(None)
    ({'graph': 'https://example.org/g'}, {'default': ''})
    """
    return {"graph": graph} if graph else {"default": ""}


def _send(backend: EndpointBackend, url: str, params: dict[str, str], requests: "list[tuple[str, Any]]") -> None:
    """Send Graph Store requests (method, N-Triples body: bytes or a
    :class:`~igegraph.backends.upload.Body`) for the graph ``params`` name, in order."""
    if backend.auth_pending and len(requests[0][1]):
        # learn the server's authentication with an empty request, so that the upload is sent
        # once (a body sent without credentials would be refused, then sent again); any
        # answer but a refusal will do (Virtuoso: 501, HEAD is not implemented)
        backend.request("HEAD", url, params=params, accept="*/*", what="the upload", also_ok=(404, 405, 501))
    for method, body in requests:
        extra = {}
        if method == "POST" and backend.server.startswith("Oxigraph/"):
            extra["no_transaction"] = ""  # Oxigraph's own: load without a transaction (much faster)
        backend.request(method, url, params={**params, **extra}, content=body,
                        headers={"Content-Type": "application/n-triples", "Content-Length": str(len(body))},
                        accept="*/*", what="the upload")
