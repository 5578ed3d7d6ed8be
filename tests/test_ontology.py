"""The ontology as other tools see it: OWL 2 DL (OWL API profile checker), metadata, licence."""

from __future__ import annotations

import glob
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

import igegraph
from igegraph.validate import validate

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "igegraph.ttl"
IGE = "https://w3id.org/igegraph/vocab#"
OWLAPI_JARS = "/usr/share/java/owlapi-distribution.jar"


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


def terms(onto: rdflib.Graph) -> set[rdflib.URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    found = {s for k in kinds for s in onto.subjects(RDF.type, k)}
    found |= {s for cls in (rdflib.URIRef(IGE + "EvidenceLevel"), rdflib.URIRef(IGE + "DevelopmentPhase"))
              for s in onto.subjects(RDF.type, cls)}
    return {t for t in found if str(t).startswith(IGE)}


@pytest.mark.skipif(shutil.which("java") is None or not glob.glob(OWLAPI_JARS),
                    reason="needs Java and the OWL API (apt-get install libowlapi-java; .ci/run installs them)")
def test_owl2_dl_profile_has_no_violations():
    # C1 only (TieredStopAtLevel=1): a one-shot check ends before C2's compilations pay off, and
    # they cost about 1 CPU-s of its 2.4
    out = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-cp", "/usr/share/java/*",
                          str(ROOT / "tools" / "OwlProfile.java"), str(ONTOLOGY)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[-1] == "violations: 0", out.stdout[-3000:]


def test_every_term_has_one_english_label_and_definition(onto):
    found = terms(onto)
    assert len(found) == 162  # 158 curated terms + the 4 of the supply-dominator index
    for term in sorted(found):
        labels = list(onto.objects(term, RDFS.label))
        definitions = list(onto.objects(term, SKOS.definition))
        assert [lit.language for lit in labels] == ["en"], term
        assert [lit.language for lit in definitions] == ["en"], term


def test_ontology_metadata(onto):
    ont = rdflib.URIRef("https://w3id.org/igegraph/vocab")
    assert onto.value(ont, OWL.versionIRI) == rdflib.URIRef("https://w3id.org/igegraph/vocab/0.1.0")
    assert onto.value(ont, DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(onto.value(ont, DCTERMS.title)) == "igegraph vocabulary"
    assert str(onto.value(ont, DCTERMS.creator)) == "the igegraph curators"
    assert onto.value(ont, DCTERMS.created).datatype == onto.value(ont, DCTERMS.modified).datatype == XSD.dateTime
    for prop in (SKOS.definition, SKOS.altLabel, SKOS.exactMatch, SKOS.closeMatch, DCTERMS.license):
        assert (prop, RDF.type, OWL.AnnotationProperty) in onto


def test_no_reserved_vocabulary_or_non_owl2_datatypes(onto):
    assert not list(onto.triples((None, RDFS.subClassOf, RDF.Statement)))
    assert {str(o) for o in onto.objects(None, RDFS.range) if str(o).startswith(str(XSD))} == {
        str(XSD.integer), str(XSD.string)}


def test_english_labels_pass_the_shapes_and_reach_the_api(kg):
    assert validate(kg).conforms
    assert kg.label("ige:PhaseIII") == "Phase III"
    assert kg.query("SELECT ?l WHERE { ige:PhaseIII rdfs:label ?l }").rows[0][0].language == "en"


def test_controlled_term_label_in_another_language_is_reported(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ige: <https://w3id.org/igegraph/vocab#> .\n'
                   '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                   'ige:PhaseIV a ige:DevelopmentPhase ; rdfs:label "Phase IV"@de ; ige:rank 5 .\n')
    report = validate(igegraph.load([bad]))
    assert {(v.focus, v.rule) for v in report.violations} == {("ige:PhaseIV", "term-label")}


def test_license_file_names_both_licenses():
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "CC BY 4.0" in text
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
