"""Text renderings of traversal answers: routes, blocks reports and knockouts (CLI and demo)."""

from __future__ import annotations

from typing import Any

from ..table import render_table, wrap_text

__all__ = ["format_routes", "format_blocks", "format_knockout", "ranges"]


def ranges(indices: list[int]) -> str:
    """Route indices as compact ranges.

    >>> ranges([0, 1, 2, 5, 7, 8])
    '0–2, 5, 7–8'
    """
    out: list[list[int]] = []  # [first, last] of each run
    for i in sorted(indices):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


def _shown(count: Any, shown: int, max_length: int, shortest_only: bool = False) -> str:
    text = f"{count.text()} of at most {max_length} steps"
    if shown < count.n or not count.exact:
        text += (f"; the {shown} shortest shown (--all for the others)" if shortest_only
                 else f"; the first {shown} shown (--routes to show more)")
    return text


def format_routes(report: Any) -> str:
    """A PathReport: the count, then each route hop by hop with predicates and references."""
    if not report.routes:
        return report.no_route or "no route"
    lines = [wrap_text(_shown(report.count, len(report.routes), report.max_length, report.shortest_only) + ":")]
    for i, route in enumerate(report.routes):
        lines.append(f"route {i} ({route.length} steps):")
        lines.append(f"  {route.labels[0]}")
        for hop, label in zip(route.hops, route.labels[1:], strict=True):
            preds = " | ".join(f"{p['label']} [{', '.join(map(str, p['references']))}]" for p in hop["predicates"])
            lines.append(wrap_text(f"-> {label}    ({preds})", indent="    ", subsequent="       "))
    return "\n".join(lines)


def _route(labels: list[str]) -> str:
    """A route for :func:`wrap_text`: it wraps after an arrow, never inside a name (no-break spaces)."""
    return "\u00a0→ ".join(label.replace(" ", "\u00a0") for label in labels)


def _where(cuts: list[Any]) -> str:
    """Per-route hits grouped by mode and step: 'direct at X: 3–11; upstream at IgE: 0–2'."""
    groups: dict[tuple[str, str], list[int]] = {}
    for c in cuts:
        groups.setdefault((c.mode, c.at_label), []).append(c.route)
    return "; ".join(f"{mode} at {at}: {ranges(routes)}" for (mode, at), routes in groups.items())


def _share(b: Any) -> str:
    verb = "cut" if b.strength == "cuts" else "weakened"
    if b.cuts_all_routes:
        return "all cut"
    return f"{b.share:.0%} {verb}" + ("" if b.share_exact else " (of the routes counted)")


def format_blocks(report: Any, kg: Any = None) -> str:
    """The text rendering of a BlockReport (also used by the demo); given the graph, it ends
    with a footnote on what the phases and evidence levels shown mean."""
    src, dst = report.labels[report.source], report.labels[report.target]
    lines = [wrap_text(f"What blocks {report.title or f'{src} → {dst}'}")]
    if not report.routes:
        lines.append(wrap_text(f"{report.no_route}, so nothing to block"))
        return "\n".join(lines)
    lines.append(wrap_text(_shown(report.count, len(report.routes), report.max_length) + ":"))
    for i, r in enumerate(report.routes):  # a long route wraps after an arrow, never inside a name
        lead = f"  [{i}] "
        lines.append(wrap_text(_route(r.labels), indent=lead))
    if report.must_pass:
        lines.append(wrap_text(f"every route passes: {', '.join(report.labels[n] for n in report.must_pass)}",
                               subsequent="  "))
    for strength, heading in (("cuts", "Cut (abolishing actions):"),
                              ("weakens", "Weaken only (lowering actions; the routes stay open):")):
        chosen = [b for b in report.blockers if b.strength == strength]
        if not chosen:
            continue
        lines += ["", heading]
        rows = []
        for b in chosen:
            acts = f" {b.acts_on_label}" if b.acts_on_label != b.step_label else ""
            context = f" (in {', '.join(b.context)})" if b.context else ""
            rows.append([b.step_label, b.label, b.action + acts + context, b.phase or "", b.evidence or "",
                         b.references, _share(b), _where(b.cuts)])
        lines.append(render_table(["step", "intervention", "action", "phase", "evidence", "refs", "routes",
                                   "where, per shown route"], rows))
    if not report.blockers:
        lines += ["", "no intervention in the graph cuts or weakens any of these routes"]
    if report.acts_on_target:
        lines += ["", wrap_text(f"Act on {dst} itself (block no route to it):")]
        rows = [[a.label, f"{a.action} {a.acts_on_label}", a.mode, a.phase or "", a.references]
                for a in report.acts_on_target]
        lines.append(render_table(["intervention", "action", "mode", "phase", "refs"], rows))
    summary = report.interventions.values()
    full = sorted((v["label"] for v in summary if v["cuts_all_routes"]), key=str.lower)
    partial = sorted((v["label"] for v in summary if not v["cuts_all_routes"] and v["strength"] == "cuts"),
                     key=str.lower)
    weak = sorted((v["label"] for v in summary if v["strength"] == "weakens"), key=str.lower)
    lines.append("")
    for heading, names in (("cut every route", full or ["none"]), ("cut some routes, leave others open", partial),
                           ("only weaken", weak)):
        if names:
            lines.append(wrap_text(f"{heading}: {', '.join(names)}", subsequent="  "))
    if kg is not None and (report.blockers or report.acts_on_target):
        from ..scales import footnote

        phases = [b.phase or "" for b in (*report.blockers, *report.acts_on_target)]
        note = footnote(kg, phases, [b.evidence or "" for b in report.blockers])
        if note:  # none when no blocker has a phase or an evidence level
            lines += ["", note]
    return "\n".join(lines)


def format_knockout(result: Any) -> str:
    """A KnockoutResult: what was removed and applied, routes before and after, each route's fate."""
    label = result.labels.get
    parts = []
    if result.removed:
        parts.append("removing " + ", ".join(label(i, i) for i in result.removed))
    if result.applied:
        parts.append("applying " + ", ".join(label(i, i) for i in result.applied))
    src, dst = label(result.source), label(result.target)
    lines = [wrap_text(f"knockout ({'; '.join(parts)}) on the routes from {src} to {dst}", subsequent="  ")]
    lines += [wrap_text(f"note: {note}", subsequent="  ") for note in result.notes]
    if not result.routes_before.n:
        lines.append(wrap_text(f"no route from {src} to {dst}, so nothing to knock out"))
        return "\n".join(lines)
    lines.append(wrap_text(f"routes: {result.routes_before.text()} before, {result.routes_after.text()} after"))
    cut = {c["route"]: c for c in result.cut}
    weak = {c["route"]: c for c in result.weakened}
    for i, route in enumerate(result.routes):
        if i in cut:
            c = cut[i]
            state = f"cut {c['mode']} at {c['at_label']} (by {', '.join(label(b, b) for b in c['by'])})"
        elif i in weak:
            c = weak[i]
            state = f"REMAINS, weakened {c['mode']} at {c['at_label']} (by {', '.join(label(b, b) for b in c['by'])})"
        else:
            state = "REMAINS"
        lines.append(wrap_text(f"{state}: {_route(route.labels)}", indent=f"  [{i}] "))
    return "\n".join(lines)
