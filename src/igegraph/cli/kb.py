"""Knowledge-base commands: stats, describe, search."""

from __future__ import annotations

import click

from .options import emit_json, format_option, graph_options, load_graph, render_table


@click.command()
@graph_options
@format_option("text", "json")
def stats(data, backend, store, fmt):
    """Count entities per class, relations, assertions, references and pathways.

    Example: igegraph stats --format json
    """
    from ..describe import stats as stats_

    result = stats_(load_graph(data, backend, store))
    if fmt == "json":
        emit_json(result)
        return
    for key, value in result.items():
        if not isinstance(value, dict):
            click.echo(f"{key.replace('_', ' '):18s} {value}")
    click.echo("\nentities per class:")
    click.echo(render_table(["class", "count"], [[k, v] for k, v in result["classes"].items()]))
    click.echo("\nrelations per predicate:")
    click.echo(render_table(["predicate", "count"], [[k, v] for k, v in result["predicates"].items()]))


def _relations_table(rows: list[dict], arrow: str) -> str:
    return render_table(
        ["relation", "entity", "evidence", "refs"],
        [[f"{arrow} {r['predicate_label']}" if arrow == "→" else f"{r['predicate_label']} {arrow}",
          r["label"], r["evidence"] or "", r["references"]] for r in rows],
        max_width=55,
    )


@click.command()
@click.argument("term")
@graph_options
@format_option("text", "json")
def describe(term, data, backend, store, fmt):
    """Show everything known about one entity: identifiers, relations, numbers, notes.

    TERM may be a label, a synonym, an id or a CURIE (FcεRI, FceRI, "Fc epsilon RI",
    CL:0000097, DRUGBANK:DB00043, ig:mast_cell).

    Example: igegraph describe Xolair
    """
    from ..describe import describe as describe_
    from ..describe import measurement_value

    d = describe_(load_graph(data, backend, store), term)
    if fmt == "json":
        emit_json(d)
        return
    click.echo(f"{d['label']}  ({d['id']}, {d['class']})")
    if d["definition"]:
        click.echo(f"  {d['definition']}")
    for name, key in (("synonyms", "synonyms"), ("exact matches", "exact_matches"), ("close matches", "close_matches")):
        if d[key]:
            click.echo(f"  {name}: {', '.join(d[key])}")
    if d["phase"]:
        click.echo(f"  development phase: {d['phase']}")
    if d["references"]:
        click.echo(f"  references: {', '.join(map(str, d['references']))}")
    if d["outgoing"]:
        click.echo("\nrelations from it:")
        click.echo(_relations_table(d["outgoing"], "→"))
    if d["incoming"]:
        click.echo("\nrelations to it:")
        click.echo(_relations_table(d["incoming"], "←"))
    if d["measurements"]:
        click.echo("\nnumbers:")
        rows = []
        for m in d["measurements"]:
            rows.append([m.get("quantity") or m["label"], measurement_value(m), m.get("unit", ""),
                         m.get("condition", ""), m["references"]])
        click.echo(render_table(["quantity", "value", "unit", "condition", "refs"], rows))
    for key, values in d["attributes"].items():
        click.echo(f"  {key}: {'; '.join(map(str, values))}")
    if d["mentions"]:
        click.echo("\nmentioned in: " + ", ".join(m["label"] for m in d["mentions"]))
    for note in d["notes"]:
        click.echo(f"\ncurator note: {note}")


@click.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 500), default=10, show_default=True, help="Most results to show.")
@graph_options
@format_option("table", "json")
def search(text, limit, data, backend, store, fmt):
    """Find entities by label, synonym or identifier, best match first.

    Example: igegraph search "fc epsilon"
    """
    from ..resolve import search as search_

    kg = load_graph(data, backend, store)
    hits = search_(kg, text, limit=limit)
    if fmt == "json":
        emit_json(hits)
        return
    if not hits:
        click.echo(f"no entity matches '{text}'")
        return
    click.echo(render_table(["id", "label", "class", "matched", "score"],
                            [[h.id, h.label, kg.label(h.category), h.matched, h.score] for h in hits]))


COMMANDS = [stats, describe, search]
