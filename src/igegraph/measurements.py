"""Measurements: a number (or range, or phrase) with its unit, condition and provenance.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> row = measurement(kg, kg.iri("ig:m_IgE_serum_half_life"))
>>> row["quantity"], value_text(row), row["unit"]
('serum half-life', '~3', 'd')
>>> measurement_text(row)
'IgE serum half-life: serum half-life ~3 d'
>>> unit_symbol("Cel"), unit_symbol("{persons}/a")
('°C', 'persons/yr')
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import Literal
from rdflib.term import Node

from .resources import resource_dir
from .vocab import IGE, compact

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

__all__ = ["measurement", "value_text", "shown_unit", "measurement_text", "json_value", "unit_symbol", "unit_symbols",
           "FIELDS"]

# literal properties of an ige:Measurement, in display order
FIELDS = ("quantity", "value", "minValue", "maxValue", "valueText", "unit", "comparator", "condition", "year")
_FIELD_IRIS = tuple((field, IGE[field]) for field in FIELDS)


@lru_cache(maxsize=1)
def unit_symbols() -> dict[str, str]:
    """UCUM code -> the symbol people read (``Cel`` -> ``°C``), from ``data/units.tsv``.

    The graph, JSON and RDF keep the UCUM codes; only tables and pages for people show symbols.

    >>> unit_symbols()["[IU]/mL"], unit_symbols()["{fold}"]
    ('IU/mL', '-fold')
    """
    with open(resource_dir("data") / "units.tsv", encoding="utf-8", newline="") as fh:
        return {row["ucum"]: row["symbol"] for row in csv.DictReader(fh, delimiter="\t")}


def unit_symbol(code: str) -> str:
    """The symbol of a UCUM code for people; a code ``data/units.tsv`` does not list is shown as it is.

    >>> unit_symbol("{count}"), unit_symbol("mg/kg")
    ('', 'mg/kg')
    """
    return unit_symbols().get(code, code)


def json_value(value: Any) -> Any:
    """A JSON-friendly Python value for an RDF term: literals become numbers or text, IRIs compact ids.

    >>> from rdflib import Literal, XSD
    >>> json_value(Literal("3", datatype=XSD.decimal)), json_value(Literal("1.95", datatype=XSD.decimal))
    (3, 1.95)
    """
    if isinstance(value, Literal):
        py = value.toPython()
        if isinstance(py, Decimal):  # JSON has no decimals; the typed literal stays in the graph
            return int(py) if py == py.to_integral_value() else float(py)
        return py if isinstance(py, (int, float, bool, str)) else str(value)
    return compact(value)


def graph_value(graph: Any, values: list[Any] | None, node: Any, prop: Any, inverse: bool = False) -> Any:
    """``graph.value(node, prop)`` (``graph.value(None, prop, node)`` when ``inverse``) from
    ``values``, those of ``node`` in a read of many nodes' or properties' values at once: the
    graph is asked only where there are several, since the read may list them in another
    order than its pick.

    >>> graph_value(None, [1], "a", "p"), graph_value(None, None, "a", "p")
    (1, None)
    """
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return graph.value(None, prop, node) if inverse else graph.value(node, prop)


def measurement(kg: "KnowledgeGraph", node: Node) -> dict:
    """One measurement as a dict: ``id``, ``label``, ``entity`` (what it measures, if stated),
    the literal :data:`FIELDS` it has, ``comparedTo`` (a label) and ``notes``."""
    graph = kg.graph
    row: dict[str, Any] = {"id": compact(node), "label": kg.label(compact(node))}
    owner = graph.value(None, IGE.hasMeasurement, node)
    row["entity"] = compact(owner) if owner is not None else None
    # every property of the node in one pattern read, not one per field (a search index reads
    # each measurement)
    found: dict[Any, list[Any]] = {}
    for prop, value in graph.predicate_objects(node):
        found.setdefault(prop, []).append(value)
    for field, prop in _FIELD_IRIS:
        value = graph_value(graph, found.get(prop), node, prop)
        if value is not None:
            row[field] = json_value(value)
    compared = graph_value(graph, found.get(IGE.comparedTo), node, IGE.comparedTo)
    if compared is not None:
        row["comparedTo"] = kg.label(compact(compared))
    notes = sorted(str(n) for n in found.get(IGE.curatorNote, ()))
    if notes:
        row["notes"] = notes
    return row


def value_text(row: dict) -> str:
    """The value as the review would write it: a phrase, a range or a number with its comparator.

    >>> value_text({"minValue": 50}), value_text({"value": 2, "comparator": ">="}), value_text({"valueText": "several"})
    ('50–', '>=2', 'several')
    """
    if "valueText" in row:
        return str(row["valueText"])
    if "minValue" in row or "maxValue" in row:
        return f"{row.get('minValue', '')}–{row.get('maxValue', '')}"
    comparator = row.get("comparator", "=")
    return f"{'' if comparator == '=' else comparator}{row.get('value', '')}"


def shown_unit(row: dict) -> str:
    """The unit for people (:func:`unit_symbol`), or nothing when the value is a phrase that
    already ends with it ("several weeks": the unit, weeks, is kept in the data for machines).

    >>> shown_unit({"valueText": "several weeks", "unit": "wk"}), shown_unit({"value": 12, "unit": "wk"})
    ('', 'weeks')
    """
    unit = unit_symbol(row.get("unit", ""))
    words = str(row.get("valueText", "")).lower().split()
    return "" if unit and words and words[-1] == unit.lower() else unit


def measurement_text(row: dict, symbols: bool = False) -> str:
    """Label, quantity, value, unit and condition in one line (what full-text search indexes).

    ``symbols`` writes the unit for people (:func:`unit_symbol`) instead of its UCUM code.

    >>> row = {"label": "IgE in allergy", "quantity": "serum IgE", "value": 10, "unit": "{fold}"}
    >>> measurement_text(row), measurement_text(row, symbols=True)
    ('IgE in allergy: serum IgE 10 {fold}', 'IgE in allergy: serum IgE 10-fold')
    """
    unit = row.get("unit", "")
    amount = value_text(row)
    if symbols:
        unit = unit_symbol(unit)
        if unit.startswith("-"):  # -fold follows the number
            amount, unit = amount + unit, ""
    parts = [row.get("quantity", ""), amount, unit]
    text = f"{row['label']}: {' '.join(p for p in parts if p)}"
    return f"{text} ({row['condition']})" if row.get("condition") else text
