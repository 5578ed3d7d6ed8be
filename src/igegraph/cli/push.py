"""``igegraph push``: upload the curated graph and --data files to a SPARQL store.

The library twin is :func:`igegraph.backends.endpoint.push`.
"""

from __future__ import annotations

import io
import time

import click

from ..backends.upload import CHUNK_TRIPLES
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
@click.option("--chunked", is_flag=True,
              help="Faster for millions of triples, NOT atomic: clear the graph, then POST the triples in "
                   "chunks (on Oxigraph server without transactions). Meanwhile queries see part of the graph; "
                   "after a failure, push again.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None, metavar="TRIPLES",
              help=f"Triples per request with --chunked [default: {CHUNK_TRIPLES:,}].")
@endpoint_options(timeout=3600.0)
@vocabulary_option
@format_option("text", "json")
def push(data: tuple[str, ...], store_url: str | None, chunked: bool, chunk_size: int | None, fmt: str) -> None:
    """Replace the graph on a SPARQL store with the curated graph plus --data files.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol: one PUT replaces the named graph given
    with --graph (else the store's default graph), as one transaction where the store
    allows; --chunked clears it and POSTs chunks instead (faster, not atomic). Files are
    checked as every command checks them before anything is sent, and are streamed from
    temporary N-Triples files (in $TMPDIR), so memory stays small. Running it again sends
    the same triples and leaves the same graph. --timeout bounds the whole push.

    Example: igegraph push --endpoint http://127.0.0.1:7878/query
    """
    from ..backends.endpoint import push as push_
    from ..progress import progress

    if chunk_size is not None and not chunked:
        raise click.UsageError("--chunk-size needs --chunked")
    backend = endpoint_backend(store_url=store_url)
    if backend is None:
        raise click.UsageError("give the store with --endpoint URL")
    started = time.perf_counter()
    # a bar on a terminal only (never in pipes, logs or --format json, where it goes to a
    # stream that is no terminal): bytes read, then sent
    with progress("Checking files", unit="bytes", stream=None if fmt == "text" else io.StringIO()) as bar:
        stage = "read"

        def on_progress(now: str, done: int, total: int) -> None:
            nonlocal stage
            if now != stage:
                stage = now
                bar.stage("Uploading", total, unit="bytes")
            bar.update(done, total)

        report = push_(backend, data, allow_vocabulary_changes=allow_vocabulary_changes(), chunked=chunked,
                       chunk_triples=chunk_size, progress=on_progress)
    warn_vocabulary_changes(report.vocabulary_changes)
    if fmt == "json":
        emit_json({**report.to_dict(), "seconds": round(time.perf_counter() - started, 3)})
        return
    where = f"graph <{report.graph}>" if report.graph else "the default graph"
    how = "" if report.atomic else f" ({report.requests - 1:,} chunks, not atomic)"
    click.echo(f"pushed {report.triples:,} triples to {where} at {report.url}{how} "
               f"in {time.perf_counter() - started:.1f} s")


COMMANDS = [push]
