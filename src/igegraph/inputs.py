"""Checks on user RDF files before any parser sees them: no network, no entity bombs.

Two kinds of file can make a parser do far more than read them:

* **JSON-LD** may name remote documents: a string ``@context`` (at the top, in a list, or as
  a scoped context of a term) and ``@import`` are fetched over the network by rdflib and
  Oxigraph alike. Both are refused, whatever the backend, so no request is ever made.
  Nesting deeper than :data:`MAX_JSON_DEPTH` is refused too (parsers recurse on it).
* **XML** (RDF/XML, OWL) may declare DTD entities; nested ones ("billion laughs") or one big
  one used many times expand to gigabytes. Parameter entities, external entities and
  external DTDs are refused; internal entities are accepted only when their text holds no
  markup or other reference and their expansion stays under :data:`MAX_ENTITY_EXPANSION`
  characters in total, which admits the usual ``<!ENTITY owl "http://…#">`` abbreviations.

Examples
--------
>>> check_offline("a.jsonld", '{"@context": {"@import": "http://example.org/c"}}', "json-ld")
Traceback (most recent call last):
...
igegraph.errors.DataError: a.jsonld: JSON-LD @import 'http://example.org/c' is not fetched (no network);
inline the context
>>> bomb = '<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>'
>>> check_offline("b.rdf", bomb, "xml")
Traceback (most recent call last):
...
igegraph.errors.DataError: b.rdf:1: DTD entity 'b' refers to another entity (entity expansion is refused);
write the text out
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import DataError, shorten

__all__ = ["check_offline", "check_files", "MAX_JSON_DEPTH", "MAX_ENTITY_EXPANSION"]

#: Deepest JSON nesting accepted in a JSON-LD file.
MAX_JSON_DEPTH = 200
#: Most characters all DTD entity references of an XML file may expand to.
MAX_ENTITY_EXPANSION = 1_000_000

_DOCTYPE = re.compile(r"<!DOCTYPE\b", re.I)
_ENTITY = re.compile(r"""<!ENTITY\s+(%\s+)?([^\s"'>]+)\s*(?:("[^"]*"|'[^']*')|([^>]*))\s*>""", re.S)


def check_offline(path: str | Path, text: str, fmt: str) -> None:
    """Refuse a file whose parsing would reach the network or expand entities without bound.

    Parameters
    ----------
    path : path
        For messages.
    text : str
        The file's content.
    fmt : str
        The rdflib format name (see :func:`igegraph.kg.rdf_format`); only ``json-ld`` and
        ``xml`` are checked.

    Raises
    ------
    DataError
        Naming the file (and line for XML) and what to do instead.
    """
    if fmt == "json-ld":
        _check_jsonld(str(path), text)
    elif fmt == "xml":
        _check_xml(str(path), text)


def check_files(paths: "list[Path]") -> None:
    """Run :func:`check_offline` on every JSON-LD and XML file of ``paths``, before any is parsed.

    Missing or unreadable files are left to the loader, which reports them.
    """
    from .kg import rdf_format

    for path in paths:
        fmt = rdf_format(path)
        if fmt in ("json-ld", "xml"):
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            check_offline(path, text, fmt)


def _check_jsonld(path: str, text: str) -> None:
    _check_json_depth(path, text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, f"malformed JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(doc, (dict, list)):
        raise DataError(path, "not JSON-LD: the top level must be an object or an array")
    stack: list[object] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ctx = node.get("@context")
            for item in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(item, str):
                    raise DataError(path, f"remote JSON-LD @context '{shorten(item)}' is not fetched (no network); "
                                          "inline the context")
            if "@import" in node:
                raise DataError(path, f"JSON-LD @import '{shorten(str(node['@import']))}' is not fetched (no network); "
                                      "inline the context")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _check_json_depth(path: str, text: str) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (brackets inside strings do not count)."""
    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = m.group(0)
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line = text.count("\n", 0, m.start()) + 1
                raise DataError(path, f"JSON nested more than {MAX_JSON_DEPTH} levels deep; flatten it", line)
        elif token in "]}":
            depth -= 1


def _check_xml(path: str, text: str) -> None:
    doctype = _DOCTYPE.search(text)
    if doctype is None:
        return
    line = text.count("\n", 0, doctype.start()) + 1
    head = text[doctype.end(): text.find("[", doctype.end()) if "[" in text[doctype.end():] else len(text)]
    if re.search(r"\b(SYSTEM|PUBLIC)\b", head.split(">", 1)[0]):
        raise DataError(path, "external DTDs are not fetched (no network); remove the DOCTYPE's SYSTEM/PUBLIC part",
                        line)
    sizes: dict[str, int] = {}
    for m in _ENTITY.finditer(text):
        where = text.count("\n", 0, m.start()) + 1
        name = m.group(2)
        if m.group(1):
            raise DataError(path, f"DTD parameter entity '{shorten(name)}' is refused; write the text out", where)
        if m.group(3) is None:
            raise DataError(path, f"external DTD entity '{shorten(name)}' is not fetched (no network); "
                                  "write the text out", where)
        value = m.group(3)[1:-1]
        if "&" in value or "<" in value or "%" in value:
            raise DataError(path, f"DTD entity '{shorten(name)}' refers to another entity "
                                  "(entity expansion is refused); write the text out", where)
        sizes[name] = len(value)
    if text.count("<!ENTITY") != len(sizes) or len(set(_ENTITY.findall(text))) != len(sizes):
        raise DataError(path, "unreadable or repeated DTD entity declaration; write the text out", line)
    total = sum(size * text.count(f"&{name};") for name, size in sizes.items())
    if total > MAX_ENTITY_EXPANSION:
        raise DataError(path, f"DTD entities would expand to {total:,} characters (the limit is "
                              f"{MAX_ENTITY_EXPANSION:,}); write the text out", line)
