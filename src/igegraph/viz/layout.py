"""Where each node goes: the pathway layout, rings around a focus, a force layout, and no overlaps.

Every view is laid out here, in Python, so that the HTML page, the SVG and the PNG show the
same picture and the browser never has to run a physics simulation. Node sizes are estimated
from their labels with the same rules vis-network uses (a box is its text plus a margin; an
ellipse is as wide as its text plus one line and two lines high; other shapes carry their
label underneath), so :func:`separate` can push overlapping boxes apart.

Examples
--------
>>> look = PATHWAY_LOOK
>>> left, top, right, bottom = node_extent("omalizumab", "box", look)
>>> right - left > 100 and bottom - top < 50
True
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .style import LABEL_INSIDE

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Look",
    "PATHWAY_LOOK",
    "OVERVIEW_LOOK",
    "LARGE_LOOK",
    "QUIET_FONT",
    "text_width",
    "wrap_label",
    "node_extent",
    "edge_label_lines",
    "separate",
    "overlaps",
    "crosses_node",
    "spring_layout",
    "ring_layout",
    "ring_orders",
    "edge_crossings",
    "SCREEN_ASPECT",
    "pathway_layout",
]

Extent = tuple[float, float, float, float]  # left, top, right, bottom, relative to the node's centre


@dataclass(frozen=True)
class Look:
    """Font sizes and node sizes of a view, in graph pixels (1 graph pixel = 1 screen pixel at zoom 1)."""

    node_font: int
    edge_font: int
    margin: int  # inside a box, around its text
    max_width: int  # a box's widest text before it wraps
    shape_size: int  # radius of dots, diamonds, hexagons …


#: pathway pages: big enough to read at the zoom that fits a 1440×900 screen
PATHWAY_LOOK = Look(node_font=15, edge_font=15, margin=7, max_width=112, shape_size=14)
#: every other view
OVERVIEW_LOOK = Look(node_font=14, edge_font=12, margin=6, max_width=150, shape_size=11)
#: views that label only the nodes that matter: those few labels are drawn larger
LARGE_LOOK = Look(node_font=24, edge_font=12, margin=7, max_width=210, shape_size=11)

#: font size of a node drawn without its label (its label shows on hover, at the view's size): the
#: empty line of a label costs it little room
QUIET_FONT = 11

_NARROW = set("ijl.,:;'|!()[]fIt ")
_WIDE = set("mwMWGOQDH@%")


def text_width(text: str, size: float) -> float:
    """Estimated width of one line of sans-serif text (a little wider than Arial draws it).

    >>> 60 < text_width("omalizumab", 13) < 90
    True
    """
    w = 0.0
    for ch in text:
        w += 0.33 if ch in _NARROW else 0.88 if ch in _WIDE else 0.66 if ch.isupper() else 0.57
    return w * size


def wrap_label(text: str, size: float, max_width: float) -> list[str]:
    """Split a label into lines no wider than ``max_width`` (a word longer than that stays whole).

    >>> wrap_label("IgE-secreting plasma cell", 16, 136)
    ['IgE-secreting', 'plasma cell']
    """
    lines: list[str] = []
    for word in str(text).split():
        if lines and text_width(lines[-1] + " " + word, size) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def edge_label_lines(names: list[str], look: Look) -> list[str]:
    """The lines of an edge's label: each relation name (parallel edges share one label), wrapped short.

    >>> edge_label_lines(["binds receptor", "up-regulates"], PATHWAY_LOOK)
    ['binds', 'receptor', 'up-regulates']
    """
    return [line for name in names for line in wrap_label(name, look.edge_font, 5.2 * look.edge_font)]


def node_extent(label: str, shape: str, look: Look, labelled: bool = True) -> Extent:
    """The box a node covers around its position, label included (as vis-network draws it)."""
    # an unlabelled node is drawn with a one-space label in the small QUIET_FONT (see :mod:`igegraph.viz.html`)
    size = look.node_font if labelled else QUIET_FONT
    lines = wrap_label(label, size, look.max_width) if labelled else [" "]
    tw = max((text_width(line, size) for line in lines), default=0.0)
    if len(lines) > 1:  # the browser may fill a wrapped line up to the maximum width
        tw = max(tw, look.max_width)
    th = len(lines) * size
    if shape in LABEL_INSIDE:
        if shape == "box":  # vis-network's box, and its rounded corners around it
            w, h = tw + 2 * look.margin + 14, th + 2 * look.margin + 14
        else:  # vis-network's ellipse: text width plus its height, twice the text's height
            w, h = tw + th + 2 * look.margin + 2, 2 * (th + 2 * look.margin) + 2
        return (-w / 2, -h / 2, w / 2, h / 2)
    r = look.shape_size + 2
    half = max(r, tw / 2 + 2)
    return (-half, -r, half, r + 6 + th)


def overlaps(a: Extent, b: Extent, gap: float = 0.0) -> bool:
    """True when two absolute boxes (left, top, right, bottom) come closer than ``gap``.

    >>> overlaps((0, 0, 10, 10), (5, 5, 20, 20)), overlaps((0, 0, 10, 10), (12, 0, 20, 10), gap=1)
    (True, False)
    """
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _box(pos: tuple[float, float], ext: Extent) -> Extent:
    return (pos[0] + ext[0], pos[1] + ext[1], pos[0] + ext[2], pos[1] + ext[3])


def separate(pos: dict[Any, tuple[float, float]], extents: dict[Any, Extent], gap: float = 12.0,
             fixed: Iterable[Any] = (), rounds: int = 15) -> dict[Any, tuple[float, float]]:
    """Move nodes apart until no two boxes overlap (each pair is pushed along its shorter overlap).

    ``fixed`` nodes do not move (the other one of a pair moves the whole distance). When
    ``rounds`` of pushing leave an overlap (pairs pushing each other back and forth), the
    free nodes move 10 % further from the centre and the pushing starts again.

    >>> pos = separate({"a": (0.0, 0.0), "b": (5.0, 0.0)}, {"a": (-10, -10, 10, 10), "b": (-10, -10, 10, 10)})
    >>> overlaps(_box(pos["a"], (-10, -10, 10, 10)), _box(pos["b"], (-10, -10, 10, 10)))
    False
    """
    pos = {n: (float(x), float(y)) for n, (x, y) in pos.items()}
    keep = set(fixed)
    rank = {n: i for i, n in enumerate(sorted(pos, key=str))}  # ties broken the same way every run
    cx = sum(x for x, _ in pos.values()) / max(len(pos), 1)
    cy = sum(y for _, y in pos.values()) / max(len(pos), 1)
    for attempt in range(30):
        if attempt:
            pos = {n: p if n in keep else (cx + (p[0] - cx) * 1.1, cy + (p[1] - cy) * 1.1) for n, p in pos.items()}
        if not _push_apart(pos, extents, gap, keep, rank, rounds):
            break
    return pos


def _push_apart(pos: dict[Any, tuple[float, float]], extents: dict[Any, Extent], gap: float, keep: set[Any],
                rank: dict[Any, int], rounds: int) -> bool:
    """Up to ``rounds`` rounds of :func:`separate`'s pushing, in place; True when overlaps remain.

    Each round sweeps the nodes from left to right, so a node is only compared with the nodes
    whose boxes start before its own ends. A round works on flat lists of coordinates and box
    edges, updated as nodes move (the same sums as :func:`_box` and :func:`overlaps`, so the
    same positions to the last bit): a view of 565 nodes compares about half a million pairs.
    """
    slack = gap - 1.0  # a pixel of slack: pushed pairs end gap apart
    for _ in range(rounds):
        moved = False
        order = sorted(pos, key=lambda n: (pos[n][0] + extents[n][0], rank[n]))
        xs, ys = [pos[n][0] for n in order], [pos[n][1] for n in order]
        boxes, ranks, fixed = [extents[n] for n in order], [rank[n] for n in order], [n in keep for n in order]
        # each box's left and top, and its right and bottom plus the slack, kept up to date as nodes move
        lefts = [x + e[0] for x, e in zip(xs, boxes, strict=True)]
        tops = [y + e[1] for y, e in zip(ys, boxes, strict=True)]
        rights = [x + e[2] + slack for x, e in zip(xs, boxes, strict=True)]
        bottoms = [y + e[3] + slack for y, e in zip(ys, boxes, strict=True)]
        count = len(order)
        for i in range(count):
            left, top, right, bottom = boxes[i]
            x, y, rank_n = xs[i], ys[i], ranks[i]
            a0, a1, a2, a3 = x + left, y + top, x + right, y + bottom
            reach, a2s, a3s = a2 + gap, a2 + slack, a3 + slack
            for j in range(i + 1, count):
                b0 = lefts[j]
                if b0 >= reach:
                    break
                # overlaps(a, b, slack), the rarely true vertical test first
                if not (a1 < bottoms[j] and tops[j] < a3s and a0 < rights[j] and b0 < a2s):
                    continue
                m_left, m_top, m_right, m_bottom = boxes[j]
                xm, ym = xs[j], ys[j]
                b1, b2, b3 = tops[j], xm + m_right, ym + m_bottom
                push_x = min(a2 - b0, b2 - a0) + gap
                push_y = min(a3 - b1, b3 - a1) + gap
                sx = 1.0 if xm > x or (xm == x and ranks[j] > rank_n) else -1.0
                sy = 1.0 if ym > y or (ym == y and ranks[j] > rank_n) else -1.0
                dx, dy = (sx * push_x, 0.0) if push_x <= push_y else (0.0, sy * push_y)
                share_n = 0.0 if fixed[i] else (1.0 if fixed[j] else 0.5)
                share_m = 0.0 if fixed[j] else 1.0 - share_n
                x, y = x - dx * share_n, y - dy * share_n
                a0, a1, a2, a3 = x + left, y + top, x + right, y + bottom
                reach, a2s, a3s = a2 + gap, a2 + slack, a3 + slack
                xm, ym = xm + dx * share_m, ym + dy * share_m
                xs[j], ys[j] = xm, ym
                lefts[j], rights[j] = xm + m_left, xm + m_right + slack
                tops[j], bottoms[j] = ym + m_top, ym + m_bottom + slack
                moved = True
            xs[i], ys[i] = x, y  # its box is not read again in this round
        for n, x, y in zip(order, xs, ys, strict=True):
            pos[n] = (x, y)
        if not moved:
            return False
    return True


def crosses_node(pos: dict[Any, tuple[float, float]], extents: dict[Any, Extent], u: Any, v: Any) -> bool:
    """True when the straight line from u to v runs through another node's box.

    >>> ext = {n: (-5, -5, 5, 5) for n in "abc"}
    >>> crosses_node({"a": (0, 0), "b": (50, 0), "c": (100, 0)}, ext, "a", "c")
    True
    """
    (x1, y1), (x2, y2) = pos[u], pos[v]
    lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    for n, (x, y) in pos.items():
        if n in (u, v):
            continue
        left, top, right, bottom = x + extents[n][0], y + extents[n][1], x + extents[n][2], y + extents[n][3]
        if right < lo_x or left > hi_x or bottom < lo_y or top > hi_y:
            continue
        for i in range(1, 40):
            px, py = x1 + (x2 - x1) * i / 40, y1 + (y2 - y1) * i / 40
            if left <= px <= right and top <= py <= bottom:
                return True
    return False


# ---------------------------------------------------------------------------------- force layout


def spring_layout(graph: "nx.Graph", *, seed: int = 7, iterations: int = 60, scale: float = 130.0,
                  groups: dict[Any, str] | None = None) -> dict[Any, tuple[float, float]]:
    """A deterministic force-directed layout in pure Python (no numpy), in pixels.

    Fruchterman–Reingold with grid-limited repulsion (each node only feels nodes in
    neighbouring cells), so one iteration costs about O(nodes + edges). Parallel edges and
    direction are ignored. With ``groups`` (node -> group name) the nodes of a group start
    together and are pulled towards their group's centre, so that classes form clusters.

    The last :data:`SPRING_MEMO` layouts are kept for the process: a view laid out again (the
    whole graph, by each page, picture and export of it) gets the same positions without the
    work. They are looked up by everything the positions depend on (the number of nodes, the
    edges between their indexes in the order they are summed, the groups and the parameters), so
    a kept layout is exactly the one the arithmetic would give again.

    Examples
    --------
    >>> import networkx as nx
    >>> pos = spring_layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and all(len(p) == 2 for p in pos.values())
    True
    """
    nodes = sorted(graph, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    edges = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in graph.edges() if u != v}
    names = sorted(set((groups or {}).values()))
    group_of = [names.index(groups[v]) if groups and v in groups else -1 for v in nodes]
    # the edges in the set's order (equal sets filled differently differ in it, and the sums
    # follow it); the node names are not needed: the positions are by index
    found = _spring_positions(n, tuple(edges), len(names), tuple(group_of), seed, iterations, scale)
    return dict(zip(nodes, found, strict=True))


#: How many force layouts :func:`spring_layout` keeps (about 60 kB each for a view of 565 nodes).
SPRING_MEMO = 16


@functools.lru_cache(maxsize=SPRING_MEMO)  # thread-safe: serve lays out views in its threads
def _spring_positions(n: int, edges: tuple[tuple[int, int], ...], n_groups: int, group_of: tuple[int, ...],
                      seed: int, iterations: int, scale: float) -> tuple[tuple[float, float], ...]:
    """:func:`spring_layout`'s positions of nodes ``0 … n-1`` (``group_of[i]`` -1: in no group)."""
    rng = random.Random(seed)
    side = math.sqrt(n) * 1.3
    mid = side / 2
    if n_groups:  # each group starts in its own sector
        centres = [(mid + side / 3 * math.cos(2 * math.pi * k / n_groups),
                    mid + side / 3 * math.sin(2 * math.pi * k / n_groups)) for k in range(n_groups)]
        xs = [centres[g][0] + rng.uniform(-1, 1) if g >= 0 else rng.uniform(0, side) for g in group_of]
        ys = [centres[g][1] + rng.uniform(-1, 1) if g >= 0 else rng.uniform(0, side) for g in group_of]
    else:
        xs = [rng.uniform(0, side) for _ in range(n)]
        ys = [rng.uniform(0, side) for _ in range(n)]
    k, cell = 1.0, 2.0
    kk, reach = k * k, cell * cell
    t0 = side / 6
    uniform = rng.uniform
    for it in range(iterations):
        t = t0 * (1 - it / iterations) + 0.01
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            grid.setdefault((int(xs[i] // cell), int(ys[i] // cell)), []).append(i)
        for (cx, cy), members in grid.items():
            # the nodes of the 3x3 cells around, with their positions (fixed until the step below)
            near = [(j, xs[j], ys[j]) for ox in (-1, 0, 1) for oy in (-1, 0, 1)
                    for j in grid.get((cx + ox, cy + oy), ())]
            for i in members:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j, xj, yj in near:
                    ddx, ddy = xi - xj, yi - yj
                    d2 = ddx * ddx + ddy * ddy
                    if d2 > reach or j == i:
                        continue
                    if d2 < 1e-6:
                        ddx, ddy, d2 = uniform(-0.1, 0.1), uniform(-0.1, 0.1), 0.01
                    f = kk / d2
                    fx += ddx * f
                    fy += ddy * f
                dx[i] += fx
                dy[i] += fy
        for i, j in edges:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            d = math.sqrt(ddx * ddx + ddy * ddy) + 1e-9
            f = d / k
            dx[i] -= ddx * f
            dy[i] -= ddy * f
            dx[j] += ddx * f
            dy[j] += ddy * f
        if n_groups:
            sums: dict[int, list[float]] = {}
            for i, g in enumerate(group_of):
                s = sums.setdefault(g, [0.0, 0.0, 0.0])
                s[0] += xs[i]
                s[1] += ys[i]
                s[2] += 1
            for i, g in enumerate(group_of):
                if g >= 0:
                    gx, gy, c = sums[g]
                    dx[i] += (gx / c - xs[i]) * 0.3
                    dy[i] += (gy / c - ys[i]) * 0.3
        for i in range(n):
            dx[i] += (mid - xs[i]) * 0.08
            dy[i] += (mid - ys[i]) * 0.08
            d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > 0:
                step = min(d, t) / d
                xs[i] += dx[i] * step
                ys[i] += dy[i] * step
    return tuple((round((xs[i] - mid) * scale, 1), round((ys[i] - mid) * scale, 1)) for i in range(n))


#: width / height of the canvas a neighbourhood is laid out for (1440×900 and 1600×1000 screens,
#: less the page's header and legend)
SCREEN_ASPECT = 1.8


def ring_layout(graph: "nx.Graph", center: Any, extents: dict[Any, Extent], groups: dict[Any, str],
                aspect: float = SCREEN_ASPECT) -> dict[Any, tuple[float, float]]:
    """The focus in the middle, each further step of distance on a wider ring.

    The first ring is a circle, the next ones are ellipses stretched to the screen's shape
    (``aspect``), each wholly outside the one before. On every ring the nodes of one group
    (class) sit together; :func:`ring_orders` orders groups and nodes so that edges cross
    little. Along a ring each node takes the room its box needs in the ring's direction there
    (a wide label at the side of a ring needs only its height), so a ring of labels is as small
    as they allow.

    >>> import networkx as nx
    >>> g = nx.star_graph(4)
    >>> pos = ring_layout(g, 0, {n: (-10, -10, 10, 10) for n in g}, {n: "x" for n in g})
    >>> pos[0], round(math.hypot(*pos[1])) == round(math.hypot(*pos[3]))
    ((0.0, 0.0), True)
    """
    und = graph.to_undirected(as_view=True)
    pos: dict[Any, tuple[float, float]] = {center: (0.0, 0.0)}
    if center not in graph:
        return pos
    edges = [(u, v) for u, v in und.edges() if u != v]
    candidates = (_place_rings(center, orders, extents, aspect) for orders in ring_orders(und, center, groups))
    # the first with the fewest crossings; comparing costs edges² / 2 pairs a candidate, so a
    # view of more than a few hundred edges takes the first (the class order)
    pos = min(candidates, key=lambda p: edge_crossings(p, edges)) if len(edges) <= 600 else next(candidates)
    outer = max((math.hypot(*p) for p in pos.values()), default=0.0)
    for n in graph:  # not connected to the focus (cannot happen in a neighbourhood, but a query view may)
        pos.setdefault(n, (0.0, outer + 150.0))
    return pos


def ring_orders(und: "nx.Graph", center: Any, groups: dict[Any, str],
                rounds: int = 6) -> Iterable[dict[int, list[Any]]]:
    """Candidate orders of the rings around ``center`` (ring -> its nodes, clockwise from the top).

    The first candidate sorts by group, then name. Each next one is a barycentre sweep: every
    node of an outer ring goes to the mean direction of its neighbours on the ring inside, and
    on the first ring the groups, then the nodes inside each group, are ordered by the mean
    direction of their neighbours on the first two rings. Groups stay together on the first
    ring; on the outer rings a node follows what it hangs from.
    """
    import networkx as nx

    dist = nx.single_source_shortest_path_length(und, center)
    rings: dict[int, list[Any]] = {}
    for node, d in dist.items():
        if d:
            rings.setdefault(d, []).append(node)
    order = {d: sorted(m, key=lambda n: (groups.get(n, ""), str(n))) for d, m in rings.items()}
    yield {d: list(m) for d, m in order.items()}

    def angles(d: int) -> dict[Any, float]:
        members = order.get(d, [])
        return {n: 2 * math.pi * i / len(members) for i, n in enumerate(members)}

    def mean_angle(node: Any, where: dict[Any, float], fallback: float) -> float:
        xs = [math.cos(where[m]) for m in und[node] if m in where]
        ys = [math.sin(where[m]) for m in und[node] if m in where]
        if not xs or (abs(sum(xs)) < 1e-9 and abs(sum(ys)) < 1e-9):
            return fallback
        return math.atan2(sum(ys), sum(xs)) % (2 * math.pi)

    for _ in range(rounds):
        for d in sorted(order)[1:]:  # outer rings follow the ring inside
            inner, own = angles(d - 1), angles(d)
            order[d].sort(key=lambda n: (mean_angle(n, inner, own[n]), groups.get(n, ""), str(n)))
        if 1 in order:
            own = angles(1)
            near = {**own, **angles(2)}
            want = {n: mean_angle(n, near, own[n]) for n in order[1]}
            by_group: dict[str, list[Any]] = {}
            for n in order[1]:
                by_group.setdefault(groups.get(n, ""), []).append(n)

            def group_angle(members: list[Any], want: dict[Any, float] = want) -> float:
                x = sum(math.cos(want[n]) for n in members)
                y = sum(math.sin(want[n]) for n in members)
                return math.atan2(y, x) % (2 * math.pi)

            ranked = sorted(by_group.items(), key=lambda kv: (group_angle(kv[1]), kv[0]))
            order[1] = [n for _g, members in ranked for n in sorted(members, key=lambda n: (want[n], str(n)))]
        yield {d: list(m) for d, m in order.items()}


def _place_rings(center: Any, orders: dict[int, list[Any]], extents: dict[Any, Extent],
                 aspect: float) -> dict[Any, tuple[float, float]]:
    """Positions of :func:`ring_layout` for one order of the rings."""
    pos: dict[Any, tuple[float, float]] = {center: (0.0, 0.0)}
    reach = _corner(extents[center])  # how far the ring inside reaches out
    for d in sorted(orders):
        members = orders[d]
        half_w = max(max(-extents[n][0], extents[n][2]) for n in members)
        half_h = max(max(-extents[n][1], extents[n][3]) for n in members)
        room = 90.0  # a band for the edges between two rings (and their labels in a small view)
        if d == 1:
            a = b = max(reach + max(half_w, half_h) + room, 150.0)
        else:  # wholly outside the ring inside, stretched to the screen's shape
            b = reach + half_h + room
            a = max(aspect * b, reach + half_w + room)
        placed, a, b = _on_ellipse(members, extents, a, b)
        pos.update(placed)
        reach = max(math.hypot(x, y) + _corner(extents[n]) for n, (x, y) in placed.items())
    return pos


def _corner(e: Extent) -> float:
    """How far a box reaches from its node's position, at most."""
    return math.hypot(max(-e[0], e[2]), max(-e[1], e[3]))


def _on_ellipse(members: list[Any], extents: dict[Any, Extent], a: float, b: float,
                gap: float = 18.0) -> tuple[dict[Any, tuple[float, float]], float, float]:
    """Nodes clockwise from the top of an ellipse of semi-axes a, b (grown until they fit).

    A node needs, along the ellipse, the distance at which its box and the next one no longer
    meet in the ellipse's direction there; what is left over is shared out evenly.
    """
    steps = 720
    n = len(members)
    share = [i / n for i in range(n)]  # each node's place, as a share of the way round
    for _ in range(12):
        ts = [-math.pi / 2 + 2 * math.pi * k / steps for k in range(steps + 1)]
        pts = [(a * math.cos(t), b * math.sin(t)) for t in ts]
        cum = [0.0]
        for (x1, y1), (x2, y2) in pairwise(pts):
            cum.append(cum[-1] + math.hypot(x2 - x1, y2 - y1))
        perimeter = cum[-1]

        def theta(f: float, cum: list[float] = cum, ts: list[float] = ts, perimeter: float = perimeter) -> float:
            target = (f % 1.0) * perimeter
            lo, hi = 0, steps
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if cum[mid] <= target else (lo, mid)
            span = cum[hi] - cum[lo] or 1.0
            return ts[lo] + (ts[hi] - ts[lo]) * (target - cum[lo]) / span

        needs = []
        for node, f in zip(members, share, strict=True):
            t = theta(f)
            tx, ty = -a * math.sin(t), b * math.cos(t)
            norm = math.hypot(tx, ty) or 1.0
            tx, ty = abs(tx / norm), abs(ty / norm)
            e = extents[node]
            w, h = e[2] - e[0] + gap, e[3] - e[1] + gap
            needs.append(min(w / tx if tx > 1e-6 else math.inf, h / ty if ty > 1e-6 else math.inf))
        total = sum(needs)
        if total > perimeter:
            grow = total / perimeter * 1.02
            a, b = a * grow, b * grow
            continue
        spare = (perimeter - total) / n
        at, new = 0.0, []
        for i in range(n):
            new.append((at + (needs[i] + spare) / 2) / perimeter)
            at += needs[i] + spare
        moved = max(abs(x - y) for x, y in zip(new, share, strict=True))
        share = new
        if moved < 1e-3:
            break
    out = {}
    for node, f in zip(members, share, strict=True):
        t = theta(f)
        out[node] = (a * math.cos(t), b * math.sin(t))
    return out, a, b


def edge_crossings(pos: dict[Any, tuple[float, float]], edges: Iterable[tuple[Any, Any]]) -> int:
    """How many pairs of edges, drawn straight, cross (pairs that share an end never count).

    >>> edge_crossings({"a": (0, 0), "b": (2, 2), "c": (0, 2), "d": (2, 0)}, [("a", "b"), ("c", "d")])
    1
    """
    segs = sorted({(u, v) if str(u) <= str(v) else (v, u) for u, v in edges if u != v}, key=str)

    def side(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (r[1] - p[1]) * (q[0] - p[0]) - (q[1] - p[1]) * (r[0] - p[0])

    count = 0
    for i, (a, b) in enumerate(segs):
        pa, pb = pos[a], pos[b]
        for c, d in segs[i + 1:]:
            if c in (a, b) or d in (a, b):
                continue
            pc, pd = pos[c], pos[d]
            if (side(pa, pb, pc) > 0) != (side(pa, pb, pd) > 0) and (side(pc, pd, pa) > 0) != (side(pc, pd, pb) > 0):
                count += 1
    return count


# ---------------------------------------------------------------------------------- pathway layout


def pathway_layout(g: "nx.MultiDiGraph", routes: list[list[str]], blockers: list[Any],
                   extents: dict[str, Extent], edge_labels: dict[tuple[str, str], list[str]],
                   look: Look = PATHWAY_LOOK, aspect: float = 1.5) -> dict[str, tuple[float, float]]:
    """Routes left to right, blockers above the step they act on, nothing overlapping.

    The first route is the spine (one row); nodes that only later routes pass through go to
    rows below it, each run of them in the first row whose columns are free. A column is as
    wide as its widest node, and the gap to the next column leaves room for the labels of the
    edges that cross it. What a blocker acts on (when it is not on a route) sits just above
    its step; the blockers are packed in rows above that, each as close as possible to the
    mean position of the steps it acts on. A layout wider than ``aspect`` (width / height of
    the screen it is made for) is stretched vertically, by at most 1.6.
    """
    col: dict[str, int] = {}
    for route in routes:
        for i, node in enumerate(route):
            col[node] = max(col.get(node, 0), i)
    for _ in range(len(col) + 1):  # successors strictly right of predecessors
        changed = False
        for route in routes:
            for a, b in pairwise(route):
                if col[b] <= col[a]:
                    col[b] = col[a] + 1
                    changed = True
        if not changed:
            break
    # rows: the spine, then runs of new nodes of each later route in the first free row below
    row: dict[str, int] = {}
    taken: dict[int, set[int]] = {}
    for i, route in enumerate(routes):
        runs: list[list[str]] = []
        for node in route:
            if node in row:
                runs.append([])
            elif runs and runs[-1]:
                runs[-1].append(node)
            else:
                runs.append([node])
        for run in (r for r in runs if r):
            r = 0 if i == 0 else 1
            while taken.get(r, set()) & {col[n] for n in run}:
                r += 1
            for n in run:
                row[n] = r
                taken.setdefault(r, set()).add(col[n])
    n_cols = max(col.values(), default=0) + 1
    half = [0.0] * n_cols
    for node, c in col.items():
        half[c] = max(half[c], -extents[node][0], extents[node][2])
    gaps = [44.0] * n_cols
    for (u, v), labels in edge_labels.items():
        if u in col and v in col and col[v] == col[u] + 1 and row[u] == row[v]:
            widest = max((text_width(t, look.edge_font) for t in edge_label_lines(labels, look)), default=0.0)
            gaps[col[u]] = max(gaps[col[u]], widest + 34.0)  # room for the arrow head
    xs = [0.0] * n_cols
    for c in range(1, n_cols):
        xs[c] = xs[c - 1] + half[c - 1] + gaps[c - 1] + half[c]
    row_h = {r: max(extents[n][3] - extents[n][1] for n in row if row[n] == r) for r in set(row.values())}
    ys: dict[int, float] = {0: 0.0}
    for r in sorted(row_h)[1:]:
        ys[r] = ys[r - 1] + row_h[r - 1] / 2 + row_h[r] / 2 + 2.6 * look.edge_font + 30
    pos: dict[str, tuple[float, float]] = {n: (xs[col[n]], ys[row[n]]) for n in col}

    def step_x(step: str) -> float:
        xs_ = [pos[s][0] for s in step.split("->") if s in pos]
        return sum(xs_) / len(xs_) if xs_ else 0.0

    top = min(pos[n][1] + extents[n][1] for n in pos) if pos else 0.0
    # entities acted on that are not on a route: one row above their step, side by side
    acted: dict[str, float] = {}
    for b in blockers:
        if b.acts_on not in pos and b.acts_on not in acted:
            acted[b.acts_on] = step_x(b.step)
    if acted:
        y = top - 2.6 * look.edge_font - 24 - max(extents[n][3] for n in acted)
        placed = _pack_row([(n, x, extents[n]) for n, x in sorted(acted.items(), key=lambda kv: (kv[1], kv[0]))])
        for n, x in placed.items():
            pos[n] = (x, y)
        top = min(pos[n][1] + extents[n][1] for n in acted)
    # blockers: rows above, each at the free place closest to where it acts
    wanted: dict[str, list[float]] = {}
    for b in blockers:
        wanted.setdefault(b.id, []).append(pos[b.acts_on][0] if b.acts_on in pos else step_x(b.step))
    rows: list[list[tuple[float, float]]] = []
    members: list[list[str]] = []
    gap, row_cost = 16.0, 260.0
    for bid, xs_ in sorted(wanted.items(), key=lambda kv: (len(kv[1]) == 1, sum(kv[1]) / len(kv[1]), kv[0])):
        x = sum(xs_) / len(xs_)
        lo_e, hi_e = extents[bid][0], extents[bid][2]
        best: tuple[float, int, float] | None = None
        for r, spans in enumerate([*rows, []]):
            candidates = [x] + [p for lo, hi in spans for p in (lo - gap - hi_e, hi + gap - lo_e)]
            for cand in candidates:
                if all(cand + hi_e + gap <= lo or cand + lo_e - gap >= hi for lo, hi in spans):
                    cost = abs(cand - x) + r * row_cost
                    if best is None or cost < best[0]:
                        best = (cost, r, cand)
        assert best is not None
        _cost, r, bx = best
        if r == len(rows):
            rows.append([])
            members.append([])
        rows[r].append((bx + lo_e, bx + hi_e))
        members[r].append(bid)
        pos[bid] = (bx, 0.0)
    edge_room = 2.0 * look.edge_font + 40  # the blockers' edges leave the row at a slant
    for ids in members:
        bottom = max(extents[n][3] for n in ids)
        y = top - edge_room - bottom
        for n in ids:
            pos[n] = (pos[n][0], y)
        top = min(y + extents[n][1] for n in ids)
        edge_room = 22.0
    for node in g:
        pos.setdefault(node, (0.0, top - 120.0))
    # a wide layout leaves bands empty on a screen: stretch it downwards, up to the screen's shape
    boxes = [_box(p, extents[n]) for n, p in pos.items()]
    w = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    h = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    stretch = min(max(w / h / aspect, 1.0), 1.6) if h else 1.0
    return {n: (round(x, 1), round(y * stretch, 1)) for n, (x, y) in pos.items()}


def _pack_row(items: list[tuple[str, float, Extent]], gap: float = 24.0) -> dict[str, float]:
    """x of each item in one row: as near its wanted x as the items before it allow."""
    placed: dict[str, float] = {}
    right = -math.inf
    for node, x, ext in items:
        x = max(x, right + gap - ext[0])
        placed[node] = x
        right = x + ext[2]
    return placed
