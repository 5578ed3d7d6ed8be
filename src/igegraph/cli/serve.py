"""The serve command: the graph as a SPARQL endpoint, a JSON API and a web explorer."""

from __future__ import annotations

import click

from .options import graph_options, load_graph


@click.command()
@graph_options(timeout=None)  # its own --timeout, below: each query it answers
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the graph to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="TCP port (0 picks a free one).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Stop each SPARQL query after this many seconds (answered 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Cut results after this many rows; the response says so in X-Result-Truncated.")
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True,
              help="SPARQL queries run at once, each in its own process.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              help="Let web pages from ORIGIN call the server (e.g. https://yasgui.triply.cc); repeatable.")
def serve(data, backend, store, host, port, timeout, max_rows, workers, cors):
    """Serve the graph: SPARQL 1.1 Protocol at /sparql, JSON at /api, an explorer at /.

    Read-only: updates are refused, SERVICE and FROM never reach the network, every query stops
    at --timeout. Binds 127.0.0.1 unless --host says otherwise; Ctrl-C or SIGTERM stops it.

    Example: igegraph serve --port 7878
    """
    from ..serve import ServerConfig, listen, run, triple_count

    kg = load_graph(data, backend, store)
    config = ServerConfig(host=host, port=port, timeout=timeout, max_rows=max_rows, workers=workers,
                          cors=tuple(cors))
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can query the graph", err=True)
    sock = listen(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"igegraph serving {triple_count(kg)} triples at http://{shown}:{bound_port}/ "
               f"(SPARQL: /sparql, JSON: /api, Ctrl-C to stop)")
    run(kg, config, sock)
    click.echo("igegraph serve stopped")


COMMANDS = [serve]
