"""The self-contained HTML page of a view: vis-network inlined, every text escaped, works offline.

The page has a header (title, subtitle, search box), the graph, a legend strip under the graph
and, for a pathway, a side panel listing what blocks each step. Its style and script are the
package files ``static/page.css`` and ``static/page.js``. Positions come from the view (physics
is off); nodes the view does not label show their label while hovered.

Examples
--------
>>> import igegraph
>>> from igegraph.viz import focus_view
>>> page = render_html(focus_view(igegraph.load(), "omalizumab", depth=1))
>>> page.startswith("<!DOCTYPE html>") and "cdn.jsdelivr" not in page
True
"""

from __future__ import annotations

import html
import re
from functools import cache
from importlib import resources
from typing import Any

from ..errors import IgegraphError
from ..table import wrap_text
from .layout import QUIET_FONT, crosses_node, edge_label_lines
from .style import (
    LABEL_INSIDE,
    edge_style,
    edge_tooltip,
    legend,
    node_style,
    node_tooltip,
    refs_text,
    symbol_svg,
    wrap,
)
from .views import View

__all__ = ["render_html", "page_asset"]


@cache
def page_asset(name: str) -> str:
    """The text of a file shipped in ``igegraph/viz/static`` (``page.css``, ``page.js``).

    >>> "ig-legend" in page_asset("page.css")
    True
    """
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _legend_html(view: View) -> str:
    rows = [f'<span class="ig-legend-row"><svg width="34" height="16" aria-hidden="true">{symbol_svg(e, 0, 0)}</svg>'
            f'<span>{_esc(e.text)}</span></span>' for e in legend(view)]
    note = ('<span class="ig-note">Hover a node or an edge for identifiers, evidence and references'
            + ("; unlabelled nodes show their name" if view.labelled is not None else "") + ".</span>")
    return '<div id="ig-legend"><span class="ig-legend-title">Legend</span>' + "".join(rows) + note + "</div>"


def _blockers_html(view: View) -> str:
    """Side panel of a pathway view: each step with the interventions acting on it.

    One compact row per intervention (name, how far it reaches, action, phase) so the panel
    fits a 1440×900 screen; each row opens on click (and shows on hover) what it acts on, in
    which cells, the evidence, the mechanism and the references.
    """
    report = view.report
    if view.kind != "pathway" or report is None:
        return ""
    n_routes = len(report.routes)
    parts = ["<h2>What blocks this pathway</h2>",
             '<p class="ig-key"><span class="ig-badge">cuts</span> stops, <span class="ig-badge ig-weakens">'
             'weakens</span> lowers the step, on every route shown or a share (1/3). Click a row for more.</p>']
    if not report.blockers:
        parts.append('<p class="ig-muted">No intervention acts on these routes.</p>')
    groups: dict[str, list[Any]] = {}
    for b in report.blockers:
        groups.setdefault(b.step, []).append(b)
    for members in groups.values():
        parts.append(f'<div class="ig-step"><div class="ig-step-name">at {_esc(members[0].step_label)}</div>')
        for b in members:
            weakens = _reach_text(b, n_routes).startswith("weakens")  # red stops the step, amber lowers it
            badge = (f'<span class="ig-badge{" ig-weakens" if weakens else ""}">'
                     f'{_esc(_reach_text(b, n_routes))}</span>')
            details = [f"{b.action} {b.acts_on_label or b.step_label}"
                       + (f" in {', '.join(b.context)}" if b.context else ""),
                       _reach_text(b, n_routes, long=True), _evidence_text(b.phase, b.evidence),
                       f"references {refs_text(b.references)}" if b.references else "no reference cited"]
            parts.append(_blocker_row(b.label, badge, b.action, b.phase or b.evidence, details, b.mechanism))
        parts.append("</div>")
    if report.acts_on_target:
        parts.append(f'<div class="ig-step"><div class="ig-step-name">on {_esc(report.labels.get(report.target, ""))} '
                     'itself (blocks no route to it)</div>')
        for a in report.acts_on_target:
            details = [f"{a.action} {a.acts_on_label}", _evidence_text(a.phase, a.evidence),
                       f"references {refs_text(a.references)}" if a.references else "no reference cited"]
            parts.append(_blocker_row(a.label, "", f"{a.action} {a.acts_on_label}", a.phase or a.evidence,
                                      details, a.mechanism))
        parts.append("</div>")
    # a few routes are listed open; a long list is one click away (the graph draws them all)
    parts.append(f'<details class="ig-routes-box"{" open" if n_routes <= _OPEN_ROUTES else ""}>'
                 f"<summary><h2>Routes ({n_routes})</h2></summary><ol class=\"ig-routes\">")
    for route in report.routes:
        parts.append(f"<li>{_esc(' → '.join(route.labels))}</li>")
    parts.append("</ol></details>")
    return "".join(parts)


