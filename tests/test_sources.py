"""Provenance a user can follow: the project cites only its own files (docs/sources.md, not notes
kept outside the project), every `docs/FILE.md#anchor` cited resolves to a heading of that file,
and every therapy without a development phase says why. Each checker is also run on broken
input, so that it can fail."""

from __future__ import annotations

import re
from pathlib import Path

from igegraph.vocab import IGE, compact

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["data", "ontology", "docs", "src", "queries", "README.md"]
# spelt in parts, so that this file, which must name them, does not itself point outside
SHARED, NOTES = "sh" "ared", "identifiers" ".md"
OUTSIDE = [NOTES, f"{SHARED}/reference", f"../{SHARED}", f"/work/{SHARED}"]
CITATION = re.compile(r"\bdocs/([\w.-]+\.md)(?:#([\w-]+))?")
DOCS_LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#([^)\s]+))?\)")


def files(root: Path, names: list[str]) -> list[Path]:
    """The files under ``names`` (folders walked; caches and compiled files left out)."""
    found = []
    for name in names:
        path = root / name
        candidates = path.rglob("*") if path.is_dir() else [path]
        found += [p for p in candidates if p.is_file() and "__pycache__" not in p.parts]
    return sorted(found)


def outside_mentions(root: Path, names: list[str]) -> list[str]:
    """``path: needle`` for every file that points at a file outside the project."""
    hits = []
    for path in files(root, names):
        content = path.read_bytes()
        hits += [f"{path.relative_to(root)}: {n}" for n in OUTSIDE if n.encode() in content]
    return hits


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to
    hyphens (``E6 CTLA-4 ligands`` -> ``e6-ctla-4-ligands``)."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of a Markdown file's headings (fenced code left out)."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} +(.+?) *#*$", text, flags=re.M)}


def broken_citations(root: Path) -> list[str]:
    """``where: target`` for every cited docs file or anchor that does not exist: ``docs/F.md#a``
    anywhere in data, ontology, README and docs, and relative ``](F.md#a)`` links inside docs."""
    cited = []
    for path in files(root, ["data", "ontology", "docs", "README.md"]):
        if path.suffix not in {".ttl", ".tsv", ".md", ".json"}:
            continue
        text = path.read_text(encoding="utf-8")
        cited += [(path, m.group(1), m.group(2)) for m in CITATION.finditer(text)]
        if path.parent == root / "docs":
            cited += [(path, m.group(1), m.group(2)) for m in DOCS_LINK.finditer(text)]
    broken = []
    for path, name, anchor in cited:
        target = root / "docs" / name
        where = path.relative_to(root)
        if not target.is_file():
            broken.append(f"{where}: docs/{name}")
        elif anchor and anchor not in anchors(target.read_text(encoding="utf-8")):
            broken.append(f"{where}: docs/{name}#{anchor}")
    return sorted(set(broken))


def test_nothing_points_outside_the_project():
    assert outside_mentions(ROOT, SCANNED) == []


def test_every_cited_docs_anchor_is_a_heading():
    assert broken_citations(ROOT) == []


def test_data_cites_the_sources_page():
    """The errata and identifier notes cite docs/sources.md (the checks above would pass on data
    that cites nothing)."""
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "data").glob("*.ttl"))
    cited = {m.group(2) for m in CITATION.finditer(text) if m.group(1) == "sources.md"}
    assert {f"e{n}" for n in range(1, 16)} <= {a.split("-")[0] for a in cited if a}
    assert {"open-checks", "how-identifiers-were-checked", "phases-and-evidence"} <= cited


def test_slug_follows_github():
    assert slug("E6 CTLA-4 ligands") == "e6-ctla-4-ligands"
    assert slug("Phases and evidence") == "phases-and-evidence"
    assert slug("Prefixes (use exactly these at the top of every data file)") == (
        "prefixes-use-exactly-these-at-the-top-of-every-data-file")
    assert slug("E14 Two phase III studies of CMAB007") == "e14-two-phase-iii-studies-of-cmab007"


def test_the_checkers_fail_on_broken_input(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "docs" / "sources.md").write_text("# Sources\n\n## Errata\n\n```\n## not a heading\n```\n")
    (tmp_path / "docs" / "guide.md").write_text("See [sources](sources.md#errata), [x](sources.md#nope).\n")
    (tmp_path / "data" / "a.ttl").write_text(
        '"ok (docs/sources.md#errata)" "bad (docs/sources.md#e99)" "gone (docs/errata.md, E1)"\n'
        f'"code (docs/sources.md#not-a-heading)" "see ../{SHARED}/reference/{NOTES}"\n')
    (tmp_path / "README.md").write_text(f"Notes: /work/{SHARED}/x\n")
    assert broken_citations(tmp_path) == [
        "data/a.ttl: docs/errata.md",
        "data/a.ttl: docs/sources.md#e99",
        "data/a.ttl: docs/sources.md#not-a-heading",
        "docs/guide.md: docs/sources.md#nope",
    ]
    assert outside_mentions(tmp_path, ["data", "README.md"]) == [
        f"README.md: /work/{SHARED}",
        f"data/a.ttl: {NOTES}",
        f"data/a.ttl: {SHARED}/reference",
        f"data/a.ttl: ../{SHARED}",
    ]


NO_PHASE = """
SELECT ?therapy WHERE {
  ?therapy a ?class . ?class rdfs:subClassOf* ige:Drug .
  FILTER NOT EXISTS { ?therapy ige:developmentPhase ?phase }
  FILTER NOT EXISTS { ?therapy ige:curatorNote ?note FILTER(STRSTARTS(?note, "No phase:")) }
}"""

