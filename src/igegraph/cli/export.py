"""``igegraph export FORMAT OUT``: write the graph, or a view of it, to a file.

One subcommand per format. html, png and svg draw a view (whole graph, ``--pathway``,
``--from/--to``, ``--focus/--depth`` or ``--query``); graphml, cytoscape and kgx write the same
views as data; turtle, ntriples, jsonld, trig and nquads write the whole RDF graph, or a
view's triples with their assertions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from .options import command_timeout, graph_options, load_graph

__all__ = ["export", "COMMANDS"]


def _force(func: Callable) -> Callable:
    return click.option("--force", "-f", is_flag=True, help="Overwrite existing output.")(func)


def _view_options(func: Callable) -> Callable:
    """``--pathway`` | ``--from/--to`` | ``--focus/--depth`` | ``--query``: which view to draw."""
    options: list[Callable[[Callable], Callable]] = [
        click.option("--pathway", metavar="NAME", help="A named pathway, with its blockers (see 'igegraph pathways')."),
        click.option("--from", "source", metavar="TERM",
                     help="Routes from this entity (with --to), with their blockers."),
        click.option("--to", "target", metavar="TERM", help="Routes to this entity (with --from)."),
        click.option("--focus", metavar="TERM", help="The neighbourhood of one entity."),
        click.option("--depth", type=click.IntRange(0, 10), default=1, show_default=True,
                     help="Radius of the --focus neighbourhood, in relations."),
        click.option("--query", "query_file", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
                     help="Draw the result of a CONSTRUCT query read from FILE."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _view_kwargs(pathway, source, target, focus, depth, query_file) -> dict:
    for flag, value in (("--pathway", pathway), ("--from", source), ("--to", target), ("--focus", focus)):
        if value is not None and not value.strip():
            raise click.BadParameter("needs a name, not an empty string", param_hint=flag)
    chosen = [flag for flag, on in (("--pathway", pathway), ("--from/--to", source or target),
                                    ("--focus", focus), ("--query", query_file)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one view: {' and '.join(chosen)} cannot be combined")
    if (source is None) != (target is None):
        raise click.UsageError("--from and --to go together")
    if depth != 1 and not focus:
        raise click.UsageError("--depth needs --focus")
    try:
        query = Path(query_file).read_text(encoding="utf-8") if query_file else None
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read {query_file} as UTF-8 text ({exc.__class__.__name__})",
                                 param_hint="--query") from None
    return {"pathway": pathway, "source": source, "target": target, "focus": focus, "depth": depth, "query": query,
            "timeout": command_timeout()}


def _run(fmt: str, out: str, force: bool, data, backend, store, view: dict | None = None, **extra) -> None:
    from ..export import VIEW_FORMATS, check_targets
    from ..export import export as export_
    from ..progress import progress
    from ..rdfexport import RDF_FORMATS, rdf_statements

    check_targets(fmt, out, force)  # an unwritable or existing output fails before any work
    picked = any(v for k, v in view.items() if k not in ("depth", "timeout")) if view is not None else False
    # big graphs and pictures take a while: say which step is running (on a terminal only)
    with progress("Loading the graph") as bar:
        kg = load_graph(data, backend, store)
        if kg.engine.remote:
            from ..backends.remote import STREAMED

            if fmt in STREAMED and not picked:  # the store writes the file: nothing is held here
                bar.stage(f"Writing {fmt.upper()}")
                path = kg.save(fmt, out, force)
                click.echo(f"wrote {path} ({len(kg)} triples)")
                return
            kg = kg.entire()  # a view, or a format the store does not write: made here from the whole graph
        built = None
        if view is not None and (fmt in VIEW_FORMATS or picked):
            from ..viz import make_view

            bar.stage("Building the view")
            built = make_view(kg, **view)
        bar.stage(f"Writing {fmt.upper()}")
        written = export_(kg, fmt, out, force=force, view=built, **extra)
    if fmt in RDF_FORMATS:
        kind = "statements" if fmt in ("trig", "nquads") else "triples"
        size = f" ({len(rdf_statements(kg, fmt, built, ordered=False))} {kind}{': ' + built.title if built else ''})"
    else:
        assert built is not None
        size = f" ({built.graph.number_of_nodes()} entities, {built.graph.number_of_edges()} relations: {built.title})"
    for path in written:
        click.echo(f"wrote {path}{size}")


@click.group()
def export() -> None:
    """Write the graph, or a view of it, as HTML, PNG, SVG, RDF, GraphML, Cytoscape or KGX.

    Outputs are written atomically and never overwritten without --force.

    \b
    Example: igegraph export html out/graph.html --pathway ige-fceri-degranulation
    """


@export.command()
@click.argument("out", type=click.Path(dir_okay=False))
@_view_options
@click.option("--width", type=click.IntRange(400, 8000), default=1600, show_default=True,
              help="Picture width in pixels.")
@click.option("--height", type=click.IntRange(300, 8000), default=1000, show_default=True,
              help="Picture height in pixels.")
@graph_options
@_force
def png(out, pathway, source, target, focus, depth, query_file, width, height, data, backend, store, force):
    """Write a PNG picture of a view, rendered offline in headless Chromium.

    The picture is the HTML page as a 1600×1000 screen shows it: title, graph, legend and, for a
    pathway, the list of what blocks each step. Needs Chromium (apt-get install chromium, or
    IGEGRAPH_CHROMIUM=/path) and playwright.

    \b
    Example: igegraph export png out/pathway.png --pathway ige-fceri-degranulation
    """
    _run("png", out, force, data, backend, store,
         _view_kwargs(pathway, source, target, focus, depth, query_file), png_size=(width, height))


def _rdf_command(fmt: str, doc: str) -> None:
    """Register ``export FMT OUT``: the whole RDF graph, or a view's triples, in one serialisation."""

    @export.command(name=fmt, help=doc)
    @click.argument("out", type=click.Path(dir_okay=False))
    @_view_options
    @graph_options
    @_force
    def command(out, pathway, source, target, focus, depth, query_file, data, backend, store, force):
        _run(fmt, out, force, data, backend, store,
             _view_kwargs(pathway, source, target, focus, depth, query_file))


