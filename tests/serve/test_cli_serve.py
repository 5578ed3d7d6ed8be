"""``igegraph serve`` as a command: start-up line, refusal of a taken port, clean stops."""

from __future__ import annotations

import signal
import socket

from click.testing import CliRunner
from tests.conftest import http

from igegraph.cli import main

from .conftest import start_server


def test_taken_port_is_one_clear_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; pick another --port or --host")


def test_other_hosts_are_warned_about():
    with socket.socket() as taken:
        taken.bind(("127.0.0.2", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--host", "127.0.0.2", "--port", str(port)])
    assert result.output.splitlines()[0] == (
        "warning: listening on 127.0.0.2: anyone who can reach this address can query the graph")
    assert result.exit_code == 1


def test_serves_a_persistent_store_then_stops_on_ctrl_c(tmp_path, xss_ttl):
    from igegraph.store import build_store

    build_store(tmp_path / "kg", data=[xss_ttl])
    server = start_server("--store", str(tmp_path / "kg"), "--workers", "1")
    try:
        ask = http().get(server.sparql, params={"query": "ASK { ig:xss_node ige:activates ig:mast_cell }"},
                         headers={"Accept": "application/sparql-results+json"})
        assert ask.json()["boolean"] is True
        assert http().get(server.url + "/api/describe/Xolair").json()["id"] == "ig:omalizumab"
    finally:
        server.process.send_signal(signal.SIGINT)
    out, err = server.process.communicate(timeout=15)
    assert server.process.returncode == 0, err
    assert out.strip().splitlines()[-1] == "igegraph serve stopped"
    assert "Traceback" not in err

