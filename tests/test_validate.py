"""Tests of igegraph.validate and the `igegraph validate` command."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import igegraph
from igegraph.cli.validate_cmd import validate as validate_command
from igegraph.validate import ValidationReport, Violation, check_identifier, validate

FIXTURES = Path(__file__).parent / "fixtures" / "validate"


@pytest.fixture(scope="session")
def shipped_report() -> ValidationReport:
    """The report on the curated graph, computed once."""
    return validate(igegraph.load())


@cache
def _fixture_report(name: str) -> ValidationReport:
    """The report on the curated graph plus one fixture, computed once per fixture."""
    return validate(igegraph.load(data=[FIXTURES / name], lenient=True))  # validate reports what load refuses


def _new_pairs(report: ValidationReport, baseline: ValidationReport) -> set[tuple[str, str]]:
    """(focus, rule) pairs a fixture adds to the shipped graph's report."""
    return report.pairs() - baseline.pairs()


def _format(violations: list[Violation]) -> str:
    return "\n".join(f"{v.focus}  {v.rule}  {v.message}" for v in violations)


# ---------------------------------------------------------------- shipped data


def test_shipped_data_is_valid(shipped_report: ValidationReport) -> None:
    assert shipped_report.violations == [], _format(shipped_report.violations)
    assert shipped_report.conforms is True


def test_shipped_data_counts(shipped_report: ValidationReport) -> None:
    assert shipped_report.triples > 1000
    assert shipped_report.entities > 100
    assert shipped_report.assertions > 100


def test_every_shape_has_its_own_target() -> None:
    """A property shape reached through a node shape's sh:property is run once per focus node
    by pySHACL; with its own target, once for all (see ontology/shapes.ttl)."""
    import rdflib
    from rdflib.namespace import RDF, SH

    from igegraph.resources import shapes_file

    shapes = rdflib.Graph().parse(shapes_file())
    named = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, kind)}
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    assert len(named) == 48
    assert sorted(s for s in named if not any((s, t, None) in shapes for t in targets)) == []
    assert list(shapes.subject_objects(SH.property)) == []


# ---------------------------------------------------------------- broken fixtures

