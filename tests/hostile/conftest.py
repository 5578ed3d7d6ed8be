"""Fixtures for the hostile-input suite: a loopback listener, the CLI, one shared cache."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGEGRAPH = [sys.executable, "-m", "igegraph"]


@pytest.fixture(scope="session")
def hostile_cache_dir(tmp_path_factory):
    """One private cache folder for the whole suite (warm after the first load)."""
    return tmp_path_factory.mktemp("hostile-cache") / "cache"


@pytest.fixture(autouse=True)
def hostile_cache(hostile_cache_dir, monkeypatch):
    """Every hostile test, and the processes it starts, use the suite's cache (and only they:
    the environment is restored after each test)."""
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(hostile_cache_dir))
    monkeypatch.delenv("IGEGRAPH_NO_CACHE", raising=False)
    return hostile_cache_dir


class Listener:
    """A TCP server on 127.0.0.1 that counts every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    """A loopback listener; tests assert ``listener.hits == 0``."""
    found = Listener()
    yield found
    found.close()


@pytest.fixture
def run():
    """Invoke the CLI in-process, catching everything; returns click's Result."""
    from click.testing import CliRunner

    from igegraph.cli import main

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=True)

    return invoke


def clean_failure(result, codes=(1, 2)) -> str:
    """Assert a CLI result is a clean failure (exit 1 or 2, one ``Error:`` line, no
    traceback, no unexpected exception) and return the error line."""
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def cold() -> bool:
    """True when ``IGEGRAPH_HOSTILE_COLD`` asks for a new interpreter per process started."""
    return os.environ.get("IGEGRAPH_HOSTILE_COLD", "").strip() not in ("", "0")


# what an igegraph command imports (lazily) before and while it queries, exports or builds a store
CLI_MODULES = ["igegraph.cli", "igegraph.cache", "igegraph.kg", "igegraph.store", "igegraph.sparql", "igegraph.export",
               "igegraph.worker", "igegraph.project", "networkx", "pyoxigraph", "oxrdflib", "multiprocessing",
               "rdflib.plugins.sparql.processor", "rdflib.plugins.sparql.parser", "rdflib.plugins.parsers.notation3",
               "pyvis.network"]


@pytest.fixture(scope="module")
def forks():
    """A factory of fork servers (:mod:`tests.hostile.forked`) for this module, all stopped after
    it; None with ``IGEGRAPH_HOSTILE_COLD=1`` (a new interpreter per process)."""
    if cold():
        yield None
        return
    from tests.hostile.forked import ForkServer

    servers: list[ForkServer] = []

    def make(modules: list[str]) -> ForkServer:
        servers.append(ForkServer(modules))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


def spawn(*args: str) -> subprocess.Popen:
    """Start ``igegraph ARGS`` as a new interpreter (for kill tests)."""
    return subprocess.Popen([*IGEGRAPH, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory, hostile_cache_dir):
    """A persistent store of the curated graph, built once (vouched for in the suite's cache)."""
    from igegraph.store import build_store

    where = tmp_path_factory.mktemp("hostile-store") / "kg"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IGEGRAPH_CACHE_DIR", str(hostile_cache_dir))
        build_store(where)
    return where


@pytest.fixture
def failed():
    """:func:`clean_failure`, as a fixture (test modules do not import conftest)."""
    return clean_failure


@pytest.fixture(scope="module")
def cli_forks(forks):
    """A fork server that has imported what igegraph commands use (None when cold)."""
    return forks and forks(CLI_MODULES)


@pytest.fixture
def start(cli_forks):
    """Start ``igegraph ARGS`` as a process of its own, whose pid is the command's: forked from
    warm imports (:mod:`tests.hostile.forked`), or with ``IGEGRAPH_HOSTILE_COLD=1`` a new
    interpreter (:func:`spawn`; its pipes are closed after the test)."""
    started: list[subprocess.Popen] = []

    def run(*args: str):
        if cli_forks is not None:
            return cli_forks.start(["-m", "igegraph", *args])
        started.append(spawn(*args))
        return started[-1]

    yield run
    for proc in started:  # an open pipe is a ResourceWarning when the Popen is collected
        proc.stdout.close()
        proc.stderr.close()
