"""Traversal commands: path, neighbors, upstream, downstream, pathways, blocks, knockout, cutsets."""

from __future__ import annotations

import re

import click

from ..table import wrap_text
from .options import emit_json, format_option, graph_options, load_graph, render_table

_max_length = click.option("--max-length", type=click.IntRange(1, 20), default=8, show_default=True,
                           help="Longest route, in relations.")
_routes = click.option("--routes", "shown", type=click.IntRange(1, 1000), default=20, show_default=True,
                       help="How many routes to show in detail (the answer always covers every route).")


@click.command()
@click.argument("source")
@click.argument("target")
@_max_length
@click.option("--all", "all_", is_flag=True,
              help="The first --routes routes up to --max-length, not only the shortest.")
@_routes
@graph_options
@format_option("table", "json")
def path(source, target, max_length, all_, shown, data, backend, store, fmt):
    """Show causal routes from SOURCE to TARGET, each step with its relation and references.

    Says how many routes there are in all; with no route, says whether a longer --max-length
    would find one.

    Example: igegraph path allergen "mast cell degranulation" --all
    """
    from ..traverse import path as path_
    from .traverse_text import format_routes

    kg = load_graph(data, backend, store)
    report = path_(kg, source, target, max_length=max_length, all=all_, limit=shown)
    if fmt == "json":
        emit_json(report)
    else:
        click.echo(format_routes(report))


def _closure_output(rows: list[dict], fmt: str, empty: str) -> None:
    if fmt == "json":
        emit_json(rows)
    elif not rows:
        click.echo(empty)
    else:
        click.echo(_closure_table(rows))


def _closure_table(rows: list[dict]) -> str:
    """Entities with the relation that reaches each; a relation's name in ``-[…]->`` is never
    split across lines (no-break spaces, printed as spaces)."""
    def glued(via: str) -> str:
        return re.sub(r"-\[([^\]]*)\]->", lambda m: "-[" + m.group(1).replace(" ", "\u00a0") + "]->", via)

    effect = any("effect" in r for r in rows)  # neighbors lists relations, not their net direction
    return render_table(["distance", "entity", *(["effect"] if effect else []), "class", "via", "refs"],
                        [[r["distance"], r["label"], *([r["effect"]] if effect else []), r["category"],
                          glued(r["via"]), r["references"]] for r in rows])


@click.command()
@click.argument("term")
@click.option("--depth", type=click.IntRange(1, 10), default=1, show_default=True, help="How many relations away.")
@click.option("--direction", type=click.Choice(["up", "down", "both"]), default="both", show_default=True)
@click.option("--predicate", "predicates", multiple=True, help="Only this relation (label or id); repeatable.")
@graph_options
@format_option("table", "json")
def neighbors(term, depth, direction, predicates, data, backend, store, fmt):
    """List the entities around TERM, with the relation that reaches each.

    \b
    Example: igegraph neighbors "mast cell" --direction down --predicate secretes
    """
    from ..traverse import neighbors as neighbors_

    kg = load_graph(data, backend, store).around(term, depth, direction)
    rows = neighbors_(kg, term, depth=depth, direction=direction, predicates=predicates)
    _closure_output(rows, fmt, f"{kg.label(kg.resolve(term))} has no such neighbours")


_predicates = click.option("--predicate", "predicates", multiple=True,
                           help="Only this causal relation (label or id); repeatable.")


def _depth(rows: list[dict], max_depth: int | None) -> str:
    if max_depth is not None:
        return f"up to {max_depth} relation{'s' if max_depth != 1 else ''} away (--max-depth)"
    farthest = max((r["distance"] for r in rows), default=0)
    plural = "s" if farthest != 1 else ""
    return f"at any depth (the farthest {farthest} relation{plural} away; --max-depth to stop sooner)"


def _closure_tables(rows: list[dict], heading: str, split: bool) -> None:
    click.echo(wrap_text(heading + ":"))
    groups = ([("causes", [r for r in rows if not r["intervention"]]),
               ("agents (drugs, procedures and other interventions)", [r for r in rows if r["intervention"]])]
              if split else [("", rows)])
    for name, chosen in groups:
        if name:
            click.echo(f"\n{name}:" if chosen else f"\n{name}: none")
        if chosen:
            click.echo(_closure_table(chosen))


def _closure_command(term, max_depth, predicates, data, backend, store, fmt, up: bool) -> None:
    """upstream (``up``) or downstream: what acts on TERM, or what TERM acts on."""
    from ..traverse import downstream as downstream_
    from ..traverse import upstream as upstream_

    kg = load_graph(data, backend, store).around(term, max_depth, "up" if up else "down", causal=True)
    rows = (upstream_ if up else downstream_)(kg, term, max_depth, predicates)
    name = kg.label(kg.resolve(term))
    through = " through " + ", ".join(predicates) if predicates else ""
    if fmt == "json":
        emit_json(rows)
    elif not rows:
        click.echo(wrap_text((f"nothing acts on {name}" if up else f"{name} acts on nothing") + through))
    else:
        title = f"What acts on {name}" if up else f"What {name} acts on"
        _closure_tables(rows, f"{title}, {_depth(rows, max_depth)}", split=up)
        on = f"of each entity on {name}" if up else f"of {name} on each entity"
        click.echo()
        # a cell reached through "expressed on" is reached in its activity, not its numbers; and
        # the sign is the graph's inference, which the review may never state for that pair
        click.echo(wrap_text(f"effect: the net direction {on}, on its activity or level (not on cell numbers): "
                             "the product of the relations' signs along the way, mixed where routes of opposite "
                             "signs lead there; inferred from the graph, not a finding of the review"))


