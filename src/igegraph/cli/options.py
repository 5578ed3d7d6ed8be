"""Options shared by the commands, as decorators, and the helpers that act on them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import click

from ..table import render_table

__all__ = ["graph_options", "endpoint_options", "endpoint_backend", "format_option", "command_timeout",
           "vocabulary_option", "load_graph", "emit_json", "render_table", "allow_vocabulary_changes",
           "warn_vocabulary_changes"]


class _Seconds(click.ParamType):
    """A finite number of seconds within the worker's limits (not nan, inf or 1e308)."""

    name = "seconds"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        from ..errors import QueryError
        from ..worker import check_timeout

        try:
            return check_timeout(float(value))
        except (TypeError, ValueError, QueryError) as exc:
            self.fail(str(exc) if isinstance(exc, QueryError) else f"'{value}' is not a number of seconds", param, ctx)


def _keep_timeout(ctx: click.Context, _param: Any, value: float) -> float:
    # the clock starts as the command starts: the whole command ends within --timeout
    ctx.meta["igegraph.timeout"] = value
    ctx.meta["igegraph.deadline"] = time.monotonic() + value
    return value


def _timeout_option(default: float) -> Callable[[Callable], Callable]:
    """``--timeout SECONDS``, the one definition: kept in the click context (read by
    :func:`command_timeout` and :func:`endpoint_backend`), not passed as a parameter."""
    return click.option(
        "--timeout", type=_Seconds(), default=default, show_default=True, expose_value=False, callback=_keep_timeout,
        help="Stop after this many seconds: a query, or with --endpoint the whole command, every request included.",
    )


def command_timeout() -> float:
    """The running command's --timeout in seconds (30 for a command without one)."""
    ctx = click.get_current_context(silent=True)
    return float(ctx.meta.get("igegraph.timeout") or 30.0) if ctx is not None else 30.0


def _keep(ctx: click.Context, param: Any, value: Any) -> Any:
    ctx.meta[f"igegraph.{param.name}"] = value
    return value


def endpoint_options(func: Callable | None = None, *, timeout: float | None = 30.0) -> Callable:
    """``--endpoint URL``, ``--endpoint-user USER``, ``--graph IRI`` and ``--timeout``: a SPARQL endpoint.

    The values are kept in the click context (read by :func:`load_graph` and
    :func:`command_timeout`), so commands need no parameters for them. The password comes
    from ``$IGEGRAPH_ENDPOINT_PASSWORD``. ``@endpoint_options(timeout=SECONDS)`` sets another
    default --timeout; ``timeout=None`` adds none, for a command whose --timeout means
    something else (``serve``: each query it answers); its endpoint requests then take 30 s
    each, without a deadline.
    """
    from ..backends import PASSWORD_ENV

    if func is None:
        return lambda f: endpoint_options(f, timeout=timeout)
    if timeout is not None:
        func = _timeout_option(timeout)(func)
    func = click.option(
        "--graph", "graph_iri", metavar="IRI", expose_value=False, callback=_keep,
        help="With --endpoint: use this named graph as the default graph.",
    )(func)
    func = click.option(
        "--endpoint-user", metavar="USER", expose_value=False, callback=_keep,
        help=f"With --endpoint: HTTP user (Basic or Digest); the password is read from ${PASSWORD_ENV}.",
    )(func)
    return click.option(
        "--endpoint", metavar="URL", expose_value=False, callback=_keep,
        help="Use the graph on this SPARQL 1.1 endpoint (e.g. http://127.0.0.1:7878/query) without loading it.",
    )(func)


def endpoint_backend(store_url: str | None = None):
    """The endpoint backend the running command's --endpoint options describe, or None; its
    requests end by the command's deadline (--timeout after the command started)."""
    from ..backends import get_backend

    ctx = click.get_current_context()
    url, user, graph = (ctx.meta.get(f"igegraph.{k}") for k in ("endpoint", "endpoint_user", "graph_iri"))
    if url is None:
        for flag, value in (("--endpoint-user", user), ("--graph", graph)):
            if value is not None:
                raise click.UsageError(f"{flag} needs --endpoint URL")
        return None
    return get_backend("endpoint", url, user=user, graph=graph, timeout=command_timeout(),
                       deadline=ctx.meta.get("igegraph.deadline"), store_url=store_url)


def graph_options(func: Callable | None = None, *, timeout: float | None = 30.0) -> Callable:
    """``--data FILE`` (repeatable), ``--backend``, ``--store DIR`` and ``--endpoint URL`` (with
    its user, named graph and ``--timeout``, see :func:`endpoint_options`): what graph to use."""
    from ..backends import backend_location, backend_names

    if func is None:
        return lambda f: graph_options(f, timeout=timeout)
    func = endpoint_options(func, timeout=timeout)
    func = click.option(
        "--store", "store", type=click.Path(file_okay=False), default=None,
        help="Open a persistent store built with 'igegraph store build' instead of parsing files.",
    )(func)
    func = click.option(
        "--backend", type=click.Choice([n for n in backend_names() if backend_location(n) is None]),
        default="oxigraph", show_default=True,
        help="rdflib over Oxigraph (fast) or rdflib's pure-Python Memory store.",
    )(func)
    func = click.option(
        "--data", "data", multiple=True, type=click.Path(dir_okay=False),
        help="Merge your own RDF file (Turtle, N-Triples, RDF/XML, JSON-LD); repeatable.",
    )(func)
    return vocabulary_option(func)


def _remember(ctx: click.Context, _param: Any, value: bool) -> bool:
    ctx.meta["igegraph.allow_vocabulary_changes"] = value
    return value


def vocabulary_option(func: Callable) -> Callable:
    """``--allow-vocabulary-changes``: accept --data that redefines ige: terms (with a warning).

    The flag is kept in the click context, so commands need no parameter for it.
    """
    return click.option(
        "--allow-vocabulary-changes", is_flag=True, expose_value=False, callback=_remember,
        help="Apply --data files that redefine igegraph vocabulary terms (each change is printed).",
    )(func)


def allow_vocabulary_changes() -> bool:
    """Whether the running command was given --allow-vocabulary-changes."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get("igegraph.allow_vocabulary_changes"))


def warn_vocabulary_changes(changes: list[str]) -> None:
    """One warning line on stderr per vocabulary triple a --data file added or removed."""
    for change in changes:
        click.echo(f"warning: --data changes the igegraph vocabulary: {change}", err=True)


def format_option(*choices: str, default: str | None = None) -> Callable:
    """``--format`` with the given choices (the first is the default)."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default or choices[0],
        show_default=True, help="Output format.",
    )


def load_graph(data: tuple[str, ...], backend: str, store: str | None, lenient: bool = False):
    """Load the knowledge graph the options describe (cached where possible).

    ``lenient`` loads data that redefines the vocabulary or holds unusable values without
    refusing it (for ``validate``, which reports them).
    """
    from ..cache import load_cached

    endpoint = endpoint_backend()
    if endpoint is not None and store is not None:
        raise click.UsageError("give --store DIR or --endpoint URL, not both")
    engine = endpoint or ("store" if store is not None else backend)
    kg = load_cached(data=data, backend=engine, location=store, allow_vocabulary_changes=allow_vocabulary_changes(),
                     lenient=lenient)
    if not lenient:  # validate reports them itself
        warn_vocabulary_changes(kg.vocabulary_changes)
    return kg


def emit_json(value: Any) -> None:
    """Print a library result as indented JSON (see :func:`igegraph.plain.to_plain`)."""
    from ..plain import to_plain

    click.echo(json.dumps(to_plain(value), indent=2, ensure_ascii=False, default=str))

