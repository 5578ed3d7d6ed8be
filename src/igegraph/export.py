"""Exports: RDF (Turtle, N-Triples, JSON-LD, TriG, N-Quads), graphs (GraphML, Cytoscape, KGX), pictures.

Every writer is atomic: the content goes to a temporary file in the target's directory and
is moved into place with :func:`os.replace`, so a reader never sees half a file. An existing
output is only replaced with ``force=True`` (else :class:`~igegraph.errors.OutputExists`).

The graph formats and the pictures (HTML, PNG, SVG) draw a *view* (see :mod:`igegraph.viz`):
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
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import IgegraphError, OutputExists
from .graphfiles import to_cytoscape, to_graphml
from .kgx import kgx_document, kgx_paths
from .rdfexport import RDF_FORMATS, rdf_statements, rdf_text
from .readback import verify
from .xmlchars import xml_safe

if TYPE_CHECKING:
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

#: Chromium flags for headless rendering without any network traffic of its own.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# ---------------------------------------------------------------------------------- writing


def _check_target(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise OutputExists(str(path))
    if path.is_dir():
        raise IgegraphError(f"{path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise IgegraphError(f"{path.parent} does not exist; create the directory first")
    try:  # what a write would do, so that an unwritable place fails before any rendering
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise IgegraphError(f"cannot write {path}: {exc.strerror or exc}; choose another place") from None
    os.close(fd)
    os.unlink(probe)


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


# ---------------------------------------------------------------------------------- pictures


def chromium_path() -> str | None:
    """The Chromium executable to render with: ``$IGEGRAPH_CHROMIUM``, else the first found on PATH.

    >>> chromium_path() is None or chromium_path().startswith("/")
    True
    """
    env = os.environ.get("IGEGRAPH_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def render_png(page: str, width: int = 1600, height: int = 1000, scale: float = 1.0,
               timeout: float = 60.0) -> bytes:
    """Screenshot an igegraph HTML page in headless Chromium (offline) and return PNG bytes.

    The page is opened from a ``file://`` URL with every http(s) request aborted; the picture
    is taken once the page sets ``window.__igegraphReady`` (layout finished, graph fitted).

    Raises
    ------
    IgegraphError
        Playwright or Chromium is not available, or the page did not finish drawing.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # inside an event loop (Jupyter, a playwright session): the sync API needs its own thread
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(render_png, page, width, height, scale, timeout).result()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise IgegraphError("PNG export needs the 'playwright' Python package (pip install playwright)") from None
    exe = chromium_path()
    if exe is None or not os.path.exists(exe):
        raise IgegraphError("PNG export needs Chromium: install it (apt-get install chromium) "
                            "or set IGEGRAPH_CHROMIUM to its path")
    with tempfile.TemporaryDirectory(prefix="igegraph-png-") as tmp:
        html_path = Path(tmp) / "view.html"
        html_path.write_text(page, encoding="utf-8")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
                try:
                    ctx = browser.new_context(viewport={"width": width, "height": height},
                                              device_scale_factor=scale)
                    pg = ctx.new_page()
                    pg.route("http*://**/*", lambda route: route.abort())
                    pg.goto(html_path.as_uri())
                    pg.wait_for_function("window.__igegraphReady === true", timeout=timeout * 1000)
                    return pg.screenshot(full_page=False, type="png")
                finally:
                    browser.close()
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise IgegraphError(f"Chromium could not render the page: {first}") from None


