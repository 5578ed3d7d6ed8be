"""Named pathways: the ordered steps the data declares (``ige:Pathway``, ``ige:PathwayStep``).

Examples
--------
>>> import igegraph
>>> pathway(igegraph.load(), "sensitization").target
'ig:IgE'
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from ..errors import IgegraphError
from ..vocab import compact
from .results import PathwayInfo

if TYPE_CHECKING:
    from rdflib.query import ResultRow

    from ..kg import KnowledgeGraph

__all__ = ["pathways", "pathway"]

def pathways(kg: "KnowledgeGraph") -> list[PathwayInfo]:
    """The named pathways in the data, sorted by name.

    >>> import igegraph
    >>> [p.name for p in pathways(igegraph.load())]
    ['allergic-cascade', 'cd23-th2', 'ige-fceri-degranulation', 'sensitization']

    Notes
    -----
    On a local graph the list is read once per content (``kg.derived``, shared by the graphs
    of one content; a change to the graph drops it) and each call gets its own copy:
    ``blocks --pathway`` and the server look the pathways up on every request. A graph on an
    endpoint, which others may change, is asked each time.
    """
    if kg.engine.remote:
        return _read_pathways(kg)
    return copy.deepcopy(kg.derived("traverse.pathways", lambda: _read_pathways(kg), shared=True))


def _read_pathways(kg: "KnowledgeGraph") -> list[PathwayInfo]:
    """The named pathways, as the data says now (see :func:`pathways`)."""
    # through the backend, so that a graph on an endpoint is asked there
    rows = cast("Iterable[ResultRow]", kg.engine.query(kg.graph,  # a SELECT's result iterates as rows
        """
        PREFIX ige: <https://w3id.org/igegraph/vocab#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?p ?name ?title ?src ?dst ?step ?index ?stepLabel ?entity ?n WHERE {
          ?p a ige:Pathway ; ige:pathwayName ?name ; ige:pathwaySource ?src ; ige:pathwayTarget ?dst .
          OPTIONAL { ?p rdfs:label ?title }
          OPTIONAL {
            ?p ige:hasStep ?step . ?step ige:stepIndex ?index .
            OPTIONAL { ?step rdfs:label ?stepLabel }
            OPTIONAL { ?step ige:stepEntity ?entity }
            OPTIONAL { ?step ige:reference/ige:referenceNumber ?n }
          }
        }""", {}))
    found: dict[str, PathwayInfo] = {}
    steps: dict[str, dict[str, dict]] = {}
    for p, name, title, src, dst, step, index, step_label, entity, n in rows:
        pid = compact(p)
        info = found.setdefault(pid, PathwayInfo(pid, str(name), str(title or name), compact(src), compact(dst), []))
        if step is None:
            continue
        entry = steps.setdefault(pid, {}).setdefault(compact(step), {
            "index": int(index), "label": str(step_label or ""), "entities": [], "references": [],
        })
        if entity is not None and compact(entity) not in entry["entities"]:
            entry["entities"].append(compact(entity))
        if n is not None and int(n) not in entry["references"]:
            entry["references"].append(int(n))
    for pid, info in found.items():
        ordered = sorted(steps.get(pid, {}).values(), key=lambda s: s["index"])
        for entry in ordered:
            entry["entities"].sort()
            entry["references"].sort()
            entry["entity_labels"] = [kg.label(e) for e in entry["entities"]]
        info.steps = ordered
    return sorted(found.values(), key=lambda p: p.name)


def pathway(kg: "KnowledgeGraph", name: str) -> PathwayInfo:
    """One named pathway; an unknown name raises IgegraphError listing the known ones."""
    known = pathways(kg)
    for info in known:
        if name in (info.name, info.id, info.title):
            return info
    names = ", ".join(p.name for p in known) or "none"
    raise IgegraphError(f"unknown pathway '{name}'; known pathways: {names}")