_OPEN_ROUTES = 4  # the side panel lists at most this many routes open


def _blocker_row(name: str, badge: str, action: str, phase: str | None, details: list[str],
                 mechanism: str | None) -> str:
    """One intervention of the side panel: a one-line summary that opens on its details.

    The summary reads like a table row: name, reach, action (cut short with an ellipsis when
    the line is full), phase at the right; the details and the hover text hold everything.
    """
    quote = f"\u201c{mechanism}\u201d" if mechanism else ""  # the review's words on how it acts
    tip = "\n".join([name, *details] + ([wrap(quote)] if quote else []))
    more = " · ".join(details) + (f'<br><span class="ig-mechanism">{_esc(quote)}</span>' if quote else "")
    return (f'<details class="ig-blocker"><summary title="{_esc(tip)}">'
            f'<span class="ig-blocker-name">{_esc(name)}</span>'
            f'{badge}<span class="ig-action">{_esc(action)}</span><span class="ig-phase">{_esc(phase or "")}</span>'
            f'</summary><div class="ig-more">{more}</div></details>')


def _evidence_text(phase: str | None, evidence: str | None) -> str:
    """'Phase II / clinical trial', 'Preclinical' or 'evidence not recorded'.

    >>> _evidence_text("Phase II", "phase II"), _evidence_text(None, None)
    ('Phase II', 'evidence not recorded')
    """
    if phase and evidence and phase.lower() == evidence.lower():
        evidence = None
    return " / ".join(x for x in (phase, evidence) if x) or "evidence not recorded"


def _reach_text(b: Any, shown: int, long: bool = False) -> str:
    """How far a blocker reaches over the routes shown.

    Short (the badge): 'cuts' or 'weakens' when every route shown is hit, else with the share,
    'weakens 1/3'; long (its details): 'cuts every route', 'weakens 1 of 3 routes shown'.
    """
    verb = "cuts" if b.cuts_all_routes or b.strength == "cuts" else "weakens"
    if b.cuts_all_routes:
        return "cuts every route" if long else "cuts"
    if len(b.routes_cut) == shown:
        return f"{verb} every route shown" if long else verb
    if long:
        return f"{verb} {len(b.routes_cut)} of {shown} route{'s' if shown != 1 else ''} shown"
    return f"{verb} {len(b.routes_cut)}/{shown}"


def _blocker_lines(blocks: list[Any]) -> list[str]:
    """Tooltip lines of an intervention in a pathway view: every action, its evidence, references."""
    lines = []
    for b in blocks:
        where = b.step_label + (f" (on {b.acts_on_label})" if b.acts_on_label and b.acts_on != b.step else "")
        context = f" in {', '.join(b.context)}" if b.context else ""
        verb = "cuts" if b.strength == "cuts" else "weakens"
        lines.append(f"• {b.action} at {where}{context}"
                     + ("" if b.mode == "direct" or not b.mode else f", {b.mode}")
                     + (" — cuts every route" if b.cuts_all_routes else
                        f" — {verb} {len(b.routes_cut)} route{'s' if len(b.routes_cut) != 1 else ''}"))
        if b.mechanism:
            lines.append(wrap_text(b.mechanism, 70, indent="  "))
        lines.append(f"  evidence: {_evidence_text(b.phase, b.evidence)}")
        lines.append(f"  references: {refs_text(b.references) if b.references else 'none cited'}")
    return lines


