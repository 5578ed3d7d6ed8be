"""Query results: a result object that behaves like rdflib's, and the W3C result formats.

:class:`QueryResult` iterates like :class:`rdflib.query.Result` (rows for SELECT, the answer
for ASK, triples for CONSTRUCT/DESCRIBE) and serialises to the W3C SPARQL 1.1 Query Results
formats. Those are written by Oxigraph's own serialisers (JSON, XML, CSV, TSV), never by
hand: the result is handed to :func:`pyoxigraph.parse_query_results` as SPARQL JSON (a format
that :func:`json.dumps` escapes exactly) and written back in the requested format.

The human-friendly ``table`` (CURIEs, optionally labels) and ``records`` (plain JSON) are
for people and notebooks; they are not standards.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> r = kg.query("SELECT ?d WHERE { ?d ige:neutralizes ig:free_IgE } ORDER BY DESC(?d) LIMIT 2")
>>> [str(row.d).rsplit("/", 1)[1] for row in r]
['omalizumab', 'ligelizumab']
>>> print(r.serialize(format="csv").decode().replace("\\r\\n", "|"))
d|https://w3id.org/igegraph/id/omalizumab|https://w3id.org/igegraph/id/ligelizumab|
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import QueryError
from .vocab import PREFIXES, compact
from .xmlchars import first_invalid

if TYPE_CHECKING:
    import rdflib

__all__ = ["QueryResult", "format_result", "RESULT_FORMATS", "W3C_FORMATS"]

#: ``igegraph query --format`` choices: a table for people, the four W3C formats, plain records.
RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv", "records")
#: Formats that follow the W3C SPARQL 1.1 Query Results specifications.
W3C_FORMATS = ("json", "xml", "csv", "tsv")
#: Graph (CONSTRUCT/DESCRIBE) serialisation per result format.
_GRAPH_FORMATS = {"table": "turtle", "json": "json-ld", "xml": "xml", "records": "json-ld"}


@dataclass
class QueryResult:
    """The answer to a query; behaves like :class:`rdflib.query.Result`.

    ``kind`` (also ``type``) is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``vars``
    (variable names) and ``rows`` (tuples of rdflib terms, None where unbound), ASK fills
    ``boolean`` (also ``askAnswer``), CONSTRUCT/DESCRIBE fill ``triples``.

    Iterating gives :class:`rdflib.query.ResultRow` objects for SELECT (``row.var``,
    ``row["var"]``, ``row[0]``), the boolean for ASK and triples for graphs, as rdflib does.

    >>> from rdflib import Literal
    >>> r = QueryResult("SELECT", vars=["x"], rows=[(Literal("a"),), (None,)])
    >>> [row.x for row in r], len(r), r.bindings[1]
    ([rdflib.term.Literal('a'), None], 2, {})
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)
    truncated: bool = False  # True when ``max_rows`` cut rows or triples off

    # ------------------------------------------------------------ rdflib-like access

    @property
    def type(self) -> str:
        """The query form, as rdflib's ``Result.type``."""
        return self.kind

    @property
    def askAnswer(self) -> bool | None:  # noqa: N802 - rdflib's name
        """The ASK answer, as rdflib's ``Result.askAnswer``."""
        return self.boolean

    @property
    def bindings(self) -> list[dict["rdflib.Variable", Any]]:
        """SELECT rows as dicts of bound variables (rdflib ``Variable`` keys), as rdflib's."""
        from rdflib import Variable

        names = [Variable(v) for v in self.vars]
        return [{n: value for n, value in zip(names, row, strict=True) if value is not None} for row in self.rows]

    def __iter__(self) -> Iterator[Any]:
        if self.kind == "ASK":
            yield self.boolean
        elif self.kind == "SELECT":
            from rdflib import Variable
            from rdflib.query import ResultRow

            names = [Variable(v) for v in self.vars]
            for binding in self.bindings:
                yield ResultRow(binding, names)
        else:
            yield from self.triples

    def __len__(self) -> int:
        return 1 if self.kind == "ASK" else len(self.rows) if self.kind == "SELECT" else len(self.triples)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ASK" else len(self) > 0

    @property
    def graph(self) -> "rdflib.Graph":
        """CONSTRUCT/DESCRIBE triples as an rdflib Graph with the project prefixes bound."""
        import rdflib

        g = rdflib.Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        for triple in self.triples:
            g.add(triple)
        return g

    def records(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of Python values (IRIs compacted), for JSON and notebooks.

        >>> from rdflib import Literal, URIRef
        >>> QueryResult("SELECT", ["d", "n"], [(URIRef("https://w3id.org/igegraph/id/x"), Literal(3))]).records()
        [{'d': 'ig:x', 'n': 3}]
        """
        return [{var: _plain(value) for var, value in zip(self.vars, row, strict=True)} for row in self.rows]

    # ------------------------------------------------------------ standard formats

    def sparql_json(self) -> dict[str, Any]:
        """The result as a W3C SPARQL 1.1 Query Results JSON document (SELECT and ASK)."""
        if self.kind == "ASK":
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.kind != "SELECT":
            raise QueryError(f"{self.kind} results are graphs, not solutions; serialise their graph")
        return {
            "head": {"vars": list(self.vars)},
            "results": {"bindings": [
                {var: _json_term(value) for var, value in zip(self.vars, row, strict=True) if value is not None}
                for row in self.rows
            ]},
        }

    def serialize(self, destination: str | Path | IO[bytes] | None = None, encoding: str = "utf-8",
                  format: str = "xml") -> bytes | None:
        """Serialise as rdflib's ``Result.serialize`` does: bytes, or written to ``destination``.

        Parameters
        ----------
        destination : path or binary file, optional
            Where to write; when None the bytes are returned.
        encoding : str
            Text encoding (the W3C formats are UTF-8).
        format : str
            SELECT/ASK: ``xml`` (default, as rdflib), ``json``, ``csv`` or ``tsv`` (W3C SPARQL
            1.1 Query Results). CONSTRUCT/DESCRIBE: any rdflib graph format (``turtle``,
            ``nt``, ``json-ld`` …).

        >>> r = QueryResult("ASK", boolean=False)
        >>> r.serialize(format="json")
        b'{"head":{},"boolean":false}'
        """
        if self.kind in ("SELECT", "ASK"):
            data = _w3c(self, format)
            if encoding.lower().replace("-", "") != "utf8":
                data = data.decode("utf-8").encode(encoding)
        else:
            text = self.graph.serialize(format=format)
            data = text.encode(encoding) if isinstance(text, str) else text
        if destination is None:
            return data
        if isinstance(destination, (str, Path)):
            Path(destination).write_bytes(data)
        else:
            destination.write(data)
        return None


def _json_term(value: Any) -> dict[str, str]:
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    if isinstance(value, URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, BNode):
        return {"type": "bnode", "value": str(value)}
    out = {"type": "literal", "value": str(value)}
    if isinstance(value, Literal) and value.language:
        out["xml:lang"] = value.language
    elif isinstance(value, Literal) and value.datatype and value.datatype != XSD.string:
        out["datatype"] = str(value.datatype)
    return out


def _w3c(result: QueryResult, fmt: str) -> bytes:
    """SELECT/ASK result in a W3C format, written by Oxigraph's serialiser."""
    import pyoxigraph as ox

    formats = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
               "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
    if fmt not in formats:
        raise QueryError(f"unknown result format '{fmt}' for {result.kind}; use one of {', '.join(formats)}")
    if fmt == "xml" and (bad := first_invalid("".join(str(v) for row in result.rows for v in row if v))):
        raise QueryError(f"cannot write the result as xml: a value contains {bad}, which XML 1.0 cannot carry; "
                         "use json or tsv")
    doc = json.dumps(result.sparql_json(), ensure_ascii=False).encode("utf-8")
    try:
        parsed = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON)
        data = bytes(parsed.serialize(format=formats[fmt]) or b"")
    except (SyntaxError, ValueError) as exc:  # a term the format cannot carry
        raise QueryError(f"cannot write the result as {fmt}: {exc}") from None
    # Oxigraph writes a carriage return raw, which every XML parser reads back as a line feed;
    # in this writer's output a CR can only sit inside a value, so a character reference is exact
    return data.replace(b"\r", b"&#13;") if fmt == "xml" else data


