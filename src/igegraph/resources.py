"""Where the shipped ontology, data and named queries are.

In a wheel they are copied into ``igegraph/resources/``; in a source checkout (editable
install) they are the top-level ``ontology/``, ``data/`` and ``queries/`` folders.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["resource_dir", "curated_files", "shapes_file"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder holding one kind of shipped resource (``ontology``, ``data`` or ``queries``).

    >>> resource_dir("queries").name
    'queries'
    """
    packaged = _PACKAGE / "resources" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent.parent / name


def curated_files() -> list[Path]:
    """The ontology and data Turtle files loaded by default, in a stable order."""
    files: list[Path] = []
    for name in ("ontology", "data"):
        # SHACL shapes describe the data; they are read by validate, not loaded as knowledge
        files.extend(p for p in sorted(resource_dir(name).glob("*.ttl")) if p.name != "shapes.ttl")
    return files


def shapes_file() -> Path:
    """The SHACL shapes that ``igegraph validate`` checks the graph against."""
    return resource_dir("ontology") / "shapes.ttl"