def to_svg(view: "View", width: int = 1600, height: int = 1000) -> str:
    """A static SVG picture of a view, drawn from its layout (every text escaped).

    Uses the view's fixed positions (pathway, big graphs) or :func:`igegraph.viz.spring_layout`.

    >>> import igegraph
    >>> from igegraph.viz import focus_view
    >>> svg = to_svg(focus_view(igegraph.load(), "omalizumab"))
    >>> svg.startswith("<?xml") and "<title>" in svg
    True
    """
    import math
    from html import escape

    from .viz import _POLARITY_STYLES, node_style, spring_layout

    g = view.graph
    pos = view.positions or spring_layout(g)
    side = 290
    top, margin = 80, 110
    area_w, area_h = width - side - 2 * margin, height - top - 2 * margin
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    s = min(area_w / span_x, area_h / span_y, 1.6)
    off_x = margin + (area_w - span_x * s) / 2 - min(xs) * s
    off_y = top + margin + (area_h - span_y * s) / 2 - min(ys) * s

    def xy(node: str) -> tuple[float, float]:
        x, y = pos[node]
        return x * s + off_x, y * s + off_y

    e = lambda text: escape(xml_safe(str(text)), quote=True)  # noqa: E731
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Arial, Helvetica, sans-serif">',
        f"<title>{e(view.title)}</title>",
        "<defs>",
    ]
    for pol, (color, _d, head, _t) in _POLARITY_STYLES.items():
        name = {1: "pos", -1: "neg", 0: "neu"}[pol]
        if head == "bar":
            out.append(f'<marker id="m-{name}" viewBox="0 0 4 12" refX="2" refY="6" markerWidth="4" '
                       f'markerHeight="12" orient="auto" markerUnits="userSpaceOnUse">'
                       f'<rect x="0" y="0" width="4" height="12" fill="{color}"/></marker>')
        else:
            out.append(f'<marker id="m-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
                       f'markerHeight="9" orient="auto" markerUnits="userSpaceOnUse">'
                       f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    out.append(f'<text x="20" y="34" font-size="22" font-weight="bold">{e(view.title)}</text>')
    out.append(f'<text x="20" y="58" font-size="14" fill="#555">{e(view.subtitle)}</text>')
    radius = 14 * min(max(s, 0.6), 1.2)
    pair_count: dict[tuple[str, str], int] = {}
    out.append('<g id="edges">')
    for u, v, key, attrs in g.edges(keys=True, data=True):
        pol = int(attrs.get("polarity") or 0)
        color, dashes, _head, _t = _POLARITY_STYLES.get(pol, _POLARITY_STYLES[0])
        name = {1: "pos", -1: "neg", 0: "neu"}.get(pol, "neu")
        (x1, y1), (x2, y2) = xy(u), xy(v)
        pair = (min(u, v), max(u, v))
        k = pair_count.get(pair, 0)
        pair_count[pair] = k + 1
        dx, dy = x2 - x1, y2 - y1
        d = math.hypot(dx, dy) or 1.0
        # stop short of the target node so the arrow head shows
        x2s, y2s = x2 - dx / d * (radius + 4), y2 - dy / d * (radius + 4)
        bend = 0.0 if k == 0 else (1 if k % 2 else -1) * 18.0 * ((k + 1) // 2)
        cx, cy = (x1 + x2s) / 2 - dy / d * bend, (y1 + y2s) / 2 + dx / d * bend
        dash = ' stroke-dasharray="7 4"' if dashes else ""
        tip = f"{g.nodes[u].get('label', u)} {attrs.get('predicate_label') or key} {g.nodes[v].get('label', v)}"
        out.append(f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2s:.1f},{y2s:.1f}" fill="none" '
                   f'stroke="{color}" stroke-width="{2.2 if pol else 1.2}"{dash} marker-end="url(#m-{name})">'
                   f"<title>{e(tip)}</title></path>")
        if g.number_of_edges() <= 400:
            mx, my = (x1 + 2 * cx + x2s) / 4, (y1 + 2 * cy + y2s) / 4
            out.append(f'<text x="{mx:.1f}" y="{my:.1f}" font-size="10" fill="#444" text-anchor="middle" '
                       f'stroke="#fff" stroke-width="3" paint-order="stroke">'
                       f"{e(attrs.get('predicate_label') or key)}</text>")
    out.append("</g>")
    out.append('<g id="nodes">')
    for node, attrs in g.nodes(data=True):
        color, shape, font_color = node_style(attrs.get("category", "ige:Entity"), view.class_parents)
        x, y = xy(node)
        full = str(attrs.get("label") or node)
        label = full if len(full) <= 28 else full[:27] + "…"  # the whole label is in <title>
        tip = f"{full} ({attrs.get('category_label') or 'entity'}, {node})"
        stroke = "#d62728" if view.roles.get(node) == "blocker" else "#333"
        sw = 3 if node == view.center or view.roles.get(node) == "blocker" else 1
        out.append(f"<g><title>{e(tip)}</title>")
        if shape in ("box", "ellipse"):
            w = max(40.0, 7.2 * len(label) + 16)
            h = 26.0
            rx = 5 if shape == "box" else h / 2
            out.append(f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
                       f'rx="{rx:.1f}" fill="{color}" stroke="{stroke}" stroke-width="{sw}"/>')
            out.append(f'<text x="{x:.1f}" y="{y + 4.5:.1f}" font-size="13" text-anchor="middle" '
                       f'fill="{font_color}">{e(label)}</text>')
        else:
            r = radius
            if shape in ("diamond", "square"):
                pts = ([(x, y - r), (x + r, y), (x, y + r), (x - r, y)] if shape == "diamond"
                       else [(x - r * .8, y - r * .8), (x + r * .8, y - r * .8),
                             (x + r * .8, y + r * .8), (x - r * .8, y + r * .8)])
            elif shape == "triangle":
                pts = [(x, y - r), (x + r, y + r * .8), (x - r, y + r * .8)]
            elif shape == "triangleDown":
                pts = [(x - r, y - r * .8), (x + r, y - r * .8), (x, y + r)]
            elif shape == "hexagon":
                pts = [(x + r * math.cos(a), y + r * math.sin(a)) for a in [i * math.pi / 3 for i in range(6)]]
            elif shape == "star":
                pts = [(x + (r if i % 2 == 0 else r * .45) * math.sin(i * math.pi / 5),
                        y - (r if i % 2 == 0 else r * .45) * math.cos(i * math.pi / 5)) for i in range(10)]
            else:
                pts = []
            if pts:
                out.append('<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
                           + f'" fill="{color}" stroke="{stroke}" stroke-width="{sw}"/>')
            else:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}" stroke="{stroke}" '
                           f'stroke-width="{sw}"/>')
            out.append(f'<text x="{x:.1f}" y="{y + r + 14:.1f}" font-size="13" text-anchor="middle" '
                       f'fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke">{e(label)}</text>')
        out.append("</g>")
    out.append("</g>")
    # legend
    lx, ly = width - side + 10, top + 20
    out.append(f'<g id="legend"><rect x="{lx - 10}" y="{top}" width="{side}" height="{height - top}" '
               f'fill="#fafafa" stroke="#ddd"/>')
    out.append(f'<text x="{lx}" y="{ly + 4}" font-size="15" font-weight="bold">Legend</text>')
    ly += 26
    cats: dict[str, str] = {}
    for _, attrs in g.nodes(data=True):
        cats.setdefault(attrs.get("category", "ige:Entity"), attrs.get("category_label") or "entity")
    for cat, label in sorted(cats.items(), key=lambda kv: kv[1].lower()):
        color, shape, _ = node_style(cat, view.class_parents)
        if shape in ("box", "ellipse"):
            out.append(f'<rect x="{lx}" y="{ly - 8}" width="22" height="14" rx="{3 if shape == "box" else 7}" '
                       f'fill="{color}" stroke="#333"/>')
        else:
            out.append(f'<circle cx="{lx + 11}" cy="{ly - 1}" r="7" fill="{color}" stroke="#333"/>')
        out.append(f'<text x="{lx + 30}" y="{ly + 4}" font-size="13">{e(label)}</text>')
        ly += 22
    ly += 8
    for pol, (color, dashes, _head, text) in _POLARITY_STYLES.items():
        name = {1: "pos", -1: "neg", 0: "neu"}[pol]
        dash = ' stroke-dasharray="7 4"' if dashes else ""
        out.append(f'<line x1="{lx}" y1="{ly - 1}" x2="{lx + 24}" y2="{ly - 1}" stroke="{color}" '
                   f'stroke-width="2.2"{dash} marker-end="url(#m-{name})"/>')
        out.append(f'<text x="{lx + 34}" y="{ly + 4}" font-size="13">{e(text)}</text>')
        ly += 22
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- dispatch


def export(kg: "KnowledgeGraph", fmt: str, out: str | Path, *, force: bool = False,
           view: "View | None" = None, png_size: tuple[int, int] = (1600, 1000),
           **view_options: Any) -> list[Path]:
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
        **{f: partial(rdf_text, kg, f, view) for f in RDF_FORMATS},
        "graphml": lambda: to_graphml(drawn.graph),
        "cytoscape": lambda: to_cytoscape(drawn),
        "html": lambda: _html(drawn),
        "svg": lambda: to_svg(drawn),
        "png": lambda: render_png(_html(drawn), width=png_size[0], height=png_size[1]),
    }
    try:
        content = producers[fmt]()
    except ValueError as exc:  # Oxigraph refuses a term, e.g. an invalid IRI a --data file slipped in
        raise IgegraphError(f"cannot write {out.name} as {fmt}: {str(exc).splitlines()[0]}; "
                            "nothing was written") from None
    verify(fmt, out.name, content, view=view,
           statements=rdf_statements(kg, fmt, view) if fmt in RDF_FORMATS else None)
    return [atomic_write(out, content, force)]


def _html(view: "View") -> str:
    from .viz import render_html

    return render_html(view)
