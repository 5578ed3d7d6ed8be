"""Processes forked from warm imports, that tests can signal and wait for like a ``Popen``.

A new interpreter spends most of a short command's CPU time importing rdflib, networkx and
igegraph (about 0.4 s). A :class:`ForkServer` imports a given set of modules once; each
:meth:`ForkServer.start` then forks it into a process of its own that runs ``python -m
MODULE ARGS`` or ``python -c CODE ARGS`` as the interpreter would (``SystemExit`` becomes the
exit status, an uncaught exception prints its traceback and exits 1, atexit handlers run),
with the test's environment, working directory, stdout and stderr (its file descriptors).
The test gets that process's own pid: signals sent to it reach the command itself, and
:meth:`Forked.wait` returns its real exit status (``-N`` when killed by signal N), which the
server reads with ``waitid``. The server runs one command at a time.

Unlike ``tests/warm_cli.py``, whose ``igegraph`` is a client that forwards its arguments to
the server, the process a test starts here is the command itself.
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.forkrun import RUN_AS_MAIN

# the server: imports the modules named in argv[2:], then forks one child per request
_SERVER = RUN_AS_MAIN + r"""
import importlib, json, os, resource, socket, struct, sys

for name in sys.argv[2:]:
    importlib.import_module(name)
if "rdflib.plugins.sparql.parser" in sys.modules:  # as igegraph does before it forks a query's worker
    from igegraph.querycheck import prime_parser
    prime_parser()

def run(message):
    os.chdir(message["cwd"])
    os.environ.clear()
    os.environ.update(message["env"])
    if message["limit_as"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (message["limit_as"], message["limit_as"]))
    how, what, *args = message["argv"]

    def command():
        if how == "-m":
            import runpy
            sys.argv = [what, *args]
            runpy.run_module(what, run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *args]
            exec(compile(what, "<string>", "exec"), {"__name__": "__main__"})

    os._exit(run_as_main(command))

channel = socket.socket(fileno=int(sys.argv[1]))
channel.sendall(b"ready\n")
previous = None
while True:
    head, fds, _flags, _addr = socket.recv_fds(channel, 1 << 16, 2)
    if previous is not None:  # reaped only now: until the next command its pid stays taken
        os.waitpid(previous, 0)  # (and its CPU time counts in this process's)
        previous = None
    if not head:
        break  # the test process is gone
    size = struct.unpack("!Q", head[:8])[0]
    body = head[8:]
    while len(body) < size:
        body += channel.recv(size - len(body))
    message = json.loads(body)
    pid = os.fork()
    if pid == 0:
        try:
            channel.close()
            for target, fd in zip((1, 2), fds):
                os.dup2(fd, target)
                os.close(fd)
            run(message)
        finally:
            os._exit(70)
    for fd in fds:
        os.close(fd)
    channel.sendall(f"{pid}\n".encode())
    # its exit, leaving it a zombie (as a Popen's child is until waited for): a signal the test
    # sends after the command ended cannot reach another process that got the pid again
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    previous = pid
    channel.sendall(f"{info.si_status if info.si_code == os.CLD_EXITED else -info.si_status}\n".encode())
# without the interpreter's teardown, which frees the imported libraries object by object
# (about a CPU-second of each stop, as in tests/warm_cli.py)
os._exit(0)
"""


class Forked:
    """A command forked by a :class:`ForkServer`: the parts of ``subprocess.Popen`` tests use."""

    def __init__(self, server: ForkServer, pid: int, stdout: Path, stderr: Path) -> None:
        self._server = server
        self.pid = pid
        self.returncode: int | None = None
        self._out, self._err = stdout, stderr

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to the command's process (nothing once it has been waited for; until
        then an ended command keeps its pid, as a zombie)."""
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def poll(self) -> int | None:
        """The exit status if the command has ended, else None."""
        try:
            return self.wait(0)
        except subprocess.TimeoutExpired:
            return None

    def wait(self, timeout: float | None = None) -> int:
        """The exit status; ``subprocess.TimeoutExpired`` if the command runs past ``timeout``."""
        if self.returncode is None:
            self.returncode = self._server._status(timeout, self)
        return self.returncode

    @property
    def stdout(self) -> io.StringIO:
        """What the command wrote to stdout (read it once it has ended)."""
        return io.StringIO(self._out.read_text(encoding="utf-8", errors="replace"))

    @property
    def stderr(self) -> io.StringIO:
        """What the command wrote to stderr (read it once it has ended)."""
        return io.StringIO(self._err.read_text(encoding="utf-8", errors="replace"))


class ForkServer:
    """A process that has imported ``modules`` and forks each command from there."""

    def __init__(self, modules: list[str]) -> None:
        ours, theirs = socket.socketpair()
        self._folder = Path(tempfile.mkdtemp(prefix="igegraph-forked-"))
        self._process = subprocess.Popen([sys.executable, "-c", _SERVER, str(theirs.fileno()), *modules],
                                         pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self._channel = ours
        self._buffer = b""
        self._running: Forked | None = None
        self._count = 0
        if self._line(60) != b"ready":
            self.stop()
            raise RuntimeError("the fork server did not start")

    def start(self, argv: list[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
              limit_as: int | None = None) -> Forked:
        """Fork ``python ARGV`` (``["-m", MODULE, ...]`` or ``["-c", CODE, ...]``), with ``env``
        (default: this process's), ``cwd`` and an optional address-space limit in bytes."""
        assert argv[0] in ("-m", "-c"), argv
        assert self._running is None or self._running.returncode is not None, "one command at a time"
        self._count += 1
        out, err = (self._folder / f"{self._count}.{name}" for name in ("out", "err"))
        message = json.dumps({"argv": [str(a) for a in argv], "env": dict(os.environ if env is None else env),
                              "cwd": str(cwd or os.getcwd()), "limit_as": limit_as}).encode()
        with open(out, "wb") as o, open(err, "wb") as e:
            socket.send_fds(self._channel, [struct.pack("!Q", len(message)) + message], [o.fileno(), e.fileno()])
        self._running = Forked(self, int(self._line(60)), out, err)
        return self._running

    def _line(self, timeout: float | None) -> bytes:
        """The server's next line; TimeoutError if none comes within ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(deadline - time.monotonic(), 0)
            if not select.select([self._channel], [], [], left)[0]:
                raise TimeoutError
            chunk = self._channel.recv(4096)
            if not chunk:
                raise RuntimeError("the fork server ended")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _status(self, timeout: float | None, proc: Forked) -> int:
        assert proc is self._running
        try:
            return int(self._line(timeout))
        except TimeoutError:
            raise subprocess.TimeoutExpired(f"forked {proc.pid}", timeout) from None

    def stop(self) -> None:
        """End the server (after any command still running, which is killed)."""
        if self._running is not None and self._running.returncode is None:
            self._running.kill()
            self._running.wait()
        self._channel.close()
        self._process.wait(timeout=30)
        for path in self._folder.iterdir():
            path.unlink()
        self._folder.rmdir()
