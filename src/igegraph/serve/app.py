"""The ASGI application: configuration, error shape, size limits, security headers, running.

Every error leaves the server as one JSON shape, ``{"error": …, "detail": …}`` (plus ``line``
and ``column`` for malformed queries), with 400, 403, 404, 406, 413, 415, 422 or 503; library
errors never become a 500 with a traceback.

Examples
--------
>>> client = in_process()
>>> client.get("/api/describe/Xolair").json()["id"]
'ig:omalizumab'
>>> client.get("/api/describe/nothing-like-this").status_code
404
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import IgegraphError, QueryError, QueryTimeout, UnknownEntity
from ..recent import Recent

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

__all__ = ["ServerConfig", "create_app", "in_process", "listen", "run", "error_response", "BodyTooLarge",
           "triple_count"]


@dataclass(frozen=True)
class ServerConfig:
    """What ``igegraph serve`` was asked for (see ``igegraph serve --help``).

    ``workers`` is how many SPARQL queries run at once, each in its own long-lived process
    (see :mod:`igegraph.serve.workers`);
    ``max_body`` (bytes) and ``max_query`` (characters) bound what a client may send.
    """

    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 4
    cors: tuple[str, ...] = ()
    max_body: int = 1 << 20
    max_query: int = 32_768


class BodyTooLarge(IgegraphError):
    """A request body or query text is larger than the server accepts."""


def error_response(status: int, error: str, detail: str, **extra: Any) -> JSONResponse:
    """The one error shape of the server."""
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status)


_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                     (b"x-frame-options", b"DENY")]


class _Guard:
    """Refuse request bodies over ``limit`` bytes (announced or streamed) with 413, and add the
    security headers to every response. Plain ASGI: it runs on every request, so it stays cheap."""

    def __init__(self, app: Any, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                response = error_response(413, "request too large",
                                          f"the body has {int(value)} bytes; this server accepts at most {self.limit}")
                await response(scope, receive, self._headed(send))
                return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge(f"the body is over {self.limit} bytes, the most this server accepts")
            return message

        await self.app(scope, counted, self._headed(send))

    @staticmethod
    def _headed(send: Callable) -> Callable:
        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in _SECURITY_HEADERS if h[0] not in present)]
            await send(message)

        return with_headers


class _ApiCache:
    """Answer repeated ``GET /api/…`` requests from memory (least recently used first out).

    The graph never changes while it is served, so a 200 answer stays right; errors are never
    kept, and SPARQL at /sparql always runs.
    """

    def __init__(self, app: Any, size: int = 512):
        self.app = app
        self.entries: Recent[tuple[str, bytes], tuple[dict, bytes]] = Recent(size)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        kept = self.entries.get(key)
        if kept is not None:
            start, body = kept
            await send(dict(start, headers=list(start["headers"])))
            await send({"type": "http.response.body", "body": body})
            return
        messages: list[dict] = []

        async def keep(message: dict) -> None:
            # copied before outer layers (CORS, security headers) add per-request headers
            messages.append(dict(message, headers=list(message.get("headers", []))))
            await send(message)

        await self.app(scope, receive, keep)
        if messages and messages[0]["type"] == "http.response.start" and messages[0]["status"] == 200:
            self.entries.put(key, (messages[0], b"".join(m.get("body", b"") for m in messages[1:])))


def _add_error_handlers(app: FastAPI) -> None:
    def unknown(_request: Request, exc: UnknownEntity) -> JSONResponse:
        return error_response(404, "unknown entity", str(exc), suggestions=exc.suggestions)

    def timeout(_request: Request, exc: QueryTimeout) -> JSONResponse:
        return error_response(503, "query timed out", str(exc))

    def query(_request: Request, exc: QueryError) -> JSONResponse:
        where = {"line": exc.line, "column": exc.column} if exc.line is not None else {}
        return error_response(400, "query refused", str(exc), **where)

    def too_large(_request: Request, exc: BodyTooLarge) -> JSONResponse:
        return error_response(413, "request too large", str(exc))

    def library(_request: Request, exc: IgegraphError) -> JSONResponse:
        return error_response(400, "bad request", str(exc))

    def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", "invalid"))
        return error_response(422, "invalid parameters", "; ".join(problems))

    def http(_request: Request, exc: HTTPException) -> JSONResponse:
        from http import HTTPStatus

        response = error_response(exc.status_code, HTTPStatus(exc.status_code).phrase.lower(), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    def internal(_request: Request, exc: Exception) -> JSONResponse:
        # a bug, not bad input: the traceback goes to the server's log, never to the client
        logging.getLogger("igegraph.serve").error("internal error", exc_info=exc)
        return error_response(500, "internal error", f"{type(exc).__name__}; please report it")

    # Starlette calls each handler only with its own exception type, which its signature cannot say
    handlers: list[tuple[type[Exception], Callable[[Request, Any], JSONResponse]]] = [
        (UnknownEntity, unknown), (QueryTimeout, timeout), (QueryError, query), (BodyTooLarge, too_large),
        (IgegraphError, library), (RequestValidationError, invalid), (HTTPException, http), (Exception, internal)]
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)


def triple_count(kg: "KnowledgeGraph") -> int:
    """``len(kg)``, counted once until the graph changes: a store with named graphs counts with
    a query over every quad, and the server names the count at start and in every service
    description (which every readiness probe of /sparql asks for, on the event loop)."""
    return kg.derived("serve.triples", lambda: len(kg))


def _warm(kg: "KnowledgeGraph") -> None:
    """Build the derived views once, before requests share them across threads."""
    from ..traverse import pathways

    kg.labels  # noqa: B018 - cached properties are built by reading them
    kg.projection  # noqa: B018
    pathways(kg)


def create_app(kg: "KnowledgeGraph", config: ServerConfig | None = None) -> FastAPI:
    """The ASGI application serving ``kg``: SPARQL at /sparql, JSON at /api, pages at /.

    Parameters
    ----------
    kg : KnowledgeGraph
    config : ServerConfig, optional

    Returns
    -------
    fastapi.FastAPI
        Run it with uvicorn (see :func:`run`) or call it in-process with a test client.
    """
    from .. import __version__
    from . import api, linked_data, pages, sparql_protocol
    from .workers import QueryWorkers

    config = config or ServerConfig()
    _warm(kg)
    # forked now, while this process has no other threads
    queries = QueryWorkers(kg, config.workers, config.timeout, config.max_rows)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        queries.close()

    app = FastAPI(
        title="igegraph", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="JSON API of the igegraph knowledge graph of IgE-mediated allergic disease and "
                    "anti-IgE therapy; every answer is the JSON of the matching `igegraph … --format json`.",
    )
    app.state.kg = kg
    app.state.config = config
    app.state.queries = queries
    _add_error_handlers(app)
    app.add_middleware(_ApiCache)
    if config.cors:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type"])
    app.add_middleware(_Guard, limit=config.max_body)
    for module in (sparql_protocol, api, linked_data, pages):
        app.include_router(module.router)
    return app


def in_process(kg: "KnowledgeGraph | None" = None, config: ServerConfig | None = None):
    """A client that sends requests to the application in this process, without a socket.

    For tests and notebooks (it needs httpx2, from the test extra); ``kg`` defaults to the
    curated graph, ``config`` to one query process: the client sends one request at a time.

    >>> in_process().get("/api/search", params={"q": "Xolair", "limit": 1}).json()[0]["id"]
    'ig:omalizumab'
    """
    from starlette.testclient import TestClient

    from ..kg import load

    return TestClient(create_app(kg if kg is not None else load(), config or ServerConfig(workers=1)))


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 picks a free one).

    Raises
    ------
    IgegraphError
        The address is taken or cannot be used.
    """
    sock = None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        if sock is not None:  # made but not bound (the address is taken): not left to the garbage collector
            sock.close()
        raise IgegraphError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                            "pick another --port or --host") from None
    sock.set_inheritable(True)
    return sock


def run(kg: "KnowledgeGraph", config: ServerConfig, sock: socket.socket) -> None:
    """Serve until Ctrl-C or SIGTERM, then finish the requests in flight and return."""
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        @contextmanager
        def capture_signals(self):
            # uvicorn re-raises the signal after its graceful shutdown, which would end the
            # process with "killed by SIGTERM" or a KeyboardInterrupt; return normally instead
            stops = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in stops}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    server = Server(uvicorn.Config(
        create_app(kg, config), log_level="warning", access_log=False, lifespan="on",
        timeout_graceful_shutdown=max(1, int(config.timeout) + 1),
    ))
    server.run(sockets=[sock])
