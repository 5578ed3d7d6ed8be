"""validate command: SHACL shapes and integrity checks (library twin: igegraph.validate.validate)."""

from __future__ import annotations

import click

from ..errors import IgegraphError
from .options import allow_vocabulary_changes, emit_json, format_option, graph_options, load_graph, render_table

__all__ = ["validate", "COMMANDS"]


@click.command("validate")
@graph_options
@format_option("text", "json")
def validate(data: tuple[str, ...], backend: str, store: str | None, fmt: str) -> None:
    """Check the graph against the SHACL shapes and the integrity rules.

    Runs ontology/shapes.ttl with pySHACL (no inference) and the integrity checks (every
    claim has its ige:Assertion and back, assertions cite references, identifiers are well
    formed, ige: terms exist) and the vocabulary's own declarations (polarities, flags,
    integer indexes, no class cycle, no entity retyped as a property, no --data file changing
    the curated vocabulary unless --allow-vocabulary-changes). Prints one line per problem (entity, rule,
    message) and exits with code 1 when there is any; prints "valid: ..." and exits 0 otherwise.

    Example: igegraph validate --data mine.ttl
    """
    from ..validate import validate as validate_graph

    try:
        # SHACL reads everything: a graph on an endpoint is downloaded
        report = validate_graph(load_graph(data, backend, store, lenient=True).entire(),
                                allow_vocabulary_changes=allow_vocabulary_changes())
    except IgegraphError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        emit_json(report.to_dict())
    else:
        if report.violations:
            rows = [
                [v.focus, v.rule, v.message if v.severity == "Violation" else f"{v.severity.lower()}: {v.message}"]
                for v in report.violations
            ]
            headers = ["entity", "rule", "message"]
            if any(v.file for v in report.violations):  # problems in --data files say which file
                headers.insert(0, "file")
                rows = [[v.file or "", *row] for v, row in zip(report.violations, rows, strict=True)]
            click.echo(render_table(headers, rows, max_width=400))
        click.echo(report.summary())
    if not report.conforms:
        raise click.exceptions.Exit(1)


COMMANDS = [validate]
