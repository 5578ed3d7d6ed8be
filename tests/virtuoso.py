"""A throw-away Virtuoso server for the tests (Debian's ``virtuoso-opensource``).

One server per test session: ``virtuoso-t`` runs in the foreground on a fresh database in a
temporary directory, with a generated ``virtuoso.ini`` that listens on two free loopback ports
(SQL and HTTP) and nothing else (no Unix socket, no plug-ins, no OS calls). Once it answers,
``isql`` replaces the ``dba`` password with a random one and creates the user ``igegraph``
(random password too) with the ``SPARQL_UPDATE`` role, which the Digest-authenticated
endpoints ``/sparql-auth`` and ``/sparql-graph-crud-auth`` (Graph Store Protocol) require.
Anonymous ``/sparql`` stays read-only. The process is stopped and the directory removed
whatever happens.

Building a fresh database costs ``virtuoso-t`` about 2 CPU-s on top of starting on an existing
one, so the first session keeps the fresh, empty database (before any password change) as a
template in igegraph's cache folder (``virtuoso/``, see ``private_cache_folder``), and later
sessions start on a copy of it. Its key covers the binary (path, size, mtime) and the ini, so a
new Virtuoso or an edited ``_INI`` builds a new template. A template is built in a temporary
folder and renamed into place whole, so a killed build is never used. ``IGEGRAPH_NO_CACHE``
turns it off (each session then builds its database, as a first session does).

Under pytest-xdist, the controller starts the server in the background as soon as a worker
has collected tests that use it, and the worker that runs them takes it over (``StartedAhead``):
its start-up then overlaps the tests that run first instead of idling that worker.

Tests using it skip when ``virtuoso-t`` is not installed, unless CI is set (then they fail):
``.ci/run`` installs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

VIRTUOSO = os.environ.get("IGEGRAPH_VIRTUOSO") or shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql-v")  # Debian's name for Virtuoso's isql
#: Seconds a fresh database may take to come up (it compiles its system procedures first:
#: 2.4 to 4.2 s on a shared 2-core machine at load 4, 11 s at load 8, 36 s at load 10).
STARTUP_LIMIT = 240.0
#: The named graph the tests push to.
GRAPH = "https://w3id.org/igegraph/graph/test"
USER = "igegraph"

_INI = """\
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = virtuoso-temp.db
TransactionFile    = virtuoso-temp.trx

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
AllowOSCalls       = 0
DirsAllowed        = .
CheckpointInterval = 0
NumberOfBuffers    = 5000
MaxDirtyBuffers    = 3000
ThreadsPerQuery    = 2
MaxClientConnections = 8

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = .
ServerThreads      = 4
MaxClientConnections = 8
EnabledDavVSP      = 0
HTTPProxyEnabled   = 0

[SPARQL]
; Virtuoso's own defaults cut SELECT answers at 10,000 rows and stop long queries with a
; partial answer ("anytime" queries); neither may happen silently in a test
ResultSetMaxRows   = 1000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running test server: its URLs, the writing user's credentials and start-up time."""

    base: str
    sql_port: int
    user: str
    password: str
    directory: Path
    startup_seconds: float

    @property
    def sparql(self) -> str:
        """The anonymous, read-only SPARQL endpoint."""
        return f"{self.base}/sparql"

    @property
    def sparql_auth(self) -> str:
        """The SPARQL endpoint that takes updates, behind Digest authentication."""
        return f"{self.base}/sparql-auth"

    @property
    def store(self) -> str:
        """The Graph Store Protocol endpoint, behind Digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"

    def log(self) -> str:
        return (self.directory / "virtuoso.log").read_text(encoding="utf-8", errors="replace")


def _isql(port: int, password: str, sql: str) -> str:
    """Run SQL statements as dba; any ``*** Error`` in isql's output fails the fixture."""
    assert ISQL is not None
    done = subprocess.run([ISQL, f"127.0.0.1:{port}", "dba", password], input=sql, capture_output=True,
                          text=True, timeout=60)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed: {(done.stdout + done.stderr)[-600:]}")
    return done.stdout


