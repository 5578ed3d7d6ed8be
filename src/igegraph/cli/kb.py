"""Knowledge-base commands: stats, describe, reference, search."""

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
          r["label"], r["evidence"] or "", r["citations"]] for r in rows],
        max_width=55,
    )


def _echo_entity(d: dict) -> None:
    from ..measurements import value_text

    click.echo(f"{d['label']}  ({d['id']}, {d['class']})")
    if d["definition"]:
        click.echo(f"  {d['definition']}")
    for name, key in (("synonyms", "synonyms"), ("exact matches", "exact_matches"), ("close matches", "close_matches")):
        if d[key]:
            click.echo(f"  {name}: {', '.join(d[key])}")
    if d["phase"]:
        click.echo(f"  development phase: {d['phase']}")
    if d["citations"]:
        click.echo(f"  references: {', '.join(d['citations'])}")
    if d["outgoing"]:
        click.echo("\nrelations from it:")
        click.echo(_relations_table(d["outgoing"], "→"))
    if d["incoming"]:
        click.echo("\nrelations to it:")
        click.echo(_relations_table(d["incoming"], "←"))
    if d["measurements"]:
        click.echo("\nnumbers:")
        rows = [[m.get("quantity") or m["label"], value_text(m), m.get("unit", ""), m.get("condition", ""),
                 m["citations"]]
                for m in d["measurements"]]
        click.echo(render_table(["quantity", "value", "unit", "condition", "refs"], rows))
    for key, values in d["attributes"].items():
        click.echo(f"  {key}: {'; '.join(map(str, values))}")
    if d["mentions"]:
        click.echo("\nmentioned in: " + ", ".join(m["label"] for m in d["mentions"]))
    for note in d["notes"]:
        click.echo(f"\ncurator note: {note}")


def _echo_reference(r: dict) -> None:
    from ..references import SECTIONS

    click.echo(f"{r['label']}  ({r['id']}, reference)")
    click.echo(f"  {r['definition']}")
    if r["first_author"]:
        click.echo(f"  first author: {r['first_author']}")
    cited = sum(len(r[k]) for k in SECTIONS)
    if not cited:
        click.echo("\nnothing in the graph cites it")
    if r["assertions"]:
        click.echo(f"\nassertions citing it ({len(r['assertions'])}):")
        for a in r["assertions"]:
            evidence = f"  ({a['evidence']})" if a["evidence"] else ""
            click.echo(f"  {a['subject_label']} — {a['predicate_label']} — {a['object_label']}{evidence}")
            if a["quote"]:
                click.echo(f'    "{a["quote"]}"')
    if r["measurements"]:
        click.echo(f"\nmeasurements citing it ({len(r['measurements'])}):")
        for m in r["measurements"]:
            click.echo(f"  {m['entity_label'] + ' — ' if m['entity_label'] else ''}{m['text']}")
    for key, name in (("table1_rows", "Table 1 rows"), ("trials", "trials"), ("pathways", "pathways"),
                      ("entities", "entities"), ("other", "other")):
        if r[key]:
            click.echo(f"\n{name} citing it: " + ", ".join(row["label"] for row in r[key]))
    if r["pathway_steps"]:
        click.echo(f"\npathway steps citing it ({len(r['pathway_steps'])}):")
        for step in r["pathway_steps"]:
            click.echo(f"  {step['pathway']}: {step['label']}")
    for note in r["notes"]:
        click.echo(f"\ncurator note: {note}")


def _echo_described(d: dict, fmt: str) -> None:
    if fmt == "json":
        emit_json(d)
    elif d["kind"] == "reference":
        _echo_reference(d)
    else:
        _echo_entity(d)


@click.command()
@click.argument("term")
@graph_options
@format_option("text", "json")
def describe(term, data, backend, store, fmt):
    """Show everything known about one entity, or what cites one of the review's references.

    TERM may be a label, a synonym, an id or a CURIE (FcεRI, FceRI, "Fc epsilon RI",
    CL:0000097, DRUGBANK:DB00043, ig:mast_cell), or a reference (38, [38], ref:38, ig:ref_38,
    Gauvreau), which is shown as 'igegraph reference' shows it.

    Example: igegraph describe Xolair
    """
    from ..describe import describe as describe_

    _echo_described(describe_(load_graph(data, backend, store).about(term), term), fmt)


@click.command()
@click.argument("number")
@graph_options
@format_option("text", "json")
def reference(number, data, backend, store, fmt):
    """List everything that cites one of the review's numbered references.

    NUMBER is the reference number (38), or [38], ref:38, ig:ref_38, or the first author when
    Table 1 names one (Gauvreau). Assertions are shown with
    their quote; measurements, Table 1 rows, trials, pathways, pathway steps and entities follow.
    The review has no bibliography: only Table 1 names first authors.

    Example: igegraph reference 38
    """
    from ..references import reference as reference_

    _echo_described(reference_(load_graph(data, backend, store).about(number), number), fmt)


@click.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 500), default=10, show_default=True, help="Most results to show.")
@graph_options
@format_option("table", "json")
def search(text, limit, data, backend, store, fmt):
    """Find entities and claims by name, definition, quote, curator note, number or Table 1 cell.

    Exact names, synonyms and identifiers come first; other text is ranked by a full-text
    index (whole words, stemmed: "thrombosis", "half-life", "mg/mL"). Each hit says where it
    matched, with a snippet (matched words in «»).

    Example: igegraph search half-life
    """
    from ..fulltext import search as search_
    from ..fulltext import similar_words

    if not any(ch.isalnum() for ch in text):
        raise click.BadParameter(f"'{text}' has no letters or digits to search for", param_hint="TEXT")
    kg = load_graph(data, backend, store).matching(text)
    hits = search_(kg, text, limit=limit)
    if fmt == "json":
        emit_json(hits)
        return
    if not hits or hits[0].field == "similar name":
        click.echo(f"nothing matches '{text}' in names, definitions, quotes, curator notes, measurements or Table 1")
        words = similar_words(kg, text)
        if words:
            click.echo(f"similar words: {', '.join(words)}")
        if hits:
            click.echo("similar names:")
    if hits:
        click.echo(render_table(["id", "label", "class", "found in", "matched", "score"],
                                [[h.id, h.label, kg.label(h.category), h.field, h.matched, h.score] for h in hits],
                                max_width=62))


COMMANDS = [stats, describe, reference, search]