CASES = {
    "entity_without_label.ttl": {
        ("ig:fixture_unlabelled_cell", "entity-label"): r"^an entity needs exactly one rdfs:label$",
    },
    "undefined_entity.ttl": {
        ("ig:fixture_undefined_molecule", "entity-typed"):
            r"^used in a claim \(ige:neutralizes\) but has no rdf:type below ige:Entity$",
        ("ig:fixture_undefined_molecule", "entity-label"):
            r"^used in a claim \(ige:neutralizes\) but has no rdfs:label$",
    },
    "claim_without_assertion.ttl": {
        ("ig:fixture_antibody", "claim-assertion"):
            r"^claim ig:fixture_antibody ige:inhibits ig:mast_cell has no ige:Assertion "
            r"\(expected ig:a_fixture_antibody_inhibits_mast_cell\)$",
    },
    "assertion_without_claim.ttl": {
        ("ig:a_fixture_antibody_depletes_basophil", "assertion-claim"):
            r"^asserts ig:fixture_antibody ige:depletes ig:basophil but that triple is not in the graph$",
    },
    "assertion_without_reference.ttl": {
        ("ig:a_fixture_antibody_neutralizes_free_IgE", "assertion-reference"):
            r"^an assertion needs at least one ige:reference",
        # a measurement needs one of several properties (an alternative path in the shapes)
        ("ig:m_fixture_bare", "measurement-reference"):
            r"^a measurement needs at least one ige:reference, or an ige:curatorNote",
        ("ig:m_fixture_bare", "measurement-value"):
            r"^a measurement needs ige:value, a range \(ige:minValue/ige:maxValue\) or ige:valueText$",
        ("ig:m_fixture_bare", "measurement-unit"): r"^a numeric measurement needs an ige:unit",
    },
    "malformed_identifier.ttl": {
        ("ig:fixture_bad_ids_cell", "identifier-pattern"):
            r"^skos:exactMatch: malformed OBO identifier obo:CL_abc \(expected CL_ and digits",
        ("ig:fixture_bad_ids_cell", "entity-closematch-iri"):
            r'^skos:closeMatch must be an IRI .*\(got "CL:0000097"\)$',
        ("ig:fixture_bad_ids_drug", "identifier-pattern"):
            r"^skos:exactMatch: malformed DrugBank identifier drugbank:XYZ \(expected like drugbank:DB00043\)$",
    },
    "unknown_context.ttl": {
        ("ig:a_fixture_context_antibody_downregulates_FcERI", "assertion-cell-context"):
            r"^ige:cellContext must point to an ige:Cell .*\(got ig:mast_cel\)$",
        ("ig:a_fixture_context_antibody_downregulates_FcERI", "assertion-species-context"):
            r"^ige:speciesContext must point to an ige:Organism .*\(got ig:mast_cell\)$",
        # checked with the vocabulary's own declarations (igegraph.declarations), on any subject
        ("ig:a_fixture_context_antibody_downregulates_FcERI", "flag-value"):
            r'^ige:abolishes "yes" is not true or false',
    },
    "unknown_predicate.ttl": {
        ("ig:fixture_typo_antibody", "unknown-property"):
            r"^uses property ige:neutralises, which the ontology does not define; did you mean ige:neutralizes\?$",
        ("ig:a_fixture_typo_antibody_neutralises_free_IgE", "unknown-property"):
            r"^rdf:predicate ige:neutralises is not a property of the ontology; did you mean ige:neutralizes\?$",
        ("ig:fixture_typo_antibody", "unknown-class"):
            r"^rdf:type ige:MonoclonalAntibdy is not a class of the ontology; did you mean ige:MonoclonalAntibody\?$",
    },
}


def test_every_fixture_has_a_case() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.ttl")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_reports_exact_pairs(name: str, shipped_report: ValidationReport) -> None:
    report = _fixture_report(name)
    assert report.conforms is False
    assert _new_pairs(report, shipped_report) == set(CASES[name]), _format(report.violations)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_messages(name: str) -> None:
    report = _fixture_report(name)
    for (focus, rule), pattern in CASES[name].items():
        messages = [v.message for v in report.violations if (v.focus, v.rule) == (focus, rule)]
        assert messages, f"no {rule} on {focus}"
        assert any(re.search(pattern, m) for m in messages), messages


def test_malformed_identifier_reports_each_bad_id() -> None:
    report = _fixture_report("malformed_identifier.ttl")
    bad = [v for v in report.violations if v.rule == "identifier-pattern" and v.focus.startswith("ig:fixture_")]
    assert len(bad) == 2


def test_assertion_without_reference_is_reported_once() -> None:
    report = _fixture_report("assertion_without_reference.ttl")
    focus = "ig:a_fixture_antibody_neutralizes_free_IgE"
    assert [v.rule for v in report.violations if v.focus == focus] == ["assertion-reference"]


@pytest.mark.parametrize("name", ["undefined_entity.ttl", "unknown_predicate.ttl", "malformed_identifier.ttl"])
def test_backends_agree(name: str) -> None:
    fixture = FIXTURES / name
    ox = validate(igegraph.load(data=[fixture]))
    mem = validate(igegraph.load(data=[fixture], backend="memory"))
    assert ox.violations == mem.violations
    assert (ox.triples, ox.entities, ox.assertions) == (mem.triples, mem.entities, mem.assertions)


