"""Shared fixtures: the curated graph is loaded once per session on each backend."""

from __future__ import annotations

import functools
import gc
import os
import shutil
from pathlib import Path

import pytest
from tests import warm_cli
from tests.virtuoso import register as start_virtuoso_ahead
from tests.virtuoso import virtuoso  # noqa: F401 - the Virtuoso server fixture, in its own module

import igegraph


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(config, items):
    """Each test file is one unit of work for ``make test``'s workers (``xdist_group``), unless it
    names its group itself (the browser tests share "chromium": one Chromium at a time). The
    module fixtures (a store, a browser, parsed fixture graphs) and the session fixtures of one
    file (a server, a report) are then built on one worker instead of on each. The tests of
    tests/serve share the ``igegraph serve`` process of their conftest; its explorer tests drive
    Chromium, so they all join "chromium" (one serve process, not one on each of two workers).
    The tests of other files that use the Oxigraph server (``oxigraph_endpoint``) join
    tests/test_endpoint.py's group, so that one server is started and loaded, not one per
    worker. xdist sends the groups with the most tests first."""
    root = config.rootpath
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            path = Path(item.path).relative_to(root).as_posix()
            if path.startswith("tests/serve/"):
                path = "chromium"
            elif "oxigraph_endpoint" in getattr(item, "fixturenames", ()):
                path = "tests/test_endpoint.py"
            item.add_marker(pytest.mark.xdist_group(path))


@pytest.hookimpl(wrapper=True)  # after the module fixtures are torn down
def pytest_runtest_teardown(item, nextitem):
    """At the end of each test file, collect its garbage and freeze what survives (session
    fixtures: graphs, stores, servers' clients). The cyclic collector's full collections
    otherwise walk that whole heap again and again: 7.6-7.8 s of each worker's ~115 CPU-s,
    timed with ``gc.callbacks``, against 2.7-2.9 s with the freeze (the collections here
    included), since a full collection then walks only the current file's objects.
    Freezing never frees and never keeps an object alive: what reference counting frees is
    freed as before, and only a cycle among frozen objects would stay (the collection before
    each freeze takes the file's own cycles)."""
    result = yield
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()
    return result


@pytest.fixture(scope="session")
def kg():
    """The curated graph on the default backend (rdflib over Oxigraph)."""
    return igegraph.load()


@pytest.fixture(scope="session")
def kg_memory():
    """The curated graph on rdflib's pure-Python Memory store."""
    return igegraph.load(backend="memory")


@pytest.fixture(scope="session", params=["oxigraph", "memory"])
def any_kg(request, kg, kg_memory):
    """Each backend in turn: tests using it must give identical answers on both."""
    return kg if request.param == "oxigraph" else kg_memory


CHROMIUM = os.environ.get("IGEGRAPH_CHROMIUM") or shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


