"""Plain-text tables for terminal output, wrapped to fit a width.

A table that fits is printed as it is; one that does not has its widest columns narrowed
and their cells wrapped over several lines (never cut), so every line fits the width. Cells
wrap between words, and an identifier (a CURIE such as ``ig:omalizumab`` or an IRI) is never
broken: its column keeps room for it first, and when that leaves too little for the others
each row is printed as a block of "column  value" lines. :func:`wrap_text` wraps prose
lines by the same rule. The
width is the terminal's, or ``COLUMNS``, or :data:`DEFAULT_WIDTH` when output is not a
terminal, so that piped output and tests are the same on every machine.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from typing import Any

__all__ = ["render_table", "wrap_text", "output_width", "DEFAULT_WIDTH"]

#: Width used when standard output is not a terminal and ``COLUMNS`` is not set.
DEFAULT_WIDTH = 100
_GAP = 2  # spaces between columns
_MIN_WIDTH = 20  # narrower requests are raised to this: below it no table is readable
_SHORT = 20  # columns at most this wide are kept whole while long ones wrap
# whitespace between words: a no-break space (U+00A0) glues two words, as in wrap_text
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
# a CURIE (prefix:local, the prefix starting with a letter) or an IRI, maybe in <> or followed by
# list punctuation: a token a reader copies, so it is never broken across lines
_ID = re.compile(r"<?(?:[A-Za-z][\w.+-]*:[^\s:/]\S*|https?://\S+)>?[,;]?")


# a number and the space after it (a number ends in a digit: "10," in a list is not kept with its neighbour)
_NUMBER = re.compile(r"(?<![^\s(])([~<>=≥≤]?\d(?:[\d.,]*\d)?) (?=\S)")


def _is_id(word: str) -> bool:
    """True for a CURIE or an IRI (``ig:IgE``, ``GO:0032998,``, ``<http://x/y>``), not for prose.

    >>> [_is_id(w) for w in ("ig:IgE", "GO:0032998,", "https://x.org/a", "affinity:", "10:30", "a/b")]
    [True, True, True, False, False, False]
    """
    return bool(_ID.fullmatch(word))


def output_width() -> int:
    """The width tables are fitted to: ``COLUMNS``, else the terminal's, else :data:`DEFAULT_WIDTH`.

    >>> import os
    >>> saved = os.environ.get("COLUMNS")
    >>> os.environ["COLUMNS"] = "132"
    >>> output_width()
    132
    >>> if saved is None:
    ...     del os.environ["COLUMNS"]
    ... else:
    ...     os.environ["COLUMNS"] = saved
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), _MIN_WIDTH)
    try:
        if sys.stdout.isatty():
            return max(os.get_terminal_size(sys.stdout.fileno()).columns, _MIN_WIDTH)
    except (AttributeError, ValueError, OSError):  # a replaced or closed stdout
        pass
    return DEFAULT_WIDTH


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    return " ".join(_ASCII_SPACE.split(str(value).strip()))


def _fill(natural: list[int], least: list[int], budget: int) -> list[int] | None:
    """Water-filling: the widest columns narrow first, none below ``least``; None if that cannot fit."""
    if sum(least) > budget:
        return None
    cap = max(natural)
    while sum(min(n, max(cap, m)) for n, m in zip(natural, least, strict=True)) > budget:
        cap -= 1
    widths = [min(n, max(cap, m)) for n, m in zip(natural, least, strict=True)]
    spare = budget - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: natural[i] - widths[i], reverse=True):
        extra = min(spare, natural[i] - widths[i])
        widths[i] += extra
        spare -= extra
    return widths


def _fit(natural: list[int], least: list[int], budget: int) -> list[int] | None:
    """Column widths summing to at most ``budget``; None when even ``least`` does not fit.

    Short columns (names, levels, numbers: at most :data:`_SHORT` wide) stay whole while the
    long ones share what is left; if that cannot fit, every column narrows, widest first.

    >>> _fit([16, 60, 20, 24], [14, 10, 10, 12], 74)
    [16, 19, 20, 19]
    """
    if sum(natural) <= budget:
        return natural
    least = [min(n, m) for n, m in zip(natural, least, strict=True)]
    long = [i for i, n in enumerate(natural) if n > _SHORT]
    room = budget - sum(n for i, n in enumerate(natural) if i not in long)
    shared = _fill([natural[i] for i in long], [least[i] for i in long], room) if long else None
    if shared is None:
        return _fill(natural, least, budget)
    widths = list(natural)
    for i, w in zip(long, shared, strict=True):
        widths[i] = w
    return widths


def _wrap(text: str, width: int) -> list[str]:
    # a word longer than the width is broken, unless it is an identifier: that one sticks out
    whole = any(len(w) > width and _is_id(w) for w in text.split(" "))
    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=not whole) or [""]


