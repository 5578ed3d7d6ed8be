"""Plain-text tables for terminal output."""

from __future__ import annotations

from typing import Any

__all__ = ["render_table"]


def render_table(headers: list[str], rows: list[list[Any]], max_width: int = 60) -> str:
    """A plain-text table with a header rule; long cells are cut with an ellipsis.

    >>> print(render_table(["a", "b"], [[1, "x"], [22, ["y", "z"]]]))
    a   b
    --  ----
    1   x
    22  y, z
    """

    def cell(value: Any) -> str:
        if value is None:
            text = ""
        elif isinstance(value, (list, tuple)):
            text = ", ".join(map(str, value))
        else:
            text = str(value)
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)
