"""A real ``igegraph serve`` process on a free loopback port, shared by the serve tests."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import httpx
import pytest
from tests.conftest import http

TIMEOUT = 2.0
MAX_ROWS = 200


@dataclass
class Server:
    """A running server: its base URL (no trailing slash) and process."""

    url: str
    process: subprocess.Popen

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def start_server(*args: str, ready_timeout: float = 60.0) -> Server:
    """Start ``igegraph serve --port 0 ARGS``; return once it answers HTTP."""
    proc = subprocess.Popen([sys.executable, "-m", "igegraph", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(ready_timeout)
    match = re.search(r"http://127\.0\.0\.1:\d+", lines[0] if lines else "")
    if match is None:
        proc.kill()
        raise RuntimeError(f"igegraph serve did not start: {proc.stderr.read() if proc.poll() is not None else lines}")
    server = Server(match.group(0), proc)
    deadline = time.monotonic() + ready_timeout
    while True:
        try:
            if http().get(server.sparql, timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            stop_server(server)
            raise RuntimeError("igegraph serve never answered")
        time.sleep(0.05)


def stop_server(server: Server) -> int:
    """SIGTERM, then the exit code (killing it if it does not stop within 10 s)."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    for pipe in (server.process.stdout, server.process.stderr):
        pipe.close()  # unread output; an open pipe is a ResourceWarning when the Popen is collected
    return server.process.returncode


@pytest.fixture(scope="session")
def server(xss_ttl):
    """The curated graph plus the script-payload file, timeout 2 s, 200 rows at most. (1 s would
    spare the core a runaway query burns until then, but every request of the session must
    answer within it, on a machine the other tests keep busy.)"""
    srv = start_server("--data", str(xss_ttl), "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS),
                       "--workers", "3")
    try:
        yield srv
    finally:
        code = stop_server(srv)
    assert code == 0, "SIGTERM did not stop the server cleanly"


@pytest.fixture(scope="session")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def cli_json(xss_ttl):
    """``igegraph ARGS --data xss.ttl --format json`` (``records`` for ``query``) run in-process, parsed."""
    import json

    from click.testing import CliRunner

    from igegraph.cli import main

    def run(*args: str, data: bool = True):
        extra = ["--data", str(xss_ttl)] if data else []
        # /api/queries/{name} answers with the records of `query --format records` (`--format json`
        # is the W3C result format, which /sparql serves)
        fmt = "records" if args[0] == "query" else "json"
        result = CliRunner().invoke(main, [*args, *extra, "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return run