def required_tool(path: str | None, name: str, package: str) -> str:
    """``path`` if the tool is installed; else skip the test, or fail it when CI is set."""
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {name} is missing: install it (apt-get install {package})")
        pytest.skip(f"{name} is not installed (set CI=true to make this a failure)")
    return path


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Chromium's path; tests using it skip when it is absent, unless CI is set (then they fail).

    Playwright drives Chromium from a Node.js process, started for each browser: Node's compile
    cache (``node-compile/`` in igegraph's cache folder, see ``private_cache_dir``) spares each
    start after the first compiling Playwright's 3.6 MB of JavaScript again (0.2 s of 0.9 s)."""
    path = required_tool(CHROMIUM, "Chromium", "chromium")
    old = os.environ.get("NODE_COMPILE_CACHE")
    os.environ["NODE_COMPILE_CACHE"] = str(private_cache_dir("node-compile", tmp_path_factory.mktemp("node")))
    yield path
    if old is None:
        del os.environ["NODE_COMPILE_CACHE"]
    else:
        os.environ["NODE_COMPILE_CACHE"] = old


RSVG_CONVERT = shutil.which("rsvg-convert")


@pytest.fixture(scope="session")
def rsvg_convert():
    """rsvg-convert's path (librsvg2-bin); skips when absent, unless CI is set (then it fails)."""
    return required_tool(RSVG_CONVERT, "rsvg-convert", "librsvg2-bin")


class SharedBrowser:
    """One headless Chromium for the adjacent test modules that use ``browser``.

    Not open for the whole session: while it is open, Playwright's sync API keeps an event loop
    running in this thread, so ``asyncio.run`` (and what is built on it) would fail in every later
    test of the worker. It is closed after the last test of a run of modules using it (an
    in-process PNG export in between copes: it renders in a thread of its own). Those modules
    are moved next to each other, after any shuffling, so that they launch it once, not once
    each (a launch costs about 2 CPU-s with Playwright's Node.js driver).
    """

    def __init__(self) -> None:
        self.modules: set[Path] = set()
        self.playwright = None
        self.browser = None

    @pytest.hookimpl(trylast=True)  # after any reordering of the modules (pytest-randomly, say)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.modules = {item.path for item in items if "browser" in getattr(item, "fixturenames", ())}
        users = [item for item in items if item.path in self.modules]
        if users:
            first = items.index(users[0])
            rest = [item for item in items if item.path not in self.modules]
            items[:] = rest[:first] + users + rest[first:]

    def open(self, executable: str):
        """The open browser, launched first if none is."""
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            from igegraph.viz import chromium_launch_options

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=executable, **chromium_launch_options())
        return self.browser

    def close(self) -> None:
        """Close the browser and stop Playwright's driver and event loop, if it is open."""
        if self.browser is not None:
            browser, playwright, self.browser, self.playwright = self.browser, self.playwright, None, None
            try:
                browser.close()
            finally:
                playwright.stop()

    @pytest.hookimpl(wrapper=True)  # after the module fixtures using the browser are torn down
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None):
        result = yield
        if nextitem is None or nextitem.path not in self.modules:
            self.close()
        return result

    def pytest_sessionfinish(self) -> None:
        self.close()  # a run stopped early (-x, --maxfail) may leave it open


def _keep_hypothesis_tables() -> None:
    """Hypothesis keeps the Unicode tables its text strategies draw from (which code points a
    codec encodes) in its storage folder, ``.hypothesis/`` of the current directory: a fresh
    clone builds them again by encoding each of the 1.1 million code points, 2.3-3 CPU-s in each
    worker that draws text (tests/hostile/test_properties.py, schemathesis in
    tests/serve/test_api.py). ``hypothesis/`` of igegraph's cache folder keeps them for later
    clones (see ``private_cache_folder``), unless HYPOTHESIS_STORAGE_DIRECTORY names a folder.
    The tables depend only on the Unicode version, which names their subfolder. Hypothesis reads
    the variable when it first needs its folder, after this."""
    if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
        folder = private_cache_folder("hypothesis")
        if folder is not None:
            os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(folder)


#: the cyclic collector's thresholds in test processes (Python's default is 700, 10, 10)
GC_THRESHOLDS = (5_000, 100, 1_000)


