"""Exports: RDF (Turtle, N-Triples, JSON-LD, TriG, N-Quads), graphs (GraphML, Cytoscape, KGX), pictures.

Every writer is atomic: the content goes to a temporary file in the target's directory and
is moved into place with :func:`os.replace`, so a reader never sees half a file. An existing
output is only replaced with ``force=True`` (else :class:`~igegraph.errors.OutputExists`).

The graph formats and the pictures (HTML, PNG, SVG; drawn by :mod:`igegraph.viz`) draw a *view*:
the whole graph by default, a pathway, a neighbourhood or a CONSTRUCT query's result. The RDF
formats write the whole RDF graph (curated data plus merged user files), or just a view's
triples with their assertions when view options are given (see :mod:`igegraph.rdfexport`).
Every output is read back before it is written (:mod:`igegraph.readback`).

Examples
--------
>>> import igegraph, tempfile, pathlib
>>> from igegraph.export import export
>>> kg = igegraph.load()
>>> out = pathlib.Path(tempfile.mkdtemp()) / "graph.ttl"
>>> [p.name for p in export(kg, "turtle", out)]
['graph.ttl']
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .bulk import gc_paused
from .errors import IgegraphError, OutputExists
from .graphfiles import to_cytoscape, to_graphml
from .kgx import kgx_document, kgx_paths
from .persist import temporary_beside
from .rdfexport import RDF_FORMATS, rdf_quads, rdf_statements, rdf_text
from .readback import verify
from .viz.png import chromium_path, render_png
from .viz.svg import to_svg

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from .kg import KnowledgeGraph
    from .viz import View

__all__ = [
    "FORMATS",
    "VIEW_FORMATS",
    "export",
    "atomic_write",
    "rdf_text",
    "check_targets",
    "to_graphml",
    "to_cytoscape",
    "to_svg",
    "render_png",
    "chromium_path",
    "kgx_paths",
]

#: Formats ``igegraph export`` writes, with their usual file extension.
FORMATS: dict[str, str] = {
    "html": ".html",
    "turtle": ".ttl",
    "ntriples": ".nt",
    "jsonld": ".jsonld",
    "trig": ".trig",
    "nquads": ".nq",
    "graphml": ".graphml",
    "cytoscape": ".json",
    "kgx": "",
    "kgx-jsonl": "",
    "png": ".png",
    "svg": ".svg",
}
#: Formats that draw a view (the RDF formats write the whole graph, or a view when one is asked for).
VIEW_FORMATS = ("html", "png", "svg", "graphml", "cytoscape", "kgx", "kgx-jsonl")

# ---------------------------------------------------------------------------------- writing


def _check_target(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise OutputExists(str(path))
    if path.is_dir():
        raise IgegraphError(f"{path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise IgegraphError(f"{path.parent} does not exist; create the directory first")
    try:  # what a write would do, so that an unwritable place fails before any rendering
        with temporary_beside(path.parent, f".{path.name}.", ".tmp"):
            pass
    except OSError as exc:
        raise IgegraphError(f"cannot write {path}: {exc.strerror or exc}; choose another place") from None


def check_targets(fmt: str, out: str | Path, force: bool = False) -> list[Path]:
    """The files an export would write, after checking each can be written (else IgegraphError).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in check_targets("html", d / "g.html")]
    ['g.html']
    >>> check_targets("svg", "/proc/igegraph.svg")
    Traceback (most recent call last):
    ...
    igegraph.errors.IgegraphError: cannot write /proc/igegraph.svg: ...; choose another place
    """
    if fmt in ("kgx", "kgx-jsonl"):
        raw = str(out)
        targets = list(kgx_paths(raw, fmt))
        if raw.endswith(("/", os.sep)) and not Path(raw).is_dir():
            if Path(raw).is_file():
                raise IgegraphError(f"{out} is a file; give a directory or a file-name prefix for KGX")
            return targets  # made on export
    else:
        targets = [Path(out)]
    for target in targets:
        _check_target(target, force)
    return targets


@contextlib.contextmanager
def _atomic_path(path: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` when the block succeeds."""
    path = Path(path)
    _check_target(path, force)
    with temporary_beside(path.parent, f".{path.name}.", ".tmp") as tmp:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)


