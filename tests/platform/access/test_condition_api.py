"""The condition builder's endpoints: an entity's fields with their kinds, options and links,
the builder operators and ``$user`` values (``vocabulary``), and a condition in words with its
problems (``explain``), on the secured ``crm`` app."""

from __future__ import annotations

from typing import Any

from access_testing import Secured
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import send_origin

from jimu.engines.expr.builder import KIND_OPERATORS, fill

BASE = "/api/apps/crm/entities/lead/conditions"


def _fields(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in body["fields"]}


def test_vocabulary_names_each_field_with_its_kind_options_and_link(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    response = admin_client.get(f"{BASE}/vocabulary")
    assert response.status_code == 200, response.text
    body = response.json()
    fields = _fields(body)
    assert body["label"] == {"en": "Lead", "zh": "线索"}
    assert [f["name"] for f in body["fields"]][:6] == [
        "code",
        "name",
        "email",
        "status",
        "amount",
        "account",
    ]
    assert fields["name"]["kind"] == "text"
    assert fields["amount"]["kind"] == "number"
    assert fields["status"]["kind"] == "choice"
    assert fields["status"]["options"] == [
        {"value": "new", "label": {"en": "New", "zh": "新"}},
        {"value": "won", "label": {"en": "Won", "zh": "赢单"}},
    ]
    assert fields["account"] == {
        "name": "account",
        "label": {"en": "Account", "zh": "客户"},
        "type": "link",
        "kind": "link",
        "value_type": "number",
        "system": False,
        "target": "account",
    }
    assert fields["owner_id"]["kind"] == "user" and fields["owner_id"]["system"]
    assert fields["owner_id"]["label"] == {"en": "Owner", "zh": "负责人"}
    assert fields["created_at"]["kind"] == "datetime"
    operators = body["operators"]
    assert [op["id"] for op in operators["choice"]] == [op.id for op in KIND_OPERATORS["choice"]]
    between = next(op for op in operators["number"] if op["id"] == "between")
    assert between["template"] == {"<=": [{"slot": "low"}, {"slot": "field"}, {"slot": "high"}]}
    assert between["label"] == {"en": "is between", "zh": "介于"}
    me = body["user_values"][0]
    assert me == {
        "value": {"var": "$user.id"},
        "kind": "user",
        "many": False,
        "label": {"en": "me", "zh": "我"},
    }
    assert {"value": "day", "label": {"en": "days", "zh": "天"}} in body["relative_units"]


def test_explain_says_the_condition_with_labels_options_and_user_values(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    send_origin(admin_client)
    condition = {
        "or": [
            {"==": [{"var": "owner_id"}, {"var": "$user.id"}]},
            {
                "and": [
                    {"in_list": [{"var": "status"}, ["won"]]},
                    {">": [{"var": "amount"}, 10000]},
                ]
            },
        ]
    }
    english = admin_client.post(f"{BASE}/explain", json={"condition": condition})
    assert english.status_code == 200, english.text
    assert english.json() == {
        "text": "Owner equals me or (Status is one of Won and Amount is greater than 10,000)",
        "errors": [],
    }
    chinese = admin_client.post(f"{BASE}/explain", json={"condition": condition, "lang": "zh"})
    assert chinese.json()["text"] == "负责人 等于 我 或（状态 是 赢单 之一 且 金额 大于 10,000）"


def test_explain_points_at_every_problem(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    send_origin(admin_client)
    condition = {
        "and": [
            {"==": [{"var": "stauts"}, "won"]},
            {">": [{"var": "created_at"}, "soon"]},
            {"==": [{"var": "owner_id"}, {"var": "$user.nope"}]},
        ]
    }
    response = admin_client.post(f"{BASE}/explain", json={"condition": condition})
    assert response.status_code == 200
    errors = {e["pointer"]: e for e in response.json()["errors"]}
    assert set(errors) == {"/and/0/==/0", "/and/1/>/1", "/and/2/==/1"}
    assert errors["/and/0/==/0"]["code"] == "unknown_field"
    assert "status" in errors["/and/0/==/0"]["message"]  # did you mean
    assert errors["/and/1/>/1"]["code"] == "type_mismatch"


def test_explain_reports_a_condition_that_has_no_sql_form(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    """``matches`` checks fine as a rule but cannot be a scope: the builder says so."""
    send_origin(admin_client)
    condition = {"matches": [{"var": "name"}, "^A"]}
    response = admin_client.post(f"{BASE}/explain", json={"condition": condition})
    [error] = response.json()["errors"]
    assert error["pointer"] == "/matches"
    assert error["code"] == "no_sql"


def test_only_the_designers_of_the_app_may_ask(app: FastAPI, secured: Secured) -> None:
    rep = secured.client(app, "rex")
    assert rep.get(f"{BASE}/vocabulary").status_code == 403
    send_origin(rep)
    denied = rep.post(f"{BASE}/explain", json={"condition": {"==": [1, 1]}})
    assert denied.status_code == 403
    designer = secured.client(app, "dee")
    assert designer.get(f"{BASE}/vocabulary").status_code == 200


def test_an_unknown_entity_is_404_and_a_bad_language_422(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    missing = admin_client.get("/api/apps/crm/entities/nope/conditions/vocabulary")
    assert missing.status_code == 404
    send_origin(admin_client)
    bad = admin_client.post(f"{BASE}/explain", json={"condition": True, "lang": "fr"})
    assert bad.status_code == 422
    assert "lang" in bad.text


def test_every_operator_offered_for_a_field_explains_without_problems(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    """What the builder offers for each field of the real lead table can be a scope."""
    send_origin(admin_client)
    vocabulary = admin_client.get(f"{BASE}/vocabulary").json()
    samples: dict[str, Any] = {"low": 1, "high": 2, "amount": 7, "unit": "month"}
    checked = 0
    for field in vocabulary["fields"]:
        text_like = field["kind"] in ("text", "choice")
        value: Any = "won" if text_like else 1
        slots = {**samples, "field": field["name"], "value": value, "values": [value]}
        for operator in vocabulary["operators"][field["kind"]]:
            condition = fill(operator["template"], slots)
            answer = admin_client.post(f"{BASE}/explain", json={"condition": condition}).json()
            assert answer["errors"] == [], (field["name"], operator["id"], answer)
            assert answer["text"]
            checked += 1
    assert checked > 60


def test_explain_reports_what_the_columns_cannot_render(
    app: FastAPI, secured: Secured, admin_client: TestClient
) -> None:
    send_origin(admin_client)
    condition = {"<": [{"var": "created_at"}, "2024-01-01"]}
    response = admin_client.post(f"{BASE}/explain", json={"condition": condition})
    [error] = response.json()["errors"]
    assert (error["pointer"], error["code"]) == ("/<", "no_sql_form")