BELOW_PHASE = """
SELECT ?assertion WHERE {
  ?assertion rdf:subject ?therapy ; rdf:predicate ?p ; ige:evidenceLevel ige:Background .
  ?p ige:causal true .
  ?therapy ige:developmentPhase ?phase . ?phase ige:rank ?rank FILTER(?rank >= 1)
  FILTER NOT EXISTS { ?assertion ige:curatorNote ?note
                      FILTER(CONTAINS(?note, "docs/sources.md#phases-and-evidence")) }
}"""


def test_every_therapy_without_a_phase_says_why(kg):
    assert list(kg.query(NO_PHASE)) == []
    explained = kg.query("""SELECT ?therapy WHERE {
        ?therapy ige:curatorNote ?note FILTER(STRSTARTS(?note, "No phase:")) } ORDER BY ?therapy""")
    assert [compact(row.therapy) for row in explained] == [
        "ig:IgEnio", "ig:MEDI4212_Fc_variant", "ig:anti_FcERI_Fab", "ig:anti_IgE_TCR_T_cells",
        "ig:anti_IgE_therapy"]


def test_the_phase_checks_fail_on_unexplained_therapies(tmp_path):
    import igegraph

    extra = tmp_path / "extra.ttl"
    extra.write_text("@prefix ige: <https://w3id.org/igegraph/vocab#> . @prefix ig: <https://w3id.org/igegraph/id/> .\n"
                     "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                     "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                     'ig:new_antibody a ige:MonoclonalAntibody ; rdfs:label "new antibody" .\n'
                     'ig:trial_antibody a ige:MonoclonalAntibody ; rdfs:label "trial antibody" ;\n'
                     "    ige:developmentPhase ige:PhaseI .\n"
                     "ig:trial_antibody ige:inhibits ig:IgE .\n"
                     "ig:a_trial_antibody_inhibits_IgE a ige:Assertion ; rdf:subject ig:trial_antibody ;\n"
                     "    rdf:predicate ige:inhibits ; rdf:object ig:IgE ; ige:evidenceLevel ige:Background ;\n"
                     '    ige:curatorNote "No study named." .\n')
    kg = igegraph.load([str(extra)])
    assert [compact(row.therapy) for row in kg.query(NO_PHASE)] == ["ig:new_antibody"]
    assert [compact(row.assertion) for row in kg.query(BELOW_PHASE)] == ["ig:a_trial_antibody_inhibits_IgE"]


def test_quilizumab_phase_and_evidence_follow_the_review(kg):
    """Phase II is Table 1's (row 9, trial NCT01582503, Harris [59]); the claims the review ties
    to that trial carry phase II evidence and cite [59]; the apoptosis, cited to [56, 57] only,
    stays background."""
    rows = kg.query("""SELECT ?row ?phase ?ref WHERE {
        ?row ige:therapy ig:quilizumab ; ige:developmentPhase ?phase ; ige:reference ?ref } ORDER BY ?row""")
    assert [(compact(r.row), compact(r.phase), compact(r.ref)) for r in rows] == [
        ("ig:NCT01582503", "ige:PhaseII", "ig:ref_59"), ("ig:table1_row_9", "ige:PhaseII", "ig:ref_59")]
    assert compact(kg.graph.value(kg.iri("ig:quilizumab"), IGE.developmentPhase)) == "ige:PhaseII"
    levels = kg.query("""SELECT ?p ?o ?level (GROUP_CONCAT(STR(?ref); separator=" ") AS ?refs) WHERE {
        ?a rdf:subject ig:quilizumab ; rdf:predicate ?p ; rdf:object ?o ; ige:evidenceLevel ?level ;
           ige:reference ?ref .
        FILTER(?p IN (ige:targets, ige:binds, ige:reduces, ige:inducesApoptosisOf))
    } GROUP BY ?p ?o ?level""")
    got = {(compact(r.p), compact(r.o)): (compact(r.level), sorted(int(x.rsplit("_", 1)[1]) for x in r.refs.split()))
           for r in levels}
    assert got == {
        ("ige:targets", "ig:CemX"): ("ige:PhaseIIEvidence", [56, 57, 59]),
        ("ige:binds", "ig:CemX"): ("ige:PhaseIIEvidence", [56, 57, 59]),
        ("ige:reduces", "ig:free_IgE"): ("ige:PhaseIIEvidence", [56, 57, 58, 59]),
        ("ige:inducesApoptosisOf", "ig:IgE_B_cell"): ("ige:Background", [56, 57]),
    }



def test_background_claims_of_drugs_in_trials_say_why(kg):
    """A causal claim of a therapy at Phase I or later that keeps background evidence explains it
    (the review names no study for it) in a note citing docs/sources.md#phases-and-evidence."""
    assert list(kg.query(BELOW_PHASE)) == []
    explained = kg.query("""SELECT ?a WHERE { ?a rdf:subject ?t ; rdf:predicate ?p ;
        ige:evidenceLevel ige:Background . ?p ige:causal true . ?t ige:developmentPhase ?ph .
        ?ph ige:rank ?r FILTER(?r >= 1) } ORDER BY ?a""")
    assert [compact(row.a) for row in explained] == [
        "ig:a_XmAb7195_inhibits_IgE_B_cell", "ig:a_XmAb7195_inhibits_IgE_B_cell_differentiation",
        "ig:a_XmAb7195_reduces_IgE_plasma_cell", "ig:a_quilizumab_inducesApoptosisOf_IgE_B_cell"]
