"""``igegraph store``: build and inspect persistent on-disk stores.

The library twins are :func:`igegraph.store.build_store` and :func:`igegraph.store.store_info`;
imports of the library happen inside the commands so that ``--help`` stays instant.
"""

from __future__ import annotations

import time

import click

from .options import allow_vocabulary_changes, emit_json, format_option, vocabulary_option, warn_vocabulary_changes

__all__ = ["store", "COMMANDS"]


@click.group()
def store() -> None:
    """Build and inspect persistent stores (load once, open in milliseconds).

    A store holds the ontology, the curated data and your own files in an on-disk Oxigraph
    database plus a cached networkx projection. Use it with --store DIR on any command.

    \b
    Example: igegraph store build out/kgstore --data mine.ttl
             igegraph stats --store out/kgstore
    """


@store.command("build")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False),
              help="Merge your own RDF file (Turtle, N-Triples, RDF/XML, JSON-LD); repeatable.")
@click.option("--force", is_flag=True, help="Rebuild an existing store, or build in a non-empty directory.")
@vocabulary_option
def build(directory: str, data: tuple[str, ...], force: bool) -> None:
    """Load ontology, curated data and --data files once into an on-disk store.

    Nothing is overwritten without --force; a failed build leaves DIRECTORY as it was.

    Example: igegraph store build out/kgstore --data mine.nt
    """
    from ..progress import progress
    from ..store import build_store

    started = time.perf_counter()
    allow = allow_vocabulary_changes()
    # a bar on a terminal only (nothing in pipes and logs): the files' bytes, then the projection
    with progress("Reading files", unit="bytes") as bar:
        def on_bytes(done: int, total: int) -> None:
            bar.update(done, total)
            if done == total:
                bar.stage("Building the projection")

        info = build_store(directory, data=data, force=force, progress=on_bytes, allow_vocabulary_changes=allow)
    warn_vocabulary_changes(info.vocabulary_changes)
    seconds = time.perf_counter() - started
    click.echo(
        f"Built {info.directory}: {info.triples:,} triples from {len(info.sources)} files "
        f"in {seconds:.1f} s ({info.disk_bytes / 1e6:.1f} MB, {info.projection} projection)."
    )


@store.command("info")
@click.argument("directory", type=click.Path(file_okay=False))
@format_option("text", "json")
def info(directory: str, fmt: str) -> None:
    """Show what a store holds: triples, source files, build time, staleness.

    Example: igegraph store info out/kgstore
    """
    from ..store import store_info

    meta = store_info(directory)
    if fmt == "json":
        emit_json({
            "directory": str(meta.directory), "triples": meta.triples, "created": meta.created,
            "igegraph_version": meta.igegraph_version, "projection": meta.projection,
            "disk_bytes": meta.disk_bytes, "sources": meta.sources, "changed": meta.changed,
            "vocabulary_changes": meta.vocabulary_changes,
        })
        return
    click.echo(f"Store:       {meta.directory}")
    click.echo(f"Triples:     {meta.triples:,}")
    click.echo(f"Built:       {meta.created} by igegraph {meta.igegraph_version}")
    click.echo(f"Projection:  {meta.projection}")
    click.echo(f"Disk:        {meta.disk_bytes / 1e6:.1f} MB")
    click.echo(f"Sources:     {len(meta.sources)} files")
    for src in meta.sources:
        mark = "  (changed since build)" if src["path"] in meta.changed else ""
        click.echo(f"  {src['kind']:<8} {src['size']:>12,} B  {src['path']}{mark}")
    for change in meta.vocabulary_changes:
        click.echo(f"Vocabulary changed by --data (--allow-vocabulary-changes): {change}")
    if meta.changed:
        click.echo(f"{len(meta.changed)} source file(s) changed since the build; "
                   f"rebuild with 'igegraph store build {directory} --force'.")


COMMANDS = [store]