_rdf_command("turtle", """Write the whole RDF graph (curated data plus --data files), or a view, as Turtle.

    With --pathway, --from/--to, --focus or --query only that view's triples are written:
    its relations with their assertions, and its entities' descriptions.

    Example: igegraph export turtle out/igegraph.ttl --data mine.ttl
    """)
_rdf_command("ntriples", """Write the whole RDF graph, or a view, as sorted N-Triples.

    Example: igegraph export ntriples out/igegraph.nt
    """)
_rdf_command("jsonld", """Write the whole RDF graph, or a view, as compact JSON-LD with an inline @context.

    Example: igegraph export jsonld out/igegraph.jsonld
    """)
_rdf_command("trig", """Write the graph, or a view, as TriG: each claim in the named graph of its assertion.

    Example: igegraph export trig out/omalizumab.trig --focus omalizumab
    """)
_rdf_command("nquads", """Write the graph, or a view, as sorted N-Quads: each claim in its assertion's named graph.

    Example: igegraph export nquads out/igegraph.nq
    """)


def _view_command(fmt: str, doc: str, out_type: click.Path) -> None:
    """Register ``export FMT OUT`` with the view options (whole graph, pathway, focus, query)."""

    @export.command(name=fmt, help=doc)
    @click.argument("out", type=out_type)
    @_view_options
    @graph_options
    @_force
    def command(out, pathway, source, target, focus, depth, query_file, data, backend, store, force):
        _run(fmt, out, force, data, backend, store,
             _view_kwargs(pathway, source, target, focus, depth, query_file))


_FILE = click.Path(dir_okay=False)
_view_command("html", """Write a self-contained interactive HTML page (works offline, from file://).

    The whole graph by default; --pathway draws its routes left to right with every
    blocking drug at the step it acts on; --focus draws a neighbourhood; --query a CONSTRUCT
    result. Hover for identifiers, evidence and references; type in the box to find a node.

    \b
    Example: igegraph export html out/omalizumab.html --focus omalizumab --depth 2
    """, _FILE)
_view_command("svg", """Write a static SVG picture of a view: title, graph and legend (no browser needed).

    SVG 1.1 only, so browsers, rsvg-convert and CairoSVG draw it the same.

    \b
    Example: igegraph export svg out/pathway.svg --pathway ige-fceri-degranulation
    """, _FILE)
_view_command("graphml", """Write a view's graph as GraphML (for Gephi, yEd, Cytoscape desktop); lists become text.

    Example: igegraph export graphml out/igegraph.graphml
    """, _FILE)
_view_command("cytoscape", """Write a view as Cytoscape JSON: elements with the view's layout and a style.

    \b
    Example: igegraph export cytoscape out/pathway.json --pathway ige-fceri-degranulation
    """, _FILE)
_view_command("kgx", """Write KGX TSV files: Biolink 4 nodes, edges and content metadata.

    OUT is a directory (OUT/nodes.tsv, OUT/edges.tsv, OUT/content_metadata.json; an existing
    one, or a name ending in '/') or a prefix (OUT_nodes.tsv, OUT_edges.tsv, ...).

    Example: igegraph export kgx out/kgx/
    """, click.Path())
_view_command("kgx-jsonl", """Write KGX JSON Lines files: Biolink 4 nodes, edges and content metadata.

    OUT is a directory or a prefix, as for kgx; the files end in .jsonl.

    Example: igegraph export kgx-jsonl out/kgx/
    """, click.Path())


COMMANDS = [export]
