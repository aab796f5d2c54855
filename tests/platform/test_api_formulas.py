"""The formula editor's API: the function catalogue, and the check as you type on a draft
entity (syntax errors with line and column in both languages, unknown fields and type
mistakes, the formula's type, its value on a sample record)."""

from __future__ import annotations

import copy
from typing import Any

from crm_app import LEAD
from fastapi.testclient import TestClient

CHECK = "/api/apps/crm/formulas/check"


def draft(*extra: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(LEAD)
    doc["fields"].extend(extra)
    return doc


def test_the_catalogue_lists_functions_with_both_languages(admin_client: TestClient) -> None:
    functions = {f["name"]: f for f in admin_client.get("/api/formula-functions").json()}
    rounding = functions["ROUND"]
    assert (rounding["min_args"], rounding["max_args"]) == (1, 2)
    assert rounding["signature"] == "(number, number?) → number"
    assert rounding["description"] == {"en": "a rounded to b decimals", "zh": "a 保留 b 位小数"}
    assert {"IF", "DATEDIF", "CONCAT", "LEN"} <= set(functions)


def test_syntax_errors_have_line_and_column_in_both_languages(
    admin_client: TestClient, crm: str
) -> None:
    body = {"document": draft(), "formula": "ROUND(amount * 2, 2"}
    en = admin_client.post(CHECK, json=body).json()
    (error,) = en["errors"]
    assert (error["line"], error["column"], error["code"]) == (1, 20, "formula_syntax")
    assert "closing parenthesis" in error["message"] and en["type"] is None
    zh = admin_client.post(CHECK, json={**body, "lang": "zh"}).json()
    assert zh["errors"][0]["message"].startswith("第 1 行第 20 列")


def test_fields_and_types_are_checked_against_the_draft(admin_client: TestClient, crm: str) -> None:
    # "bonus" exists only in the draft: the check knows it.
    bonus = {"name": "bonus", "type": "number", "label": {"en": "Bonus"}}
    ok = admin_client.post(CHECK, json={"document": draft(bonus), "formula": "amount + bonus"})
    assert ok.json() == {
        "errors": [],
        "type": "number",
        "stores": "number",
        "value": None,
        "value_error": None,
    }
    typo = admin_client.post(CHECK, json={"document": draft(), "formula": "amont * 2"}).json()
    assert typo["errors"][0]["code"] == "unknown_field" and "amount" in typo["errors"][0]["message"]
    mixed = admin_client.post(CHECK, json={"document": draft(), "formula": "UPPER(amount)"})
    assert mixed.json()["errors"][0]["code"] == "type_mismatch"


def test_a_draft_without_a_name_or_with_nameless_fields_is_named(
    admin_client: TestClient, crm: str
) -> None:
    body = {"document": {"fields": [{"type": "text"}, {"name": "x", "type": "nope"}, 3]}}
    refused = admin_client.post(CHECK, json={**body, "formula": "1 + 1"})
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == [
        "/document/name",
        "/document/fields/0/name",
        "/document/fields/1/type",
        "/document/fields/2",
    ]


def test_the_value_on_a_sample_record(admin_client: TestClient, crm: str) -> None:
    lead = admin_client.post(
        "/api/apps/crm/entities/lead/records", json={"name": "Zhang", "amount": "120.50"}
    ).json()
    body = {"document": draft(), "formula": 'CONCAT(UPPER(name), " ", amount * 2)'}
    shown = admin_client.post(CHECK, json={**body, "record_id": lead["id"]}).json()
    assert shown["errors"] == [] and shown["type"] == "text"
    assert shown["value"] == "ZHANG 241"
    missing = admin_client.post(CHECK, json={**body, "record_id": 999_999}).json()
    assert missing["value"] is None and missing["value_error"] == "there is no record 999999"


def test_only_designers_may_check(user_client: TestClient, crm: str) -> None:
    refused = user_client.post(CHECK, json={"document": draft(), "formula": "1 + 1"})
    assert refused.status_code == 403


def test_the_autonumber_preview_continues_the_counter(admin_client: TestClient, crm: str) -> None:
    preview = "/api/apps/crm/autonumber/preview"
    body = {"entity": "lead", "field": "code", "pattern": "L-{0000}"}
    assert admin_client.post(preview, json=body).json() == {
        "numbers": ["L-0001", "L-0002", "L-0003"],
        "error": None,
    }
    for name in ("A", "B"):
        admin_client.post("/api/apps/crm/entities/lead/records", json={"name": name})
    numbers = admin_client.post(preview, json={**body, "pattern": "X{000}"}).json()["numbers"]
    assert numbers == ["X003", "X004", "X005"]
    bad = admin_client.post(preview, json={**body, "pattern": "L-{00"}).json()
    assert bad["numbers"] == [] and "exactly one counter" in bad["error"]


def test_a_formula_without_returns_stores_and_shows_the_type_it_gives(
    admin_client: TestClient, crm: str
) -> None:
    # The editor says "gives a text"; the column, the record API and the record page agree.
    greeting = {"name": "greeting", "type": "formula", "formula": 'CONCAT(name, "!")'}
    big = {"name": "big", "type": "formula", "formula": "amount * 1000"}
    said = admin_client.post(
        CHECK, json={"document": draft(greeting), "formula": 'CONCAT(name, "!")'}
    )
    assert (said.json()["type"], said.json()["stores"]) == ("text", "text")
    kept = {"document": draft(greeting), "formula": "name", "returns": "number"}
    assert admin_client.post(CHECK, json=kept).json()["stores"] == "number"
    saved = admin_client.put("/api/apps/crm/documents/entity/lead", json=draft(greeting, big))
    assert saved.is_success
    published = admin_client.post("/api/apps/crm/publish")
    assert published.status_code == 200, published.text
    body = {"name": "Zhang", "amount": "12.5"}
    lead = admin_client.post("/api/apps/crm/entities/lead/records", json=body).json()
    assert (lead["greeting"], lead["big"]) == ("Zhang!", 12500)
    page = admin_client.get(f"/apps/crm/lead/{lead['id']}")
    assert page.status_code == 200 and "Zhang!" in page.text
    assert "12,500" in page.text  # a number, shown as one