def atomic_write(path: str | Path, content: str | bytes, force: bool = False) -> Path:
    """Write text (UTF-8) or bytes to ``path`` atomically.

    Parameters
    ----------
    path : path
    content : str or bytes
    force : bool
        Replace an existing file (else :class:`OutputExists`).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(p, "hello").read_text()
    'hello'
    >>> atomic_write(p, "again")
    Traceback (most recent call last):
    ...
    igegraph.errors.OutputExists: ... exists; pass --force to overwrite it
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with _atomic_path(path, force) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:  # disk full, permissions changed since the check …
        raise IgegraphError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


# ---------------------------------------------------------------------------------- dispatch


@gc_paused
def export(kg: "KnowledgeGraph", fmt: str, out: str | Path, *, force: bool = False,
           view: "View | None" = None, png_size: tuple[int, int] = (1600, 1000),
           png_browser: "Browser | None" = None, **view_options: Any) -> list[Path]:
    """Write the knowledge graph (or a view of it) in one format; return the files written.

    Parameters
    ----------
    kg : KnowledgeGraph
    fmt : str
        One of :data:`FORMATS`: html, turtle, ntriples, jsonld, graphml, cytoscape, kgx,
        kgx-jsonl, png, svg.
    out : path
        The output file; for ``kgx`` a directory (``DIR/nodes.tsv``, ``DIR/edges.tsv``,
        ``DIR/content_metadata.json``) or a prefix (``PREFIX_nodes.tsv`` …; ``.jsonl`` for
        ``kgx-jsonl``). See :func:`igegraph.kgx.kgx_paths`.
    force : bool
        Replace existing files (else :class:`OutputExists`, and nothing is written).
        Every output is read back before it is written (:func:`igegraph.readback.verify`):
        one that would not read back raises :class:`IgegraphError` and writes nothing.
    view : View, optional
        What to draw for the view formats; built with :func:`igegraph.viz.make_view` from
        ``view_options`` (``pathway``, ``source``, ``target``, ``focus``, ``depth``, ``query``)
        when not given.
    png_size : (int, int)
        Width and height of a PNG picture, in pixels.
    png_browser : playwright.sync_api.Browser, optional
        An open Chromium to draw a PNG picture in (see :func:`igegraph.viz.render_png`);
        by default one is launched for it.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import igegraph, tempfile, pathlib
    >>> kg = igegraph.load()
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in export(kg, "kgx", d / "ige")]
    ['ige_nodes.tsv', 'ige_edges.tsv', 'ige_content_metadata.json']
    >>> [p.name for p in export(kg, "html", d / "omalizumab.html", focus="omalizumab")]
    ['omalizumab.html']
    """
    if fmt not in FORMATS:
        raise IgegraphError(f"unknown export format '{fmt}'; use one of {', '.join(FORMATS)}")
    raw, out = str(out), Path(out)
    check_targets(fmt, raw, force)  # fail before any expensive work
    wants_view = view is not None or any(v for v in view_options.values() if v not in (None, 1))
    if view is None and (fmt in VIEW_FORMATS or wants_view):
        from .viz import make_view

        view = make_view(kg, **view_options)

    drawn = cast("View", view)  # None only for RDF formats: every format in VIEW_FORMATS made one above

    if fmt in ("kgx", "kgx-jsonl"):
        paths = kgx_paths(raw, fmt)
        if raw.endswith(("/", os.sep)):
            if out.is_file():
                raise IgegraphError(f"{out} is a file; give a directory or a file-name prefix for KGX")
            out.mkdir(parents=True, exist_ok=True)
        doc = kgx_document(kg, drawn.graph)
        nodes, edges = doc.tsv() if fmt == "kgx" else doc.jsonl()
        contents = [nodes, edges, doc.metadata_json()]
        for path, text in zip(paths, contents, strict=True):
            verify(fmt, path.name, text, view=view)
        return [atomic_write(path, text, force) for path, text in zip(paths, contents, strict=True)]

    producers: dict[str, Callable[[], str | bytes]] = {
        "graphml": lambda: to_graphml(drawn.graph),
        "cytoscape": lambda: to_cytoscape(drawn),
        "html": lambda: _html(drawn),
        "svg": lambda: to_svg(drawn),
        "png": lambda: render_png(_html(drawn), width=png_size[0], height=png_size[1], browser=png_browser),
    }
    # an RDF export's statements, sorted once, and Oxigraph's quads of them: written, then read back
    statements: list[tuple] | None = None
    quads: list[Any] | None = None
    try:
        if fmt in RDF_FORMATS:
            statements = rdf_statements(kg, fmt, view)
            quads = None if fmt == "jsonld" else rdf_quads(statements)  # JSON-LD is rdflib's
            content: str | bytes = rdf_text(kg, fmt, view, statements, quads)
        else:
            content = producers[fmt]()
    except ValueError as exc:  # Oxigraph refuses a term, e.g. an invalid IRI a --data file slipped in
        raise IgegraphError(f"cannot write {out.name} as {fmt}: {str(exc).splitlines()[0]}; "
                            "nothing was written") from None
    verify(fmt, out.name, content, view=view, statements=statements, quads=quads)
    return [atomic_write(out, content, force)]


def _html(view: "View") -> str:
    from .viz.html import render_html

    return render_html(view)
