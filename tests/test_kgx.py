"""KGX export checked against the Biolink Model shipped in the biolink-model package (via bmt,
offline): categories, predicates, qualifiers, enumerations, required slots and id prefixes."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from igegraph.export import export
from igegraph.kgx import KGX_EDGE_COLUMNS, KGX_NODE_COLUMNS, biolink_data, kgx_document, kgx_paths
from igegraph.viz import STEP_EDGE, pathway_view

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(scope="module")
def tk():
    # imported here, not at collection: bmt and LinkML take ~1 s, on the one worker that needs them
    pytest.importorskip("bmt", reason="the Biolink checks need the test extra (bmt, biolink-model)")
    from biolink_data import toolkit

    return toolkit()


@pytest.fixture(scope="module")
def doc(kg):
    return kgx_document(kg, kg.projection)


def biolink_violations(tk, doc) -> list[str]:
    """Every way the document breaks Biolink 4 / KGX conventions, one line each."""
    out: list[str] = []
    registered = set(json.loads((Path(sys.modules["biolink_model"].__path__[0]) / "prefixmaps"
                                 / "biolink-model-prefix-map.json").read_text())) if "biolink_model" in sys.modules else set()
    declared = set(doc.metadata.get("curie_map", {}))
    enum = lambda name: set(tk.view.get_enum(name).permissible_values)  # noqa: E731
    required = [s for s in tk.view.class_induced_slots("association") if s.required]
    for node in doc.nodes:
        for cat in node["category"]:
            element = tk.get_element(cat)
            if element is None or not tk.is_category(cat) or element.mixin:
                out.append(f"node {node['id']}: {cat} is not a Biolink category")
                continue
            prefix = node["id"].split(":")[0]
            valid = element.id_prefixes or []
            if prefix not in declared and (prefix not in valid if valid else prefix not in registered):
                out.append(f"node {node['id']}: prefix {prefix} is not valid for {cat}")
        if "|" in node["id"]:
            out.append(f"node {node['id']}: '|' in an id")
    for edge in doc.edges:
        pred = edge["predicate"]
        element = tk.get_element(pred)
        if element is None or not tk.is_predicate(pred) or element.mixin:
            out.append(f"edge {edge['id']}: {pred} is not a Biolink predicate")
        elif element.inverse and "canonical_predicate" not in element.annotations:
            out.append(f"edge {edge['id']}: {pred} is not canonical")
        for slot in required:
            if not edge.get(slot.name.replace(" ", "_")):
                out.append(f"edge {edge['id']}: required slot {slot.name} is missing")
        if edge["qualified_predicate"] and not tk.is_predicate(edge["qualified_predicate"]):
            out.append(f"edge {edge['id']}: qualified_predicate {edge['qualified_predicate']}")
        for column, enum_name in (("object_direction_qualifier", "DirectionQualifierEnum"),
                                  ("object_aspect_qualifier", "GeneOrGeneProductOrChemicalEntityAspectEnum"),
                                  ("knowledge_level", "KnowledgeLevelEnum"), ("agent_type", "AgentTypeEnum")):
            if edge.get(column) and edge[column] not in enum(enum_name):
                out.append(f"edge {edge['id']}: {column} {edge[column]} is not in {enum_name}")
        if "|" in edge["id"] or ":" not in edge["id"] or edge["id"].split(":")[0] not in declared | registered:
            out.append(f"edge {edge['id']}: id is not a declared CURIE")
    for column in ("max_research_phase", "clinical_trial_phase"):
        for node in doc.nodes:
            if node[column] and node[column] not in enum("ResearchPhaseEnum"):
                out.append(f"node {node['id']}: {column} {node[column]}")
    return out


def test_no_biolink_violations_whole_graph(tk, doc):
    import biolink_model  # noqa: F401 - registers the prefix map for the check

    assert biolink_violations(tk, doc) == []
    assert len(doc.nodes) == 165 and len(doc.edges) == 248


def test_no_biolink_violations_pathway_view(tk, kg):
    import biolink_model  # noqa: F401

    view = pathway_view(kg, "ige-fceri-degranulation")
    doc = kgx_document(kg, view.graph)
    assert biolink_violations(tk, doc) == []
    drawing_only = sum(1 for _u, _v, k in view.graph.edges(keys=True) if k == STEP_EDGE)
    assert drawing_only == 2 and len(doc.edges) == view.graph.number_of_edges() - drawing_only


def test_biolink_data_file_is_current(tk):
    from biolink_data import OUT, render
    from biolink_data import biolink_data as regenerate

    assert OUT.read_text() == render(regenerate(tk))


def test_project_ids_only_without_a_valid_exact_match(tk, kg, doc):
    from igegraph.kgx import biolink_curie

    by_xref = {n["id"]: n for n in doc.nodes}
    kept = []  # nodes that kept their ig: id although they have a usable exact match
    for node, attrs in kg.projection.nodes(data=True):
        row = by_xref[node] if node in by_xref else next(n for n in doc.nodes if node in n["xref"])
        valid = tk.get_element(row["category"][0]).id_prefixes or []
        usable = [c for c in map(biolink_curie, attrs["exact_identifiers"]) if c and c.split(":")[0] in valid]
        if row["id"] == node:
            kept += usable
        else:
            assert usable and row["id"] == min(usable, key=lambda c: valid.index(c.split(":")[0])), node
    assert kept == []  # (only an exact match shared by two nodes would be kept back)


def test_node_ids_are_the_best_standard_identifier(doc):
    by_name = {n["name"]: n for n in doc.nodes}
    assert by_name["mast cell"]["id"] == "CL:0000097" and "ig:mast_cell" in by_name["mast cell"]["xref"]
    assert by_name["omalizumab"]["id"] == "CHEMBL.COMPOUND:CHEMBL1201589"  # Biolink prefers it to DRUGBANK
    assert by_name["NCT01703312"]["id"] == "CLINICALTRIALS:NCT01703312"
    assert by_name["NCT01703312"]["category"] == ["biolink:ClinicalTrial"]
    assert by_name["NCT01703312"]["clinical_trial_phase"] == "clinical_trial_phase_2"
    counts: dict[str, int] = {}
    for node in doc.nodes:
        prefix = node["id"].split(":")[0]
        counts[prefix] = counts.get(prefix, 0) + 1
    assert counts == {"ig": 61, "GO": 25, "UniProtKB": 20, "CL": 20, "MONDO": 15, "CHEBI": 7,
                      "CLINICALTRIALS": 5, "HP": 3, "NCBITaxon": 3, "DRUGBANK": 3, "CHEMBL.COMPOUND": 1,
                      "MESH": 1, "DOID": 1}
    assert doc.metadata["curie_map"] == {"ig": "https://w3id.org/igegraph/id/",
                                         "ige": "https://w3id.org/igegraph/vocab#"}


def test_signs_as_affects_with_qualifiers(doc):
    ids = {n["name"]: n["id"] for n in doc.nodes}
    neut = [e for e in doc.edges if e["original_subject"] == "ig:omalizumab" and e["original_predicate"] == "ige:neutralizes"]
    assert [(e["subject"], e["predicate"], e["object"], e["qualified_predicate"], e["object_direction_qualifier"],
             e["object_aspect_qualifier"]) for e in neut] == [
        (ids["omalizumab"], "biolink:affects", ids["free IgE"], "biolink:causes", "decreased", "activity")]
    activating = [e for e in doc.edges if e["original_predicate"] == "ige:activates"]
    assert activating and {e["object_direction_qualifier"] for e in activating} == {"increased"}
    assert sum(1 for e in doc.edges if e["predicate"] == "biolink:affects") == 51
    assert not [e for e in doc.edges if e["predicate"] in ("biolink:regulates", "biolink:part_of", "biolink:prevents",
                                                           "biolink:participates_in", "biolink:phenotype_of")]
    related = sorted({e["original_predicate"] for e in doc.edges if e["predicate"] == "biolink:related_to"})
    # Biolink has nothing closer (proposedFor: a candidate named for a disease, no study of it)
    assert related == ["ige:approvedBy", "ige:developedBy", "ige:moreEffectiveThan", "ige:proposedFor"]


def test_reversed_predicates_keep_the_curated_direction(doc):
    (part,) = [e for e in doc.edges if e["original_predicate"] == "ige:partOf"]
    assert part["predicate"] == "biolink:has_part"
    assert (part["original_subject"], part["original_object"]) == ("ig:WAO_specialty_and_training_council", "ig:WAO")
    assert (part["subject"], part["object"]) == ("ig:WAO", "ig:WAO_specialty_and_training_council")
    feature = [e for e in doc.edges if e["original_predicate"] == "ige:featureOf"]
    assert {e["predicate"] for e in feature} == {"biolink:has_phenotype"}


def test_provenance_and_kept_data(doc):
    edge = next(e for e in doc.edges if e["id"] == "ig:a_mucus_secretion_featureOf_asthma")
    assert edge["review_references"] == ["44", "45"] and edge["primary_knowledge_source"] == "infores:igegraph"
    assert edge["supporting_text"] == ["inducing bronchoconstriction, mucus secretion, and mucosal edema, all features of asthma"]
    assert "publications" not in edge
    immuno = next(n for n in doc.nodes if n["name"] == "immunoadsorption")
    assert immuno["table1"] == ["Table 1 row 1: Plasma-pheresis; Removal of Ig and immune complex from blood; Marketed"]
    assert immuno["development_phase"] == "Marketed" and immuno["max_research_phase"] == ""
    measured = [n for n in doc.nodes if n["measurements"]]
    assert sum(len(n["measurements"]) for n in measured) == 45  # 44 measurements, one about two entities
    trial = next(n for n in doc.nodes if n["name"] == "CMAB007 phase III trial in China")
    assert trial["measurements"] == ["clinical trial phase (ordinal): 3 {phase} (refs 37)"]


def test_tsv_and_jsonl_files(kg, tmp_path):
    nodes_path, edges_path, meta_path = export(kg, "kgx", str(tmp_path / "kgx") + "/")
    assert (nodes_path.name, edges_path.name, meta_path.name) == ("nodes.tsv", "edges.tsv", "content_metadata.json")
    with nodes_path.open(newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        nodes = list(reader)
        assert reader.fieldnames == KGX_NODE_COLUMNS
    with edges_path.open(newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        edges = list(reader)
        assert reader.fieldnames == KGX_EDGE_COLUMNS
    assert (len(nodes), len(edges)) == (165, 248)
    mast = next(n for n in nodes if n["id"] == "CL:0000097")
    assert mast["category"] == "biolink:Cell" and mast["xref"] == "ig:mast_cell"
    assert json.loads(meta_path.read_text())["edge_count"] == 248
    jsonl = export(kg, "kgx-jsonl", tmp_path / "ige")
    assert [p.name for p in jsonl] == ["ige_nodes.jsonl", "ige_edges.jsonl", "ige_content_metadata.json"]
    rows = [json.loads(line) for line in jsonl[0].read_text().splitlines()]
    assert len(rows) == 165 and next(r for r in rows if r["id"] == "CL:0000097")["category"] == ["biolink:Cell"]
    assert kgx_paths("a/b", "kgx-jsonl")[0] == Path("a/b_nodes.jsonl")


def test_kgx_cli(cli, tmp_path):
    out = cli("export", "kgx-jsonl", str(tmp_path / "k") + "/", "--pathway", "ige-fceri-degranulation")
    assert out.exit_code == 0 and out.output.count("wrote ") == 3
    assert biolink_data()["biolink_version"] == "4.4.6"


def test_assertion_context_becomes_qualifiers(tk):
    import biolink_model  # noqa: F401

    import igegraph

    kg = igegraph.load([ROOT / "tests" / "fixtures" / "assertion-context.ttl"])
    doc = kgx_document(kg, kg.projection)
    assert biolink_violations(tk, doc) == []
    edges = {e["id"]: e for e in doc.edges}
    neut = edges["ig:a_omalizumab_neutralizes_free_IgE"]
    assert (neut["anatomical_context_qualifier"], neut["species_context_qualifier"], neut["object_aspect_qualifier"],
            neut["object_aspect_text"]) == ("CL:0000097", "NCBITaxon:9606", "abundance", "")
    feature = edges["ig:a_mucus_secretion_featureOf_asthma"]
    assert (feature["object_aspect_qualifier"], feature["object_aspect_text"]) == ("", "airway mucus in severe asthma")
