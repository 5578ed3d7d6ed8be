"""An ``igegraph`` command that starts warm: each run is a fresh process forked from one that has
already imported igegraph and its libraries.

Most of a short command's CPU time is Python importing networkx, rdflib and the package (about
0.4 s of 0.5 s). The README examples run some sixty commands through the shell, so
``tests/test_readme.py`` puts this command first on ``PATH``: a small client (Python in isolated
mode, no site-packages) hands its arguments, working directory, environment and its standard
input, output and error (the file descriptors themselves) to a server over a Unix socket. The
server, started once per test process, forks a child that takes over those descriptors, the
directory and the environment, runs ``igegraph.cli.main`` as the installed script does and
sends back the exit status, which the client exits with. So each command still runs in its
own process, in the checkout, writing to the shell's pipes and files; only the imports are
shared. Anything the imports print would be lost that way, so the server's own output must be
empty (``WarmCli.import_output``); set ``IGEGRAPH_README_COLD=1`` to run every command in a
new interpreter instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.forkrun import RUN_AS_MAIN

# the client: stdlib only, started with -I -S (about 15 ms)
_CLIENT = """#!{python} -IS
import json, os, socket, struct, sys
message = json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}).encode()
with socket.socket(socket.AF_UNIX) as s:
    s.connect({socket!r})
    socket.send_fds(s, [struct.pack("!Q", len(message)) + message], [0, 1, 2])
    status = s.makefile("rb").read()
if not status:
    sys.stderr.write("igegraph (warm): the server ended the run without a status\\n")
    sys.exit(70)
sys.exit(int(status))
"""

# the server: imports once, then forks one child per connection
_SERVER = RUN_AS_MAIN + r"""
import importlib, json, os, pkgutil, signal, socket, struct, sys

import igegraph

def import_all(package):
    # every module but __main__ (it runs the CLI) and igegraph.serve: no command run here serves,
    # and FastAPI and uvicorn take about 0.6 CPU-s to import (a `serve` would import them itself)
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if not info.name.endswith(".__main__") and info.name != "igegraph.serve":
            module = importlib.import_module(info.name)
            if info.ispkg:
                import_all(module)

import_all(igegraph)
import igegraph.cli
# what the commands import lazily (about 0.2 s of each short command's CPU): networkx for the
# projection, rdflib's SPARQL engine and parsers, the Oxigraph store, pyshacl for validate, pyvis
# for HTML pages (it imports IPython: about 0.25 s of each `export html`), httpx's transport (httpcore,
# 0.04 s of each command that talks to an endpoint)
for name in ("networkx", "pyoxigraph", "oxrdflib", "pyshacl", "multiprocessing", "rdflib.plugins.sparql.processor",
             "rdflib.plugins.sparql.update", "rdflib.plugins.parsers.notation3", "rdflib.plugins.stores.memory",
             "pyvis.network", "httpcore"):
    importlib.import_module(name)
# and what an igegraph process does before it forks a query's worker: prepare the SPARQL grammar
igegraph.querycheck.prime_parser()

def run(conn):
    head, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    size = struct.unpack("!Q", head[:8])[0]
    body = head[8:]
    while len(body) < size:
        body += conn.recv(size - len(body))
    message = json.loads(body)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(message["cwd"])
    os.environ.clear()
    os.environ.update(message["env"])
    sys.argv = ["igegraph", *message["argv"]]
    code = run_as_main(lambda: igegraph.cli.main(args=message["argv"], prog_name="igegraph"))
    conn.sendall(str(code).encode())
    conn.close()
    os._exit(code)

def reap(block):
    # children are waited for here, so their CPU time counts in this process's (and the tests')
    while True:
        try:
            pid, _status = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return

def stop(_signum, _frame):
    raise SystemExit(0)

listener = socket.socket(socket.AF_UNIX)
listener.bind(sys.argv[1])
listener.listen(64)
listener.settimeout(2.0)
signal.signal(signal.SIGTERM, stop)
parent = os.getppid()
print("ready", flush=True)
try:
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the test run is gone (killed): do not outlive it
                break
            reap(block=False)
            continue
        conn.setblocking(True)
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                run(conn)
            finally:
                os._exit(70)
        conn.close()
        reap(block=False)
except SystemExit:  # SIGTERM: stop
    pass
finally:
    reap(block=True)
# without the interpreter's teardown, which frees the imported libraries object by object
# (about a CPU-second of each stop)
os._exit(0)
"""


@dataclass
class WarmCli:
    """A running server and the folder holding the ``igegraph`` client."""

    bin_dir: Path
    process: subprocess.Popen
    log: Path

    def import_output(self) -> str:
        """What the server printed besides its ready line (the imports must print nothing)."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """SIGTERM: the server waits for the commands still running, then exits."""
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        shutil.rmtree(self.bin_dir.parent, ignore_errors=True)


def command_env() -> dict[str, str]:
    """The README examples' environment: the venv's scripts first on PATH, and a 100-column terminal
    (tables fit COLUMNS: the examples are those of a 100-column terminal wherever they run)."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", COLUMNS="100")


def start(env: dict[str, str]) -> WarmCli:
    """Start the server with ``env`` (the commands' own environment) and write the client."""
    folder = Path(tempfile.mkdtemp(prefix="igegraph-warm-"))  # short: a socket path has ~100 bytes
    sock = folder / "s"
    log = folder / "stderr.txt"
    with open(log, "wb") as err:
        process = subprocess.Popen([sys.executable, "-c", _SERVER, str(sock)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=err, env=env, cwd=folder)
    if process.stdout.readline() != b"ready\n":
        process.kill()
        process.wait()
        raise RuntimeError(f"the warm igegraph server did not start: {log.read_text(errors='replace')}")
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    client = bin_dir / "igegraph"
    client.write_text(_CLIENT.format(python=sys.executable, socket=str(sock)), encoding="utf-8")
    client.chmod(0o755)
    return WarmCli(bin_dir, process, log)


def cold() -> bool:
    """True when ``IGEGRAPH_README_COLD`` asks for a new interpreter per command."""
    return os.environ.get("IGEGRAPH_README_COLD", "").strip() not in ("", "0")