def pytest_configure(config):
    """Register the shared browser and, in pytest-xdist's controller, the Virtuoso server started
    ahead (``tests.virtuoso.StartedAhead``); keep Hypothesis's tables across clones; make the
    cyclic collector's automatic passes rarer.

    The young generation is still collected (every 5,000 net allocations), but the middle one
    a hundredth as often and the whole heap in practice only at the end of each test file
    (``pytest_runtest_teardown`` above). Timed with ``gc.callbacks`` over the whole suite, the
    workers' collections took 8.9-9.0 CPU-s against 14.3 with the defaults; 50,000 for the
    young generation gave the same. A test file's cyclic garbage waits at most until the end
    of that file.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    config.pluginmanager.register(SharedBrowser(), "igegraph-shared-browser")
    start_virtuoso_ahead(config)  # in pytest-xdist's controller
    _keep_hypothesis_tables()


@pytest.fixture(scope="module")
def browser(chromium, pytestconfig):
    """A headless Chromium driven by Playwright, shared by adjacent modules (see ``SharedBrowser``)."""
    return pytestconfig.pluginmanager.get_plugin("igegraph-shared-browser").open(chromium)


@pytest.fixture
def fresh_shared(monkeypatch):
    """Derived values shared by the graphs of one content (``kg.derived(..., shared=True)``)
    start empty, as in a new process; the process's own are back after the test. Returns a
    function that empties them again (a second process)."""
    from collections import OrderedDict

    import igegraph.kg

    def reset() -> None:
        monkeypatch.setattr(igegraph.kg, "_SHARED", OrderedDict())

    reset()
    return reset


@pytest.fixture
def cli(monkeypatch):
    """Invoke the CLI in-process; returns click's Result.

    Text is wrapped to 100 columns, the README's width, unless a test sets ``COLUMNS`` itself
    (pytest-xdist's workers have ``COLUMNS=80``, a plain run none: the output must not depend on it).
    """
    from click.testing import CliRunner

    monkeypatch.setenv("COLUMNS", "100")

    from igegraph.cli import main

    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


# ---------------------------------------------------------------- export / viz fixtures

XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_HREF = '<a href="javascript:window.__xss=1" onclick="window.__xss=1">href</a>'

_XSS_TTL = f'''
@prefix ige: <https://w3id.org/igegraph/vocab#> .
@prefix ig: <https://w3id.org/igegraph/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://example.org/evil/> .

ex:EvilCell rdfs:subClassOf ige:Cell ; rdfs:label """<b onmouseover="window.__xss=1">evil class</b>""" .

ig:xss_node a ex:EvilCell ;
    rdfs:label """{XSS_IMG}""" ;
    skos:altLabel """{XSS_SCRIPT}""" ;
    skos:definition """{XSS_HREF} {XSS_SCRIPT}""" .

ig:xss_node ige:activates ig:mast_cell .

ex:a1 a ige:Assertion ; rdf:subject ig:xss_node ; rdf:predicate ige:activates ; rdf:object ig:mast_cell ;
    ige:evidenceQuote """{XSS_SCRIPT} {XSS_IMG}""" ; ige:section """{XSS_HREF}""" .
'''


@pytest.fixture(scope="session")
def xss_ttl(tmp_path_factory):
    """A user Turtle file whose label, synonym, definition, class and quote carry script payloads."""
    path = tmp_path_factory.mktemp("xss") / "xss.ttl"
    path.write_text(_XSS_TTL, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def xss_kg(xss_ttl):
    """The curated graph merged with the script-payload file."""
    return igegraph.load([xss_ttl])


@pytest.fixture(scope="session")
def big_ttl(tmp_path_factory):
    """A synthetic user file that adds 400 linked cells (a view of more than 300 nodes)."""
    import random

    rng = random.Random(3)
    lines = ["@prefix ige: <https://w3id.org/igegraph/vocab#> .",
             "@prefix ig: <https://w3id.org/igegraph/id/> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    n = 400
    for i in range(n):
        lines.append(f'ig:syn_{i} a ige:Cell ; rdfs:label "synthetic cell {i}" .')
        lines.append(f"ig:syn_{i} ige:activates ig:syn_{(i + 1) % n} .")
        lines.append(f"ig:syn_{i} ige:inhibits ig:syn_{rng.randrange(n)} .")
    lines.append("ig:syn_0 ige:activates ig:mast_cell .")
    path = tmp_path_factory.mktemp("big") / "big.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def big_kg(big_ttl):
    """The curated graph plus 400 synthetic cells."""
    return igegraph.load([big_ttl])


@pytest.fixture(scope="session")
def big_view(big_kg):
    """The whole graph with 400 synthetic cells, laid out in Python (about 1.4 CPU-s: done once
    per process; the tests only read it). Its tests in test_viz.py join the "chromium" group of
    test_browser.py's, so that one worker builds it, not both."""
    from igegraph.viz import graph_view

    return graph_view(big_kg)


@pytest.fixture(scope="session")
def xss_payloads():
    """The script payloads written into ``xss_ttl`` (img onerror, script element, href link)."""
    return (XSS_IMG, XSS_SCRIPT, XSS_HREF)


def private_cache_folder(name: str) -> Path | None:
    """``name/`` in igegraph's cache folder (``~/.cache/igegraph``), made 0700, for a tool's cache
    that later sessions start from. None when ``IGEGRAPH_NO_CACHE`` is set, or when that folder or
    its parent belongs to someone else or others may write it: a planted cache is not used."""
    from igegraph.cache import cache_dir, cache_enabled
    from igegraph.persist import private_dir

    folder = cache_dir() / name
    if cache_enabled() and private_dir(folder.parent) and private_dir(folder):
        return folder
    return None


def private_cache_dir(name: str, fallback: Path) -> Path:
    """``private_cache_folder(name)``, or ``fallback`` (a fresh folder) when there is none."""
    return private_cache_folder(name) or fallback


def mypy_cache_dir(fallback: Path) -> Path:
    """``mypy/`` of ``private_cache_dir``, so that mypy runs of later sessions start from the
    cache of earlier ones (mypy re-checks what changed, by content)."""
    return private_cache_dir("mypy", fallback)


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory) -> Path:
    """The mypy cache of the session's mypy runs (see ``mypy_cache_dir``). tests/test_hygiene.py
    checks src/ into it, and tests/test_typing.py (same xdist group "mypy", so the same process,
    after it) checks a user script against the API from it instead of analysing src/ and its
    libraries again."""
    return mypy_cache_dir(tmp_path_factory.mktemp("mypy"))


