"""Traversal commands: path, neighbors, upstream, downstream, pathways, blocks, knockout, cutsets."""

from __future__ import annotations

import click

from .options import emit_json, format_option, graph_options, load_graph, render_table

_max_length = click.option("--max-length", type=click.IntRange(1, 20), default=8, show_default=True,
                           help="Longest route, in relations.")


def _print_routes(found, source_label: str, target_label: str) -> None:
    if not found:
        click.echo(f"no route from {source_label} to {target_label} (within the length limit)")
        return
    for i, route in enumerate(found):
        click.echo(f"route {i} ({route.length} steps):")
        click.echo(f"  {route.labels[0]}")
        for hop, label in zip(route.hops, route.labels[1:]):
            preds = " | ".join(f"{p['label']} [{', '.join(map(str, p['references']))}]" for p in hop["predicates"])
            click.echo(f"    -> {label}    ({preds})")


@click.command()
@click.argument("source")
@click.argument("target")
@_max_length
@click.option("--all", "all_", is_flag=True, help="All routes up to --max-length, not only the shortest.")
@graph_options
@format_option("table", "json")
def path(source, target, max_length, all_, data, backend, store, fmt):
    """Show causal routes from SOURCE to TARGET, each step with its relation and references.

    Example: igegraph path allergen "mast cell degranulation" --all
    """
    from ..pathways import path as path_

    kg = load_graph(data, backend, store)
    found = path_(kg, source, target, max_length=max_length, all=all_)
    if fmt == "json":
        emit_json(found)
        return
    _print_routes(found, kg.label(kg.resolve(source)), kg.label(kg.resolve(target)))


def _closure_output(rows: list[dict], fmt: str, empty: str) -> None:
    if fmt == "json":
        emit_json(rows)
    elif not rows:
        click.echo(empty)
    else:
        click.echo(render_table(["distance", "entity", "class", "via", "refs"],
                                [[r["distance"], r["label"], r["category"], r["via"], r["references"]] for r in rows],
                                max_width=70))


@click.command()
@click.argument("term")
@click.option("--depth", type=click.IntRange(1, 10), default=1, show_default=True, help="How many relations away.")
@click.option("--direction", type=click.Choice(["up", "down", "both"]), default="both", show_default=True)
@click.option("--predicate", "predicates", multiple=True, help="Only this relation (label or id); repeatable.")
@graph_options
@format_option("table", "json")
def neighbors(term, depth, direction, predicates, data, backend, store, fmt):
    """List the entities around TERM, with the relation that reaches each.

    Example: igegraph neighbors "mast cell" --direction down --predicate secretes
    """
    from ..pathways import neighbors as neighbors_

    kg = load_graph(data, backend, store)
    rows = neighbors_(kg, term, depth=depth, direction=direction, predicates=predicates)
    _closure_output(rows, fmt, f"{kg.label(kg.resolve(term))} has no such neighbours")


@click.command()
@click.argument("term")
@click.option("--max-depth", type=click.IntRange(1, 50), default=None, help="Stop after this many relations.")
@graph_options
@format_option("table", "json")
def upstream(term, max_depth, data, backend, store, fmt):
    """List everything that acts on TERM through causal relations, nearest first.

    Example: igegraph upstream IgE --max-depth 2
    """
    from ..pathways import upstream as upstream_

    kg = load_graph(data, backend, store)
    _closure_output(upstream_(kg, term, max_depth), fmt, f"nothing acts on {kg.label(kg.resolve(term))}")


@click.command()
@click.argument("term")
@click.option("--max-depth", type=click.IntRange(1, 50), default=None, help="Stop after this many relations.")
@graph_options
@format_option("table", "json")
def downstream(term, max_depth, data, backend, store, fmt):
    """List everything TERM acts on through causal relations, nearest first.

    Example: igegraph downstream histamine
    """
    from ..pathways import downstream as downstream_

    kg = load_graph(data, backend, store)
    _closure_output(downstream_(kg, term, max_depth), fmt, f"{kg.label(kg.resolve(term))} acts on nothing")


@click.command()
@graph_options
@format_option("table", "json")
def pathways(data, backend, store, fmt):
    """List the named pathways with their ordered steps.

    Example: igegraph pathways
    """
    from ..pathways import pathways as pathways_

    kg = load_graph(data, backend, store)
    found = pathways_(kg)
    if fmt == "json":
        emit_json(found)
        return
    for p in found:
        click.echo(f"{p.name}: {p.title}  ({kg.label(p.source)} → {kg.label(p.target)})")
        for step in p.steps:
            click.echo(f"  {step['index']}. {step['label']}  [{', '.join(step['entity_labels'])}]")