def wrap_text(text: str, width: int | None = None, indent: str = "", subsequent: str | None = None) -> str:
    """A paragraph wrapped to the width tables use, between words, never inside an identifier.

    Parameters
    ----------
    text : str
        The paragraph; a line break or tab counts as a space, and a no-break space (U+00A0)
        glues two words into one that is never split (it is printed as a space). A bare number
        stays on the line of the word after it (``56 °C``, ``4 h``, ``3 routes``).
    width : int, optional
        The widest a line may be; by default :func:`output_width`.
    indent : str
        Put before the first line.
    subsequent : str, optional
        Put before the other lines; by default as many spaces as ``indent`` is long.

    Examples
    --------
    >>> print(wrap_text("curator note: FcεRI is an αβγ2 complex (GO:0032998), see docs/sources.md", 30))
    curator note: FcεRI is an αβγ2
    complex (GO:0032998), see
    docs/sources.md
    >>> print(wrap_text("ids: ig:a_omalizumab_increasesRiskOf_arterial_thrombosis", 30, "  "))
      ids:
      ig:a_omalizumab_increasesRiskOf_arterial_thrombosis
    >>> print(wrap_text("heating time after which IgE is lost: 4 h (at 56 °C)", 40))
    heating time after which IgE is lost: 4 h
    (at 56 °C)
    """
    width = max(width if width is not None else output_width(), _MIN_WIDTH)
    rest = " " * len(indent) if subsequent is None else subsequent
    body = _NUMBER.sub("\\1\u00a0", str(text).strip())
    # ids are never broken; a long word that is not one (a path, a URL fragment) is kept whole too
    lines = textwrap.wrap(body, width, initial_indent=indent, subsequent_indent=rest,
                          break_on_hyphens=False, break_long_words=False)
    return "\n".join(line.replace("\u00a0", " ") for line in lines) or indent.rstrip()


def render_table(headers: list[str], rows: list[list[Any]], width: int | None = None) -> str:
    """A plain-text table with a header rule; cells that do not fit are wrapped, never cut.

    Parameters
    ----------
    headers : list of str
    rows : list of list
        Cell values; None is empty, lists are joined with commas, whitespace is collapsed.
    width : int, optional
        The widest a line may be; by default :func:`output_width`.

    Examples
    --------
    >>> print(render_table(["a", "b"], [[1, "x"], [22, ["y", "z"]]]))
    a   b
    --  ----
    1   x
    22  y, z
    >>> print(render_table(["drug", "mechanism"], [["omalizumab", "binds the Cε3 domain of free IgE"]], width=30))
    drug        mechanism
    ----------  ------------------
    omalizumab  binds the Cε3
                domain of free IgE
    """
    width = max(width if width is not None else output_width(), _MIN_WIDTH)
    cells = [[_text(v) for v in row] for row in rows]
    columns = list(zip(*cells, strict=True)) if cells else [() for _ in headers]
    natural = [max([len(h), *map(len, col)]) for h, col in zip(headers, columns, strict=True)]
    # no column is narrower than its longest word (an id, a name) if that fits; else long words
    # are broken at 15 characters; else the columns cannot stand side by side at all
    words = [max([len(w) for text in (h, *col) for w in text.split(" ")] or [1])
             for h, col in zip(headers, columns, strict=True)]
    # identifiers are never broken: their columns keep room for the longest one in any case
    ids = [max([len(w) for text in col for w in text.split(" ") if _is_id(w)] or [0]) for col in columns]
    budget = width - _GAP * (len(headers) - 1)
    widths = (_fit(natural, words, budget)
              or _fit(natural, [max(min(w, 15), i) for w, i in zip(words, ids, strict=True)], budget))
    if widths is None:
        return _records(headers, cells, width)

    def lines(row: list[str]) -> list[str]:
        wrapped = [_wrap(text, w) for text, w in zip(row, widths, strict=True)]
        height = max(map(len, wrapped))
        gap = " " * _GAP
        return [gap.join((part[i] if i < len(part) else "").ljust(w) for part, w in zip(wrapped, widths, strict=True))
                .rstrip() for i in range(height)]

    out = lines(list(headers))
    out.append((" " * _GAP).join("-" * w for w in widths))
    for row in cells:
        out += lines(row)
    return "\n".join(out).replace("\u00a0", " ")


def _records(headers: list[str], cells: list[list[str]], width: int) -> str:
    """Too many columns for the width: each row as a block of "column  value" lines (empty
    values left out), as psql's expanded display does."""
    key = min(max(map(len, headers)), width // 3)
    out: list[str] = []
    for n, row in enumerate(cells, 1):
        out.append(f"-[ {n} ]".ljust(width, "-"))
        for header, text in zip(headers, row, strict=True):
            if text:
                names, values = _wrap(header, key), _wrap(text, width - key - _GAP)
                for i in range(max(len(names), len(values))):
                    name = names[i] if i < len(names) else ""
                    out.append(f"{name.ljust(key)}  {values[i] if i < len(values) else ''}".rstrip())
    return "\n".join(out).replace("\u00a0", " ") if out else "  ".join(headers)
