"""Forked workers hold no end of their parent's pipes: a subprocess the parent drives still sees EOF.

This is the parallel suite's stall: a worker forked while Playwright's driver (a subprocess
fed through a pipe) was running kept a copy of the pipe's write end, so the driver never saw
end-of-file, and closing the browser waited for ever.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest

from igegraph.serve.workers import QueryWorkers
from igegraph.worker import detach, foreign_pipes, run_in_worker


@pytest.fixture
def driver():
    """A subprocess that, like Playwright's driver, runs until its stdin reaches end-of-file."""
    proc = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stdin and not proc.stdin.closed:
        proc.stdin.close()


def _ends_on_eof(proc: subprocess.Popen) -> bool:
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        return False
    return True


def _pipe_kind(fd: int) -> str:
    mode = os.fstat(fd).st_mode
    return "pipe" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "other"


def test_query_workers_hold_no_pipe_of_their_parent(kg, driver):
    pool = QueryWorkers(kg, size=2, timeout=30)
    try:
        assert _ends_on_eof(driver), "a query worker kept the driver's stdin open"
        assert pool.run("ASK { ig:omalizumab ige:neutralizes ig:free_IgE }").boolean is True
    finally:
        pool.close()


def test_run_in_worker_holds_no_pipe_of_its_parent(driver):
    fd = driver.stdin.fileno()
    assert _pipe_kind(fd) == "pipe"
    # inside the worker the descriptor number is taken by /dev/null, not by the pipe
    assert run_in_worker(lambda: _pipe_kind(fd), timeout=30) == "other"
    assert _pipe_kind(fd) == "pipe"  # the parent's own copy is untouched
    assert _ends_on_eof(driver)


def test_foreign_pipes_lists_pipes_and_sockets_not_files(tmp_path):
    import socket

    r, w = os.pipe()
    a, b = socket.socketpair()
    with open(tmp_path / "f", "w") as fh:
        found = foreign_pipes(keep=(w,))
        assert {r, a.fileno(), b.fileno()} <= set(found)
        assert w not in found and fh.fileno() not in found
        assert all(fd > 2 for fd in found)
    os.close(r)
    os.close(w)
    a.close()
    b.close()


def test_detach_points_descriptors_at_dev_null():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child lets go of the write end, then waits
        detach([w])
        time.sleep(5)
        os._exit(0)
    os.close(w)
    try:
        started = time.monotonic()
        assert os.read(r, 1) == b""  # end-of-file although the child still runs
        assert time.monotonic() - started < 4
    finally:
        os.close(r)
        os.kill(pid, 9)
        os.waitpid(pid, 0)


@pytest.mark.xdist_group("chromium")
def test_playwright_closes_after_a_worker_was_forked(chromium, kg):
    """The stall itself: leaving sync_playwright waited for ever on a driver a worker kept alive.

    As an in-process app meets it: Playwright and Chromium start in a thread of this process,
    which forks a query worker while the driver runs, then closes both. In a thread, a stall
    fails the test after 120 s instead of hanging it. (A process of its own, as before, cost
    1.3 CPU-s more: Python importing igegraph and loading the graph again.)"""
    import threading

    from playwright.sync_api import sync_playwright

    from igegraph.viz import chromium_launch_options

    done: list[object] = []

    def scenario() -> None:
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, **chromium_launch_options())
                pool = QueryWorkers(kg, size=1, timeout=10)  # forked while the driver runs
                browser.close()
            done.append("closed")
            pool.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            done.append(exc)

    thread = threading.Thread(target=scenario, daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "closing Playwright stalled after a worker was forked"
    assert done == ["closed"]


def test_query_workers_inherit_the_prepared_sparql_grammar(kg, monkeypatch):
    """pyparsing prepares a grammar on its first parse; a query with a timeout prepares it here
    before forking, so its worker (and every later one) does not do it again."""
    from rdflib.plugins.sparql import parser

    from igegraph import querycheck
    from igegraph.sparql import run_query

    monkeypatch.setattr(parser.Query, "streamlined", False)
    querycheck.prime_parser.cache_clear()
    assert run_query(kg, "ASK { ig:omalizumab ige:neutralizes ig:free_IgE }", timeout=30).boolean is True
    assert parser.Query.streamlined  # the worker parsed the query; the grammar was prepared here


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_ask_for_sigkill_when_their_parent_dies():
    """Each worker asks the kernel for SIGKILL when its parent dies, with a ``prctl`` looked up
    here, in the parent, once: importing ctypes in each worker cost 30-40 ms of its start."""
    import ctypes
    import signal

    from igegraph import worker

    def death_signal() -> int:
        value = ctypes.c_int()
        ctypes.CDLL(None).prctl(2, ctypes.byref(value))  # PR_GET_PDEATHSIG
        return value.value

    assert run_in_worker(death_signal, timeout=30) == signal.SIGKILL
    assert worker._prctl.cache_info().currsize == 1


def test_query_workers_inherit_the_compiled_token_patterns(monkeypatch):
    """pyparsing compiles a token's regular expression when the token is first tried; priming
    compiles all of them before forking (a worker compiling those of its query paid 5-12 ms)."""
    from pyparsing import Regex
    from rdflib.plugins.sparql import parser

    from igegraph import querycheck

    tokens, seen, stack = [], set(), [parser.QueryUnit, parser.UpdateUnit]
    while stack:
        element = stack.pop()
        if id(element) not in seen:
            seen.add(id(element))
            tokens += [element] if isinstance(element, Regex) else []
            stack.extend(element.recurse())
    assert parser.VARNAME.pattern in {t.pattern for t in tokens} and len(tokens) > 20
    for token in tokens:  # as in a new process: none compiled yet (compiled again on use)
        vars(token).pop("re", None)
        vars(token).pop("re_match", None)
    querycheck.prime_parser.cache_clear()
    querycheck.prime_parser()
    assert [t for t in tokens if "re" not in vars(t)] == []