def same_graph(a, b) -> bool:
    """rdflib's ``isomorphic(a, b)``. Without blank nodes, isomorphic graphs are those with equal
    triple sets, which is decided without rdflib's canonical hashing (1.2-1.5 s per comparison
    of the curated graph)."""
    from rdflib import BNode
    from rdflib.compare import isomorphic

    triples = set(a), set(b)
    # each distinct term tested once (rdflib's terms are ABCs: isinstance is slow)
    if any(isinstance(term, BNode) for term in {term for found in triples for triple in found for term in triple}):
        return isomorphic(a, b)
    return triples[0] == triples[1]


# ---------------------------------------------------------------- SPARQL endpoints (real servers)

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@functools.cache
def http():
    """The one httpx.Client of the tests' own requests to the servers they start (proxy
    settings of the environment not read). ``httpx.get`` and the like make a client per call,
    and each client loads a CA bundle: 20-60 ms of CPU, for a request of a millisecond."""
    import httpx

    from igegraph.backends.endpoint import tls_context

    return httpx.Client(trust_env=False, verify=tls_context())


def wait_for_http(url: str, process, seconds: float = 60.0) -> None:
    """Wait until ``url`` answers (any HTTP status); fail if ``process`` dies or time runs out."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with code {process.returncode} before answering {url}")
        try:
            http().get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.02)  # a server binds its port within milliseconds: poll often
    pytest.fail(f"{url} did not answer within {seconds:g} s")


def stop(process) -> None:
    """Terminate a server process, killing it if it lingers."""
    import subprocess

    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def warm_server():
    """The server of tests/warm_cli.py for this test process (commands forked from warm imports),
    or None with IGEGRAPH_README_COLD=1 (a new interpreter per command)."""
    if warm_cli.cold():
        yield None
        return
    server = warm_cli.start(warm_cli.command_env())
    try:
        assert server.import_output() == ""  # a new interpreter would print it before each command
        yield server
        assert server.import_output() == ""
    finally:
        server.stop()


@pytest.fixture(scope="session")
def igegraph_command(warm_server) -> list[str]:
    """The command line that runs ``igegraph`` as a process of its own (see ``warm_server``)."""
    import sys

    return [sys.executable, "-m", "igegraph"] if warm_server is None else [str(warm_server.bin_dir / "igegraph")]


def push_with_cli(command: list[str], query_url: str, *args: str) -> str:
    """Run ``igegraph push --endpoint URL ARGS`` in a real process (``command``: igegraph_command);
    its stdout."""
    import subprocess

    done = subprocess.run([*command, "push", "--endpoint", query_url, *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


# installed next to the Python running the tests (the venv's bin), else on PATH
OXIGRAPH = shutil.which("oxigraph", path=os.path.dirname(__import__("sys").executable)) or shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_endpoint(igegraph_command):
    """A real Oxigraph server (the ``oxigraph`` PyPI package) on a free loopback port, holding
    the curated graph uploaded by ``igegraph push``; its query URL. One per session, always
    stopped.

    Its database is Oxigraph's in-memory storage (no ``--location``): the same server and
    protocols, but a PUT that replaces the curated graph costs it about 0.02 CPU-s, where its
    RocksDB storage took 0.4-0.9 CPU-s in transactions (the tests upload the graph fourteen
    times)."""
    import subprocess

    if OXIGRAPH is None:
        pytest.fail("the oxigraph server binary is missing: pip install -e '.[test]'")
    port = free_port()
    process = subprocess.Popen([OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/query"
        wait_for_http(url, process)
        push_with_cli(igegraph_command, url)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def endpoint_kg(oxigraph_endpoint):
    """The curated graph on the Oxigraph server, as igegraph.load(backend="endpoint") opens it."""
    return igegraph.load(backend="endpoint", location=oxigraph_endpoint)


@pytest.fixture(scope="session")
def push_cli(igegraph_command):
    """``push_cli(query_url, *args)`` runs ``igegraph push`` in a real process; its stdout."""
    return functools.partial(push_with_cli, igegraph_command)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()
