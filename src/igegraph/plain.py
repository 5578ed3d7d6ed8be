"""The plain JSON data of library results, shared by ``--format json`` and the server's JSON API.

One conversion for both, so that ``igegraph blocks --format json`` and ``GET /api/blocks`` can
never disagree.

Examples
--------
>>> import igegraph
>>> from igegraph.traverse import path
>>> kg = igegraph.load()
>>> report = to_plain(path(kg, "mast cell", "histamine"))
>>> report["routes"][0]["nodes"], report["routes"][0]["length"]
(['ig:mast_cell', 'ig:histamine'], 1)
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

__all__ = ["to_plain"]


def to_plain(value: Any) -> Any:
    """Plain data (dicts, lists, strings, numbers) for a library result.

    Objects with ``to_dict()`` give that, plus their ``length`` when they have one (a route's
    number of steps); other dataclasses give their fields; lists, tuples and dicts are converted
    element by element; anything else is returned as it is.

    >>> to_plain([{"a": (1, 2)}])
    [{'a': [1, 2]}]
    """
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if hasattr(value, "to_dict"):
        out = value.to_dict()
        if isinstance(getattr(type(value), "length", None), property):
            out["length"] = value.length
        return to_plain(out)
    if is_dataclass(value) and not isinstance(value, type):
        return to_plain(asdict(value))
    return value
