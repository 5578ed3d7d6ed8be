"""Long-lived query processes: the server's SPARQL queries run in parallel and stop at a timeout.

:func:`igegraph.sparql.run_query` with ``timeout=`` forks a fresh process per query, which is
right for one command but costs tens of milliseconds per request under load. The server instead
forks ``workers`` processes once; each answers queries with ``run_query`` (the same checks,
bindings and row cap) on its copy-on-write copy of the graph. A query that is still running at
the timeout has its process killed and replaced, so a runaway query never holds a slot.
The SPARQL grammar is prepared once, before the first fork, so that no worker (nor any
replacement) imports and prepares it again.

Examples
--------
>>> import igegraph
>>> pool = QueryWorkers(igegraph.load(), size=1, timeout=10)
>>> pool.run("ASK { ig:omalizumab ige:neutralizes ig:free_IgE }").boolean
True
>>> pool.close()
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import IgegraphError, QueryError, QueryTimeout
from ..querycheck import prime_parser
from ..worker import detach, foreign_pipes

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ..kg import KnowledgeGraph
    from ..sparql import QueryResult

__all__ = ["QueryWorkers"]


def _answer_queries(kg: "KnowledgeGraph", conn: "Connection", inherited: list[int]) -> None:
    """A worker's loop: receive (text, bindings, max_rows, then), send ("ok", answer) or ("error", exc)."""
    from ..sparql import run_query

    detach(inherited)  # the server's sockets and its parent's pipes are not ours to hold
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it closes us
    while True:
        try:
            text, bindings, max_rows, then = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = run_query(kg, text, bindings, max_rows=max_rows)
            reply: tuple[str, Any] = ("ok", then(kg, result) if then is not None else result)
        except IgegraphError as exc:
            reply = ("error", exc)
        except Exception as exc:  # an engine failure is the query's problem, not the worker's
            reply = ("error", QueryError(f"query failed: {exc}"))
        conn.send(reply)


class _Worker:
    def __init__(self, kg: "KnowledgeGraph"):
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        inherited = foreign_pipes(keep=(child.fileno(),))
        self.process = ctx.Process(target=_answer_queries, args=(kg, child, inherited), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


class QueryWorkers:
    """``size`` forked query processes with a per-query ``timeout`` and an optional row cap.

    :meth:`run` blocks its calling thread until a worker is free and has answered; call it from
    a thread pool no larger than ``size`` so that waiting threads do not starve other requests.
    """

    def __init__(self, kg: "KnowledgeGraph", size: int, timeout: float, max_rows: int | None = None):
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.kg = kg
        self.timeout = timeout
        self.max_rows = max_rows
        prime_parser()  # once here, not in each worker (nor in each replacement)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(size):
            self._idle.put(_Worker(kg))

    def run(self, text: str, bindings: Mapping[str, Any] | None = None,
            then: Callable[["KnowledgeGraph", "QueryResult"], Any] | None = None) -> Any:
        """Run one query and return its QueryResult, or what ``then(kg, result)`` makes of it.

        ``then`` (a module-level function or a partial of one, so that it can be pickled) runs
        in the worker: serializing there keeps that work off the server's own process.
        Raises QueryTimeout after ``timeout`` seconds and QueryError when the query is refused.
        """
        worker = self._idle.get()
        try:
            worker.conn.send((text, dict(bindings or {}), self.max_rows, then))
            if not worker.conn.poll(self.timeout):
                worker.stop()
                worker = _Worker(self.kg)
                raise QueryTimeout(f"query timed out after {self.timeout:g} s; narrow it or raise --timeout")
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.stop()
            worker = _Worker(self.kg)
            raise QueryError("the query process ended without an answer") from None
        finally:
            self._idle.put(worker)
        if status == "error":
            raise payload
        return payload

    def close(self) -> None:
        """Stop every idle worker (call once no query is running)."""
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return
