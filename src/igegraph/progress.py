"""Progress bars for long work, drawn on a terminal only.

Work that can take more than a couple of seconds (``store build`` on big files, ``push``, big
exports, ``make bench``) reports its progress through :func:`progress`. The bar is drawn on
standard error, and only when standard error is a terminal: in a pipe, a log file, a CI job or
under ``--format json`` nothing is written, so output stays byte-for-byte what it was without
the bar. ``IGEGRAPH_NO_PROGRESS=1`` turns bars off on a terminal too. Standard output is never
touched, so a command's answer can be piped while its bar is drawn.

The library (``build_store`` and friends) never draws anything: it takes a callback, and the
CLI wires that callback to a bar.

API
---
``with progress(description, total=None, unit="") as bar:``
    ``bar.update(done, total=None, description=None)`` sets the amount done (and the total, if
    it became known, and what the line says); ``bar.advance(n=1, description=None)`` adds to
    it; ``bar.stage(description, total=None, unit="")`` finishes the current line and starts a
    new one (a second phase of the same work). ``total=None`` draws
    an indeterminate bar (a pulse) with the time elapsed. ``unit="bytes"`` shows amounts as
    ``1.2/5.0 MB``; any other unit shows ``3/10 unit``. When the bar is off these calls do
    nothing, so callers never test for a terminal themselves.

Examples
--------
Not a terminal (as here, and in every pipe): nothing is drawn, the calls are harmless.

>>> with progress("Reading files", total=2_000_000, unit="bytes") as bar:
...     bar.update(1_000_000)
...     bar.stage("Building the projection")
>>> bar.enabled
False
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # rich is imported only when a bar is drawn: `igegraph --help` stays instant
    from rich.progress import Progress, TaskID

__all__ = ["progress", "Bar", "enabled_for"]


def enabled_for(stream: TextIO) -> bool:
    """Whether a bar may be drawn on ``stream``: it is a terminal and IGEGRAPH_NO_PROGRESS is unset.

    >>> import io
    >>> enabled_for(io.StringIO())
    False
    """
    if os.environ.get("IGEGRAPH_NO_PROGRESS"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Bar:
    """One progress display (one line per stage); made by :func:`progress`, not directly."""

    def __init__(self, rich_progress: "Progress | None", description: str, total: float | None, unit: str):
        self._progress = rich_progress
        self._task: TaskID | None = None
        self.enabled = rich_progress is not None
        self.stage(description, total, unit)

    def stage(self, description: str, total: float | None = None, unit: str = "") -> None:
        """Finish the current line (if any) and start a new one for the next phase of the work."""
        if self._progress is None:
            return
        self._finish()
        self._task = self._progress.add_task(description, total=total, unit=unit, counted=total is not None)

    def _finish(self) -> None:
        """Show the current line as done (100 %, its clock stopped)."""
        if self._progress is not None and self._task is not None:
            task = next(t for t in self._progress.tasks if t.id == self._task)
            total = task.total or 1  # an indeterminate line ends as a full bar
            self._progress.update(self._task, completed=total, total=total)
            self._progress.stop_task(self._task)

    def update(self, done: float, total: float | None = None, description: str | None = None) -> None:
        """Set the amount done so far (and the total, and the line's description, when given)."""
        if self._progress is not None and self._task is not None:
            fields: dict = {} if total is None else {"total": total, "counted": True}
            if description is not None:
                fields["description"] = description
            self._progress.update(self._task, completed=done, **fields)

    def advance(self, n: float = 1, description: str | None = None) -> None:
        """Add ``n`` to the amount done (and change the line's description, when given)."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)
            if description is not None:
                self._progress.update(self._task, description=description)


def _columns() -> list:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class Percent(ProgressColumn):
        """`` 42%``, or nothing on an indeterminate line."""

        def render(self, task):
            return Text(f"{task.percentage:>3.0f}%" if task.fields.get("counted") else "    ")

    class Amount(ProgressColumn):
        """``1.2/5.0 MB`` for bytes, ``3/10 unit`` for counts, nothing on an indeterminate line."""

        def __init__(self) -> None:
            super().__init__()
            self._bytes = DownloadColumn()
            self._count = MofNCompleteColumn()

        def render(self, task):
            if not task.fields.get("counted"):
                return Text("")
            unit = task.fields.get("unit", "")
            if unit == "bytes":
                return self._bytes.render(task)
            counted = self._count.render(task)
            return counted.append(f" {unit}", style="progress.download") if unit else counted

    return [TextColumn("{task.description}"), BarColumn(bar_width=30),
            Percent(), Amount(), TimeElapsedColumn()]


@contextmanager
def progress(description: str, total: float | None = None, unit: str = "", *,
             stream: TextIO | None = None, width: int | None = None,
             clock: Callable[[], float] = time.monotonic) -> Iterator[Bar]:
    """A progress bar on ``stream`` (standard error) while the ``with`` block runs.

    Parameters
    ----------
    description : str
        What is being done, e.g. ``"Reading files"``.
    total : float, optional
        The amount of work; None for an indeterminate bar.
    unit : str
        ``"bytes"`` to show amounts as kB/MB/GB; otherwise a word shown after the count.
    stream : text stream, optional
        Where to draw; standard error by default. Nothing is drawn unless it is a terminal
        (see :func:`enabled_for`).
    width : int, optional
        The line width; the terminal's by default.
    clock : callable
        Seconds, for the elapsed time (tests pass a fixed clock).

    Yields
    ------
    Bar
        ``update``/``advance``/``stage`` it; they do nothing when the bar is off.

    Examples
    --------
    >>> import io
    >>> with progress("Counting", total=3, unit="files", stream=io.StringIO()) as bar:
    ...     bar.advance()
    >>> bar.enabled
    False
    """
    stream = sys.stderr if stream is None else stream
    if not enabled_for(stream):
        yield Bar(None, description, total, unit)
        return
    from rich.console import Console
    from rich.progress import Progress

    console = Console(file=stream, width=width, force_terminal=True, highlight=False)
    # stdout/stderr are left alone: what the command prints goes where it always went
    rich_progress = Progress(*_columns(), console=console, get_time=clock, refresh_per_second=5,
                             redirect_stdout=False, redirect_stderr=False)
    with rich_progress:
        bar = Bar(rich_progress, description, total, unit)
        yield bar
        bar._finish()  # not reached when the work failed: its bar stays where it stopped
