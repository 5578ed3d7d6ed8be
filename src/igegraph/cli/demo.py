"""The main job: build the graph, answer "what blocks allergen → IgE → FcεRI → degranulation",
write the interactive page and say where."""

from __future__ import annotations

from pathlib import Path

import click

from ..table import wrap_text
from .options import graph_options, load_graph
from .traverse_text import format_blocks

DEMO_PATHWAY = "ige-fceri-degranulation"


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Folder for the demo's page (its own output there is replaced on every run).")
@graph_options
def demo(out_dir, data, backend, store):
    """Build the graph, show what blocks allergen → IgE → FcεRI → degranulation, write the page.

    Example: igegraph demo --out out
    """
    from ..describe import stats
    from ..export import export
    from ..traverse import blocks_pathway
    from ..validate import validate

    kg = load_graph(data, backend, store)
    counts = stats(kg)
    report = validate(kg)
    click.echo(wrap_text(
        f"igegraph: {counts['triples']} triples, {counts['entities']} entities, "
        f"{counts['assertions']} assertions citing {counts['references_cited']} of the review's references, "
        f"{counts['table1_rows']} Table 1 rows, {counts['measurements']} numbers; "
        f"validation {'passed' if report.conforms else 'FAILED'}"
    ))
    click.echo("")
    blocked = blocks_pathway(kg, DEMO_PATHWAY)
    click.echo(format_blocks(blocked, kg))
    click.echo("")
    target = Path(out_dir) / f"{DEMO_PATHWAY}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    # the demo owns this file: it is rewritten (atomically) on every run
    written = export(kg, "html", target, force=True, pathway=DEMO_PATHWAY)
    click.echo(f"interactive page: {written[0].resolve()}")
    click.echo(f"open it with:      xdg-open {written[0]}   (works offline, from file://)")


COMMANDS = [demo]
