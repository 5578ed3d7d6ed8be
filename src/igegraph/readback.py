"""Read every export back before it is written: a file that would not re-parse is never written.

Each format is parsed by an independent reader and compared with what was meant:

* Turtle, N-Triples, JSON-LD, TriG, N-Quads: parsed by Oxigraph; the statements must be
  exactly those written (every ground triple or quad, literal for literal, and the same
  number overall);
* GraphML: parsed by networkx, with the view's node and edge counts;
* SVG: well-formed XML; Cytoscape JSON and KGX metadata: JSON; KGX JSON Lines: one JSON object
  per line; KGX TSV: one row per node or edge, each with every column;
* PNG: the PNG signature; HTML is not checked.

Examples
--------
>>> verify("cytoscape", "x.json", "{")
Traceback (most recent call last):
...
igegraph.errors.IgegraphError: x.json would not read back as cytoscape
(Expecting property name enclosed in double quotes: line 1 column 2 (char 1)); nothing was written
"""

from __future__ import annotations

import csv
import functools
import io
import json
from typing import TYPE_CHECKING, Any

from .errors import IgegraphError

if TYPE_CHECKING:
    from .viz import View

__all__ = ["verify"]

_RDF = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "jsonld": "JSON_LD", "trig": "TRIG", "nquads": "N_QUADS"}


def verify(fmt: str, name: str, content: str | bytes, *, view: "View | None" = None,
           statements: list[tuple] | None = None, quads: list[Any] | None = None) -> None:
    """Raise :class:`IgegraphError` naming the file when ``content`` does not read back as ``fmt``.

    ``statements`` are the rdflib triples (quads for trig and nquads, graph None for the
    default graph) an RDF export was written from, and ``quads`` the pyoxigraph quads Oxigraph
    wrote of them (:func:`igegraph.rdfexport.rdf_quads`), when it wrote them: not converted
    again; ``view`` the view a graph file draws.
    """
    try:
        problem = _check(fmt, name, content, view, statements, quads)
    except (ValueError, SyntaxError, KeyError, TypeError) as exc:  # every reader's parse errors
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if problem:
        raise IgegraphError(f"{name} would not read back as {fmt} ({problem}); nothing was written")


def _check(fmt: str, name: str, content: str | bytes, view: Any, statements: Any, quads: Any) -> str | None:
    text = content.decode("utf-8") if isinstance(content, bytes) and fmt != "png" else content
    if fmt in _RDF and statements is not None:
        return _rdf(fmt, str(text), statements, quads)
    if fmt == "graphml":
        import networkx as nx

        g = nx.parse_graphml(text)
        want = (view.graph.number_of_nodes(), view.graph.number_of_edges()) if view else None
        got = (g.number_of_nodes(), g.number_of_edges())
        return None if want in (None, got) else f"{got[0]} nodes and {got[1]} edges instead of {want[0]} and {want[1]}"
    if fmt == "svg":
        import xml.etree.ElementTree as ET

        ET.fromstring(str(text).encode("utf-8"))
    elif fmt == "cytoscape" or name.endswith(".json"):
        json.loads(text)
    elif name.endswith(".jsonl"):
        for line in str(text).splitlines():
            json.loads(line)
    elif fmt == "kgx":
        rows = list(csv.reader(io.StringIO(str(text), newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
        width = len(rows[0]) if rows else 0
        if any(len(r) != width for r in rows):
            return "a row has a different number of columns than the header"
    elif fmt == "png" and not bytes(content).startswith(b"\x89PNG\r\n\x1a\n"):  # type: ignore[arg-type]
        return "not a PNG picture"
    return None


def _rdf(fmt: str, text: str, statements: list[tuple], quads: list[Any] | None) -> str | None:
    """Oxigraph's reading of ``text`` against the statements it was written from."""
    import pyoxigraph as ox
    from rdflib import BNode

    from .rdfexport import rdf_quads

    parsed = list(ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, _RDF[fmt])))
    if len(parsed) != len(statements):
        return f"{len(parsed)} statements instead of {len(statements)}"
    # A statement read back as the very quad it was written as is there (what Oxigraph writes
    # always is); only the others are compared by value, first with the statements read back
    # as no statement was written (a JSON-LD double in another form), then with all of them.
    # Equal terms have equal keys: this decides as comparing every key would, in a fraction of
    # the time. Statements with a blank node are not compared (its label may change).
    exact = set(parsed)
    if quads is None:  # written by rdflib (JSON-LD): the blank nodes are not converted either
        statements = [st for st in statements if not any(isinstance(t, BNode) for t in st[:3])]
        quads = rdf_quads(statements)
    rest = [st for st, quad in zip(statements, quads, strict=True)
            if quad not in exact and not any(isinstance(t, BNode) for t in st[:3])]
    if not rest:
        return None
    # a key per distinct term: the same subjects and predicates recur in most statements, and
    # a literal's key costs an rdflib Literal
    key, rdflib_key = functools.cache(_key), functools.cache(_rdflib_key)

    def keys(quads: list[Any]) -> set[tuple]:
        found = set()
        for q in quads:
            terms = (q.subject, q.predicate, q.object)
            if not any(isinstance(t, ox.BlankNode) for t in terms):
                graph = getattr(q, "graph_name", ox.DefaultGraph())
                found.add((*map(key, terms), None if isinstance(graph, ox.DefaultGraph) else graph.value))
        return found

    written = set(quads)
    got, everything = keys([q for q in parsed if q not in written]), False
    for st in rest:
        want = (*map(rdflib_key, st[:3]), str(st[3]) if len(st) > 3 and st[3] is not None else None)
        if want not in got and not everything:
            got, everything = keys(parsed), True
        if want not in got:
            return f"the statement {' '.join(t.n3() for t in st if t is not None)} is missing or changed"
    return None


def _rdflib_key(term: Any) -> Any:
    from rdflib import Literal

    return _literal_key(term) if isinstance(term, Literal) else str(term)


def _key(term: Any) -> Any:
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if isinstance(term, ox.Literal):
        return _literal_key(Literal(term.value, lang=term.language,
                                    datatype=None if term.language else URIRef(term.datatype.value)))
    return term.value


def _literal_key(lit: Any) -> tuple:
    """A literal by value where rdflib knows its datatype (Oxigraph stores doubles in canonical
    form: "1.52e-10" comes back as "0.000000000152"), else by its exact text."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    lang = lit.language.lower() if lit.language else None
    datatype = None if lang else str(lit.datatype or XSD.string)
    value = lit.toPython()
    return (str(lit) if isinstance(value, (Literal, str)) else repr(value), lang, datatype)
