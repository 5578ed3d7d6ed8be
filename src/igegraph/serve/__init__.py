"""``igegraph serve``: the knowledge graph as a web service.

- :mod:`~igegraph.serve.app` — the ASGI application, its configuration and error shape;
- :mod:`~igegraph.serve.sparql_protocol` — the SPARQL 1.1 Protocol endpoint at ``/sparql``;
- :mod:`~igegraph.serve.api` — the JSON API at ``/api/…``;
- :mod:`~igegraph.serve.linked_data` — entity and vocabulary IRIs resolved by path;
- :mod:`~igegraph.serve.pages` — the web explorer.

FastAPI and uvicorn are imported only here, never by ``import igegraph``.
"""

from __future__ import annotations

from .app import ServerConfig, create_app, in_process, listen, run, triple_count

__all__ = ["ServerConfig", "create_app", "in_process", "listen", "run", "triple_count"]