def format_blocks(report) -> str:
    """The text rendering of a BlockReport (also used by the demo)."""
    lines = []
    title = report.title or f"{report.labels[report.source]} → {report.labels[report.target]}"
    lines.append(f"What blocks {title}")
    lines.append(f"{len(report.routes)} route(s) of at most {report.max_length} steps:")
    for i, route in enumerate(report.routes):
        lines.append(f"  [{i}] {' → '.join(route.labels)}")
    if not report.routes:
        lines.append(f"no route from {report.labels[report.source]} to {report.labels[report.target]}, so nothing to block")
        return "\n".join(lines)
    if not report.blockers:
        lines.append("no intervention in the graph cuts any of these routes")
        return "\n".join(lines)
    lines.append("")
    rows = []
    for b in report.blockers:
        survive = "all cut" if b.cuts_all_routes else f"survive: {', '.join(map(str, b.surviving_routes))}"
        acts = b.acts_on_label if b.acts_on_label != b.step_label else ""
        rows.append([b.step_label, b.label, b.action + (f" {acts}" if acts else ""), b.mode,
                     b.phase or "", b.evidence or "", b.references, survive])
    lines.append(render_table(["step", "intervention", "action", "mode", "phase", "evidence", "refs", "routes"],
                              rows, max_width=48))
    lines.append("")
    summary = report.interventions
    full = sorted((v["label"] for v in summary.values() if v["cuts_all_routes"]), key=str.lower)
    partial = sorted((v["label"] for v in summary.values() if not v["cuts_all_routes"]), key=str.lower)
    lines.append(f"cut every route: {', '.join(full) if full else 'none'}")
    if partial:
        lines.append(f"leave some route open: {', '.join(partial)}")
    return "\n".join(lines)


@click.command()
@click.argument("source", required=False)
@click.argument("target", required=False)
@click.option("--pathway", "pathway_name", help="A named pathway (see 'igegraph pathways') instead of SOURCE TARGET.")
@_max_length
@click.option("--any-agent", is_flag=True, help="Also report endogenous negative regulators, not only interventions.")
@graph_options
@format_option("table", "json")
def blocks(source, target, pathway_name, max_length, any_agent, data, backend, store, fmt):
    """Show every intervention that cuts a route from SOURCE to TARGET, and where.

    For each: the step it acts on, direct or upstream, how (neutralizes, blocks binding,
    depletes, kills, removes …), phase, evidence, references, and whether every route is cut
    or which survive.

    Example: igegraph blocks --pathway ige-fceri-degranulation
    """
    from ..pathways import blocks as blocks_
    from ..pathways import blocks_pathway

    if pathway_name and (source or target):
        raise click.UsageError("give either SOURCE TARGET or --pathway NAME, not both")
    if not pathway_name and not (source and target):
        raise click.UsageError("give SOURCE and TARGET, or --pathway NAME")
    kg = load_graph(data, backend, store)
    if pathway_name:
        report = blocks_pathway(kg, pathway_name, max_length, interventions_only=not any_agent)
    else:
        report = blocks_(kg, source, target, max_length, interventions_only=not any_agent)
    if fmt == "json":
        emit_json(report)
    else:
        click.echo(format_blocks(report))


@click.command()
@click.argument("interventions", nargs=-1, required=True)
@click.option("--from", "source", required=True, help="Route source.")
@click.option("--to", "target", required=True, help="Route target.")
@_max_length
@graph_options
@format_option("table", "json")
def knockout(interventions, source, target, max_length, data, backend, store, fmt):
    """Apply INTERVENTIONS together and show which routes from --from to --to remain.

    Example: igegraph knockout quilizumab --from allergen --to "mast cell degranulation"
    """
    from ..pathways import knockout as knockout_

    kg = load_graph(data, backend, store)
    result = knockout_(kg, interventions, source, target, max_length)
    if fmt == "json":
        emit_json(result)
        return
    names = ", ".join(kg.label(i) for i in result.interventions)
    if not result.routes:
        click.echo(f"no route from {kg.label(result.source)} to {kg.label(result.target)}, so nothing to knock out")
        return
    click.echo(f"knockout of {names}: {len(result.surviving)} of {len(result.routes)} route(s) remain")
    for i, route in enumerate(result.routes):
        state = "REMAINS" if i in result.surviving else f"cut ({result.cut[i]})"
        click.echo(f"  [{i}] {state}: {' → '.join(route.labels)}")


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-size", type=click.IntRange(1, 5), default=2, show_default=True,
              help="Largest set of interventions to consider.")
@_max_length
@graph_options
@format_option("table", "json")
def cutsets(source, target, max_size, max_length, data, backend, store, fmt):
    """List the minimal sets of existing interventions that together cut every route.

    Example: igegraph cutsets IgE "Th2 activation" --max-size 2
    """
    from ..pathways import cutsets as cutsets_

    kg = load_graph(data, backend, store)
    found = cutsets_(kg, source, target, max_size=max_size, max_length=max_length)
    if fmt == "json":
        emit_json(found)
        return
    if not found:
        click.echo(f"no set of at most {max_size} intervention(s) cuts every route "
                   f"from {kg.label(kg.resolve(source))} to {kg.label(kg.resolve(target))}")
        return
    for c in found:
        click.echo(f"{{{', '.join(c.labels)}}}")


COMMANDS = [path, neighbors, upstream, downstream, pathways, blocks, knockout, cutsets]
