"""SPARQL commands: query and queries."""

from __future__ import annotations

import sys

import click

from .options import emit_json, format_option, graph_options, load_graph, render_table, timeout_option


def _parse_binds(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{item}' is not VAR=VALUE (e.g. --bind drug=omalizumab)", param_hint="--bind")
        out[name.strip().lstrip("?$")] = value
    return out


@click.command()
@click.argument("sparql", required=False)
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False), help="Read the query from a file.")
@click.option("--name", help="Run a named query from queries/ (see 'igegraph queries').")
@click.option("--bind", "binds", multiple=True, metavar="VAR=VALUE",
              help="Bind ?VAR to an entity name, a CURIE, <IRI>, a number or a \"quoted literal\"; repeatable.")
@click.option("--labels", is_flag=True, help="Show labels instead of IRIs (table and records).")
@timeout_option
@click.option("--allow-network", is_flag=True, help="Permit SERVICE and FROM, which open network connections.")
@click.option("--reasoning", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="rdfs: answer on the graph plus its RDFS entailments (subclass members, super-properties, "
                   "domains and ranges).")
@graph_options
@format_option("table", "json", "xml", "csv", "tsv", "records")
def query(sparql, file_, name, binds, labels, timeout, allow_network, reasoning, data, backend, store, fmt):
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph.

    The query is an argument, '-' for stdin, --file FILE or --name NAME. Prefixes ige:, ig:,
    rdfs:, skos:, obo: and the identifier prefixes are predeclared. The table is for people;
    json, xml, csv and tsv are the W3C SPARQL 1.1 result formats, records a plain JSON list.
    CONSTRUCT and DESCRIBE print Turtle (json: JSON-LD, xml: RDF/XML).

    Example: igegraph query --name cq01-ce3-binders --labels
    """
    from ..sparql import named_query, query_text

    given = [x for x in (sparql, file_, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a query argument, '-' (stdin), --file or --name")
    if name is not None:
        text = named_query(name).text
    elif file_ is not None:
        try:
            with open(file_, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {file_} as UTF-8 text ({exc.__class__.__name__})",
                                     param_hint="--file") from None
    elif sparql == "-":
        text = sys.stdin.read()
    else:
        text = sparql
    kg = load_graph(data, backend, store)
    if labels and fmt not in ("table", "records"):
        raise click.UsageError(f"--labels applies to table and records output, not the W3C format {fmt}")
    if reasoning == "rdfs":
        from ..reasoning import entailed

        kg = entailed(kg)
    out = query_text(kg, text, _parse_binds(binds), fmt=fmt, labels=labels, timeout=timeout,
                     allow_network=allow_network)
    click.echo(out, nl=not out.endswith("\n"))


@click.command()
@format_option("table", "json")
def queries(fmt):
    """List the named queries shipped in queries/ with their one-line descriptions.

    Example: igegraph queries
    """
    from ..sparql import named_queries

    found = named_queries()
    if fmt == "json":
        emit_json(found)
        return
    click.echo(render_table(["name", "question"], [[q.name, q.title] for q in found]))


COMMANDS = [query, queries]
