"""Options shared by the commands, as decorators, and the helpers that act on them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from ..table import render_table

__all__ = ["graph_options", "format_option", "timeout_option", "vocabulary_option", "load_graph", "emit_json",
           "render_table", "allow_vocabulary_changes", "warn_vocabulary_changes"]


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


def timeout_option(func: Callable) -> Callable:
    """``--timeout SECONDS``: stop a query after this long (default 30)."""
    return click.option("--timeout", type=_Seconds(), default=30.0, show_default=True,
                        help="Stop the query after this many seconds.")(func)


def graph_options(func: Callable) -> Callable:
    """``--data FILE`` (repeatable), ``--backend`` and ``--store DIR``: what graph to use."""
    func = click.option(
        "--store", "store", type=click.Path(file_okay=False), default=None,
        help="Open a persistent store built with 'igegraph store build' instead of parsing files.",
    )(func)
    func = click.option(
        "--backend", type=click.Choice(["oxigraph", "memory"]), default="oxigraph", show_default=True,
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

    kg = load_cached(data=data, backend=backend, store=store, allow_vocabulary_changes=allow_vocabulary_changes(),
                     lenient=lenient)
    if not lenient:  # validate reports them itself
        warn_vocabulary_changes(kg.vocabulary_changes)
    return kg


def emit_json(value: Any) -> None:
    """Print a library result as indented JSON (see :func:`igegraph.plain.to_plain`)."""
    from ..plain import to_plain

    click.echo(json.dumps(to_plain(value), indent=2, ensure_ascii=False, default=str))

