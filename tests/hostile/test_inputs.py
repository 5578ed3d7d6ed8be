"""Entity bombs and deep nesting in user files are refused before parsing (items 4 and 9).

The refusals run in a child process under a 1 GB address-space limit, so a regression fails
here instead of swapping; the child reports how long the refusal took and its peak memory.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + f']>\n<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="https://example.org/">\n'
    '<rdf:Description rdf:about="https://example.org/a"><ex:p>&lol9;</ex:p></rdf:Description>\n</rdf:RDF>\n'
)
QUADRATIC = (
    f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "{"x" * 50_000}">]>\n'
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="https://example.org/">\n'
    f'<rdf:Description rdf:about="https://example.org/a"><ex:p>{"&a;" * 50_000}</ex:p></rdf:Description>\n</rdf:RDF>\n'
)
ABBREVIATIONS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ig "https://w3id.org/igegraph/id/">]>\n'
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
    '<rdf:Description rdf:about="&ig;entity_from_xml"><rdfs:label>from XML</rdfs:label></rdf:Description>\n</rdf:RDF>\n'
)

_CHILD = """
import json, resource, sys, time
from igegraph.errors import IgegraphError
from igegraph.kg import load
from igegraph.store import build_store
started = time.perf_counter()  # after the imports: the refusal is timed, not Python importing rdflib
try:
    if sys.argv[1] == "store":
        build_store(sys.argv[3], data=[sys.argv[2]])
    else:
        load([sys.argv[2]], backend=sys.argv[1])
    outcome = "loaded"
except IgegraphError as exc:
    outcome = str(exc)
try:  # this process's own peak: ru_maxrss also counts what it had from the parent it was forked from
    with open("/proc/self/status") as status:
        peak_kb = int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started, "peak_mb": peak_kb / 1024}))
"""


LIMIT = 1 << 30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


@pytest.fixture(scope="module")
def refuse(forks):
    """Run ``_CHILD ARGS`` in a process of its own under the address-space limit and return its
    report: forked from a server that has made the child's imports (they come before its
    measurements, as in a new interpreter), or with ``IGEGRAPH_HOSTILE_COLD=1`` a new interpreter."""
    server = forks and forks(["igegraph.errors", "igegraph.kg", "igegraph.store"])

    def run(*args: str) -> dict:
        if server is None:
            done = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, timeout=60,
                                  preexec_fn=_limited)
            code, out, err = done.returncode, done.stdout, done.stderr
        else:
            proc = server.start(["-c", _CHILD, *args], limit_as=LIMIT)
            code, out, err = proc.wait(60), proc.stdout.read(), proc.stderr.read()
        assert code == 0, err[-2000:]
        return json.loads(out)

    return run


@pytest.mark.parametrize("name,text,message", [
    ("laughs", BILLION_LAUGHS, "refers to another entity (entity expansion is refused)"),
    ("quadratic", QUADRATIC, "DTD entities would expand to 2,500,000,000 characters"),
], ids=["laughs", "quadratic"])  # the texts themselves make test ids too long for an environment variable
@pytest.mark.parametrize("mode", ["oxigraph", "memory", "store"])
def test_entity_bombs_are_refused_fast_and_small(refuse, tmp_path, name, text, message, mode):
    bomb = tmp_path / f"{name}.rdf"
    bomb.write_text(text, encoding="utf-8")
    where = tmp_path / "kg"
    report = refuse(mode, str(bomb), str(where))
    assert message in report["outcome"]
    assert report["outcome"].startswith(f"{bomb}:")
    assert report["seconds"] < 2.0, report
    assert report["peak_mb"] < 200, report
    assert not where.exists()  # store build leaves nothing behind


def test_entity_abbreviations_still_load(tmp_path):
    """Protégé-style ``<!ENTITY ig "…">`` abbreviations are plain text: accepted."""
    from igegraph.kg import load

    path = tmp_path / "abbrev.rdf"
    path.write_text(ABBREVIATIONS, encoding="utf-8")
    for backend in ("oxigraph", "memory"):
        assert load([path], backend=backend).label("ig:entity_from_xml") == "from XML"


@pytest.mark.parametrize("declaration,message", [
    ('<!ENTITY % p "x">', "DTD parameter entity 'p' is refused"),
    ('<!ENTITY e PUBLIC "-//x" "http://x/e">', "external DTD entity 'e' is not fetched"),
    ('<!ENTITY e "<b>&#38;</b>">', "refers to another entity"),
    ('<!ENTITY e "a"><!ENTITY e "b">', "unreadable or repeated DTD entity declaration"),
])
def test_other_dtd_tricks_are_refused(run, failed, tmp_path, declaration, message):
    path = tmp_path / "t.rdf"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{declaration}]>\n<rdf:RDF xmlns:rdf="{RDF}"/>\n',
                    encoding="utf-8")
    assert message in failed(run("stats", "--data", path))


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_deeply_nested_jsonld_is_one_line(run, failed, tmp_path, backend):
    path = tmp_path / "deep.jsonld"
    path.write_text('{"@id": "https://example.org/a", "https://example.org/p": ' + "[" * 5000 + "]" * 5000 + "}",
                    encoding="utf-8")
    line = failed(run("stats", "--data", path, "--backend", backend))
    assert line == f"Error: {path}:1: JSON nested more than 200 levels deep; flatten it"


def test_brackets_inside_jsonld_strings_do_not_count(tmp_path):
    from igegraph.kg import load

    path = tmp_path / "strings.jsonld"
    path.write_text(json.dumps({"@id": "https://w3id.org/igegraph/id/brackets",
                                "http://www.w3.org/2000/01/rdf-schema#label": "[" * 500 + "{" * 500}),
                    encoding="utf-8")
    assert load([path]).label("ig:brackets") == "[" * 500 + "{" * 500
