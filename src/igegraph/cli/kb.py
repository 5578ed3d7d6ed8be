"""Knowledge-base commands: stats, describe, reference, search."""

from __future__ import annotations

import click

from ..table import wrap_text
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
    )


def _echo_scales(kg, phases: list[str], evidence: list[str]) -> None:
    """The footnote on what the phases and evidence levels shown above mean."""
    from ..scales import footnote

    if any(phases) or any(evidence):
        click.echo("\n" + footnote(kg, phases, evidence))


def _echo_entity(d: dict, kg) -> None:
    from ..measurements import shown_unit, value_text

    click.echo(wrap_text(f"{d['label']}  ({d['id']}, {d['class']})", subsequent="  "))
    if d["definition"]:
        click.echo(wrap_text(d["definition"], indent="  "))
    for name, key in (("synonyms", "synonyms"), ("exact matches", "exact_matches"), ("close matches", "close_matches")):
        if d[key]:
            click.echo(wrap_text(f"{name}: {', '.join(d[key])}", indent="  ", subsequent="    "))
    if d["phase"]:
        click.echo(f"  development phase: {d['phase']}")
    if d["citations"]:
        click.echo(wrap_text(f"references: {', '.join(d['citations'])}", indent="  ", subsequent="    "))
    if d["outgoing"]:
        click.echo("\nrelations from it:")
        click.echo(_relations_table(d["outgoing"], "→"))
    if d["incoming"]:
        click.echo("\nrelations to it:")
        click.echo(_relations_table(d["incoming"], "←"))
    studies = [r for r in d["outgoing"] if r["outcome"]]
    if studies:  # what a study found, e.g. no benefit: the relation table does not say it
        click.echo("\nstudy outcomes:")
        for r in studies:
            who = f" ({r['condition']})" if r["condition"] else ""
            refs = f" — {', '.join(r['citations'])}" if r["citations"] else ""
            click.echo(wrap_text(f"{r['predicate_label']} {r['label']}{who}: {r['outcome']}{refs}",
                                 indent="  ", subsequent="    "))
    if d["measurements"]:
        click.echo("\nnumbers:")
        rows = [[m.get("quantity") or m["label"], value_text(m), shown_unit(m), m.get("condition", ""),
                 m["citations"]]
                for m in d["measurements"]]
        click.echo(render_table(["quantity", "value", "unit", "condition", "refs"], rows))
    for key, values in d["attributes"].items():
        click.echo(wrap_text(f"{key}: {'; '.join(map(str, values))}", indent="  ", subsequent="    "))
    if d["mentions"]:
        click.echo("\n" + wrap_text("mentioned in: " + ", ".join(m["label"] for m in d["mentions"]), subsequent="  "))
    for note in d["notes"]:
        click.echo("\n" + wrap_text(f"curator note: {note}", subsequent="  "))
    # the curators' reasons behind single claims (an evidence level, a context), each named as in
    # the relation tables above: "→ expressed on mast cell", "down-regulates ← omalizumab"
    claims = [(f"→ {r['predicate_label']} {r['label']}", note) for r in d["outgoing"] for note in r["notes"]]
    claims += [(f"{r['predicate_label']} ← {r['label']}", note) for r in d["incoming"] for note in r["notes"]]
    if claims:
        click.echo("\ncurator notes on its relations:")
        for claim, note in claims:
            click.echo(wrap_text(f"{claim}: {note}", indent="  ", subsequent="    "))
    _echo_scales(kg, [d["phase"] or ""], [r["evidence"] or "" for r in (*d["outgoing"], *d["incoming"])])


def _echo_reference(r: dict, kg) -> None:
    from ..measurements import measurement, measurement_text
    from ..references import SECTIONS

    click.echo(wrap_text(f"{r['label']}  ({r['id']}, reference)", subsequent="  "))
    click.echo(wrap_text(r["definition"], indent="  "))
    if r["first_author"]:
        click.echo(wrap_text(f"first author: {r['first_author']}", indent="  ", subsequent="    "))
    cited = sum(len(r[k]) for k in SECTIONS)
    if not cited:
        click.echo("\nnothing in the graph cites it")
    if r["assertions"]:
        click.echo(f"\nassertions citing it ({len(r['assertions'])}):")
        for a in r["assertions"]:
            evidence = f"  ({a['evidence']})" if a["evidence"] else ""
            click.echo(wrap_text(f"{a['subject_label']} — {a['predicate_label']} — {a['object_label']}{evidence}",
                                 indent="  ", subsequent="    "))
            if a["quote"]:
                click.echo(wrap_text(f'"{a["quote"]}"', indent="    ", subsequent="     "))
    if r["measurements"]:
        click.echo(f"\nmeasurements citing it ({len(r['measurements'])}):")
        for m in r["measurements"]:
            text = measurement_text(measurement(kg, kg.iri(m["id"])), symbols=True)  # units for people
            click.echo(wrap_text(f"{m['entity_label'] + ' — ' if m['entity_label'] else ''}{text}", indent="  ",
                                 subsequent="    "))
    for key, name in (("table1_rows", "Table 1 rows"), ("trials", "trials"), ("pathways", "pathways"),
                      ("entities", "entities"), ("other", "other")):
        if r[key]:
            click.echo("\n" + wrap_text(f"{name} citing it: " + ", ".join(row["label"] for row in r[key]),
                                        subsequent="  "))
    if r["pathway_steps"]:
        click.echo(f"\npathway steps citing it ({len(r['pathway_steps'])}):")
        for step in r["pathway_steps"]:
            click.echo(wrap_text(f"{step['pathway']}: {step['label']}", indent="  ", subsequent="    "))
    for note in r["notes"]:
        click.echo("\n" + wrap_text(f"curator note: {note}", subsequent="  "))
    _echo_scales(kg, [], [a["evidence"] or "" for a in r["assertions"]])


def _echo_described(d: dict, fmt: str, kg) -> None:
    if fmt == "json":
        emit_json(d)
    elif d["kind"] == "reference":
        _echo_reference(d, kg)
    else:
        _echo_entity(d, kg)


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

    kg = load_graph(data, backend, store).about(term)
    _echo_described(describe_(kg, term), fmt, kg)


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

    kg = load_graph(data, backend, store).about(number)
    _echo_described(reference_(kg, number), fmt, kg)


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
        click.echo(wrap_text(f"nothing matches '{text}' in names, definitions, quotes, curator notes, "
                             "measurements or Table 1"))
        words = similar_words(kg, text)
        if words:
            click.echo(wrap_text(f"similar words: {', '.join(words)}", subsequent="  "))
        if hits:
            click.echo("similar names:")
    if hits:
        click.echo(render_table(["id", "label", "class", "found in", "matched", "score"],
                                [[h.id, h.label, kg.label(h.category), h.field, h.matched, h.score] for h in hits]))


COMMANDS = [stats, describe, reference, search]