def _wait_until_up(proc: subprocess.Popen, base: str, directory: Path) -> None:
    from tests.conftest import http  # here: conftest imports this module

    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}: "
                               f"{(directory / 'virtuoso.log').read_text(errors='replace')[-600:]}")
        try:
            if http().get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"Virtuoso did not answer within {STARTUP_LIMIT:g} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # Virtuoso's quick shutdown
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _start(directory: Path) -> tuple[subprocess.Popen, int, str]:
    """Start ``virtuoso-t`` on the database in ``directory`` (a new one if there is none) with a
    generated ini on two free loopback ports; return it once it answers, with its SQL port and
    base URL. It is stopped if it does not come up."""
    from tests.conftest import free_port  # here: conftest imports this module

    assert VIRTUOSO is not None
    sql_port, http_port = free_port(), free_port()
    (directory / "virtuoso.ini").write_text(_INI.format(sql_port=sql_port, http_port=http_port), encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    with open(directory / "console.txt", "wb") as console:
        proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", "virtuoso.ini"], cwd=directory,
                                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(proc, base, directory)
    except BaseException:
        _stop(proc)
        raise
    return proc, sql_port, base


#: The files of a stopped database that a template keeps (the ini, log and lock are per run).
_DATABASE_FILES = ("virtuoso.db", "virtuoso.trx")
#: Seconds after which a template folder of another key, or a build that never finished, is
#: deleted when a template is built.
_STALE_AFTER = 3600.0


def template_key(binary: str, ini: str) -> str:
    """The key of the database template that ``binary`` builds under ``ini`` (the ``_INI``
    text, before its ports are filled in): the binary's resolved path, size and mtime, and
    the ini."""
    st = os.stat(binary)
    parts = ("virtuoso-template/1", os.path.realpath(binary), str(st.st_size), str(st.st_mtime_ns), ini)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _build_template(folder: Path, template: Path) -> None:
    """Build a fresh database in a temporary folder of ``folder``, checkpointed and stopped,
    and rename it to ``template`` (whole or not at all). Stale builds and old templates go."""
    now = time.time()
    for entry in folder.iterdir():
        try:
            stale = entry != template and now - entry.lstat().st_mtime > _STALE_AFTER
        except FileNotFoundError:  # another session removed it meanwhile
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
    building = Path(tempfile.mkdtemp(prefix=".build-", dir=folder))
    try:
        proc, sql_port, _ = _start(building)
        try:
            _isql(sql_port, "dba", "checkpoint;\n")  # all in virtuoso.db: the transaction log left empty
        finally:
            _stop(proc)
        for entry in building.iterdir():
            if entry.name not in _DATABASE_FILES:
                entry.unlink()
        with contextlib.suppress(OSError):  # another session's template got there first: use that one
            os.rename(building, template)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _copy_template(directory: Path) -> None:
    """Copy the database template into ``directory``, built first if missing; nothing when the
    cache is off or not private (``virtuoso-t`` then builds the database itself)."""
    from tests.conftest import private_cache_folder  # here: conftest imports this module

    from igegraph.persist import private_dir_ok

    assert VIRTUOSO is not None
    folder = private_cache_folder("virtuoso")
    if folder is None:
        return
    template = folder / template_key(VIRTUOSO, _INI)
    if not template.exists():
        _build_template(folder, template)
    if private_dir_ok(template):
        try:
            for name in _DATABASE_FILES:
                shutil.copyfile(template / name, directory / name)
        except OSError:  # a template someone emptied: dropped (the next session builds it again)
            shutil.rmtree(template, ignore_errors=True)
            for name in _DATABASE_FILES:
                (directory / name).unlink(missing_ok=True)


@contextlib.contextmanager
def _running() -> Iterator[Virtuoso]:
    """A Virtuoso server on a fresh temporary database (a copy of the template), its dba
    password replaced and the writing user created; stopped and removed on leaving."""
    directory = Path(tempfile.mkdtemp(prefix="igegraph-virtuoso-"))
    proc = None
    try:
        started = time.monotonic()
        _copy_template(directory)
        proc, sql_port, base = _start(directory)
        dba, password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        # the fresh database's dba password is "dba": replace it before anything else (the
        # session stays logged in, so the same isql goes on to create the user)
        _isql(sql_port, "dba", f"USER_CHANGE_PASSWORD('dba', 'dba', '{dba}');\n"
                               f"DB.DBA.USER_CREATE('{USER}', '{password}');\n"
                               f'GRANT SPARQL_UPDATE TO "{USER}";\n')
        yield Virtuoso(base, sql_port, USER, password, directory, time.monotonic() - started)
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(directory, ignore_errors=True)


#: The environment variable that tells pytest-xdist's workers where the controller describes
#: the server it started for them (see ``StartedAhead``).
HANDOFF_ENV = "IGEGRAPH_TEST_VIRTUOSO_HANDOFF"
#: The tests that use the server: the controller starts it when they are collected.
USERS = "tests/test_virtuoso.py::"


def started_ahead(ids: Iterable[str]) -> bool:
    """Whether, in a run of these test ids, pytest-xdist's controller starts the server."""
    return VIRTUOSO is not None and ISQL is not None and any(i.startswith(USERS) for i in ids)


class StartedAhead:
    """pytest-xdist's controller starts the session's server, in a thread, as soon as the first
    worker has collected tests that use it (``started_ahead``), so that its start-up (3 to 8 s
    on a loaded 2-core machine, of which ``virtuoso-t`` itself sleeps 2 s and uses 1.5 CPU-s)
    overlaps the other worker's collection and the test files run before tests/test_virtuoso.py,
    instead of leaving the worker that runs it (and its core) idle. The worker that needs it
    reads its URL and credentials from the file ``$IGEGRAPH_TEST_VIRTUOSO_HANDOFF``, written
    once the server answers (or the error that stopped it). The controller stops it at the end.
    """

    def __init__(self, handoff: Path):
        self.handoff = handoff
        self.thread: threading.Thread | None = None
        self.done = threading.Event()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids: list[str]) -> None:
        if self.thread is None and started_ahead(ids):
            self.thread = threading.Thread(target=self._serve, name="virtuoso", daemon=True)
            self.thread.start()

    def _tell(self, message: dict) -> None:
        ready = self.handoff.with_suffix(".tmp")
        ready.write_text(json.dumps(message), encoding="utf-8")
        os.replace(ready, self.handoff)

    def _serve(self) -> None:
        try:
            with _running() as server:
                self._tell({**dataclasses.asdict(server), "directory": str(server.directory)})
                self.done.wait()
        except BaseException as exc:  # the worker waiting for the server raises it
            self._tell({"error": f"{type(exc).__name__}: {exc}"})

    def pytest_unconfigure(self) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()
        shutil.rmtree(self.handoff.parent, ignore_errors=True)