def test_shacl_runs_once_for_the_same_triples_on_both_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    import igegraph.validate as module
    from igegraph.recent import Recent

    fixture = FIXTURES / "undefined_entity.ttl"
    ox, mem = (igegraph.load(data=[fixture], backend=backend) for backend in ("oxigraph", "memory"))
    runs: list[object] = []
    real = module._run_shapes
    monkeypatch.setattr(module, "_SHACL_SEEN", Recent(module._SHACL_KEEP))
    monkeypatch.setattr(module, "_run_shapes", lambda kg: runs.append(kg) or real(kg))
    assert validate(ox).violations == validate(mem).violations
    assert runs == [ox]  # the memory graph's triples are the same: its SHACL results are reused


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_assertion_of_a_triple_rdf_cannot_hold(backend: str, tmp_path: Path) -> None:
    """A literal subject, a literal or blank predicate: no triple can be the claim (and the
    Oxigraph backend refuses such a pattern rather than answering no)."""
    data = tmp_path / "odd.ttl"
    data.write_text(
        "@prefix ig: <https://w3id.org/igegraph/id/> .\n@prefix ige: <https://w3id.org/igegraph/vocab#> .\n"
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        'ig:a_lit a ige:Assertion ; rdf:subject "omalizumab" ; rdf:predicate ige:neutralizes ; '
        "rdf:object ig:free_IgE ; ige:reference ig:ref_1 .\n"
        'ig:a_pred a ige:Assertion ; rdf:subject ig:omalizumab ; rdf:predicate "ige:neutralizes", [] ; '
        "rdf:object ig:free_IgE ; ige:reference ig:ref_1 .\n",
        encoding="utf-8",
    )
    report = validate(igegraph.load(data=[data], backend=backend, lenient=True), shacl=False)
    claims = sorted(re.sub(r"_:\w+", "_:b", v.message) for v in report.violations if v.rule == "assertion-claim")
    assert claims == [
        'asserts "omalizumab" ige:neutralizes ig:free_IgE but that triple is not in the graph',
        'asserts ig:omalizumab "ige:neutralizes" ig:free_IgE but that triple is not in the graph',
        "asserts ig:omalizumab _:b ig:free_IgE but that triple is not in the graph",
    ]


def test_shacl_and_integrity_can_run_alone() -> None:
    kg = igegraph.load(data=[FIXTURES / "malformed_identifier.ttl"])
    shapes_only = {v.rule for v in validate(kg, integrity=False).violations}  # one SHACL run for both checks
    assert shapes_only >= {"entity-closematch-iri"}
    assert "identifier-pattern" not in shapes_only
    assert "entity-closematch-iri" not in {v.rule for v in validate(kg, shacl=False).violations}


def test_missing_file_is_a_data_error() -> None:
    with pytest.raises(igegraph.DataError, match=r"nope\.ttl: no such file"):
        validate(igegraph.load(data=[FIXTURES / "nope.ttl"]))


# ---------------------------------------------------------------- identifier patterns


@pytest.mark.parametrize(
    "iri",
    [
        "http://purl.obolibrary.org/obo/CL_0000097",
        "http://purl.obolibrary.org/obo/NCBITaxon_9606",
        "https://identifiers.org/hgnc:3609",
        "https://identifiers.org/ncbigene:2205",
        "https://identifiers.org/uniprot:P12319",
        "https://identifiers.org/drugbank:DB00043",
        "https://identifiers.org/chembl.compound:CHEMBL1201589",
        "https://identifiers.org/mesh:D000069444",
        "https://identifiers.org/mesh:C050414",
        "https://identifiers.org/pubchem.compound:774",
        "https://identifiers.org/clinicaltrials:NCT01703312",
        "https://identifiers.org/interpro:IPR003597",
        "https://identifiers.org/cas:242138-07-4",
    ],
)
def test_well_formed_identifiers(iri: str) -> None:
    assert check_identifier(iri) is None


