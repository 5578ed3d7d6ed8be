"""The ontology as other tools see it: OWL 2 DL (OWL API profile checker), metadata, licence."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from tests.conftest import private_cache_folder

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


# C1 only (TieredStopAtLevel=1): a one-shot run ends before C2's compilations pay off, and they
# cost about 1 CPU-s of the check's 2.4
_JAVA = ("java", "-XX:TieredStopAtLevel=1")


def owl_profile_classes(fallback: Path) -> Path:
    """The folder of tools/OwlProfile.java compiled, kept in ``owl-profile/KEY`` of igegraph's
    cache (see ``private_cache_folder``) for later sessions: compiling it took about 1.4 of the
    check's 3.5 CPU-s when ``java`` ran the source file. KEY follows the source, the OWL API jar
    and the Java runtime, so a change to any of them compiles it again; the classes are written
    in a temporary folder, then renamed into place whole. ``fallback`` (a fresh folder) holds
    them when there is no private cache."""
    source = ROOT / "tools" / "OwlProfile.java"
    java = Path(shutil.which("java") or "java").resolve()
    facts = [source.read_bytes()] + [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}".encode()
                                     for p in (Path(OWLAPI_JARS).resolve(), java)]
    key = hashlib.sha256(b"\0".join(facts)).hexdigest()[:16]
    cache = private_cache_folder("owl-profile")
    folder = (cache or fallback) / key
    if not (folder / "OwlProfile.class").is_file():
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".staging-"))
        done = subprocess.run([*_JAVA, "-m", "jdk.compiler/com.sun.tools.javac.Main", "-cp", OWLAPI_JARS,
                               "-d", str(staging), str(source)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        try:
            staging.rename(folder)
        except OSError:  # another session put it there first
            shutil.rmtree(staging)
    return folder


@pytest.mark.skipif(shutil.which("java") is None or not glob.glob(OWLAPI_JARS),
                    reason="needs Java and the OWL API (apt-get install libowlapi-java; .ci/run installs them)")
def test_owl2_dl_profile_has_no_violations(tmp_path):
    classes = owl_profile_classes(tmp_path)
    out = subprocess.run([*_JAVA, "-cp", f"{classes}{os.pathsep}/usr/share/java/*", "OwlProfile", str(ONTOLOGY)],
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
