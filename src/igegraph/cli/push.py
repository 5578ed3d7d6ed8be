"""``igegraph push``: upload the curated graph and --data files to a SPARQL store.

The library twin is :func:`igegraph.backends.endpoint.push`.
"""

from __future__ import annotations

import time

import click

from .options import (
    allow_vocabulary_changes,
    emit_json,
    endpoint_backend,
    endpoint_options,
    format_option,
    vocabulary_option,
    warn_vocabulary_changes,
)

__all__ = ["push", "COMMANDS"]


@click.command()
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Upload your own RDF file too (Turtle, N-Triples, RDF/XML, JSON-LD); repeatable.")
@click.option("--store-url", metavar="URL",
              help="The Graph Store Protocol URL, when it is not the --endpoint URL ending /store "
                   "(Virtuoso: http://HOST:8890/sparql-graph-crud-auth).")
@endpoint_options
@vocabulary_option
@format_option("text", "json")
def push(data: tuple[str, ...], store_url: str | None, fmt: str) -> None:
    """Replace the graph on a SPARQL store with the curated graph plus --data files.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol: one PUT replaces the named graph given
    with --graph (else the store's default graph), as one transaction where the store
    allows. Files are checked as every command checks them before anything is sent.
    Running it again sends the same triples and leaves the same graph.

    Example: igegraph push --endpoint http://127.0.0.1:7878/query
    """
    from ..backends.endpoint import push as push_

    backend = endpoint_backend(store_url=store_url)
    if backend is None:
        raise click.UsageError("give the store with --endpoint URL")
    started = time.perf_counter()
    report = push_(backend, data, allow_vocabulary_changes=allow_vocabulary_changes())
    warn_vocabulary_changes(report.vocabulary_changes)
    if fmt == "json":
        emit_json({**report.to_dict(), "seconds": round(time.perf_counter() - started, 3)})
        return
    where = f"graph <{report.graph}>" if report.graph else "the default graph"
    click.echo(f"pushed {report.triples:,} triples to {where} at {report.url} "
               f"in {time.perf_counter() - started:.1f} s")


COMMANDS = [push]
