"""SPARQL commands: query and queries."""

from __future__ import annotations

import re
import sys

import click

from ..errors import shorten
from ..table import wrap_text
from .options import command_timeout, emit_json, format_option, graph_options, load_graph

# words that begin a SPARQL query: alone, they are a malformed query, not a query name
_KEYWORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE"}


def _parse_binds(values: tuple[str, ...], named: bool = False) -> dict[str, str]:
    """``VAR=VALUE`` items as a dict; for a named query a bare NAME is kept with no value, so
    that the library can say which parameters the query has."""
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not (sep or named) or not name.strip():
            raise click.BadParameter(f"'{item}' is not VAR=VALUE (e.g. --bind drug=omalizumab)", param_hint="--bind")
        out[name.strip().lstrip("?$")] = value
    return out


def _refuse_file_name(text: str) -> None:
    """A UsageError pointing to --file when the query argument names a query file, as
    'igegraph query q.rq' does, rather than holding a query (which is judged as it is)."""
    import os
    import shlex

    from ..errors import QueryError
    from ..sparql import check_query

    is_file = os.path.isfile(text)
    if not (is_file or text.lower().endswith((".rq", ".sparql"))):
        return
    try:
        check_query(text, allow_network=True)
        return
    except QueryError:
        pass
    if is_file:  # its whole name is in the command to copy
        raise click.UsageError("the query argument is a file, not a SPARQL query; to run the query in it, use "
                               f"--file: igegraph query --file {shlex.quote(text)}")
    raise click.UsageError(f"'{shorten(text)}' looks like a file name, not a SPARQL query, and there is no such file; "
                           "to run the query in a file, use --file PATH")


@click.command()
@click.argument("sparql", required=False)
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False), help="Read the query from a file.")
@click.option("--name", help="Run a named query from queries/ (see 'igegraph queries').")
@click.option("--bind", "binds", multiple=True, metavar="VAR=VALUE",
              help="Bind ?VAR to an entity name, a CURIE, <IRI>, a number or a \"quoted literal\"; repeatable. "
                   "For a named query, VAR is one of its parameters and VALUE is looked up by the parameter's "
                   "type (a phase by its name, e.g. \"phase=Phase III\"; see 'igegraph queries').")
@click.option("--labels", is_flag=True, help="Show labels instead of IRIs (table and records).")
@click.option("--allow-network", is_flag=True, help="Permit SERVICE and FROM, which open network connections.")
@click.option("--reasoning", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="rdfs: answer on the graph plus its RDFS entailments (subclass members, super-properties, "
                   "domains and ranges).")
@graph_options
@format_option("table", "json", "xml", "csv", "tsv", "records")
def query(sparql, file_, name, binds, labels, allow_network, reasoning, data, backend, store, fmt):
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph.

    The query is an argument, '-' for stdin, --file FILE or --name NAME; an argument that is one
    word (no SPARQL is) names a named query too. Prefixes ige:, ig:, rdfs:, skos:, obo: and the
    identifier prefixes are predeclared. The table is for people;
    json, xml, csv and tsv are the W3C SPARQL 1.1 result formats, records a plain JSON list.
    CONSTRUCT and DESCRIBE print Turtle (json: JSON-LD, xml: RDF/XML).

    Example: igegraph query cq05-table1-phases --bind 'phase=Phase III' --labels
    """
    from ..sparql import named_query, query_text

    named = None
    if sparql not in (None, "-") and name is None:
        _refuse_file_name(sparql)
    if sparql is not None and name is None and re.fullmatch(r"[\w.-]+", sparql) and sparql != "-" \
            and sparql.upper() not in _KEYWORDS:
        # 'igegraph query cq05-table1-phases': a word is never a whole SPARQL query, though it may
        # start one ('DESCRIBE' alone is malformed SPARQL, and says so)
        name, sparql = sparql, None
    given = [x for x in (sparql, file_, name) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a query argument, '-' (stdin), --file or --name")
    if name is not None:
        named = named_query(name)
        text = named.text
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
    bindings = _parse_binds(binds, named is not None)
    out = query_text(kg, text, named.bind(kg, bindings) if named else bindings, fmt=fmt, labels=labels,
                     timeout=command_timeout(), allow_network=allow_network)
    click.echo(out, nl=not out.endswith("\n"))


@click.command()
@click.argument("names", nargs=-1)
@format_option("table", "json")
def queries(names, fmt):
    """List the named queries shipped in queries/: question, parameters and a command that runs each.

    NAMES shows only those queries. Each parameter has a type: entity (a name, synonym, id or
    CURIE; with a class, one of its members), phase (a development phase), class or literal
    (text matched exactly); --bind looks its value up among that type only.

    Example: igegraph queries cq05-table1-phases
    """
    from ..sparql import named_queries, named_query

    found = [named_query(n) for n in names] if names else named_queries()
    if fmt == "json":
        emit_json(found)
        return
    blocks = []
    for q in found:
        lines = [wrap_text(f"{q.name}: {q.title}", subsequent="  ")]
        for p in q.parameters:
            kind = f"{p.type} {p.within}" if p.within else p.type
            lines.append(wrap_text(f"{p.name} ({kind}): {p.description}; e.g. {p.example}", indent="  ",
                                   subsequent="    "))
        lines.append(f"  {q.example}")  # a command to copy: one line, as it is
        blocks.append("\n".join(lines))
    click.echo("\n".join(blocks))


COMMANDS = [query, queries]
