"""Terminal tables: wrapped to the width, units for people, --labels without twins, footnotes on
phases and evidence, upstream/downstream --predicate, plain parse errors and full --help."""

from __future__ import annotations

import json
import re

import pytest

from igegraph.measurements import unit_symbols
from igegraph.table import render_table


@pytest.mark.parametrize("width", [80, 100, 200])
@pytest.mark.parametrize("args", [
    ("query", "--name", "numbers"),
    ("query", "--name", "numbers", "--labels"),
    ("search", "thrombosis"),
    ("search", "omalizumab"),
    ("neighbors", "mast cell"),
    ("describe", "FcεRI"),
    ("describe", "omalizumab"),
    ("reference", "30"),
    ("queries",),
    ("upstream", "histamine"),
    ("downstream", "omalizumab"),
    ("pathways",),
    ("knockout", "celastrol micelles", "--from", "allergen", "--to", "anaphylaxis"),
])
def test_every_line_fits_the_width(cli, monkeypatch, width, args):
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli(*args)
    assert out.exit_code == 0
    # tables, prose (curator notes included) and footnotes fit; only a command to copy may not
    lines = [line for line in out.output.splitlines() if not line.startswith("  igegraph query ")]
    assert max(map(len, lines)) <= width
    if args != ("search", "omalizumab"):  # its wrapped snippets end in "…" on continuation lines, by design
        assert "…" not in "\n".join(x for x in lines if not x.startswith(("ig:", "entity", "mentioned", "matched")))


