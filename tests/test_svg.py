"""The SVG picture: SVG 1.1 only, title and legend, no node on another, and drawn alike by CairoSVG and rsvg."""

from __future__ import annotations

import io
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from igegraph.viz import focus_view, graph_view, legend, pathway_view, to_svg

NS = "{http://www.w3.org/2000/svg}"
PATHWAY = "ige-fceri-degranulation"


@pytest.fixture(scope="module")
def pathway_svg(kg):
    return to_svg(pathway_view(kg, PATHWAY))


def node_boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Node id -> (left, top, right, bottom) of its drawn shape (rect, ellipse, circle or polygon)."""
    boxes = {}
    for group in ET.fromstring(svg.encode()).iter(f"{NS}g"):
        if not (group.get("id") or "").startswith("n-"):
            continue
        (shape,) = [el for el in group if el.get("class") == "node"]
        tag, a = shape.tag[len(NS):], shape.attrib
        if tag == "rect":
            x, y = float(a["x"]), float(a["y"])
            box = (x, y, x + float(a["width"]), y + float(a["height"]))
        elif tag == "ellipse":
            cx, cy, rx, ry = (float(a[k]) for k in ("cx", "cy", "rx", "ry"))
            box = (cx - rx, cy - ry, cx + rx, cy + ry)
        elif tag == "circle":
            cx, cy, r = (float(a[k]) for k in ("cx", "cy", "r"))
            box = (cx - r, cy - r, cx + r, cy + r)
        else:
            pts = [tuple(map(float, p.split(","))) for p in a["points"].split()]
            box = (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))
        boxes[group.get("id")[2:]] = box
    return boxes


def intersecting(boxes: dict) -> list[tuple[str, str]]:
    items = sorted(boxes.items())
    return [(a, b) for i, (a, p) in enumerate(items) for b, q in items[i + 1:]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_svg_is_svg_1_1_with_title_and_legend(kg, pathway_svg):
    view = pathway_view(kg, PATHWAY)
    root = ET.fromstring(pathway_svg.encode())
    assert root.get("version") == "1.1"
    assert "paint-order" not in pathway_svg  # SVG 2: CairoSVG and older renderers ignore it
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert texts[0] == view.title and texts[1] == view.subtitle  # the title, drawn
    (legend_group,) = [g for g in root.iter(f"{NS}g") if g.get("id") == "legend"]
    legend_texts = [t.text for t in legend_group.iter(f"{NS}text")]
    assert legend_texts == ["Legend"] + [e.text for e in legend(view)]  # the same legend as the page


@pytest.mark.parametrize("make", [
    lambda kg: pathway_view(kg, PATHWAY),
    lambda kg: focus_view(kg, "omalizumab", depth=2),
    lambda kg: graph_view(kg),
], ids=["pathway", "focus-depth-2", "whole-graph"])
def test_no_node_covers_another(kg, make):
    view = make(kg)
    boxes = node_boxes(to_svg(view))
    assert set(boxes) == set(view.graph)
    assert intersecting(boxes) == []


def test_micelles_leave_omalizumab_and_crosslinks_visible(pathway_svg):
    boxes = node_boxes(pathway_svg)
    micelles, omalizumab = boxes["ig:celastrol_micelles"], boxes["ig:omalizumab"]
    assert micelles[2] < omalizumab[0] or omalizumab[2] < micelles[0] or micelles[3] < omalizumab[1] \
        or omalizumab[3] < micelles[1]
    # the allergen -> IgE edge runs through no node
    root = ET.fromstring(pathway_svg.encode())
    (path,) = [p for p in root.iter(f"{NS}path")
               if p.find(f"{NS}title") is not None and p.find(f"{NS}title").text == "allergen crosslinks IgE"]
    (x1, y1), _control, (x2, y2) = [tuple(map(float, xy.split(","))) for xy in re.findall(r"[-\d.]+,[-\d.]+",
                                                                                        path.get("d"))]
    for i in range(1, 20):
        x, y = x1 + (x2 - x1) * i / 20, y1 + (y2 - y1) * i / 20
        assert not [n for n, b in boxes.items() if b[0] <= x <= b[2] and b[1] <= y <= b[3]], (x, y)


def _label_spots(svg: str) -> list[tuple[str, float, float, float]]:
    """(text, x, baseline y, font size) of the edge labels and of the labels under shapes."""
    spots = []
    root = ET.fromstring(svg.encode())
    for group in root.iter(f"{NS}g"):
        if group.get("id") in ("edge-labels",) or (group.get("id") or "").startswith("n-"):
            for t in group.iter(f"{NS}text"):
                if t.get("fill") in ("#333", "#222"):  # dark text on white: an edge label or a label under a shape
                    spots.append((t.text, float(t.get("x")), float(t.get("y")), float(t.get("font-size"))))
    return spots


def _assert_labels_drawn(png: bytes, svg: str) -> None:
    """Every dark label has dark pixels where its text is (a blank white box would have none)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (1600, 1000)
    spots = _label_spots(svg)
    assert {"crosslinks", "activates", "allergen", "IgE"} <= {s[0] for s in spots}
    for text, x, y, size in spots:
        half = max(len(text) * size * 0.25, size * 0.5)
        crop = image.crop((int(x - half), int(y - size * 0.8), int(x + half), int(y + 1)))
        dark = sum(crop.histogram()[:110])
        assert dark >= 3 * len(text), f"label {text!r} at ({x:.0f}, {y:.0f}) is not drawn"


def test_cairosvg_draws_the_labels(pathway_svg):
    import cairosvg

    _assert_labels_drawn(cairosvg.svg2png(bytestring=pathway_svg.encode("utf-8")), pathway_svg)


def test_rsvg_draws_the_labels(pathway_svg, rsvg_convert):
    png = subprocess.run([rsvg_convert, "--format", "png"], input=pathway_svg.encode("utf-8"),
                         capture_output=True, check=True, timeout=60).stdout
    _assert_labels_drawn(png, pathway_svg)
