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
    "EndpointError",
    "shorten",
]


def shorten(text: str, limit: int = 60) -> str:
    """User input as it may be echoed in a one-line message: at most ``limit`` characters.

    >>> shorten("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = " ".join(str(text).split()) if "\n" in str(text) else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class IgegraphError(Exception):
    """Base class of every error igegraph raises on purpose.

    Errors pickle with their message and attributes whatever their ``__init__`` takes, so
    that a query worker process can hand them back unchanged.

    >>> import pickle
    >>> str(pickle.loads(pickle.dumps(UnknownEntity("omalizumob", ["omalizumab"]))))
    "unknown entity 'omalizumob'; did you mean: omalizumab?"
    """

    def __reduce__(self):
        return _rebuild, (type(self), str(self), dict(self.__dict__))


def _rebuild(cls: type[IgegraphError], message: str, state: dict) -> IgegraphError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


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
    too_long : int, optional
        The length limit the term exceeds (then it was not looked up at all).
    """

    def __init__(self, term: str, suggestions: list[str] | None = None, ambiguous: bool = False,
                 too_long: int | None = None):
        self.term = term
        self.suggestions = list(suggestions or [])
        self.ambiguous = ambiguous
        if too_long is not None:
            msg = f"a term of {len(term):,} characters names no entity (the limit is {too_long:,}): {shorten(term, 41)}"
            super().__init__(msg)
            return
        term = shorten(term)
        if not term.strip():
            msg = "no entity named: give a label, synonym or id (e.g. omalizumab, FcεRI, CL:0000097)"
        elif ambiguous:
            msg = f"'{term}' is ambiguous: it names {', '.join(self.suggestions)}; use one of those labels or an id"
        elif self.suggestions:
            msg = f"unknown entity '{term}'; did you mean: {', '.join(self.suggestions)}?"
        else:
            msg = f"unknown entity '{term}'; try 'igegraph search {term}'"
        super().__init__(msg)



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



class StoreError(IgegraphError):
    """A persistent store directory cannot be used."""


class EndpointError(IgegraphError):
    """A SPARQL endpoint cannot be reached, refuses the request, or does not speak SPARQL."""


class OutputExists(IgegraphError):
    """An output file exists and overwriting was not asked for."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"{path} exists; pass --force to overwrite it")

