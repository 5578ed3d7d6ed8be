"""The one error hierarchy of igegraph.

The library raises these; the CLI turns each into a one-line message and exit code 1.
"""

from __future__ import annotations

__all__ = [
    "IgegraphError",
    "UnknownEntity",
    "UnknownReference",
    "QueryError",
    "QueryTimeout",
    "DataError",
    "OutputExists",
    "StoreError",
]


class IgegraphError(Exception):
    """Base class of every error igegraph raises on purpose."""


class UnknownEntity(IgegraphError):
    """A term names no entity (or several).

    Parameters
    ----------
    term : str
        What the user typed.
    suggestions : list of str
        Labels of the closest entities, best first.
    ambiguous : bool
        True when the term matches several entities equally well.
    """

    def __init__(self, term: str, suggestions: list[str] | None = None, ambiguous: bool = False):
        self.term = term
        self.suggestions = list(suggestions or [])
        self.ambiguous = ambiguous
        if not term.strip():
            msg = "no entity named: give a label, synonym or id (e.g. omalizumab, FcεRI, CL:0000097)"
        elif ambiguous:
            msg = f"'{term}' is ambiguous: it names {', '.join(self.suggestions)}; use one of those labels or an id"
        elif self.suggestions:
            msg = f"unknown entity '{term}'; did you mean: {', '.join(self.suggestions)}?"
        else:
            msg = f"unknown entity '{term}'; try 'igegraph search {term}'"
        super().__init__(msg)

    def __reduce__(self):  # pickled across processes (query workers) with its own arguments
        return type(self), (self.term, self.suggestions, self.ambiguous)


class UnknownReference(IgegraphError):
    """A term is not a reference number, or the review has no reference with that number."""


class QueryError(IgegraphError):
    """A SPARQL query is malformed, refused or failed."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.message = message
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{message}{where}")

    def __reduce__(self):  # pickled across processes (query workers) with its own arguments
        return type(self), (self.message, self.line, self.column)


class QueryTimeout(QueryError):
    """A SPARQL query ran past its time limit and was stopped."""


class DataError(IgegraphError):
    """An RDF file is missing, unreadable or malformed."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.message = message
        self.line = line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return type(self), (self.path, self.message, self.line)


class StoreError(IgegraphError):
    """A persistent store directory cannot be used."""


class OutputExists(IgegraphError):
    """An output file exists and overwriting was not asked for."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"{path} exists; pass --force to overwrite it")

    def __reduce__(self):
        return type(self), (self.path,)
