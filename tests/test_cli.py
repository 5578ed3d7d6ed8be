"""Every command from the command line: answers, and bad input as one line with the right exit
code, never a traceback."""

from __future__ import annotations

import json

import pytest

BAD_TTL = "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n"
INJECTION = 'omalizumab" || true) } #'

# (command args with TERM where an entity goes)
ENTITY_COMMANDS = [
    ["describe", "TERM"],
    ["path", "TERM", "IgE"],
    ["neighbors", "TERM"],
    ["upstream", "TERM"],
    ["downstream", "TERM"],
    ["blocks", "TERM", "IgE"],
    ["knockout", "TERM", "--from", "allergen", "--to", "IgE"],
    ["cutsets", "TERM", "IgE"],
    ["query", "SELECT ?x WHERE { ?x rdfs:label ?l }", "--bind", "x=TERM"],
]

GRAPH_COMMANDS = [
    ["stats"], ["validate"], ["describe", "IgE"], ["search", "IgE"], ["reference", "38"], ["query", "ASK { ?s ?p ?o }"],
    ["path", "allergen", "IgE"], ["neighbors", "IgE"], ["upstream", "IgE"], ["downstream", "IgE"],
    ["pathways"], ["blocks", "--pathway", "cd23-th2"], ["knockout", "omalizumab", "--from", "allergen", "--to", "IgE"],
    ["cutsets", "IgE", "Th2 activation"],
]


def one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("Error:"), result.output
    return lines[-1]


@pytest.mark.parametrize("args", ENTITY_COMMANDS, ids=lambda a: a[0])
def test_unknown_entity_suggests(cli, args):
    result = cli(*[a.replace("TERM", "omalizumob") for a in args])
    line = one_line_error(result)
    assert "unknown entity 'omalizumob'; did you mean: omalizumab" in line


@pytest.mark.parametrize("args", ENTITY_COMMANDS, ids=lambda a: a[0])
def test_injection_is_inert(cli, args):
    result = cli(*[a.replace("TERM", INJECTION) for a in args])
    line = one_line_error(result)
    assert "unknown entity" in line


@pytest.mark.parametrize("args", GRAPH_COMMANDS, ids=lambda a: a[0])
def test_malformed_data_file_names_file_and_line(cli, tmp_path, args):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD_TTL)
    line = one_line_error(cli(*args, "--data", str(bad)))
    assert line.startswith(f"Error: {bad}:3: malformed turtle")


@pytest.mark.parametrize("args", [
    ["path", "allergen", "IgE", "--max-length", "0"],
    ["blocks", "--pathway", "cd23-th2", "--format", "xml"],
    ["neighbors", "IgE", "--direction", "sideways"],
    ["query", "ASK { ?s ?p ?o }", "--timeout", "-1"],
    ["query", "ASK { ?s ?p ?o }", "--bind", "novalue"],
    ["query"],
    ["blocks", "allergen"],
    ["blocks", "allergen", "IgE", "--pathway", "cd23-th2"],
    ["cutsets", "IgE", "Th2 activation", "--max-size", "9"],
    ["stats", "--backend", "sqlite"],
])
def test_bad_options_exit_2(cli, args):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Usage:" in result.output or "Error:" in result.output


def test_no_route_is_explicit_and_exit_0(cli):
    result = cli("path", "histamine", "allergen")
    assert result.exit_code == 0
    assert result.output.strip() == ("no route from histamine to allergen at any length: "
                                     "nothing causal leads from one to the other")
    result = cli("blocks", "histamine", "allergen")
    assert result.exit_code == 0
    assert result.output.splitlines() == [  # prose wrapped to 100 columns
        "What blocks histamine → allergen",
        "no route from histamine to allergen at any length: nothing causal leads from one to the other, so",
        "nothing to block"]
    result = cli("blocks", "histamine", "allergen", "--format", "json")
    assert json.loads(result.output)["pathway"]["routes"] == []


def test_malformed_sparql_position(cli):
    # the one exception to one-line errors: the query line and a caret under the column follow
    result = cli("query", "SELECT ?x\nWHERE { ?x ?y }")
    assert result.exit_code == 1 and "Traceback" not in result.output
    first, *excerpt = result.output.splitlines()
    assert first.startswith("Error: malformed SPARQL: expected a triple pattern") and first.endswith(
        "found '?x ?y }' at line 2, column 9")
    assert excerpt == ["  WHERE { ?x ?y }", "          ^"]