def register(config: pytest.Config) -> None:
    """Register ``StartedAhead`` in pytest-xdist's controller, if this process is one."""
    if (getattr(config.option, "numprocesses", None) and not config.option.collectonly
            and not hasattr(config, "workerinput")):
        handoff = Path(tempfile.mkdtemp(prefix="igegraph-virtuoso-handoff-")) / "server.json"
        os.environ[HANDOFF_ENV] = str(handoff)  # before the workers start: they inherit it
        config.pluginmanager.register(StartedAhead(handoff), "igegraph-virtuoso-ahead")


def _handed_over(handoff: Path) -> Virtuoso:
    """The server that pytest-xdist's controller started (see ``StartedAhead``), once it answers."""
    deadline = time.monotonic() + STARTUP_LIMIT + 60
    while not handoff.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the controller's Virtuoso did not start within {STARTUP_LIMIT:g} s")
        time.sleep(0.02)
    told = json.loads(handoff.read_text(encoding="utf-8"))
    if "error" in told:
        raise RuntimeError(f"the controller's Virtuoso did not start: {told['error']}")
    return Virtuoso(**{**told, "directory": Path(told["directory"])})


@pytest.fixture(scope="session")
def virtuoso(request: pytest.FixtureRequest) -> Iterator[Virtuoso]:
    """A Virtuoso server on a fresh temporary database, for the whole session: the one
    pytest-xdist's controller started ahead (``StartedAhead``), else one started here."""
    from tests.conftest import required_tool  # here: conftest imports this module

    required_tool(VIRTUOSO, "Virtuoso", "virtuoso-opensource-7-bin")
    required_tool(ISQL, "Virtuoso's isql", "virtuoso-opensource-7-bin")
    handoff = os.environ.get(HANDOFF_ENV)
    if handoff and "PYTEST_XDIST_WORKER" in os.environ and started_ahead(i.nodeid for i in request.session.items):
        yield _handed_over(Path(handoff))
        return
    with _running() as server:
        yield server