@click.command()
@click.argument("term")
@click.option("--max-depth", type=click.IntRange(1, 50), default=None, help="Stop after this many relations.")
@_predicates
@graph_options
@format_option("table", "json")
def upstream(term, max_depth, predicates, data, backend, store, fmt):
    """List what acts on TERM through causal relations, nearest first: causes and agents apart.

    Causes are the entities and processes of the biology upstream of TERM; agents are the
    drugs, procedures and other interventions that act on it or on its causes.

    Example: igegraph upstream IgE --max-depth 2
    """
    _closure_command(term, max_depth, predicates, data, backend, store, fmt, up=True)


@click.command()
@click.argument("term")
@click.option("--max-depth", type=click.IntRange(1, 50), default=None, help="Stop after this many relations.")
@_predicates
@graph_options
@format_option("table", "json")
def downstream(term, max_depth, predicates, data, backend, store, fmt):
    """List everything TERM acts on through causal relations, nearest first.

    Example: igegraph downstream histamine
    """
    _closure_command(term, max_depth, predicates, data, backend, store, fmt, up=False)


@click.command()
@graph_options
@format_option("table", "json")
def pathways(data, backend, store, fmt):
    """List the named pathways with their ordered steps.

    Example: igegraph pathways
    """
    from ..traverse import pathways as pathways_

    kg = load_graph(data, backend, store)
    found = pathways_(kg)
    if fmt == "json":
        emit_json(found)
        return
    for p in found:
        click.echo(wrap_text(f"{p.name}: {p.title}  ({kg.label(p.source)} → {kg.label(p.target)})", subsequent="  "))
        for step in p.steps:
            entities = ", ".join(step["entity_labels"])
            click.echo(wrap_text(f"{step['label']}  [{entities}]", indent=f"  {step['index']}. "))


@click.command()
@click.argument("source", required=False)
@click.argument("target", required=False)
@click.option("--pathway", "pathway_name", help="A named pathway (see 'igegraph pathways') instead of SOURCE TARGET.")
@_max_length
@_routes
@click.option("--any-agent", is_flag=True, help="Also report endogenous negative regulators, not only interventions.")
@graph_options
@format_option("table", "json")
def blocks(source, target, pathway_name, max_length, shown, any_agent, data, backend, store, fmt):
    """Show every intervention that cuts or weakens a route from SOURCE to TARGET, and where.

    Abolishing actions (neutralize, block binding, deplete, kill, remove …) cut a route;
    lowering ones (inhibit, down-regulate, reduce) only weaken it. For each: the step, per
    route direct or upstream, phase, evidence, references, the share of routes hit and whether
    every route is cut. Agents acting only on TARGET itself are listed apart.

    Example: igegraph blocks --pathway ige-fceri-degranulation
    """
    from ..traverse import blocks as blocks_
    from ..traverse import blocks_pathway

    if pathway_name and (source or target):
        raise click.UsageError("give either SOURCE TARGET or --pathway NAME, not both")
    if not pathway_name and not (source and target):
        raise click.UsageError("give SOURCE and TARGET, or --pathway NAME")
    kg = load_graph(data, backend, store)
    if pathway_name:
        report = blocks_pathway(kg, pathway_name, max_length, interventions_only=not any_agent, routes=shown)
    else:
        report = blocks_(kg, source, target, max_length, interventions_only=not any_agent, routes=shown)
    if fmt == "json":
        emit_json(report)
    else:
        from .traverse_text import format_blocks

        click.echo(format_blocks(report, kg))


@click.command()
@click.argument("items", nargs=-1, required=True)
@click.option("--from", "source", required=True, help="Route source.")
@click.option("--to", "target", required=True, help="Route target.")
@_max_length
@_routes
@graph_options
@format_option("table", "json")
def knockout(items, source, target, max_length, shown, data, backend, store, fmt):
    """Remove ITEMS (genes, receptors, cells, mediators, processes) or apply them (interventions)
    together, and show which routes from --from to --to remain.

    \b
    Example: igegraph knockout FcεRI --from allergen --to "mast cell degranulation"
    """
    from ..traverse import knockout as knockout_
    from .traverse_text import format_knockout

    kg = load_graph(data, backend, store)
    result = knockout_(kg, items, source, target, max_length, routes=shown)
    if fmt == "json":
        emit_json(result)
    else:
        click.echo(format_knockout(result))


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-size", type=click.IntRange(1, 5), default=2, show_default=True,
              help="Largest set to consider.")
@click.option("--entities", is_flag=True,
              help="Sets of any entities (route nodes, interactions, what they depend on), not only interventions.")
@_max_length
@graph_options
@format_option("table", "json")
def cutsets(source, target, max_size, entities, max_length, data, backend, store, fmt):
    """List the minimal sets of interventions (or, with --entities, of any entities) that
    together cut every route.

    Example: igegraph cutsets IgE "Th2 activation" --max-size 2
    """
    from ..traverse import cutsets as cutsets_

    kg = load_graph(data, backend, store)
    found = cutsets_(kg, source, target, max_size=max_size, max_length=max_length, entities=entities)
    if fmt == "json":
        emit_json(found)
        return
    kind = "entities" if entities else "interventions"
    if not found:
        click.echo(wrap_text(f"no set of at most {max_size} {kind} cuts every route "
                             f"from {kg.label(kg.resolve(source))} to {kg.label(kg.resolve(target))}"))
        return
    for c in found:
        click.echo(wrap_text(f"{{{', '.join(c.labels)}}}", subsequent=" "))


COMMANDS = [path, neighbors, upstream, downstream, pathways, blocks, knockout, cutsets]
