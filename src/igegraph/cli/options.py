"""Options shared by the commands, as decorators, and the helpers that act on them."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable

import click

__all__ = ["graph_options", "format_option", "load_graph", "emit_json", "render_table"]


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
    return func


def format_option(*choices: str, default: str | None = None) -> Callable:
    """``--format`` with the given choices (the first is the default)."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default or choices[0],
        show_default=True, help="Output format.",
    )


def load_graph(data: tuple[str, ...], backend: str, store: str | None):
    """Load the knowledge graph the options describe (cached where possible)."""
    from ..cache import load_cached

    return load_cached(data=data, backend=backend, store=store)


def emit_json(value: Any) -> None:
    """Print a value as indented JSON (non-ASCII kept readable)."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def render_table(headers: list[str], rows: list[list[Any]], max_width: int = 60) -> str:
    """A plain-text table with a header rule; long cells are cut with an ellipsis."""

    def cell(value: Any) -> str:
        text = "" if value is None else (", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value))
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
