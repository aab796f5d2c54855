"""Decision tables in the platform, on both databases: published like every document (an
overlap of a unique table refused with both rows), checked and tried through the API, and run
by a rule's decision_table action in the worker."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from rules_testing import APP, create, get, publish, rule, worker

from jimu.platform.state import Platform


def v(name: str) -> dict[str, str]:
    return {"var": name}


def table(
    name: str, policy: str, rows: list[tuple[list[Any], list[Any]]], **kw: Any
) -> dict[str, Any]:
    return {
        "kind": "decision_table",
        "name": name,
        "label": {"en": "Bonus", "zh": "加分"},
        "entity": "lead",
        "inputs": [{"field": "status"}, {"field": "score"}],
        "outputs": [{"name": "points", "type": "number"}],
        "hit_policy": policy,
        "rows": [{"cells": cells, "outputs": outs} for cells, outs in rows],
        **kw,
    }


BONUS = table(
    "bonus",
    "collect",
    [
        ([{"==": [v("status"), "new"]}, None], [5]),
        ([None, {">=": [v("score"), 50]}], [10]),
        ([{"==": [v("status"), "won"]}, None], [None]),
    ],
    aggregate="sum",
)
STAGE = {
    **table(
        "stage",
        "first",
        [
            ([None, {">=": [v("score"), 100]}], ["won"]),
            ([None, {">=": [v("score"), 50]}], ["mql"]),
            ([None, {">=": [v("score"), 60]}], ["mql"]),
        ],
    ),
    "outputs": [{"name": "stage", "type": "text"}],
}


def test_a_rule_runs_tables_in_the_worker(platform: Platform) -> None:
    actions = [
        {"type": "decision_table", "table": "stage", "set": {"stage": "status"}},
        {"type": "decision_table", "table": "bonus", "add": {"points": "score"}},
    ]
    publish(platform, [BONUS, STAGE, rule("score", trigger={"on": "created"}, actions=actions)])
    hot = create(platform, "lead", name="Hot", status="new", score=60)
    big = create(platform, "lead", name="Big", status="won", score=120)
    cold = create(platform, "lead", name="Cold", score=1)
    assert worker(platform).drain() >= 3
    # stage first (score 60 -> mql), then the bonus reads the record as the first action left it
    assert (
        get(platform, "lead", hot["id"])["status"],
        get(platform, "lead", hot["id"])["score"],
    ) == ("mql", 70)
    assert (
        get(platform, "lead", big["id"])["status"],
        get(platform, "lead", big["id"])["score"],
    ) == ("won", 130)
    assert (
        get(platform, "lead", cold["id"])["status"],
        get(platform, "lead", cold["id"])["score"],
    ) == (None, 1)


def test_publish_refuses_overlaps_and_rules_that_do_not_fit(
    platform: Platform, admin_client: TestClient
) -> None:
    publish(platform)
    docs = f"/api/apps/{APP}/documents"
    overlapping = table(
        "grade",
        "unique",
        [
            ([{"in_list": [v("status"), ["new", "mql"]]}, {"<": [v("score"), 50]}], [1]),
            ([{"==": [v("status"), "won"]}, None], [2]),
            ([{"!=": [v("status"), "won"]}, {"<=": [40, v("score"), 60]}], [3]),
        ],
    )
    assert admin_client.put(f"{docs}/decision_table/grade", json=overlapping).status_code == 200
    refused = admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "decision_table"})
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert error["pointer"] == "decision_tables/grade.json#/rows/2"
    assert error["message"].startswith("overlaps /rows/0: both match status = ")
    checked = admin_client.post(f"/api/apps/{APP}/decision-tables/grade/check", json={})
    assert [e["pointer"] for e in checked.json()["errors"]] == ["/rows/2"]

    overlapping["rows"][2]["cells"][1] = {"<=": [50, v("score"), 60]}
    assert admin_client.put(f"{docs}/decision_table/grade", json=overlapping).status_code == 200
    ok = admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "decision_table"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["warnings"] == []
    assert admin_client.put(f"{docs}/decision_table/stage", json=STAGE).status_code == 200
    warned = admin_client.post(f"/api/apps/{APP}/publish", json={"name": "stage"})
    assert warned.status_code == 200, warned.text
    assert [(w["pointer"], w["code"]) for w in warned.json()["warnings"]] == [
        ("decision_tables/stage.json#/rows/2", "unreachable")
    ]

    wrong = rule(
        "r",
        trigger={"on": "created"},
        actions=[{"type": "decision_table", "table": "grade", "set": {"points": "tags"}}],
    )
    assert admin_client.put(f"{docs}/rule/r", json=wrong).status_code == 200
    refused = admin_client.post(f"/api/apps/{APP}/publish", json={"kind": "rule"})
    assert refused.status_code == 422, refused.text
    assert [e["pointer"] for e in refused.json()["errors"]] == [
        "rules/r.json#/actions/0/set/points"
    ]
    listed = admin_client.get(f"/api/apps/{APP}/decision-tables").json()
    assert [(t["name"], t["status"], t["rows"], t["published_version"]) for t in listed] == [
        ("grade", "published", 3, 1),
        ("stage", "published", 3, 1),
    ]
    assert listed[0]["outputs"] == [{"name": "points", "type": "number"}]


def test_check_warns_of_unreachable_rows_and_try_it_shows_the_matching_rows(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    publish(platform, [BONUS])
    base = f"/api/apps/{APP}/decision-tables"
    checked = admin_client.post(f"{base}/stage/check", json={"table": STAGE}).json()
    assert checked["errors"] == []
    assert [(w["pointer"], w["code"]) for w in checked["warnings"]] == [("/rows/2", "unreachable")]
    lead = create(platform, "lead", name="Ann", status="new", score=65)
    tried = admin_client.post(f"{base}/bonus/try", json={"record_id": lead["id"]}).json()
    assert tried["inputs"] == {"status": "new", "score": 65}
    assert (tried["matched"], tried["used"], tried["outputs"]) == ([0, 1], [0, 1], {"points": 15})
    first = admin_client.post(
        f"{base}/stage/try", json={"record_id": lead["id"], "table": STAGE}
    ).json()
    assert (first["matched"], first["used"], first["outputs"]) == ([1, 2], [1], {"stage": "mql"})
    clash = table("clash", "unique", [([None, None], [1]), ([None, None], [2])])
    unique = admin_client.post(f"{base}/clash/try", json={"record_id": lead["id"], "table": clash})
    assert unique.status_code == 422
    assert [e["pointer"] for e in unique.json()["errors"]] == ["/rows/1"]
    assert user_client.post(f"{base}/bonus/try", json={"record_id": lead["id"]}).status_code == 403
    missing = admin_client.post(f"{base}/bonus/try", json={"record_id": 999})
    assert missing.status_code == 404
