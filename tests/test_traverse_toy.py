"""Traversal semantics on a toy network with known answers (tests/fixtures/traverse/toy.ttl):
cell context, cut vs weaken, per-route modes, end-point agents, knockout of any entity,
minimal cut sets of interventions and of entities, must-pass nodes."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

import igegraph
from igegraph.errors import IgegraphError
from igegraph.traverse import blocks, count_routes, cutsets, knockout, path, routes

TOY = Path(__file__).parent / "fixtures" / "traverse" / "toy.ttl"


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def toy(request):
    return igegraph.load([TOY], backend=request.param)


ROUTES = [["toy source", "toy a", "toy target"], ["toy source", "toy b", "toy target"],
          ["toy source", "toy receptor", "toy cell x", "toy target"],
          ["toy source", "toy receptor", "toy cell y", "toy target"]]


def test_routes_ranked_and_counted(toy):
    assert [r.labels for r in routes(toy, "toy source", "toy target")] == ROUTES
    assert [r.labels for r in routes(toy, "toy source", "toy target", limit=1)] == ROUTES[:1]
    assert count_routes(toy, "toy source", "toy target").text() == "4 routes"
    assert count_routes(toy, "toy source", "toy target", max_length=2).text() == "2 routes"


def test_path_says_whether_a_longer_limit_helps(toy):
    report = path(toy, "toy source", "toy end", max_length=2)
    assert report.routes == [] and report.no_route == (
        "no route from toy source to toy end within 2 steps; the shortest has 3 (use --max-length 3)")
    report = path(toy, "toy target", "toy source")
    assert report.no_route == "no route from toy target to toy source at any length: nothing causal leads from one to the other"


def _rows(report):
    return {(b.label, b.step_label, b.mode, b.strength, b.cuts_all_routes, tuple(b.routes_cut), b.share)
            for b in report.blockers}


def test_blocks_cuts_weakens_context_and_end_point(toy):
    report = blocks(toy, "toy source", "toy target")
    assert _rows(report) == {
        ("toy drug src", "toy source", "direct", "cuts", True, (0, 1, 2, 3), 1.0),
        ("toy drug a", "toy a", "direct", "cuts", False, (0,), 0.25),
        ("toy weak drug a", "toy a", "direct", "weakens", False, (0,), 0.25),
        ("toy drug b", "toy b", "direct", "cuts", False, (1,), 0.25),
        # acting on a family acts on its narrower types (ige:subtypeOf)
        ("toy drug b family", "toy b", "direct", "cuts", False, (1,), 0.25),
        ("toy drug edge", "toy source → toy b", "direct", "cuts", False, (1,), 0.25),
        ("toy drug r", "toy receptor", "direct", "cuts", False, (2, 3), 0.5),
        # the receptor antagonized on cell x only: the route through cell y stays open
        ("toy drug r on x", "toy receptor", "direct", "cuts", False, (2,), 0.25),
        ("toy weak drug r on y", "toy receptor", "direct", "weakens", False, (3,), 0.25),
    }
    by_label = {b.label: b for b in report.blockers}
    assert [c.to_dict() for c in by_label["toy drug r on x"].cuts] == [
        {"route": 2, "mode": "direct", "at": "https://example.org/toy/r", "at_label": "toy receptor",
         "strength": "cuts"}]
    assert by_label["toy drug r on x"].context == ["toy cell x"]
    # one of two makers is not a cut; the tool only binds; the target's own neutralizer blocks nothing
    assert {"toy drug maker", "toy drug second maker", "toy tool", "toy drug dst"}.isdisjoint(by_label)
    assert [(a.label, a.mode) for a in report.acts_on_target] == [("toy drug dst", "direct")]
    assert report.must_pass == []
    assert report.interventions["https://example.org/toy/drug_r"]["cuts_all_routes"] is False
    assert report.interventions["https://example.org/toy/drug_src"]["cuts_all_routes"] is True


def test_must_pass_is_a_dominator(toy):
    report = blocks(toy, "toy source", "toy end")
    assert [report.labels[n] for n in report.must_pass] == ["toy hub"]


def test_upstream_needs_every_supply_cut(toy):
    one = knockout(toy, ["toy drug maker"], "toy a", "toy target")
    assert one.surviving == [0] and one.cut == []
    both = knockout(toy, ["toy drug maker", "toy drug second maker"], "toy a", "toy target")
    assert both.surviving == [] and [(c["mode"], c["at_label"], sorted(c["by"])) for c in both.cut] == [
        ("upstream", "toy a", ["https://example.org/toy/drug_maker", "https://example.org/toy/drug_maker2"])]


def test_knockout_any_entity_and_mixed(toy):
    ko = knockout(toy, ["toy receptor"], "toy source", "toy target")
    assert ko.removed == ["https://example.org/toy/r"] and ko.applied == []
    assert (ko.routes_before.n, ko.routes_after.n, ko.surviving) == (4, 2, [0, 1])
    ko = knockout(toy, ["toy cell x", "toy drug a", "toy weak drug r on y"], "toy source", "toy target")
    assert ko.applied == ["https://example.org/toy/drug_a", "https://example.org/toy/drug_r_w"]
    assert ko.removed == ["https://example.org/toy/cell_x"]
    assert (ko.routes_after.n, ko.surviving) == (2, [1, 3])
    assert [(w["route"], w["at_label"]) for w in ko.weakened] == [(3, "toy receptor")]
    # removing the root of the makers' supply starves a: route 0 is cut upstream
    ko = knockout(toy, ["toy root"], "toy source", "toy target")
    assert [(c["route"], c["mode"], c["at_label"]) for c in ko.cut] == [(0, "upstream", "toy a")]
    # knocking out the target itself leaves no route to it
    assert knockout(toy, ["toy target"], "toy source", "toy target").routes_after.n == 0


def test_knockout_of_something_off_the_routes_says_so(toy):
    with pytest.raises(IgegraphError, match="toy p1 lies on no route from toy source to toy target and nothing "
                                             "on them depends on it: nothing to knock out"):
        knockout(toy, ["toy p1"], "toy source", "toy target")
    ko = knockout(toy, ["toy p1", "toy drug a"], "toy source", "toy target")
    assert ko.notes == ["toy p1 lies on no route from toy source to toy target and nothing on them depends on it"]
    with pytest.raises(IgegraphError, match="toy tool has no action on any entity"):
        knockout(toy, ["toy tool"], "toy source", "toy target")


INTERVENTIONS = ["toy drug a", "toy weak drug a", "toy drug b", "toy drug b family", "toy drug src", "toy drug maker",
                 "toy drug second maker", "toy drug edge", "toy drug r on x", "toy weak drug r on y", "toy drug r",
                 "toy drug dst", "toy tool"]


def test_cutsets_minimal_and_complete(toy):
    found = [set(c.labels) for c in cutsets(toy, "toy source", "toy target", max_size=4)]
    assert found == [
        {"toy drug src"},
        {"toy drug a", "toy drug b", "toy drug r"},
        {"toy drug a", "toy drug b family", "toy drug r"},
        {"toy drug a", "toy drug edge", "toy drug r"},
        {"toy drug b", "toy drug maker", "toy drug r", "toy drug second maker"},
        {"toy drug b family", "toy drug maker", "toy drug r", "toy drug second maker"},
        {"toy drug edge", "toy drug maker", "toy drug r", "toy drug second maker"},
    ]
    # checked against knockout by brute force: a combination cuts every route exactly when it
    # contains a cut set (only abolishing actions cut; the target's own neutralizer never does)
    for k in range(1, 5):
        for combo in combinations(INTERVENTIONS, k):
            if "toy drug dst" in combo:
                continue  # knockout counts the target's own removal; cut sets do not
            if set(combo) == {"toy tool"}:
                continue  # nothing to apply (tested above)
            cuts_all = knockout(toy, combo, "toy source", "toy target").routes_after.n == 0
            assert cuts_all == any(c <= set(combo) for c in found), combo


def test_cutsets_of_entities(toy):
    found = [set(c.labels) for c in cutsets(toy, "toy source", "toy target", max_size=3, entities=True)]
    # entities of the causal network only: "toy b family" (a supertype of b) is no route node
    assert found == [{"toy a", "toy b", "toy receptor"}, {"toy a", "toy receptor", "toy src–b binding"},
                     {"toy b", "toy receptor", "toy root"}, {"toy receptor", "toy root", "toy src–b binding"}]
    assert [c.labels for c in cutsets(toy, "toy source", "toy end", max_size=1, entities=True)] == [["toy hub"]]


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_kept_cones_follow_a_changed_graph(backend):
    """A graph keeps the cones its traversals built (Cone.of), and drops them when it changes:
    a new route and a new supply show in the next answers."""
    from igegraph.traverse.cone import KEPT_CONES, Cone

    kg = igegraph.load([TOY], backend=backend)
    src, dst = kg.resolve("toy source"), kg.resolve("toy target")
    assert Cone.of(kg, src, dst, 8) is Cone.of(kg, src, dst, 8)
    assert count_routes(kg, "toy source", "toy target").text() == "4 routes"
    assert [r.labels for r in routes(kg, "toy source", "toy target")] == ROUTES  # their order kept
    ige, ex = "https://w3id.org/igegraph/vocab#", str(kg.iri(src))[: -len(src.split(":")[1])]
    kg.graph.update(f"INSERT DATA {{ <{kg.iri(src)}> <{ige}activates> <{ex}new_step> . "
                    f"<{ex}new_step> <{ige}activates> <{kg.iri(dst)}> . "
                    f"<{ex}new_step> a <{ige}Cell> }}")
    assert count_routes(kg, "toy source", "toy target").text() == "5 routes"
    assert len(routes(kg, "toy source", "toy target")) == 5
    cone = Cone.of(kg, src, dst, 8)
    for length in range(1, KEPT_CONES + 2):  # the oldest are dropped past the limit
        Cone.of(kg, src, dst, 100 + length)
    assert Cone.of(kg, src, dst, 8) is not cone and Cone.of(kg, src, dst, 8).count().n == 5