@pytest.mark.parametrize(
    ("iri", "reason"),
    [
        ("http://purl.obolibrary.org/obo/CL_abc", r"^malformed OBO identifier obo:CL_abc"),
        ("http://purl.obolibrary.org/obo/PR_000001", r"^OBO identifier obo:PR_000001 is not from a known ontology"),
        ("https://identifiers.org/drugbank:XYZ", r"^malformed DrugBank identifier drugbank:XYZ"),
        ("https://identifiers.org/drugbank:DB0043", r"^malformed DrugBank identifier"),
        ("https://identifiers.org/clinicaltrials:NCT123", r"^malformed ClinicalTrials.gov identifier nct:NCT123"),
        ("https://identifiers.org/uniprot:p12319", r"^malformed UniProt identifier"),
        ("https://identifiers.org/mesh:Q000001", r"^malformed MeSH identifier"),
        ("http://identifiers.org/hgnc:3609", r"^identifiers.org IRIs use https"),
        ("https://www.wikidata.org/wiki/Q1", r"^unknown identifier namespace"),
    ],
)
def test_malformed_identifiers(iri: str, reason: str) -> None:
    assert re.search(reason, check_identifier(iri) or "")


# ---------------------------------------------------------------- CLI


def _table_lines(output: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip(), maxsplit=3) for line in output.splitlines()]


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_exit_1_with_message_line(name: str) -> None:
    # wide enough for one line per row (narrower terminals wrap the messages)
    result = CliRunner().invoke(validate_command, ["--data", str(FIXTURES / name)], env={"COLUMNS": "400"})
    assert result.exit_code == 1, result.output
    rows = _table_lines(result.stdout)
    assert rows[0] == ["file", "entity", "rule", "message"]  # each fixture's problems are in the fixture
    for (focus, rule), pattern in CASES[name].items():
        assert any(r[1:3] == [focus, rule] and re.search(pattern, r[3]) for r in rows if len(r) == 4), result.stdout
    assert re.fullmatch(
        r"invalid: \d+ violations on \d+ nodes \(\d+ triples, \d+ entities, \d+ assertions checked\)",
        result.stdout.splitlines()[-1],
    )


def test_cli_json() -> None:
    import json

    result = CliRunner().invoke(
        validate_command, ["--data", str(FIXTURES / "entity_without_label.ttl"), "--format", "json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert {
        "focus": "ig:fixture_unlabelled_cell",
        "rule": "entity-label",
        "message": "an entity needs exactly one rdfs:label",
        "severity": "Violation",
        "file": str(FIXTURES / "entity_without_label.ttl"),
    } in report["violations"]


def test_cli_valid_on_shipped_data() -> None:
    result = CliRunner().invoke(validate_command, [])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"valid: \d+ triples, \d+ entities, \d+ assertions checked\n", result.stdout)


def test_cli_missing_file() -> None:
    result = CliRunner().invoke(validate_command, ["--data", str(FIXTURES / "nope.ttl")])
    assert result.exit_code == 1
    assert "nope.ttl: no such file" in result.output


def test_cli_bad_format_is_usage_error() -> None:
    result = CliRunner().invoke(validate_command, ["--format", "xml"])
    assert result.exit_code == 2


def test_problems_in_a_data_file_name_the_file(shipped_report: ValidationReport) -> None:
    """A --data file that gives a context the ontology does not know fails with file and entity."""
    path = FIXTURES / "unknown_context.ttl"
    report = _fixture_report(path.name)  # validate(igegraph.load(data=[path], lenient=True)), computed once
    named = {(v.file, v.focus, v.rule) for v in report.violations if v.file}
    assert named == {(str(path), "ig:a_fixture_context_antibody_downregulates_FcERI", rule)
                     for rule in ("assertion-cell-context", "assertion-species-context", "flag-value")}
    # problems of the curated files carry no user file
    assert all(v.file is None for v in shipped_report.violations)
    result = CliRunner().invoke(validate_command, ["--data", str(path)], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert result.output.splitlines()[2].startswith(f"{path}  ig:a_fixture_context_antibody_downregulates_FcERI")
