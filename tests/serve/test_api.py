"""The JSON API of a real ``igegraph serve``: the CLI's JSON, one error shape, no 500 under fuzzing."""

from __future__ import annotations

import pytest

from .conftest import MAX_ROWS

# endpoint + parameters, and the CLI arguments that must print the same JSON
SAME_AS_CLI = [
    ("/api/describe/Xolair", {}, ["describe", "Xolair"]),
    ("/api/search", {"q": "fc epsilon", "limit": 5}, ["search", "fc epsilon", "--limit", "5"]),
    ("/api/path", {"source": "allergen", "target": "mast cell degranulation", "all": "true"},
     ["path", "allergen", "mast cell degranulation", "--all"]),
    ("/api/neighbors", {"term": "mast cell", "direction": "down", "predicate": "secretes"},
     ["neighbors", "mast cell", "--direction", "down", "--predicate", "secretes"]),
    ("/api/upstream", {"term": "IgE", "max_depth": 2}, ["upstream", "IgE", "--max-depth", "2"]),
    ("/api/downstream", {"term": "histamine"}, ["downstream", "histamine"]),
    ("/api/upstream", {"term": "IgE+ B cell", "predicate": ["kills", "induces apoptosis of"]},
     ["upstream", "IgE+ B cell", "--predicate", "kills", "--predicate", "induces apoptosis of"]),
    ("/api/pathways", {}, ["pathways"]),
    ("/api/blocks", {"pathway": "ige-fceri-degranulation"}, ["blocks", "--pathway", "ige-fceri-degranulation"]),
    ("/api/blocks", {"source": "allergen", "target": "mast cell degranulation", "any_agent": "true"},
     ["blocks", "allergen", "mast cell degranulation", "--any-agent"]),
    ("/api/knockout", {"item": "quilizumab", "source": "allergen", "target": "mast cell degranulation"},
     ["knockout", "quilizumab", "--from", "allergen", "--to", "mast cell degranulation"]),
    ("/api/cutsets", {"source": "IgE", "target": "Th2 activation", "max_size": 2},
     ["cutsets", "IgE", "Th2 activation", "--max-size", "2"]),
    ("/api/stats", {}, ["stats"]),
    ("/api/queries/cell-releases", {"cell": "basophil"}, ["query", "--name", "cell-releases", "--bind", "cell=basophil"]),
    ("/api/queries/cq01-ce3-binders", {"labels": "true"}, ["query", "--name", "cq01-ce3-binders", "--labels"]),
    ("/api/queries/drugs-by-phase", {"phase": "phase 2"}, ["query", "--name", "drugs-by-phase", "--bind", "phase=phase 2"]),
]


@pytest.mark.parametrize("endpoint, params, args", SAME_AS_CLI, ids=[" ".join(a[:2]) for *_, a in SAME_AS_CLI])
def test_api_returns_the_cli_json(client, cli_json, endpoint, params, args):
    r = client.get(endpoint, params=params)
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(*args)


def test_queries_lists_names_and_parameters(client, cli_json):
    listed = client.get("/api/queries").json()
    assert listed == cli_json("queries", data=False)
    by_name = {q["name"]: q for q in listed}
    assert [p["name"] for p in by_name["claim-provenance"]["parameters"]] == ["subject", "object"]
    assert by_name["cq05-table1-phases"]["parameters"] == [
        {"name": "phase", "type": "phase", "within": None, "description": "the normalised development phase",
         "example": "Phase III"}]
    assert by_name["cq05-table1-phases"]["example"] == "igegraph query cq05-table1-phases --bind 'phase=Phase III'"
    assert by_name["cq01-ce3-binders"]["parameters"] == []


def test_blocks_of_the_degranulation_pathway(client):
    # stable across traversal rewrites: the pathway's ends, its route count, omalizumab among blockers
    report = client.get("/api/blocks", params={"pathway": "ige-fceri-degranulation"}).json()
    assert (report["pathway"]["source"], report["pathway"]["target"]) == ("ig:allergen", "ig:mast_cell_degranulation")
    assert (len(report["pathway"]["routes"]), report["pathway"]["route_count"]) == (3, 3)
    assert "ig:omalizumab" in {b["id"] for b in report["blockers"]}
    assert [a["id"] for a in report["acts_on_target"]] == ["ig:celastrol_micelles"]


def test_named_query_binding_and_cap(client):
    rows = client.get("/api/queries/drugs-by-target", params={"target": "FcERI"}).json()
    assert {r["drugLabel"] for r in rows} == {
        "CTLA4Fcε", "MEDI4212", "anti-FcεRI Fab-conjugated celastrol-loaded polymeric micelles", "omalizumab"}
    capped = client.get("/api/queries/numbers")
    assert capped.status_code == 200
    assert len(capped.json()) <= MAX_ROWS


@pytest.mark.parametrize("endpoint, params, status, error", [
    ("/api/describe/no-such-thing-at-all", {}, 404, "unknown entity"),
    ("/api/path", {"source": "IgE"}, 422, "invalid parameters"),
    ("/api/path", {"source": "IgE", "target": "histamine", "max_length": 99}, 422, "invalid parameters"),
    ("/api/neighbors", {"term": "IgE", "direction": "sideways"}, 422, "invalid parameters"),
    ("/api/blocks", {"pathway": "x", "source": "IgE"}, 400, "bad request"),
    ("/api/blocks", {}, 400, "bad request"),
    ("/api/blocks", {"pathway": "no-such-pathway"}, 400, "bad request"),
    ("/api/queries/no-such-query", {}, 404, "unknown query"),
    ("/api/queries/cell-releases", {"cell": '"unterminated'}, 400, "query refused"),
    ("/api/queries/cq05-table1-phases", {"phse": "Phase III"}, 400, "query refused"),
    ("/api/queries/cq05-table1-phases", {"phase": "Phase 7"}, 400, "query refused"),
    ("/api/no-such-endpoint", {}, 404, "not found"),
])
def test_errors_have_one_shape(client, endpoint, params, status, error):
    r = client.get(endpoint, params=params)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error
    assert isinstance(body["detail"], str) and body["detail"]


def test_unknown_entity_suggests(client):
    body = client.get("/api/describe/omalizumb").json()
    assert body["suggestions"][0] == "omalizumab"


def test_fuzzed_requests_never_get_a_500(server):
    """schemathesis generates requests for every operation of the OpenAPI document."""
    # imported here, not at collection: schemathesis's import (and pytest's rewrite of its
    # modules) is paid only by the test process that runs this test
    import requests
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14

    # one session for all the cases: a kept-alive connection, not a new client and connection each
    with requests.Session() as session:
        for operation in operations:
            @given(case=operation.as_strategy())
            @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                      database=None)
            def check(case):
                response = case.call(timeout=30, session=session)
                case.validate_response(response, checks=[not_a_server_error])
                if response.status_code >= 400:
                    assert set(response.json()) >= {"error", "detail"}

            check()


def test_repeated_requests_are_answered_alike(client):
    first = client.get("/api/blocks", params={"pathway": "sensitization"})
    again = client.get("/api/blocks", params={"pathway": "sensitization"})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert again.headers["x-content-type-options"] == "nosniff"
    assert again.headers["content-type"] == "application/json"
