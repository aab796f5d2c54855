"""Record values sent to the JSON API must have their fields' JSON types (issue 10, point 2):
``42`` for a text or ``"a"`` for a multi-select is a 422 ``wrong_type`` naming the field, in
creates, updates, bulk rows and sub-table rows; imports keep converting text. ``owner_id``
past 2^63 - 1 in bulk rows is a 422 naming the row and the field."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from crm_app import LEAD, write_app
from fastapi.testclient import TestClient
from platform_testing import assert_problem

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

RECORDS = "/api/apps/crm/entities/lead/records"
BIG = 2**63
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPTIONS = [{"value": "vip"}, {"value": "new_customer", "label": {"en": "New", "zh": "新客"}}]


def strict_lead() -> dict[str, Any]:
    lead = copy.deepcopy(LEAD)
    lead["fields"] += [
        {"name": "tags", "type": "multiselect", "label": {"en": "Tags"}, "options": OPTIONS},
        {"name": "hot", "type": "boolean", "label": {"en": "Hot"}},
        {"name": "visits", "type": "number", "label": {"en": "Visits"}, "integer": True},
        {"name": "met_on", "type": "date", "label": {"en": "Met on"}},
    ]
    return lead


@pytest.fixture
def crm(platform: Platform, tmp_path: Path) -> str:
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, write_app(tmp_path / "apps", strict_lead()), publish=True)
    return "crm"


def errors_of(response: Any) -> list[tuple[str, str, str]]:
    body = assert_problem(response, 422, "validation_failed")
    return [(e["pointer"], e["code"], e["message"]) for e in body["errors"]]


def count(client: TestClient) -> int:
    total: int = client.get(RECORDS, params={"count": "true"}).json()["total"]
    return total


def test_a_number_for_a_text_is_422_naming_the_field(admin_client: TestClient, crm: str) -> None:
    response = admin_client.post(RECORDS, json={"name": 42})
    assert errors_of(response) == [("/name", "wrong_type", "expected text, got a number")]
    assert count(admin_client) == 0


def test_every_wrong_type_of_a_record_is_reported_at_once(
    admin_client: TestClient, crm: str
) -> None:
    body = {
        "name": "Wang",
        "email": 1,
        "status": ["new"],
        "amount": True,
        "account": "1",
        "tags": "vip",
        "hot": "yes",
        "visits": "3",
        "met_on": 20261123,
    }
    assert errors_of(admin_client.post(RECORDS, json=body)) == [
        ("/email", "wrong_type", "expected text, got a number"),
        ("/status", "wrong_type", "expected text, got a list"),
        ("/amount", "wrong_type", "expected text or a number, got true or false"),
        ("/account", "wrong_type", "expected a whole number, got text"),
        ("/tags", "wrong_type", "expected a list of options, got text"),
        ("/hot", "wrong_type", "expected true or false, got text"),
        ("/visits", "wrong_type", "expected a whole number, got text"),
        ("/met_on", "wrong_type", "expected text, got a number"),
    ]
    assert count(admin_client) == 0


def test_right_json_types_are_accepted_and_converted(admin_client: TestClient, crm: str) -> None:
    body = {
        "name": "Wang",
        "status": "Won",  # an option's label is still a string
        "amount": "1200.5",
        "tags": ["new_customer", "vip"],
        "hot": False,
        "visits": 3,
        "met_on": "2026-11-23",
    }
    created = admin_client.post(RECORDS, json=body)
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["status"], record["amount"], record["tags"]) == (
        "won",
        "1200.50",
        ["vip", "new_customer"],
    )
    assert (record["hot"], record["visits"], record["met_on"]) == (False, 3, "2026-11-23")
    again = admin_client.post(RECORDS, json={"name": "Li", "amount": 99.95, "tags": []})
    assert again.status_code == 201, again.text
    assert (again.json()["amount"], again.json()["tags"]) == ("99.95", None)


def test_money_as_a_json_number_is_refused_past_15_significant_digits(
    admin_client: TestClient, crm: str
) -> None:
    response = admin_client.post(RECORDS, json={"name": "Wang", "amount": 0.1 + 0.2})
    ((pointer, code, message),) = errors_of(response)
    assert (pointer, code) == ("/amount", "inexact_number")
    assert "send it as a string" in message


def test_updates_and_blanks_are_strict_too(admin_client: TestClient, crm: str) -> None:
    record = admin_client.post(RECORDS, json={"name": "Wang", "visits": 2}).json()
    url = f"{RECORDS}/{record['id']}"
    assert errors_of(admin_client.patch(url, json={"name": 7, "visits": ""})) == [
        ("/name", "wrong_type", "expected text, got a number"),
        ("/visits", "wrong_type", "expected a whole number, got text"),
    ]
    cleared = admin_client.patch(url, json={"visits": None, "email": ""})
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["visits"], cleared.json()["email"]) == (None, None)


def test_bulk_rows_name_the_row_and_the_field(admin_client: TestClient, crm: str) -> None:
    rows = [{"name": "Wang"}, {"name": "Li", "tags": "vip"}, {"name": 3.5}]
    assert errors_of(admin_client.post(f"{RECORDS}/bulk", json={"records": rows})) == [
        ("/1/tags", "wrong_type", "expected a list of options, got text"),
        ("/2/name", "wrong_type", "expected text, got a number"),
    ]
    assert count(admin_client) == 0
    created = admin_client.post(f"{RECORDS}/bulk", json={"records": rows[:1]}).json()["items"]
    patch = [{"id": created[0]["id"], "hot": 1}]
    assert errors_of(admin_client.patch(f"{RECORDS}/bulk", json={"records": patch})) == [
        ("/0/hot", "wrong_type", "expected true or false, got a number")
    ]


def test_owner_id_past_2_63_in_bulk_rows_is_422_naming_row_and_field(
    admin_client: TestClient, crm: str
) -> None:
    rows = [{"name": "Wang"}, {"name": "Li", "owner_id": BIG}]
    response = admin_client.post(f"{RECORDS}/bulk", json={"records": rows})
    assert [(p, c) for p, c, _ in errors_of(response)] == [("/1/owner_id", "unknown_user")]
    assert count(admin_client) == 0
    created = admin_client.post(f"{RECORDS}/bulk", json={"records": rows[:1]}).json()["items"]
    patch = [{"id": created[0]["id"], "owner_id": BIG}]
    response = admin_client.patch(f"{RECORDS}/bulk", json={"records": patch})
    assert [(p, c) for p, c, _ in errors_of(response)] == [("/0/owner_id", "unknown_user")]
    owner = admin_client.get(f"{RECORDS}/{created[0]['id']}").json()["owner_id"]
    assert owner == created[0]["owner_id"]


def test_imports_keep_converting_cells(admin_client: TestClient, crm: str) -> None:
    """A spreadsheet's numbers fill text fields, its text fills numbers, lists and booleans."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "tags", "hot", "visits", "amount"])
    sheet.append([42, "vip, New", "是", "3", 1200.5])
    buffer = io.BytesIO()
    book.save(buffer)
    response = admin_client.post(
        f"{RECORDS}/import",
        files={"file": ("leads.xlsx", buffer.getvalue(), XLSX)},
        data={"dry_run": "false"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True, response.json()
    (lead,) = admin_client.get(RECORDS).json()["items"]
    assert (lead["name"], lead["tags"], lead["hot"]) == ("42", ["vip", "new_customer"], True)
    assert (lead["visits"], lead["amount"]) == (3, "1200.50")