def _plain(value: Any) -> Any:
    from rdflib import Literal, URIRef

    if value is None:
        return None
    if isinstance(value, URIRef):
        return compact(value)
    if isinstance(value, Literal):
        py = value.toPython()
        return py if isinstance(py, (int, float, bool, str)) else str(value)
    return str(value)


def _cell(value: Any, labels: Mapping[str, str] | None, unit: bool = False) -> str:
    from rdflib import URIRef

    from .measurements import unit_symbol

    if value is None:
        return ""
    if isinstance(value, URIRef):
        short = compact(value)
        return labels.get(short, short) if labels is not None else short
    return unit_symbol(str(value)) if unit else str(value)


def _twins(names: list[str]) -> set[str]:
    """The ``xLabel`` variables beside an ``x``: with labels shown, ``x`` already says them.

    >>> sorted(_twins(["drug", "drugLabel", "target", "phaseLabel"]))
    ['drugLabel']
    """
    return {f"{v}Label" for v in names} & set(names)


def format_result(result: QueryResult, fmt: str = "table", labels: Mapping[str, str] | None = None) -> str:
    """Render a result as text.

    ``table`` (CURIEs, or labels when ``labels`` maps compact id -> label) and ``records``
    (plain JSON) are for people: with labels, a variable ``xLabel`` beside ``x`` is left out
    (``x`` shows the label), and the table shows the symbols of units (``°C`` for ``Cel``) in
    variables named ``unit`` or ``…Unit``; ``json``, ``xml``, ``csv`` and ``tsv`` follow the W3C SPARQL
    1.1 Query Results formats and ignore nothing: ``labels`` is refused with them. Graph
    results print as Turtle (table), JSON-LD (json, records) or RDF/XML (xml).

    >>> print(format_result(QueryResult("ASK", boolean=True)))
    true
    >>> format_result(QueryResult("SELECT", ["n"], []), "tsv")
    '?n\\n'
    """
    from .table import render_table

    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format '{fmt}'; use one of {', '.join(RESULT_FORMATS)}")
    if labels is not None and fmt in W3C_FORMATS:
        raise QueryError(f"labels apply to table and records output; {fmt} is a W3C format of IRIs")
    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in _GRAPH_FORMATS:
            raise QueryError(f"{result.kind} gives a graph: use table (Turtle), json (JSON-LD) or xml (RDF/XML)")
        options: dict[str, Any] = {"indent": 2} if "json" in _GRAPH_FORMATS[fmt] else {}
        return str(result.graph.serialize(format=_GRAPH_FORMATS[fmt], **options)).rstrip()
    if fmt in W3C_FORMATS:
        return _w3c(result, fmt).decode("utf-8")  # exactly as written, CSV's CRLF line ends kept
    if result.kind == "ASK":
        return json.dumps({"boolean": result.boolean}) if fmt == "records" else ("true" if result.boolean else "false")
    twins = _twins(result.vars) if labels is not None else set()
    keep = [i for i, var in enumerate(result.vars) if var not in twins]
    if fmt == "records":
        records = result.records()
        if labels is not None:
            records = [{k: labels.get(v, v) if isinstance(v, str) else v for k, v in r.items() if k not in twins}
                       for r in records]
        return json.dumps(records, indent=2, ensure_ascii=False, default=str)
    # units are shown for people (Cel as °C); records and the W3C formats keep the UCUM codes
    units = [result.vars[i].lower().endswith("unit") for i in keep]
    rows = [[_cell(row[i], labels, unit) for i, unit in zip(keep, units, strict=True)] for row in result.rows]
    headers = [result.vars[i] for i in keep]
    if not rows:
        return render_table(headers, []) + "\n(no results)"
    return render_table(headers, rows) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"
