"""Property tests: whatever a user types or merges, igegraph answers or fails cleanly.

The property, for terms, bindings, queries and ``--data`` Turtle: exit code 0, 1 or 2; on
failure exactly one ``Error:`` line and no traceback; nothing written when it fails; and no
connection to the loopback listener.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=15, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# text that mixes SPARQL and Turtle punctuation, escapes and the odd Unicode character
PIECES = st.sampled_from([
    "SELECT", "ASK", "CONSTRUCT", "WHERE", "SERVICE", "FROM", "LOAD", "INSERT", "FILTER", "BIND", "UNION",
    "?s", "?p", "?o", "{", "}", "(", ")", "<", ">", '"', "'", "\\", "\\u005C", "\\u0022", "\\U00000053", "@en",
    "ig:omalizumab", "ige:neutralizes", "rdfs:label", "a", ".", ";", ",", "#", "\n", " ", "^^", "_:b", "123",
    "http://127.0.0.1:{port}/x", "ε", "\u2028", "\x00",
])
TEXT = st.lists(st.one_of(PIECES, st.text(string.printable, max_size=6)), max_size=25).map(" ".join)


def _clean(result, failed) -> None:
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        failed(result)


@SETTINGS
@given(term=st.one_of(st.text(max_size=40), TEXT))
def test_any_term(run, failed, listener, term):
    _clean(run("describe", term.replace("{port}", str(listener.port))), failed)
    assert listener.hits == 0


@SETTINGS
@given(name=st.text(max_size=8), value=st.one_of(st.text(max_size=30), TEXT))
def test_any_binding(run, failed, listener, name, value):
    result = run("query", "SELECT ?d ?l WHERE { ?d rdfs:label ?l }", "--bind",
                 f"{name}={value.replace('{port}', str(listener.port))}", "--format", "json")
    _clean(result, failed)
    assert listener.hits == 0


@SETTINGS
@given(text=TEXT)
def test_any_query(run, failed, listener, text):
    _clean(run("query", text.replace("{port}", str(listener.port)), "--timeout", "10"), failed)
    assert listener.hits == 0


@settings(SETTINGS, max_examples=12)  # each example parses the curated graph afresh
@given(body=TEXT)
def test_any_turtle_data(run, failed, listener, tmp_path_factory, body):
    folder = tmp_path_factory.mktemp("prop")
    data = folder / "mine.ttl"
    data.write_text("@prefix ig: <https://w3id.org/igegraph/id/> .\n@prefix ige: <https://w3id.org/igegraph/vocab#> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    + body.replace("{port}", str(listener.port)), encoding="utf-8")
    out = folder / "out.ttl"
    result = run("export", "turtle", out, "--data", data)
    _clean(result, failed)
    assert out.exists() == (result.exit_code == 0)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["mine.ttl"] + (["out.ttl"] if out.exists() else []))
    assert listener.hits == 0
