"""Every crash the fuzzer found is one clear line with exit 1 or 2 (items 6, 8, 9 and 10)."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from igegraph.store import MANIFEST

# ------------------------------------------------------------------ queries and options


@pytest.mark.parametrize("args,code,message", [
    (["query", "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000], 1, "the query is nested too deeply"),
    (["query", "ASK { " + "FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"], 1, "the query is nested too deeply"),
    (["query", "ASK { ?s ?p ?o }", "--timeout", "nan"], 2, "timeout must be a number of seconds between 0.1 and 86400"),
    (["query", "ASK { ?s ?p ?o }", "--timeout", "inf"], 2, "timeout must be a number of seconds"),
    (["query", "ASK { ?s ?p ?o }", "--timeout", "1e308"], 2, "timeout must be a number of seconds"),
    (["query", "ASK { ?s ?p ?o }", "--timeout", "soon"], 2, "'soon' is not a number of seconds"),
    (["query", "SELECT ?d WHERE { ?d rdfs:label ?l }", "--bind", 'd="a"@en-'], 1, "'en-' is not a language tag"),
    (["query", "SELECT ?d WHERE { ?d rdfs:label ?l }", "--bind", "drug=omalizumab"], 1,
     "the query has no variable ?drug to bind; its variables are ?d, ?l"),
    (["query", "SELECT ?d WHERE { ?d rdfs:label ?l }", "--bind", "d-x=omalizumab"], 1,
     "'d-x' is not a variable name; the query's variables are ?d, ?l"),
    (["query", "SELECT * { ?s ?p \\uD800 }"], 1, "\\uD800 is not a Unicode character"),
    (["export", "html", "/tmp/never.html", "--query", "/dev/null", "--timeout", "nan"], 2, "timeout must be"),
])
def test_bad_queries_and_options(run, failed, args, code, message):
    line = failed(run(*args), codes=(code,))
    assert message in line


def test_error_positions_count_the_users_lines_only(run, failed):
    assert failed(run("query", "SELECT ?x WHERE { ?x ?y ?z } garbage")) == (
        "Error: malformed SPARQL: expected the end of the query here, or a complete GROUP BY, HAVING, ORDER BY, "
        "LIMIT, OFFSET or VALUES clause; found 'garbage' at line 1, column 30")
    assert failed(run("query", "SELECT ?x\nWHERE { ?x ?y ?z . FILTER( }")).endswith("at line 2, column 20")


PREDECLARED = ("ige:, ig:, rdf:, rdfs:, owl:, xsd:, skos:, dcterms:, obo:, biolink:, hgnc:, ncbigene:, uniprot:, "
               "drugbank:, chembl:, mesh:, pubchem:, nct:, interpro:, cas:")


@pytest.mark.parametrize(("query", "named", "position", "shown", "caret"), [
    ("SELECT ?x WHERE { ?x nope:foo ?y }", "the prefix 'nope:' is not declared; declare it (PREFIX nope: <IRI>)",
     "line 1, column 22", "  SELECT ?x WHERE { ?x nope:foo ?y }", "                       ^"),
    # the empty prefix, on the user's second line (after a prefix rdflib itself would know)
    ("SELECT ?x\nWHERE { ?x rdfs:label \"nope:\" ; :p ?y }",
     "the empty prefix ':' is not declared; declare it (PREFIX : <IRI>)",
     "line 2, column 33", "  WHERE { ?x rdfs:label \"nope:\" ; :p ?y }", "                                  ^"),
    # one of the prefixes rdflib knows itself: it would run, against schema.org, and answer nothing
    ("SELECT * { ?s schema:name ?o }", "the prefix 'schema:' is not declared; declare it (PREFIX schema: <IRI>)",
     "line 1, column 15", "  SELECT * { ?s schema:name ?o }", "                ^"),
])
def test_an_unknown_prefix_is_named_with_its_position_and_the_predeclared_ones(run, failed, query, named, position,
                                                                               shown, caret):
    result = run("query", query)
    assert failed(result) == (
        f"Error: malformed SPARQL: {named} or use a predeclared prefix ({PREDECLARED}) at {position}")
    assert result.output.splitlines()[1:] == [shown, caret]


def test_a_huge_term_is_refused_at_once_without_echoing_it(run, failed):
    term = "omalizumab" * 10_000
    for args in (["describe", term], ["query", "SELECT ?d WHERE { ?d rdfs:label ?l }", "--bind", f"d={term}"],
                 ["export", "html", "/tmp/never.html", "--focus", term]):
        started = time.perf_counter()
        line = failed(run(*args))
        assert time.perf_counter() - started < 5
        assert "a term of 100,000 characters names no entity (the limit is 1,000)" in line
        assert len(line) < 200


def test_bound_queries_still_answer(run):
    result = run("query", "SELECT ?l WHERE { ?d rdfs:label ?l }", "--bind", "d=Xolair", "--format", "records")
    assert json.loads(result.output) == [{"l": "omalizumab"}]


# ------------------------------------------------------------------ outputs


@pytest.mark.parametrize("out", ["/proc/igegraph.html", "/proc/version", "/sys/igegraph.svg"])
def test_unwritable_outputs_fail_before_any_work(run, failed, out):
    started = time.perf_counter()
    line = failed(run("export", "png" if out.endswith("html") else "svg", out, "--force"))
    assert line.startswith(f"Error: cannot write {out}: ") and line.endswith("; choose another place")
    assert time.perf_counter() - started < 3  # png never started rendering


# ------------------------------------------------------------------ stores


@pytest.mark.parametrize("change,message", [
    ({"triples": -5}, "damaged or unsupported store manifest"),
    ({"triples": "5"}, "damaged or unsupported store manifest"),
    ({"triples": True}, "damaged or unsupported store manifest"),
    ({"sources": [{"path": 5}]}, "damaged or unsupported store manifest"),
    ({"sources": [{"path": "/x", "size": -1, "mtime_ns": 0, "kind": "data"}]}, "damaged or unsupported store manifest"),
    ({"database": "../../etc"}, "damaged or unsupported store manifest"),
    ({"created": ["2026"]}, "damaged or unsupported store manifest"),
])
def test_manifests_are_validated(run, failed, store_dir, tmp_path, change, message):
    copy = tmp_path / "copy"
    shutil.copytree(store_dir, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest.update(change)
    (copy / MANIFEST).write_text(json.dumps(manifest))
    for args in (["store", "info", copy], ["stats", "--store", copy]):
        assert message in failed(run(*args))


# ------------------------------------------------------------------ vocabulary


VOCAB = "@prefix ige: <https://w3id.org/igegraph/vocab#> .\n@prefix ig: <https://w3id.org/igegraph/id/> .\n"


@pytest.mark.parametrize("triple,message", [
    ('ige:blocksBinding ige:polarity "banana" .',
     'changes the igegraph vocabulary (ige:blocksBinding ige:polarity "banana" (added)); '
     "pass --allow-vocabulary-changes to apply it"),
    ("ige:neutralizes ige:polarity 1 .",
     "changes the igegraph vocabulary (ige:neutralizes ige:polarity 1 (added))"),
    ('ig:my_step ige:stepIndex "two" .', 'ig:my_step: ige:stepIndex "two" is not an integer'),
])
@pytest.mark.parametrize("command", [["stats"], ["describe", "omalizumab"], ["blocks", "--pathway",
                                     "ige-fceri-degranulation"], ["pathways"], ["export", "turtle", "/tmp/never.ttl"]])
def test_vocabulary_redefinitions_are_refused(run, failed, tmp_path, triple, message, command):
    path = tmp_path / "vocab.ttl"
    path.write_text(VOCAB + triple + "\n", encoding="utf-8")
    assert message in failed(run(*command, "--data", path))


def test_allowed_vocabulary_change_warns_and_unusable_values_stay_refused(run, failed, tmp_path):
    path = tmp_path / "vocab.ttl"
    path.write_text(VOCAB + "ige:activates ige:biolinkCategory <https://example.org/mine> .\n", encoding="utf-8")
    result = run("stats", "--data", path, "--allow-vocabulary-changes")
    assert result.exit_code == 0, result.output
    assert ("warning: --data changes the igegraph vocabulary: ige:activates ige:biolinkCategory "
            "https://example.org/mine (added)") in result.stderr
    path.write_text(VOCAB + 'ige:blocksBinding ige:polarity "banana" .\n', encoding="utf-8")
    line = failed(run("blocks", "--pathway", "ige-fceri-degranulation", "--data", path, "--allow-vocabulary-changes"))
    assert 'ige:polarity "banana" is not -1, 0 or 1' in line


def test_validate_reports_the_vocabulary_problems(run, tmp_path):
    path = tmp_path / "vocab.ttl"
    path.write_text(VOCAB + "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    'ige:blocksBinding ige:polarity "banana" .\nige:abolishes ige:abolishes "yes" .\n'
                    "ige:Cell rdfs:subClassOf ig:cycle_a . ig:cycle_a rdfs:subClassOf ige:Cell .\n"
                    "ig:omalizumab a <http://www.w3.org/2002/07/owl#ObjectProperty> .\n", encoding="utf-8")
    result = run("validate", "--data", path, "--format", "json")
    assert result.exit_code == 1
    found = {(v["focus"], v["rule"]) for v in json.loads(result.stdout)["violations"]}
    assert {("ige:blocksBinding", "polarity-value"), ("ige:abolishes", "flag-value"),
            ("ig:cycle_a", "class-cycle"), ("ig:omalizumab", "property-retyped"),
            ("ige:blocksBinding", "vocabulary-change")} <= found


def test_a_pathological_query_is_stopped_by_the_timeout_even_while_parsing(run, failed, tmp_path):
    """10,000 UNIONs: parsing alone takes a minute (and the engine used to crash on it)."""
    union = tmp_path / "union.rq"
    union.write_text("CONSTRUCT { ?s ?p ?o } WHERE { "
                     + " UNION ".join(f"{{ ?s ?p ?o . FILTER(?o = {i}) }}" for i in range(10_000)) + " }",
                     encoding="utf-8")
    started = time.perf_counter()
    line = failed(run("export", "html", tmp_path / "u.html", "--query", union, "--timeout", "1"))
    assert line == "Error: query timed out after 1 s; narrow it or raise --timeout"
    assert time.perf_counter() - started < 4
    assert not (tmp_path / "u.html").exists()


def test_store_build_refuses_vocabulary_changes_unless_allowed(run, failed, tmp_path):
    path = tmp_path / "vocab.ttl"
    path.write_text(VOCAB + "ige:activates ige:biolinkCategory <https://example.org/mine> .\n", encoding="utf-8")
    assert "pass --allow-vocabulary-changes to apply it" in failed(run("store", "build", tmp_path / "kg", "--data", path))
    assert not (tmp_path / "kg").exists()
    built = run("store", "build", tmp_path / "kg", "--data", path, "--allow-vocabulary-changes")
    assert built.exit_code == 0, built.output
    info = json.loads(run("store", "info", tmp_path / "kg", "--format", "json").stdout)
    assert info["vocabulary_changes"] == ["ige:activates ige:biolinkCategory https://example.org/mine (added)"]