@pytest.mark.parametrize("width", [80, 200])
def test_blocks_tables_and_footnote_fit_the_width(cli, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    lines = cli("blocks", "--pathway", "ige-fceri-degranulation").output.splitlines()
    table = lines[lines.index("Cut (abolishing actions):") + 1:]
    table = table[:table.index("")]
    assert len(table) > 12 and max(map(len, lines)) <= width
    if width == 80:  # routes wrap after an arrow, never inside a name
        assert lines[2:8] == [
            "  [0] allergen → IgE → FcεRI → mast cell → mast cell degranulation",
            "  [1] allergen → class switching to IgE → IgE+ B cell → IgE → FcεRI →",
            "      mast cell → mast cell degranulation",
            "  [2] allergen → class switching to IgE → IgE+ B cell →",
            "      IgE-secreting plasma cell → IgE → FcεRI → mast cell →",
            "      mast cell degranulation",
        ]


def test_long_cells_wrap_instead_of_being_cut(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = cli("describe", "FcεRI").output.splitlines()
    start = lines.index("relations to it:") + 2
    assert lines[start:start + 12] == [
        "----------------  -------------------  --------------------  -------------------",
        "antagonizes ←     anti-FcεRI           animal model          Peng et al. [48]",
        "                  Fab-conjugated",
        "                  celastrol-loaded",
        "                  polymeric micelles",
        "binds ←           CTLA4Fcε             in vitro              Perez-Witzke et al.",
        "                                                             [51]",
        "binds receptor ←  IgE                  background knowledge  [16]",
        "down-regulates ←  MEDI4212             phase I               Sheldon et al. [41]",
        "down-regulates ←  omalizumab           clinical study        [20], [21], [36]",
        "up-regulates ←    IgE                  background knowledge  [20], [21]",
        "",
    ]


def test_numbers_table_is_one_block_per_row_at_80_and_a_table_at_200(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = cli("query", "--name", "numbers", "--labels").output.splitlines()
    assert narrow[:5] == [
        "-[ 1 ]" + "-" * 74,
        "entity      CMAB007 phase III trial in China",
        "quantity    clinical trial phase (ordinal)",
        "value       3",
        "references  37",
    ]
    monkeypatch.setenv("COLUMNS", "200")
    wide = cli("query", "--name", "numbers", "--labels").output.splitlines()
    assert wide[0].split() == ["entity", "quantity", "comparator", "value", "min", "max", "text", "unit",
                               "condition", "references"]
    assert wide[-1] == "(45 rows)"  # 44 numbers, one of them about two entities


def test_render_table_wraps_words_and_keeps_short_tables():
    assert render_table(["a", "b"], [[1, "x y"]], width=20) == "a  b\n-  ---\n1  x y"
    assert render_table(["drug", "note"], [["omalizumab", "binds free IgE in serum"]], width=24).splitlines() == [
        "drug        note", "----------  ------------", "omalizumab  binds free", "            IgE in serum"]
    # short columns stay whole while the long one wraps
    assert render_table(["id", "level", "quote"], [["ig:x", "background knowledge", "a b c d e f g h i j k l m n"]],
                        width=40).splitlines() == [
        "id    level                 quote", "----  --------------------  ------------",
        "ig:x  background knowledge  a b c d e f",
        "                            g h i j k l",
        "                            m n"]


def test_units_are_shown_as_symbols_in_tables_and_kept_as_ucum_in_json(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("describe", "IgE").output.splitlines()
    start = out.index("numbers:")
    assert [re.split(r"\s{2,}", line) for line in out[start + 3:start + 6]] == [
        ["number of Cε2 domains (in place of the IgG hinge)", "2", "[8], [9], [10]"],
        ["temperature at which IgE loses its binding ability", "56", "°C", "for 4 h", "[12]"],
        ["heating time after which IgE loses its binding ability", "4", "h", "at 56 °C", "[12]"],
    ]
    table = cli("query", "SELECT ?unit WHERE { ?m ige:unit ?unit } ORDER BY ?unit").output.splitlines()
    assert table[2:6] == ["%", "°C", "IU/mL", "S"]
    records = json.loads(cli("query", "SELECT ?unit WHERE { ?m ige:unit ?unit } ORDER BY ?unit",
                             "--format", "records").output)
    assert [r["unit"] for r in records[:4]] == ["%", "Cel", "[IU]/mL", "[S]"]
    assert "Cel" in cli("describe", "IgE", "--format", "json").output


def test_reference_lists_measurements_with_symbols(cli):
    lines = cli("reference", "12").output.splitlines()
    start = lines.index("measurements citing it (2):")
    assert lines[start + 1:start + 5] == [  # wrapped to 100 columns, a number with its unit
        "  IgE — IgE heat inactivation temperature: temperature at which IgE loses its binding ability 56 °C",
        "    (for 4 h)",
        "  IgE — IgE heat inactivation time: heating time after which IgE loses its binding ability 4 h (at",
        "    56 °C)",
    ]
    assert '"text": "NCT01703312 trial phase: clinical trial phase (ordinal) 2 {phase}"' in cli(
        "reference", "38", "--format", "json").output


def test_every_unit_in_the_graph_has_a_symbol(kg):
    from igegraph.vocab import IGE

    used = {str(u) for u in kg.graph.objects(None, IGE.unit)}
    assert used - set(unit_symbols()) == set()
    assert {code: unit_symbols()[code] for code in ("Cel", "[S]", "{fold}", "{persons}/a", "[IU]/mL", "{count}")} == {
        "Cel": "°C", "[S]": "S", "{fold}": "-fold", "{persons}/a": "persons/yr", "[IU]/mL": "IU/mL", "{count}": ""}


def test_labels_replace_ids_without_twin_columns(cli):
    assert cli("query", "--name", "cq01-ce3-binders", "--labels").output.splitlines() == [
        "drug         alsoBinds",
        "-----------  ---------",
        "CMAB007",
        "MEDI4212     Cε4",
        "ligelizumab",
        "omalizumab",
        "(4 rows)",
    ]
    records = json.loads(cli("query", "--name", "cq01-ce3-binders", "--labels", "--format", "records").output)
    assert records[1] == {"drug": "MEDI4212", "alsoBinds": "Cε4"}
    plain = cli("query", "--name", "cq01-ce3-binders").output.splitlines()
    assert plain[0].split() == ["drug", "drugLabel", "alsoBinds"]


def test_phase_and_evidence_footnote_reads_the_ontology(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("describe", "quilizumab").output.splitlines()
    start = next(i for i, line in enumerate(out) if line.startswith("phase (development phase):"))
    assert out[start:] == [
        "phase (development phase): The clinical development stage the subject therapy has reached, according to the "
        "review. Belongs to the therapy as a whole, not to any one claim about it. None is given",
        "  where the review states none: endogenous molecules and cells, and agents the review describes without a "
        "stage (a pilot study, a proposal, a component of another therapy).",
        "  Phase II: In a phase II clinical trial.",
        "evidence (evidence level): How strong the support for the subject assertion is (an ige:EvidenceLevel). "
        "Belongs to one claim and is set by the kind of study the review cites for that claim, not by how",
        "  far the therapy has come: a claim about a Phase II antibody can rest on background knowledge or in vitro "
        "data.",
        "  background knowledge: Stated by the review with a reference but no study named: established biology, or a "
        "therapy's mechanism whose experimental system the review does not give.",
        "  phase II: Data from a phase II clinical trial (efficacy and dosing in patients).",
    ]
    blocks = cli("blocks", "--pathway", "ige-fceri-degranulation").output
    assert "  Preclinical: Studied in the laboratory or in animals, not yet in humans." in blocks.splitlines()
    phases = cli("query", "--name", "drugs-by-phase").output
    assert "  Marketed: Approved by a regulator and on the market." in phases.splitlines()
    assert "evidence (" not in phases
    assert "phase (" not in cli("describe", "histamine").output


def test_upstream_and_downstream_predicate(cli):
    rows = json.loads(cli("upstream", "IgE+ B cell", "--predicate", "kills", "--predicate", "induces apoptosis of",
                          "--format", "json").output)
    assert {(r["id"], r["intervention"]) for r in rows} == {("ig:bsc_IgE_CD3", True), ("ig:quilizumab", True)}
    down = json.loads(cli("downstream", "histamine", "--predicate", "causes", "--format", "json").output)
    assert {r["id"] for r in down} == {"ig:allergic_reaction", "ig:bronchoconstriction", "ig:mucosal_edema",
                                      "ig:mucus_secretion"}
    everything = json.loads(cli("downstream", "histamine", "--format", "json").output)
    assert {r["id"] for r in everything} - {r["id"] for r in down} == {"ig:asthma"}
    bad = cli("upstream", "IgE", "--predicate", "subtype of")
    assert bad.exit_code == 1
    assert bad.output == ("Error: 'subtype of' is not a causal relation, so upstream and downstream do not follow "
                          "it; use neighbors --predicate 'subtype of'\n")


def test_upstream_separates_causes_from_agents_and_states_the_depth(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    out = cli("upstream", "IgE+ B cell", "--max-depth", "1").output.splitlines()
    assert out[0] == "What acts on IgE+ B cell, up to 1 relation away (--max-depth):"
    causes, agents = out.index("causes:"), out.index("agents (drugs, procedures and other interventions):")
    assert [re.split(r"\s{2,}", line)[1] for line in out[causes + 3:agents - 1]] == [
        "class switching to IgE", "membrane-bound IgE"]
    # the agents' table ends at the blank line before the effect column's key
    assert [re.split(r"\s{2,}", line)[1] for line in out[agents + 3:out.index("", agents)] if line[0].isdigit()] == [
        "bsc-IgE/CD3", "MEDI4212 Fc variant", "quilizumab", "XmAb7195"]
    whole = cli("upstream", "IgE+ B cell").output.splitlines()[0]
    assert whole == ("What acts on IgE+ B cell, at any depth "
                     "(the farthest 6 relations away; --max-depth to stop sooner):")


def test_search_suggestion_pastes_into_a_shell(cli):
    out = cli("describe", "Table 1")
    assert out.output == "Error: unknown entity 'Table 1'; try: igegraph search 'Table 1'\n"


def test_malformed_sparql_says_what_was_expected_with_a_caret(cli):
    out = cli("query", "SELECT ?x WHERE {\n  ?x rdfs:label }")
    assert out.exit_code == 1
    assert out.output.splitlines() == [
        "Error: malformed SPARQL: expected a triple pattern (subject, predicate and object, each pattern ending "
        "with '.' or '}'), or FILTER, OPTIONAL, BIND, VALUES, UNION or a '{ }' group; found '?x rdfs:label }' "
        "at line 2, column 3",
        "    ?x rdfs:label }",
        "    ^",
    ]
    assert cli("query", "DESCRIBE").output.splitlines()[0] == (
        "Error: malformed SPARQL: the DESCRIBE query ends before it is complete; found the end of the query "
        "at line 1, column 9")
    assert cli("query", "SELECT * WHERE { ?s ?p ?o } ORDER BY").output.splitlines()[0] == (
        "Error: malformed SPARQL: expected the end of the query here, or a complete GROUP BY, HAVING, ORDER BY, "
        "LIMIT, OFFSET or VALUES clause; found 'ORDER BY' at line 1, column 29")
    unclosed = cli("query", 'SELECT ?x { ?x rdfs:label "a }').output.splitlines()
    assert unclosed[0].startswith("Error: malformed SPARQL: a string literal is not closed")
    assert cli("query", "SELCT ?x {}").output.splitlines()[0] == (
        "Error: malformed SPARQL: expected SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE lines); "
        "found 'SELCT ?x {}' at line 1, column 1")


def test_help_lists_whole_descriptions(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--help").output
    assert ("  knockout    Remove ITEMS (genes, receptors, cells, mediators, processes) or\n"
            "              apply them (interventions) together, and show which routes from\n"
            "              --from to --to remain.\n") in out
    assert "..." not in out.split("Commands:")[1]


def test_ids_are_never_split_across_lines():
    """An id column keeps room for its longest id; the others wrap; else one block per row."""
    rows = [["ig:a_omalizumab_increasesRiskOf_arterial_thrombosis", "omalizumab — increases risk of — arterial "
             "thrombosis", "assertion"], ["ig:FDA", "US Food and Drug Administration", "organization"]]
    assert render_table(["id", "label", "class"], rows, width=90).splitlines() == [
        "id                                                   label                    class",
        "---------------------------------------------------  -----------------------  ------------",
        "ig:a_omalizumab_increasesRiskOf_arterial_thrombosis  omalizumab — increases   assertion",
        "                                                     risk of — arterial",
        "                                                     thrombosis",
        "ig:FDA                                               US Food and Drug         organization",
        "                                                     Administration",
    ]
    # too little room beside the id: a block per row, the id whole
    assert render_table(["id", "label", "class"], rows, width=70).splitlines()[:4] == [
        "-[ 1 ]" + "-" * 64,
        "id     ig:a_omalizumab_increasesRiskOf_arterial_thrombosis",
        "label  omalizumab — increases risk of — arterial thrombosis",
        "class  assertion",
    ]
    # a prose word longer than its column is still broken at 15 characters, as before
    assert render_table(["a", "b"], [["x" * 30, "y"]], width=24).splitlines()[2:4] == ["xxxxxxxxxxxxxxxxxxxxx  y",
                                                                                      "xxxxxxxxx"]


@pytest.mark.parametrize("width", [80, 100])
def test_search_keeps_ids_whole(cli, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    lines = cli("search", "thrombosis").output.splitlines()
    assert lines[:8] == [
        "-[ 1 ]".ljust(width, "-"),
        "id        ig:arterial_thrombosis",
        "label     arterial thrombosis",
        "class     phenotype",
        "found in  label",
        "matched   arterial «thrombosis»",
        "score     60",
        "-[ 2 ]".ljust(width, "-"),
    ]
    assert "id        ig:a_omalizumab_increasesRiskOf_cardiovascular_disease" in lines
    monkeypatch.setenv("COLUMNS", "200")
    assert cli("search", "thrombosis").output.splitlines()[2].split() == [
        "ig:arterial_thrombosis", "arterial", "thrombosis", "phenotype", "label", "arterial", "«thrombosis»", "60"]


def test_prose_wraps_at_80_columns(cli, monkeypatch):
    """Definitions, synonyms, curator notes, headings, query listings and summaries wrap between
    words, never inside an id, with the continuation indented under their first line."""
    monkeypatch.setenv("COLUMNS", "80")
    described = cli("describe", "FcεRI").output.splitlines()
    assert described[:7] == [
        "FcεRI  (ig:FcERI, receptor)",
        "  The high-affinity IgE receptor complex on mast cells and basophils (and, by",
        "  inference, dendritic cells) whose α chain binds the Cε3 domain of IgE.",
        "  synonyms: Fc epsilon RI, Fc-epsilon receptor I complex, FcεR I, high-affinity",
        "    IgE receptor, high-affinity IgE receptor FcεR I",
        "  exact matches: GO:0032998",
        "  references: [16]",
    ]
    note = described.index("curator note: FcεRI is an αβγ2 complex (GO:0032998): β chain MS4A2 (HGNC:7316)")
    assert described[note + 1:note + 5] == [
        "  and γ chain FCER1G (HGNC:3611) are taken from HGNC",
        "  (docs/sources.md#registries), not from the review; the review names only the α",
        "  chain ('α chain of IgE receptors' [31]). ig:FcERI_beta and ig:FcERI_gamma are",
        "  defined but no hasPart claim is made for them.",
    ]
    assert cli("upstream", "histamine").output.splitlines()[:2] == [
        "What acts on histamine, at any depth (the farthest 7 relations away; --max-depth",
        "to stop sooner):",
    ]
    assert cli("queries", "cq13-pathway-blockers").output.splitlines() == [
        "cq13-pathway-blockers: CQ13: What blocks the allergen → IgE → FcεRI →",
        "  degranulation pathway, and at which step?",
        "  name (literal): a pathway name, as 'igegraph pathways' lists them; e.g.",
        "    ige-fceri-degranulation",
        "  igegraph query cq13-pathway-blockers --bind name=ige-fceri-degranulation",
    ]
    blocks = cli("blocks", "--pathway", "ige-fceri-degranulation").output.splitlines()
    summary = blocks.index("cut every route: anti-FcεRI Fab-conjugated celastrol-loaded polymeric micelles,")
    assert blocks[summary + 1:summary + 4] == [
        "  bsc-IgE/CD3, CMAB007, IgEnio, immunoadsorption, ligelizumab, MEDI4212,",
        "  omalizumab, quilizumab, XmAb7195",
        "only weaken: CTLA4Fcε, MEDI4212 Fc variant",
    ]


def test_wrap_text_keeps_a_number_with_its_unit_but_wraps_a_list_of_numbers():
    from igegraph.table import wrap_text

    assert wrap_text("heated to 56 °C for 30 min then 1,000 cells", 20).splitlines() == [
        "heated to 56 °C for", "30 min then", "1,000 cells"]
    assert wrap_text("refs: " + ", ".join(str(i) for i in range(10, 40)), 40).splitlines() == [
        "refs: 10, 11, 12, 13, 14, 15, 16, 17,",
        "18, 19, 20, 21, 22, 23, 24, 25, 26, 27,",
        "28, 29, 30, 31, 32, 33, 34, 35, 36, 37,",
        "38, 39",
    ]


def test_a_no_break_space_glues_words_in_a_table_and_prints_as_a_space():
    out = render_table(["via"], [["anti-FcεRI micelles -[induces\u00a0apoptosis\u00a0of]-> mast cell"]], width=30)
    assert out.splitlines()[2:] == ["anti-FcεRI micelles", "-[induces apoptosis of]-> mast", "cell"]
    assert "\u00a0" not in out


def test_upstream_never_splits_a_relation_name(cli):
    out = cli("upstream", "histamine", "--max-depth", "3").output
    assert "-[induces apoptosis of]->" in out and "-[down-regulates]->" in out


def test_blocks_without_phases_or_evidence_has_no_footnote_and_no_blank_tail(kg):
    from igegraph.cli.traverse_text import format_blocks
    from igegraph.traverse import blocks_pathway

    report = blocks_pathway(kg, "ige-fceri-degranulation")
    assert "phase (development phase):" in format_blocks(report, kg)
    for b in (*report.blockers, *report.acts_on_target):
        b.phase = None
    for b in report.blockers:
        b.evidence = None
    text = format_blocks(report, kg)
    assert "phase (development phase):" not in text and "evidence (" not in text
    assert text == text.rstrip() and not text.endswith("\n")


def test_closure_tables_give_the_net_effect(cli):
    out = cli("downstream", "omalizumab", "--max-depth", "1").output.splitlines()
    assert out[1].split() == ["distance", "entity", "effect", "class", "via", "refs"]
    assert [line.split()[:4] for line in out if line.startswith("1         arterial")] == [
        ["1", "arterial", "thrombosis", "increases"]]
    assert " ".join(out[-3:]) == (
        "effect: the net direction of omalizumab on each entity, on its activity or level (not on cell numbers): "
        "the product of the relations' signs along the way, mixed where routes of opposite signs lead there; "
        "inferred from the graph, not a finding of the review")
    up = cli("upstream", "IgE", "--max-depth", "1").output
    assert "1         omalizumab        decreases  monoclonal antibody" in up
    assert "the net direction of each entity on IgE" in up
    # neighbors lists single relations: no effect column
    assert cli("neighbors", "mast cell", "--direction", "down").output.splitlines()[0].split() == [
        "distance", "entity", "class", "via", "refs"]


def test_an_unknown_predicate_lists_the_known_ones(cli):
    import igegraph
    from igegraph.project import relation_properties

    kg = igegraph.load()
    causal = sorted((p["label"] for p in relation_properties(kg).values() if p["causal"]), key=str.lower)
    every = sorted((p["label"] for p in relation_properties(kg).values()), key=str.lower)
    for command, known in (("upstream", causal), ("downstream", causal), ("neighbors", every)):
        bad = cli(command, "IgE", "--predicate", "nosuch")
        assert bad.exit_code == 1 and isinstance(bad.exception, SystemExit)
        assert bad.output == f"Error: unknown predicate 'nosuch'; known: {', '.join(known)}\n"
    close = cli("upstream", "IgE", "--predicate", "secrets")
    assert close.exit_code == 1 and close.output.startswith(
        "Error: unknown predicate 'secrets'; did you mean: secretes?")
