"""How entities and relations look: colours and shapes by class, edges by polarity, the legend, tooltips.

Every renderer (HTML, SVG, Cytoscape JSON, the explorer's API) takes its styles from here, and
the HTML page and the SVG picture draw the same :func:`legend`.

Examples
--------
>>> node_style("ige:MonoclonalAntibody")
('#6a3d9a', 'box', '#ffffff')
>>> POLARITY_STYLES[-1].head
'bar'
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .views import View

__all__ = [
    "CLASS_STYLES",
    "POLARITY_STYLES",
    "PolarityStyle",
    "LegendEntry",
    "node_style",
    "edge_style",
    "legend",
    "node_tooltip",
    "edge_tooltip",
    "refs_text",
    "wrap",
    "shape_svg",
    "symbol_svg",
]

#: class -> (fill colour, vis-network shape, font colour); subclasses inherit the nearest style
CLASS_STYLES: dict[str, tuple[str, str, str]] = {
    "ige:Entity": ("#cfcfcf", "dot", "#222222"),
    "ige:Cell": ("#f4a261", "ellipse", "#1a1a1a"),
    "ige:MolecularEntity": ("#bcbd22", "dot", "#222222"),
    "ige:Protein": ("#6baed6", "dot", "#222222"),
    "ige:Immunoglobulin": ("#1f4e9c", "diamond", "#222222"),
    "ige:Receptor": ("#3c8dbc", "hexagon", "#222222"),
    "ige:ReceptorChain": ("#9ecae1", "hexagon", "#222222"),
    "ige:ProteinDomain": ("#c6dbef", "square", "#222222"),
    "ige:Cytokine": ("#17becf", "dot", "#222222"),
    "ige:SmallMolecule": ("#bcbd22", "dot", "#222222"),
    "ige:Mediator": ("#e6ab02", "star", "#222222"),
    "ige:Allergen": ("#8c564b", "triangle", "#222222"),
    "ige:Drug": ("#7b3fa0", "box", "#ffffff"),
    "ige:MonoclonalAntibody": ("#6a3d9a", "box", "#ffffff"),
    "ige:Biosimilar": ("#9e7cc1", "box", "#ffffff"),
    "ige:BispecificAntibody": ("#8e44ad", "box", "#ffffff"),
    "ige:FusionProtein": ("#a05195", "box", "#ffffff"),
    "ige:ScFv": ("#b07cc6", "box", "#ffffff"),
    "ige:Nanomedicine": ("#c994c7", "box", "#1a1a1a"),
    "ige:CellTherapy": ("#7d5ba6", "box", "#ffffff"),
    "ige:Procedure": ("#5e4fa2", "box", "#ffffff"),
    "ige:Device": ("#5e4fa2", "box", "#ffffff"),
    "ige:Disease": ("#e377c2", "triangleDown", "#222222"),
    "ige:Phenotype": ("#f7b6d2", "triangleDown", "#222222"),
    "ige:BiologicalProcess": ("#ffe08a", "ellipse", "#1a1a1a"),
    "ige:Interaction": ("#a6a6a6", "square", "#222222"),
    "ige:Organism": ("#8c6d31", "dot", "#222222"),
    "ige:AnatomicalSite": ("#d6616b", "dot", "#222222"),
    "ige:Organization": ("#bdbdbd", "box", "#1a1a1a"),
    "ige:ClinicalTrial": ("#969696", "box", "#1a1a1a"),
}


class PolarityStyle(NamedTuple):
    """How a relation of one polarity is drawn."""

    color: str
    dashed: bool
    head: str  # "arrow" or "bar"
    text: str  # legend text


#: polarity -> style of its edges
POLARITY_STYLES: dict[int, PolarityStyle] = {
    1: PolarityStyle("#2e8b57", False, "arrow", "activating (+1)"),
    -1: PolarityStyle("#d62728", True, "bar", "inhibiting / blocking (\u22121)"),
    0: PolarityStyle("#9e9e9e", False, "arrow", "non-causal (0)"),
}

#: shapes drawn with the label inside (the others carry it underneath)
LABEL_INSIDE = ("box", "ellipse")


def node_style(category: str, parents: dict[str, list[str]] | None = None) -> tuple[str, str, str]:
    """Fill colour, vis-network shape and font colour of a class (nearest styled ancestor).

    >>> node_style("ige:MonoclonalAntibody")
    ('#6a3d9a', 'box', '#ffffff')
    >>> node_style("ex:Unknown", {"ex:Unknown": ["ige:Cell"]})[1]
    'ellipse'
    """
    parents = parents or {}
    todo, seen = [category], set()
    while todo:
        cls = todo.pop(0)
        if cls in CLASS_STYLES:
            return CLASS_STYLES[cls]
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(parents.get(cls, ()))
    return CLASS_STYLES["ige:Entity"]


def edge_style(polarity: int | None) -> dict[str, Any]:
    """vis-network options for an edge of a given polarity.

    >>> edge_style(-1)["arrows"]["to"]["type"], edge_style(-1)["dashes"]
    ('bar', [8, 5])
    >>> edge_style(1)["color"]["color"]
    '#2e8b57'
    """
    color, dashed, head, _ = POLARITY_STYLES.get(int(polarity or 0), POLARITY_STYLES[0])
    return {
        "color": {"color": color, "highlight": color, "hover": color},
        "dashes": [8, 5] if dashed else False,
        "arrows": {"to": {"enabled": True, "type": head, "scaleFactor": 0.9 if head == "bar" else 0.7}},
        "width": 2.5 if polarity == -1 else (2 if polarity == 1 else 1.2),
    }


@dataclass(frozen=True)
class LegendEntry:
    """One row of the legend: a class (``kind="class"``) or an edge polarity (``kind="edge"``).

    ``shape`` is a vis-network shape for a class; for an edge, ``"arrow"`` or ``"bar"``.
    """

    kind: str
    text: str
    color: str
    shape: str
    dashed: bool = False


def legend(view: "View") -> list[LegendEntry]:
    """The legend of a view: its classes (alphabetically), then the polarities of its relations.

    >>> import igegraph
    >>> from igegraph.viz import pathway_view
    >>> rows = legend(pathway_view(igegraph.load(), "ige-fceri-degranulation"))
    >>> [r.text for r in rows if r.kind == "edge"]
    ['activating (+1)', 'non-causal (0)', 'inhibiting / blocking (−1)']
    """
    cats: dict[str, str] = {}
    for _, attrs in view.graph.nodes(data=True):
        cats.setdefault(attrs.get("category", "ige:Entity"), attrs.get("category_label") or "entity")
    rows = []
    for cat, label in sorted(cats.items(), key=lambda kv: kv[1].lower()):
        color, shape, _ = node_style(cat, view.class_parents)
        rows.append(LegendEntry("class", label, color, shape))
    pols = sorted({int(a.get("polarity") or 0) for *_, a in view.graph.edges(data=True)}, reverse=True)
    for pol in pols or [1, -1, 0]:
        style = POLARITY_STYLES.get(pol, POLARITY_STYLES[0])
        rows.append(LegendEntry("edge", style.text, style.color, style.head, style.dashed))
    return rows


def shape_svg(shape: str, x: float, y: float, r: float, fill: str, stroke: str = "#333",
              width: float = 1.0, css_class: str = "") -> str:
    """SVG 1.1 for a vis-network shape of radius ``r`` centred on (x, y) (boxes are drawn by the caller).

    >>> shape_svg("dot", 10, 10, 5, "#fff")
    '<circle cx="10.0" cy="10.0" r="5.0" fill="#fff" stroke="#333" stroke-width="1.0"/>'
    """
    paint = (f' class="{css_class}"' if css_class else "") + f' fill="{fill}" stroke="{stroke}" stroke-width="{width}"'
    if shape == "diamond":
        pts = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    elif shape == "square":
        pts = [(x - r * .8, y - r * .8), (x + r * .8, y - r * .8), (x + r * .8, y + r * .8), (x - r * .8, y + r * .8)]
    elif shape == "triangle":
        pts = [(x, y - r), (x + r, y + r * .8), (x - r, y + r * .8)]
    elif shape == "triangleDown":
        pts = [(x - r, y - r * .8), (x + r, y - r * .8), (x, y + r)]
    elif shape == "hexagon":
        pts = [(x + r * math.cos(i * math.pi / 3), y + r * math.sin(i * math.pi / 3)) for i in range(6)]
    elif shape == "star":
        pts = [(x + (r if i % 2 == 0 else r * .45) * math.sin(i * math.pi / 5),
                y - (r if i % 2 == 0 else r * .45) * math.cos(i * math.pi / 5)) for i in range(10)]
    elif shape in ("box", "ellipse"):
        rx = 3.0 if shape == "box" else r * 0.7
        return (f'<rect x="{x - r * 1.4:.1f}" y="{y - r * 0.9:.1f}" width="{r * 2.8:.1f}" height="{r * 1.8:.1f}" '
                f'rx="{rx:.1f}"{paint}/>')
    else:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"{paint}/>'
    return ('<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
            + f'"{paint}/>')


def symbol_svg(entry: LegendEntry, x: float, y: float) -> str:
    """The legend's symbol for one entry, 34 × 16 px with its top-left corner at (x, y).

    The HTML legend puts it in a small inline ``<svg>``, the SVG picture draws it in place.

    >>> symbol_svg(LegendEntry("edge", "inhibiting", "#d62728", "bar", True), 0, 0).count("<line")
    2
    """
    if entry.kind == "class":
        return shape_svg(entry.shape, x + 17, y + 8, 7, entry.color)
    dash = ' stroke-dasharray="6 4"' if entry.dashed else ""
    line = (f'<line x1="{x + 2}" y1="{y + 8}" x2="{x + 28}" y2="{y + 8}" stroke="{entry.color}" '
            f'stroke-width="2.5"{dash}/>')
    if entry.shape == "bar":
        return line + (f'<line x1="{x + 30}" y1="{y + 2}" x2="{x + 30}" y2="{y + 14}" stroke="{entry.color}" '
                       'stroke-width="3"/>')
    return line + f'<polygon points="{x + 24},{y + 3} {x + 33},{y + 8} {x + 24},{y + 13}" fill="{entry.color}"/>'


def polarity_word(polarity: int | None) -> str:
    """The legend's words for a polarity (``""`` for an unknown one): tooltips and legend agree.

    >>> polarity_word(-1), polarity_word(None), polarity_word(5)
    ('inhibiting / blocking (−1)', 'non-causal (0)', '')
    """
    style = POLARITY_STYLES.get(int(polarity or 0))
    return style.text if style else ""


def refs_text(refs: Iterable[Any]) -> str:
    """The review's reference numbers in brackets.

    >>> refs_text([6, 12])
    '[6], [12]'
    """
    return ", ".join(f"[{r}]" for r in refs)


def wrap(text: str, width: int = 70) -> str:
    """Collapse white space and wrap to ``width`` columns (tooltips are plain text)."""
    return "\n".join(textwrap.wrap(" ".join(str(text).split()), width)) or ""


def node_tooltip(node: str, attrs: dict[str, Any], extra: list[str] | None = None) -> str:
    """The plain-text tooltip of a node (never HTML: vis-network shows it with innerText).

    >>> print(node_tooltip("ig:x", {"label": "X", "category_label": "cell", "identifiers": ["CL:1"],
    ...                              "synonyms": [], "definition": ""}))
    X
    cell · ig:x
    identifiers: CL:1
    """
    lines = [str(attrs.get("label") or node), f"{attrs.get('category_label') or 'entity'} · {node}"]
    if attrs.get("identifiers"):
        lines.append("identifiers: " + ", ".join(map(str, attrs["identifiers"])))
    if attrs.get("synonyms"):
        syn = list(map(str, attrs["synonyms"]))
        lines.append("synonyms: " + ", ".join(syn[:8]) + (" …" if len(syn) > 8 else ""))
    definition = str(attrs.get("definition") or "")
    if definition:
        lines.append(wrap(definition))
    lines.extend(extra or [])
    return "\n".join(lines)


def edge_tooltip(source_label: str, target_label: str, attrs: dict[str, Any]) -> str:
    """The plain-text tooltip of an edge: claim, polarity, evidence level, references, quote.

    >>> print(edge_tooltip("omalizumab", "free IgE", {"predicate_label": "neutralizes",
    ...     "predicate": "ige:neutralizes", "polarity": -1, "evidence": "marketed",
    ...     "references": [6, 12]}))
    omalizumab — neutralizes → free IgE
    ige:neutralizes · inhibiting / blocking (−1)
    evidence: marketed
    references: [6], [12]
    """
    pred = attrs.get("predicate_label") or attrs.get("predicate") or "related to"
    lines = [f"{source_label} — {pred} → {target_label}"]
    lines.append(f"{attrs.get('predicate', '')} · {polarity_word(attrs.get('polarity'))}".strip(" ·"))
    lines.append(f"evidence: {attrs.get('evidence') or 'not recorded'}")
    refs = attrs.get("references") or []
    lines.append(f"references: {refs_text(refs) if refs else 'none cited'}")
    if attrs.get("section"):
        lines.append(f"section: {attrs['section']}")
    if attrs.get("quote"):
        lines.append(wrap(f"“{attrs['quote']}”"))
    if attrs.get("assertion"):
        lines.append(f"assertion: {attrs['assertion']}")
    return "\n".join(lines)