def test_a_query_file_given_as_the_query_points_to_file(cli, tmp_path, monkeypatch):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?l WHERE { ig:omalizumab rdfs:label ?l }")
    monkeypatch.chdir(tmp_path)
    for given in (str(rq), "q.rq"):  # a word is taken for a named query's name otherwise
        result = cli("query", given)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert result.output.splitlines()[-1] == (
            "Error: the query argument is a file, not a SPARQL query; to run the query in it, use --file: "
            f"igegraph query --file {given}")
    for given in ("nowhere/q.sparql", "q.RQ"):
        result = cli("query", given)
        assert result.exit_code == 2
        assert result.output.splitlines()[-1] == (
            f"Error: '{given}' looks like a file name, not a SPARQL query, and there is no such file; "
            "to run the query in a file, use --file PATH")
    # a query that merely ends like a file name is still a query
    assert cli("query", "ASK { ?s ?p ?o } # q.rq").output == "true\n"


def test_service_refused(cli):
    line = one_line_error(cli("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }"))
    assert "SERVICE reaches the network and is refused; pass --allow-network" in line


def test_update_refused(cli):
    line = one_line_error(cli("query", "INSERT DATA { ig:a ig:b ig:c }"))
    assert "updates" in line and "read-only" in line


def test_query_sources(cli, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?l WHERE { ig:omalizumab rdfs:label ?l }")
    assert cli("query", "--file", str(rq), "--format", "csv").output == "l\nomalizumab\n"
    assert cli("query", "-", "--format", "csv", input=rq.read_text()).output == "l\nomalizumab\n"
    named = cli("query", "--name", "cq01-ce3-binders", "--format", "csv")
    assert named.output.splitlines()[0] == "drug,drugLabel,alsoBinds"
    assert len(named.output.splitlines()) == 5
    bound = cli("query", "--name", "cells-expressing", "--bind", "receptor=FcεRII", "--labels")
    assert "monocyte" in bound.output and "mast cell" not in bound.output
    construct = cli("query", "CONSTRUCT { ?d ige:neutralizes ?t } WHERE { ?d ige:neutralizes ?t }")
    assert "ig:omalizumab ige:neutralizes ig:free_IgE" in construct.output


def test_queries_lists_every_named_query(cli):
    result = cli("queries")
    assert result.exit_code == 0
    assert "cq13-pathway-blockers" in result.output and "What blocks the allergen" in result.output
    assert ("cq05-table1-phases: CQ5: What phase does Table 1 give each therapy?\n"
            "  phase (phase): the normalised development phase; e.g. Phase III\n"
            "  igegraph query cq05-table1-phases --bind 'phase=Phase III'\n") in result.output


def test_queries_json_lists_parameters(cli):
    from igegraph.sparql import named_query

    listed = json.loads(cli("queries", "cq05-table1-phases", "drugs-by-target", "--format", "json").output)
    assert listed == [named_query("cq05-table1-phases").to_dict(), named_query("drugs-by-target").to_dict()]
    assert [(p["name"], p["type"], p["within"], p["example"]) for p in listed[1]["parameters"]] == [
        ("target", "entity", None, "FcεRI"), ("drug", "entity", None, "omalizumab"),
        ("kind", "class", "ige:Drug", "monoclonal antibody")]
    assert one_line_error(cli("queries", "cq05")) == "Error: no named query 'cq05'; did you mean: cq05-table1-phases?"
    assert one_line_error(cli("query", "cq05")) == "Error: no named query 'cq05'; did you mean: cq05-table1-phases?"


def test_every_listed_example_runs_and_answers(cli):
    import shlex

    examples = [line.strip() for line in cli("queries").output.splitlines() if line.startswith("  igegraph query ")]
    assert len(examples) == 21
    for example in examples:
        rows = json.loads(cli(*shlex.split(example)[1:], "--format", "records").output)
        assert rows, f"{example} answers nothing"


@pytest.mark.parametrize("value", ["Phase III", "phase 3", "ige:PhaseIII"])
def test_bind_phase_by_label_synonym_or_curie(cli, value):
    # the name alone as the argument runs the named query, as --name does
    rows = json.loads(cli("query", "cq05-table1-phases", "--bind", f"phase={value}", "--format", "records").output)
    assert rows == [{"phaseText": "Phase III; Local license", "phase": "ige:PhaseIII", "phaseLabel": "Phase III",
                     "therapy": "ig:CMAB007", "therapyLabel": "CMAB007"}]


@pytest.mark.parametrize("bind, error", [
    ("phse=Phase III", "Error: unknown parameter 'phse' for cq05-table1-phases; its parameters are: phase"),
    ("phase", "Error: parameter 'phase' of cq05-table1-phases has no value; write it as NAME=VALUE, e.g. 'phase=Phase III'"),
    ("phase=Phase 7", "Error: parameter 'phase': no development phase is named 'Phase 7'; "
                      "use one of: Marketed, Phase I, Phase II, Phase III, Preclinical"),
])
def test_bind_named_query_errors_name_the_parameters(cli, bind, error):
    assert one_line_error(cli("query", "--name", "cq05-table1-phases", "--bind", bind)) == error


def test_blocks_json(cli):
    data = json.loads(cli("blocks", "--pathway", "ige-fceri-degranulation", "--format", "json").output)
    assert {b["id"] for b in data["blockers"]} == {
        "ig:quilizumab", "ig:bsc_IgE_CD3", "ig:XmAb7195", "ig:MEDI4212_Fc_variant", "ig:CTLA4Fce", "ig:immunoadsorption",
        "ig:IgEnio", "ig:omalizumab", "ig:CMAB007", "ig:ligelizumab", "ig:MEDI4212", "ig:celastrol_micelles"}
    assert all(isinstance(b["cuts_all_routes"], bool) for b in data["blockers"])


def test_blocks_table_readable(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one line per row (tests/test_table.py checks narrower widths)
    out = cli("blocks", "--pathway", "ige-fceri-degranulation").output
    assert out.startswith("What blocks Allergen → IgE → FcεRI → mast-cell degranulation\n3 routes of at most 8 steps:")
    assert "every route passes: FcεRI, IgE, mast cell" in out
    assert "IgE-secreting plasma cell  CTLA4Fcε" in out
    assert "33% weakened   direct at IgE-secreting plasma cell: 2" in out
    assert "all cut  upstream at IgE: 0; direct at IgE+ B cell: 1–2" in out
    assert "antagonizes (in mast cell)" in out
    assert "\nonly weaken: CTLA4Fcε, MEDI4212 Fc variant\n\nphase (development phase): " in out


def test_knockout_and_cutsets_text(cli):
    out = cli("knockout", "CTLA4Fce", "--from", "allergen", "--to", "IgE").output
    assert out.splitlines()[:2] == ["knockout (applying CTLA4Fcε) on the routes from allergen to IgE",
                                    "routes: 3 routes before, 3 routes after"]
    out = cli("knockout", "FcεRI", "omalizumab", "--from", "allergen", "--to", "mast cell degranulation").output
    assert out.splitlines()[:5] == [  # wrapped to 100 columns; a route after an arrow, never inside a name
        "knockout (removing FcεRI; applying omalizumab) on the routes from allergen to mast cell",
        "  degranulation",
        "routes: 3 routes before, 0 routes after",
        "  [0] cut direct at IgE (by omalizumab): allergen → IgE → FcεRI → mast cell →",
        "      mast cell degranulation"]
    out = cli("cutsets", "IgE", "Th2 activation", "--max-size", "1").output.splitlines()
    assert out[:2] == ["{bsc-IgE/CD3}", "{CMAB007}"]
    out = cli("cutsets", "allergen", "mast cell degranulation", "--max-size", "1", "--entities").output.splitlines()
    # removing B cells removes their narrower types, IgE+ B cells, plasmablasts and plasma cells
    assert out == ["{B cell}", "{FcεRI}", "{IgE}", "{IgE+ B cell}", "{IgE–FcεRI binding}", "{mast cell}"]
    result = cli("knockout", "CD3", "--from", "allergen", "--to", "histamine")
    assert result.exit_code == 1 and result.output == (
        "Error: CD3 lies on no route from allergen to histamine and nothing on them depends on it: "
        "nothing to knock out\n")


def test_describe_and_search_text(cli):
    out = cli("describe", "fc epsilon RI").output
    assert out.startswith("FcεRI  (ig:FcERI, receptor)")
    assert "exact matches: GO:0032998" in out
    out = cli("search", "DB00043").output.splitlines()
    assert out[2].startswith("ig:omalizumab")


def test_describe_shows_first_authors(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one row per line
    out = cli("describe", "ligelizumab").output.splitlines()
    assert "  references: Gauvreau et al. [38]" in out
    assert next(line for line in out if line.startswith("→ blocks binding")).endswith("Gauvreau et al. [38], [39]")


def test_describe_shows_study_outcomes(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one line per outcome
    out = cli("describe", "quilizumab").output.splitlines()
    start = out.index("study outcomes:")
    assert out[start:start + 3] == [
        "study outcomes:",
        "  studied for allergic asthma (allergic asthma patients inadequately controlled by standard therapy): "
        "no clinically meaningful benefit — Harris et al. [59]",
        "",
    ]
    assert "study outcomes:" not in cli("describe", "omalizumab").output


def test_reference_text(cli):
    out = cli("reference", "38").output
    assert out.splitlines()[:4] == [
        "Gauvreau et al. [38]  (ig:ref_38, reference)",
        "  Reference [38] of the review; Table 1 names its first author, Gauvreau. The review has no",
        "  bibliography, so its title, journal and year are not known.",
        "  first author: Gauvreau",
    ]
    assert "\nassertions citing it (6):\n  ligelizumab — binds — Cε3  (phase II)\n" in out
    assert '    "Ligelizumab, also developed by Novartis®"\n' in out
    assert "\nmeasurements citing it (1):\n  NCT01703312 — NCT01703312 trial phase:" in out
    for line in ("Table 1 rows citing it: Table 1, row 4: Ligelizumab", "trials citing it: NCT01703312",
                 "entities citing it: ligelizumab"):
        assert line in out.splitlines()
    for term in ("38", "ref:38", "ig:ref_38", "[38]", "Gauvreau"):
        assert cli("describe", term).output == out


def test_reference_json(cli):
    data = json.loads(cli("reference", "[38]", "--format", "json").output)
    assert (data["kind"], data["number"], data["label"], data["first_author"]) == (
        "reference", 38, "Gauvreau et al. [38]", "Gauvreau")
    assert [a["predicate"] for a in data["assertions"]] == [
        "ige:binds", "ige:blocksBinding", "ige:developedBy", "ige:moreEffectiveThan", "ige:neutralizes",
        "ige:proposedFor"]
    assert data == json.loads(cli("describe", "ref:38", "--format", "json").output)
    assert json.loads(cli("reference", "72", "--format", "json").output)["entities"] == [
        {"id": "ig:anti_IgE_therapy", "label": "anti-IgE therapy", "class": "drug or therapy"},
        {"id": "ig:cardiovascular_disease", "label": "cardiovascular disease", "class": "disease"}]


@pytest.mark.parametrize("args, message", [
    (["reference", "99"], "Error: the review has references 1–72; 99 is not one"),
    (["describe", "99"], "Error: the review has references 1–72; 99 is not one"),
    (["describe", "ref:0"], "Error: the review has references 1–72; 0 is not one"),
    (["reference", "IgE"],
     "Error: 'IgE' is not a reference number or a first author Table 1 names; give one such as 38 (or [38], ref:38, Gauvreau)"),
])
def test_unknown_reference_one_line(cli, args, message):
    assert one_line_error(cli(*args)) == message


def test_search_text(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one line per row
    out = cli("search", "half-life").output.splitlines()
    assert out[0].split() == ["id", "label", "class", "found", "in", "matched", "score"]
    assert out[2].split() == ["ig:m_IgE_serum_half_life", "IgE", "serum", "half-life", "measurement", "measurement",
                              "IgE", "serum", "«half-life»:", "serum", "«half-life»", "~3", "d", "60"]
    out = cli("search", "thrombosis").output.splitlines()
    assert [line.split()[0] for line in out[2:]] == [
        "ig:arterial_thrombosis", "ig:a_omalizumab_increasesRiskOf_arterial_thrombosis", "ig:FDA",
        "ig:a_omalizumab_increasesRiskOf_cardiovascular_disease"]
    assert cli("search", "qwertyuiop").output == (
        "nothing matches 'qwertyuiop' in names, definitions, quotes, curator notes, measurements or Table 1\n")
    out = cli("search", "omalizumob").output.splitlines()
    assert out[1:3] == ["similar words: omalizumab", "similar names:"] and out[5].startswith("ig:omalizumab")


def test_search_json(cli):
    hits = json.loads(cli("search", "thrombosis", "--format", "json", "--limit", "2").output)
    assert hits[1] == {
        "id": "ig:a_omalizumab_increasesRiskOf_arterial_thrombosis",
        "label": "omalizumab — increases risk of — arterial thrombosis",
        "category": "ige:Assertion", "field": "quote",
        "matched": "…increases the risk of arterial «thrombosis» slightly", "score": 21, "about": "ig:omalizumab",
    }


@pytest.mark.parametrize("text", ['"', "*", "(", "   "])
def test_search_without_words(cli, text):
    result = cli("search", text)
    assert result.exit_code == 2 and "has no letters or digits to search for" in result.output


@pytest.mark.parametrize("text", ["AND(", "NEAR", 'half-life" OR "x', "text:foo", "NOT", "^x"])
def test_search_fts_syntax_never_errors(cli, text):
    result = cli("search", text, "--format", "json")
    assert result.exit_code == 0 and isinstance(json.loads(result.output), list)


def test_stats_text_and_json(cli):
    data = json.loads(cli("stats", "--format", "json").output)
    assert data["assertions"] == 248
    assert "entities per class:" in cli("stats").output


def test_demo(cli, tmp_path):
    result = cli("demo", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert "What blocks Allergen → IgE → FcεRI → mast-cell degranulation" in result.output
    assert "validation passed" in result.output
    page = tmp_path / "ige-fceri-degranulation.html"
    assert page.is_file() and f"interactive page: {page.resolve()}" in result.output


def test_help_for_every_command(cli):
    from igegraph.cli import main

    for name, command in main.commands.items():
        result = cli(name, "--help")
        assert result.exit_code == 0
        doc = (command.help or "").strip()
        assert doc.splitlines()[0], name
        assert "Example: igegraph" in doc, f"{name} --help has no example"


def test_query_file_not_text(cli, tmp_path):
    binary = tmp_path / "q.rq"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n")
    result = cli("query", "--file", str(binary))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot read" in result.output and "as UTF-8 text" in result.output


def test_empty_term(cli):
    line = one_line_error(cli("describe", " "))
    assert line == "Error: no entity named: give a label, synonym or id (e.g. omalizumab, FcεRI, CL:0000097)"


@pytest.mark.parametrize("args, message", [
    (["query", "  "], "empty query"),
    (["query", "ASK { ?s ?p ?o }", "--bind", "s=<not an iri>"], "<not an iri> is not a valid IRI"),
    (["query", "ASK { ?s ?p ?o }", "--bind", 's="unterminated'], "unterminated literal"),
    (["blocks", "IgE", "IgE"], "source and target are the same entity (IgE)"),
    (["path", "IgE", "IgE"], "source and target are the same entity (IgE)"),
])
def test_odd_input_one_line(cli, args, message):
    assert message in one_line_error(cli(*args))


def test_plain_json_is_not_rdf(cli, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"a": 1}')
    assert "no RDF in this JSON-LD file" in one_line_error(cli("stats", "--data", str(path)))
    path.write_text("[1, 2]")
    assert "no RDF in this JSON-LD file" in one_line_error(cli("stats", "--data", str(path)))
    path.write_text('"text"')
    assert "not JSON-LD: the top level must be an object or an array" in one_line_error(cli("stats", "--data", str(path)))


@pytest.mark.parametrize("args", [
    ["export", "html", "OUT", "--pathway", ""],
    ["export", "html", "OUT", "--focus", " "],
    ["export", "html", "OUT", "--query", "BINARY"],
])
def test_export_bad_view_options(cli, tmp_path, args):
    binary = tmp_path / "q.rq"
    binary.write_bytes(b"\x89PNG\r\n")
    out = tmp_path / "x.html"
    result = cli(*[str(out) if a == "OUT" else str(binary) if a == "BINARY" else a for a in args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not out.exists()


def test_any_agent_adds_endogenous_and_small_molecule_actors(cli):
    plain = cli("blocks", "B cell", "T cell", "--format", "json")
    assert json.loads(plain.output)["blockers"] == []
    wider = json.loads(cli("blocks", "B cell", "T cell", "--any-agent", "--format", "json").output)
    # celastrol kills T cells, the target itself: it blocks no route from B cells to T cells
    assert wider["blockers"] == []
    assert [(a["id"], a["acts_on"], a["action"]) for a in wider["acts_on_target"]] == [
        ("ig:celastrol", "ig:T_cell", "induces apoptosis of")]


def test_the_heap_is_frozen_at_exit():
    import subprocess
    import sys

    # checked after every exit handler the CLI registered: the interpreter's last collections then
    # have nothing to walk
    code = ("import atexit, gc, os\n"
            "atexit.register(lambda: os.write(1, b'frozen=%d' % (gc.get_freeze_count() > 0)))\n"
            "from igegraph.cli import main\n"
            "main(['--version'])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "frozen=1"


def _every_command():
    """(path, command) for every command and subcommand of the CLI."""
    from igegraph.cli import main

    todo = [(("igegraph",), main)]
    while todo:
        path, command = todo.pop()
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            todo.append((path + (name,), sub))


def test_help_examples_write_only_to_out():
    """An example pasted in the project folder leaves nothing untracked: out/ is git-ignored."""
    import shlex

    written = {("igegraph", "export"): 0, ("igegraph", "store", "build"): 0, ("igegraph", "store", "info"): 0}
    outside = []
    for path, command in _every_command():
        for line in (command.help or "").splitlines():
            if not line.strip().startswith("Example: igegraph"):
                continue
            words = shlex.split(line.strip()[len("Example: "):].split("&&")[0])
            for prefix in written:
                if tuple(words[:len(prefix)]) == prefix and len(words) > len(prefix) + (prefix[-1] == "export"):
                    target = words[len(prefix) + (prefix[-1] == "export")]
                    if not target.startswith("out/"):
                        outside.append(line.strip())
    assert outside == []


def _example_commands(help_text: str) -> list[str]:
    """Every command an example shows: the 'Example:' line and the commands under it."""
    commands, in_example = [], False
    for line in (help_text or "").splitlines():
        text = line.strip()
        if text.startswith("Example: igegraph"):
            commands.append(text.removeprefix("Example:").strip())
            in_example = True
        elif in_example and text.startswith("igegraph "):
            commands.append(text)
        else:
            in_example = False
    return commands


def test_help_examples_are_never_broken_across_lines():
    """In an 80-column terminal each example command stays on one line, to be copied whole.

    In a terminal click wraps help two columns short of its width (COLUMNS=80: at 78), but
    CliRunner forces 80 whatever COLUMNS says, which let 80-character lines through; so the
    help is rendered at 78 here, and checked against the installed command's in a shell.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    from click.testing import CliRunner

    from igegraph.cli import main

    def shown(path: tuple[str, ...]) -> str:
        return CliRunner().invoke(main, [*path[1:], "--help"], prog_name="igegraph", terminal_width=78).output

    igegraph = str(Path(sys.executable).with_name("igegraph"))  # the installed command, as users run it
    real = subprocess.run([igegraph, "export", "png", "--help"], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "80"}, check=True).stdout
    assert shown(("igegraph", "export", "png")) == real  # rendered here as in a terminal
    broken, without, examples = [], [], []
    for path, command in _every_command():
        lines = [line.strip().removeprefix("Example:").strip() for line in shown(path).splitlines()]
        found = _example_commands(command.help)
        without += [] if found else [" ".join(path)]
        examples += found
        broken += [example for example in found if example not in lines]
    assert broken == []
    assert without == [] and "igegraph stats --store out/kgstore" in examples  # the second line of one is checked too


def test_an_in_process_command_leaves_the_callers_alarm_alone(cli):
    """A caller's SIGALRM handler and armed timer (pytest-timeout's, say) are as they were after
    a command: the CLI takes SIGALRM only to deliver again a signal a finaliser swallowed."""
    import signal

    def mine(_signum, _frame):
        pass

    previous = signal.signal(signal.SIGALRM, mine)
    timer = signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        assert cli("--version").exit_code == 0
        assert signal.getsignal(signal.SIGALRM) is mine
        assert 90 < signal.getitimer(signal.ITIMER_REAL)[0] <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, *timer)
        signal.signal(signal.SIGALRM, previous)
