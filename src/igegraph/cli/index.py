"""``igegraph index``: rebuild the supply-dominator index of a store or an endpoint.

The library twins are :func:`igegraph.store.index_store` and
:func:`igegraph.backends.endpoint.push_index`.
"""

from __future__ import annotations

import time

import click

from .options import emit_json, endpoint_backend, endpoint_options, format_option

__all__ = ["index", "COMMANDS"]


@click.command()
@click.option("--store", "store", type=click.Path(file_okay=False), default=None,
              help="The persistent store to index (built with 'igegraph store build').")
@endpoint_options(timeout=3600.0)
@format_option("text", "json")
def index(store: str | None, fmt: str) -> None:
    """Rebuild the supply-dominator index of a store or an endpoint's graph.

    Traversals on a store or an endpoint read this index (what each node's supply hangs on)
    instead of fetching the whole supply ancestry of their pathway. 'store build' and 'push'
    write it; run this when the data changed by other means (an endpoint whose graph was
    edited, a store built by an older igegraph). An index whose count of dependency edges
    differs from the data's is not used; an edit that replaces one dependency edge by another
    keeps the count, is not noticed, and needs this command.

    Example: igegraph index --endpoint http://127.0.0.1:7878/query
    """
    from ..traverse.supplyindex import index_graph

    started = time.perf_counter()
    backend = endpoint_backend()
    if (backend is None) == (store is None):
        raise click.UsageError("give either --store DIR or --endpoint URL")
    if store is not None:
        from ..store import index_store

        written, graph, where = index_store(store), index_graph(), store
    else:
        from ..backends.endpoint import push_index

        written, graph, where = push_index(backend), index_graph(backend.graph), backend.url
    seconds = time.perf_counter() - started
    if fmt == "json":
        emit_json({"triples": written, "graph": graph, "where": where, "seconds": round(seconds, 3)})
        return
    click.echo(f"indexed {where}: {written:,} triples in graph <{graph}> in {seconds:.1f} s")


COMMANDS = [index]
