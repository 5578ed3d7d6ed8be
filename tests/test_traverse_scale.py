"""What blocks, when the pathway itself is large: thousands of parallel routes between the
review's source and target, decided on the graph without listing them."""

from __future__ import annotations

import pytest

import igegraph
from igegraph.traverse import blocks, cutsets, knockout

PREFIX = ("@prefix ige: <https://w3id.org/igegraph/vocab#> .\n@prefix ig: <https://w3id.org/igegraph/id/> .\n"
          "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")


def _parallel(path, n: int, blocked: int = 0) -> None:
    """n mediators, each activated by IgE and activating mast-cell degranulation; one antibody
    that neutralizes the first ``blocked`` of them."""
    lines = [PREFIX, 'ig:scale_antibody a ige:MonoclonalAntibody ; rdfs:label "scale antibody" .']
    for i in range(n):
        lines.append(f'ig:scale_m{i} a ige:Mediator ; rdfs:label "scale mediator {i}" .')
        lines.append(f"ig:IgE ige:activates ig:scale_m{i} . ig:scale_m{i} ige:activates ig:mast_cell_degranulation .")
        if i < blocked:
            lines.append(f"ig:scale_antibody ige:neutralizes ig:scale_m{i} .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    path = tmp_path_factory.mktemp("dense") / "dense.ttl"
    _parallel(path, 3000)
    return igegraph.load([path])


def test_three_thousand_parallel_mediators(dense):
    report = blocks(dense, "allergen", "mast cell degranulation")
    # 3 curated routes, plus 3,000 mediators times the 3 ways from allergen to IgE (the cone now
    # holds the IgE → CD23 → B cell → class switching loop: counted exactly all the same)
    assert (report.count.n, report.count.exact, len(report.routes)) == (9_003, True, 20)
    assert report.must_pass == ["ig:IgE"]
    by_agent = report.interventions
    # free-IgE agents and the B-cell killers (upstream, through the supply of IgE) cut all of them
    for agent in ("ig:omalizumab", "ig:ligelizumab", "ig:quilizumab", "ig:bsc_IgE_CD3"):
        assert by_agent[agent]["cuts_all_routes"] is True, agent
    # receptor-side agents leave the 12,000 mediator routes open
    micelles = [b for b in report.blockers if b.id == "ig:celastrol_micelles" and b.strength == "cuts"]
    assert micelles and all(not b.cuts_all_routes and b.share == round(3 / 9_003, 4) for b in micelles)
    ko = knockout(dense, ["FcεRI"], "allergen", "mast cell degranulation")
    assert (ko.routes_before.n, ko.routes_after.n) == (9_003, 9_000)


def test_cut_sets_among_thousands_of_routes(dense):
    found = [c.labels for c in cutsets(dense, "allergen", "mast cell degranulation", max_size=1, entities=True)]
    assert found == [["B cell"], ["IgE"], ["IgE+ B cell"]]


def test_all_mediators_but_one(tmp_path):
    path = tmp_path / "most.ttl"
    _parallel(path, 50, blocked=49)
    kg = igegraph.load([path])
    report = blocks(kg, "IgE", "mast cell degranulation")
    assert report.count.n == 51  # 50 mediators and FcεRI → mast cell
    summary = report.interventions["ig:scale_antibody"]
    assert summary["cuts_all_routes"] is False  # one mediator, and the receptor route, stay open
    ko = knockout(kg, ["scale antibody"], "IgE", "mast cell degranulation")
    assert ko.routes_after.n == 2
