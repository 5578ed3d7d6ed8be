"""Optional RDFS entailment: off by default, exact answers with it on, computed once."""

from __future__ import annotations

import pytest

from igegraph.errors import QueryError
from igegraph.reasoning import entailed

DRUGS = "SELECT DISTINCT ?d WHERE { ?d a ige:Drug }"


def answers(result) -> set[str]:
    return {r["d"] for r in result.records()}


def test_rdfs_finds_subclass_members(any_kg):
    plain = answers(any_kg.query(DRUGS))
    by_path = answers(any_kg.query("SELECT DISTINCT ?d WHERE { ?d a/rdfs:subClassOf* ige:Drug }"))
    with_rdfs = answers(any_kg.query(DRUGS, reasoning="rdfs"))
    # typed ige:Drug itself: the anti-FcεRI Fab and "anti-IgE therapy", the class of therapies
    assert plain == {"ig:anti_FcERI_Fab", "ig:anti_IgE_therapy"}
    assert with_rdfs == by_path and len(with_rdfs) == 17
    assert {"ig:omalizumab", "ig:CMAB007", "ig:immunoadsorption"} <= with_rdfs


def test_rdfs_rules_subproperty_domain_range(kg):
    # secretes is a sub-property of produces (rdfs7); expressedOn's range is ige:Cell (rdfs3)
    produced = answers(kg.query("SELECT ?d WHERE { ig:mast_cell ige:produces ?d }", reasoning="rdfs"))
    secreted = answers(kg.query("SELECT ?d WHERE { ig:mast_cell ige:secretes ?d }"))
    assert secreted and secreted <= produced
    cells = kg.query("ASK { ig:basophil a ige:Entity }", reasoning="rdfs")
    assert cells.boolean is True and kg.query("ASK { ig:basophil a ige:Entity }").boolean is False


def test_entailment_is_computed_once_and_off_by_default(kg):
    assert entailed(kg) is entailed(kg)
    assert len(entailed(kg)) > len(kg)
    with pytest.raises(QueryError, match="unknown reasoning 'owl'; use one of none, rdfs"):
        kg.query(DRUGS, reasoning="owl")


def test_cli_reasoning(cli):
    text = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a ige:Drug }"
    assert cli("query", text, "--format", "records").output.count('"n": 2') == 1
    assert '"n": 17' in cli("query", text, "--reasoning", "rdfs", "--format", "records").output