@cache
def _templates(folder: str) -> Any:
    """One Jinja environment for pyvis' templates per process. pyvis makes a new one for each
    Network, so each page compiled its template again, vis-network's script included (about 0.1
    s, most of a render). The templates are package files: no need to stat them on each use."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(folder), auto_reload=False)


@cache
def _network_class() -> type:
    """pyvis' ``Network``, handing vis-network each tooltip (``tip``) as its ``title``.

    pyvis switches to its own popup, which shows a title as HTML (``innerHTML``), when a node's
    title holds "href"; so the tooltips are added as ``tip`` and renamed only in the data it
    writes into the page. vis-network shows a string title as text (``innerText``). The page
    used to copy each ``tip`` to ``title`` itself: one ``DataSet.update`` of every node and edge,
    which vis-network processed again (opening the whole graph's page took Chromium 0.62 CPU-s
    with it, 0.50 without)."""
    from pyvis.network import Network

    def titled(item: dict[str, Any]) -> dict[str, Any]:
        return {("title" if key == "tip" else key): value for key, value in item.items()}

    class TitledNetwork(Network):
        def get_network_data(self) -> tuple[Any, ...]:
            nodes, edges, *rest = super().get_network_data()
            return ([titled(n) for n in nodes], [titled(e) for e in edges], *rest)

    return TitledNetwork


def _pyvis_network(view: View) -> Any:
    Network = _network_class()
    g = view.graph
    look = view.look
    parents = view.class_parents
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading="")
    net.templateEnv = _templates(net.template_dir)
    extents = view.extents()
    refs_of: dict[str, set[int]] = {}
    for u, v, attrs in g.edges(data=True):
        for r in attrs.get("references") or []:
            refs_of.setdefault(u, set()).add(r)
            refs_of.setdefault(v, set()).add(r)
    for node, attrs in g.nodes(data=True):
        color, shape, font_color = node_style(attrs.get("category", "ige:Entity"), parents)
        extra = []
        role = view.roles.get(node)
        if attrs.get("blocks"):
            extra.extend(_blocker_lines(attrs["blocks"]))
        elif node in refs_of:
            extra.append("references of its relations here: " + refs_text(sorted(refs_of[node])))
        else:
            extra.append("references: none cited")
        name = str(attrs.get("label") or node)
        shown = view.shows_label(node)
        opts: dict[str, Any] = {
            "tip": node_tooltip(node, attrs, extra),
            "name": name,
            "hoverLabel": not shown,
            "color": {"background": color, "border": "#d62728" if role == "blocker" else
                      ("#000000" if node == view.center else "#333333"),
                      "highlight": {"background": color, "border": "#000000"}},
            "hoverFont": look.node_font,
            "font": {"color": font_color if shape in LABEL_INSIDE else "#222222",
                     "size": look.node_font if shown else QUIET_FONT,
                     "strokeWidth": 0 if shape in LABEL_INSIDE else 3, "strokeColor": "#ffffff"},
            "borderWidth": 4 if node == view.center or role == "blocker" else 1,
            "margin": look.margin,
            "widthConstraint": {"maximum": look.max_width + 2 * look.margin},
            "x": view.positions[node][0],
            "y": view.positions[node][1],
        }
        if shape not in LABEL_INSIDE:
            opts["size"] = look.shape_size
        # pyvis writes the id as the label of a node without one: a space draws nothing
        net.add_node(node, label=name if shown else " ", shape=shape, **opts)
    labels = {n: str(a.get("label") or n) for n, a in g.nodes(data=True)}
    # parallel edges: the first carries every relation name (one a line), the others curve beside it
    names = view.edge_label_names()
    seen_pairs: dict[tuple[str, str], int] = {}
    for u, v, key, attrs in g.edges(keys=True, data=True):
        pair = (min(u, v), max(u, v))
        k = seen_pairs.get(pair, 0)
        seen_pairs[pair] = k + 1
        style = edge_style(attrs.get("polarity"))
        if k:
            style["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                               "roundness": 0.45 + 0.15 * (k // 2)}
        elif view.edge_labels and crosses_node(view.positions, extents, u, v):
            style["smooth"] = {"enabled": True, "type": "curvedCCW", "roundness": 0.3}
        else:
            style["smooth"] = False
        if view.kind == "pathway" and view.roles.get(u) == "route" and view.roles.get(v) == "route":
            style["width"] = 3.5
        text = ""
        if k == 0 and (u, v) in names:
            text = "\n".join(edge_label_lines(names.pop((u, v)), look))
        net.add_edge(u, v, label=text, tip=edge_tooltip(labels[u], labels[v], attrs), id=f"{u}|{key}|{v}",
                     font={"size": look.edge_font, "align": "horizontal", "strokeWidth": 4,
                           "strokeColor": "#ffffff", "color": "#333", "multi": False},
                     **style)
    net.options = {
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"face": "Arial, Helvetica, sans-serif"}},
        "edges": {"font": {"face": "Arial, Helvetica, sans-serif"}, "selectionWidth": 2},
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
    }
    return net


_BOOTSTRAP = re.compile(r"<link[^>]*bootstrap[^>]*>|<script[^>]*bootstrap[^>]*>\s*</script>", re.I)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>|<!--\s*<link[^>]*node_modules.*?-->", re.I | re.S)
_REMOTE = re.compile(r"<(?:script|link|img|iframe)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def render_html(view: View) -> str:
    """One self-contained HTML page showing a view.

    vis-network is inlined (pyvis ``cdn_resources="in_line"``), the Bootstrap CDN links are
    removed, and title, legend, search box and tooltips are built here from escaped text, so
    the page makes no network request and data can never inject markup or script.

    Parameters
    ----------
    view : View

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import igegraph
    >>> from igegraph.viz import graph_view
    >>> page = render_html(graph_view(igegraph.load()))
    >>> "vis.Network" in page and "<h1 id=\\"ig-title\\">" in page
    True
    """
    net = _pyvis_network(view)
    page = net.generate_html()
    if "popup.innerHTML" in page:  # pyvis' href popup: must never be switched on
        raise IgegraphError("internal error: pyvis produced an innerHTML tooltip")
    page = _BOOTSTRAP.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    if _REMOTE.search(page):
        raise IgegraphError("internal error: the page would load a remote resource")
    head = (f"<!DOCTYPE html>\n<html lang=\"en\">\n    <head>\n        <title>{_esc(view.title)}</title>\n"
            f"        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    page = re.sub(r"^\s*<html>\s*<head>", lambda _m: head, page, count=1)
    page = page.replace("</head>", f"<style>{page_asset('page.css')}</style>\n    </head>", 1)
    header = (
        '<div id="ig-header"><div class="ig-titles">'
        f'<h1 id="ig-title">{_esc(view.title)}</h1><p id="ig-subtitle">{_esc(view.subtitle)}</p></div>'
        '<div id="ig-search-box"><input id="ig-search" type="search" list="ig-search-list" '
        'placeholder="Find an entity…" aria-label="Find an entity" autocomplete="off">'
        '<datalist id="ig-search-list"></datalist><span id="ig-search-status" aria-live="polite"></span>'
        '</div></div>\n'
        + (f'<div id="ig-side">{_blockers_html(view)}</div>\n' if view.kind == "pathway" else "")
        + _legend_html(view) + "\n")
    body = '<body class="ig-with-side">' if view.kind == "pathway" else "<body>"
    page = page.replace("<body>", body + "\n" + header, 1)
    script = "<script>" + page_asset("page.js") + "</script>\n"
    idx = page.rfind("</body>")
    return page[:idx] + script + page[idx:]
