"""Killing igegraph leaves no orphan worker, no half-written file and a usable store (item 8)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from igegraph.store import MANIFEST, open_store, store_info

# a cartesian product over the whole graph: runs far longer than any test
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for PID 1 to reap it counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)  # a look at /proc costs microseconds
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_killed_query_takes_its_worker_with_it(start, sig):
    proc = start("query", ENDLESS, "--timeout", "600")
    try:
        assert _wait_for(lambda: _children(proc.pid)), "the query worker never started"
        (worker,) = _children(proc.pid)
        # its watcher thread is the last thing the worker starts before the query (it is tied to
        # its parent by then): wait for that rather than a fixed time, then let the query run
        assert _wait_for(lambda: _threads(worker) >= 2), "the query worker never got to the query"
        time.sleep(0.05)
        proc.send_signal(sig)
        proc.wait(10)
        assert _wait_for(lambda: not _alive(worker), 5), "the worker outlived its parent"
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 128 + sig)
    assert "Traceback" not in proc.stderr.read()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_killed_export_leaves_no_half_written_file(start, tmp_path, sig):
    out = tmp_path / "graph.html"
    proc = start("export", "html", out)
    time.sleep(0.2)  # forked from warm imports: within the export's own work (about 0.45 s of CPU)
    proc.send_signal(sig)
    proc.wait(20)
    if out.exists():  # finished before the signal: then it is whole
        assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "graph.html"]
    if sig != signal.SIGKILL:  # SIGKILL allows no cleanup; the others unwind it
        assert leftovers == []
    assert "Traceback" not in proc.stderr.read()


def _big(tmp_path: Path) -> Path:
    path = tmp_path / "big.nt"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(30_000):
            fh.write(f"<https://example.org/s{i}> <https://example.org/p> \"value {i}\" .\n")
    return path


def _building(where: Path) -> bool:
    return any(p.name.startswith(".building-") for p in where.iterdir())


@pytest.mark.parametrize("sig,delay", [(signal.SIGKILL, 0.2), (signal.SIGTERM, 0.0), (signal.SIGHUP, 0.4)])
def test_killed_rebuild_keeps_a_usable_store(start, store_dir, tmp_path, sig, delay):
    """Killed ``delay`` seconds into the build (after its staging folder appeared)."""
    import shutil

    where = tmp_path / "kg"
    shutil.copytree(store_dir, where)
    before = store_info(where).triples
    proc = start("store", "build", where, "--force", "--data", _big(tmp_path))
    assert _wait_for(lambda: _building(where) or proc.poll() is not None), "the build never started"
    time.sleep(delay)
    proc.send_signal(sig)
    proc.wait(30)
    triples = len(open_store(where))  # the old store, or the new one if the swap was done
    assert triples in (before, before + 30_000)
    assert store_info(where).triples == triples
    names = json.loads((where / MANIFEST).read_text())
    assert (where / names["database"]).is_dir()
    if sig != signal.SIGKILL:  # unwound: nothing left behind
        assert sorted(p.name.split("-")[0] for p in where.iterdir()) == ["igegraph", "oxigraph", "projection"]
    else:  # the next build sweeps whatever the killed one left behind
        from igegraph.store import build_store

        build_store(where, force=True)
        assert sorted(p.name.split("-")[0] for p in where.iterdir()) == ["igegraph", "oxigraph", "projection"]
    assert "Traceback" not in proc.stderr.read()


def test_force_rebuilds_a_store_of_the_old_format(tmp_path):
    """A format-1 store (oxigraph/, projection.pickle) is replaced whole, its pickle unread."""
    from igegraph.store import build_store

    where = tmp_path / "kg"
    (where / "oxigraph").mkdir(parents=True)
    (where / "projection.pickle").write_bytes(b"\x80\x05not read")
    (where / MANIFEST).write_text(json.dumps({"igegraph_store": 1, "triples": 1, "sources": []}))
    build_store(where, force=True)
    assert sorted(p.name.split("-")[0] for p in where.iterdir()) == ["igegraph", "oxigraph", "projection"]
    assert len(open_store(where)) == store_info(where).triples > 5000


# a command whose finaliser is running when the SIGTERM is handled (it sends the signal itself,
# so the handler runs there, every time): the exception the handler raises cannot leave a
# finaliser, and the command must still stop, at once
_FINALISER = r"""
import signal, sys, time
from igegraph.cli import main

class SignalledWhileFinalised:
    def __del__(self):
        signal.raise_signal(signal.SIGTERM)  # handled before this call returns

@main.command("linger")
def linger():
    SignalledWhileFinalised()  # unreferenced at once: its __del__ runs here
    for _ in range(1000):  # 10 s if the signal was lost
        time.sleep(0.01)
    print("not stopped")

main(["linger"], prog_name="igegraph")
"""


def test_a_signal_handled_inside_a_finaliser_still_stops_the_command(cli_forks):
    import subprocess
    import sys

    if cli_forks is not None:
        proc = cli_forks.start(["-c", _FINALISER])
    else:
        proc = subprocess.Popen([sys.executable, "-c", _FINALISER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    started = time.monotonic()
    try:
        assert proc.wait(30) == 128 + signal.SIGTERM
    finally:
        proc.kill()
        proc.wait()
    assert time.monotonic() - started < 5  # not after the 10 s the command would have run on
    assert proc.stdout.read() == ""
    assert proc.stderr.read() == ""  # no "Exception ignored ..." traceback either
