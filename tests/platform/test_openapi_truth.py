"""The OpenAPI document says what the API does (issue 10, point 3): each rule it states is
checked against the server's answer, both ways (what the schema allows is taken, what it
refuses is refused), without waiting for the fuzz suite to stumble on it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from jimu.engines.form.sqltypes import MAX_ID

LEADS = "/api/apps/crm/entities/lead/records"


def document(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def schema_of(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """A component schema with its references resolvable (for ``jsonschema``)."""
    return {**doc["components"]["schemas"][name], "components": doc["components"]}


def allows(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def test_security_schemes_say_which_operations_need_a_caller(client: TestClient) -> None:
    doc = document(client)
    assert set(doc["components"]["securitySchemes"]) == {"apiToken", "sessionCookie"}
    assert doc["components"]["securitySchemes"]["sessionCookie"]["name"] == "jimu_session"
    signed_in = [{"apiToken": []}, {"sessionCookie": []}]
    assert doc["paths"]["/api/users"]["get"]["security"] == signed_in
    for path, method in [("/api/health", "get"), ("/api/auth/login", "post")]:
        assert "security" not in doc["paths"][path][method]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if "security" in operation:
                answer = client.request(method.upper(), path.replace("{", "").replace("}", ""))
                assert answer.status_code in (401, 404, 405), (method, path, answer.status_code)


def test_id_bounds_are_exact_integers(admin_client: TestClient, crm: str) -> None:
    doc = document(admin_client)
    share = doc["components"]["schemas"]["ShareIn"]["properties"]["department_id"]
    assert share["anyOf"][0]["maximum"] == MAX_ID and isinstance(share["anyOf"][0]["maximum"], int)
    lead = doc["components"]["schemas"]["crm.lead.create"]["properties"]
    assert lead["account"]["anyOf"][0]["maximum"] == MAX_ID
    assert lead["owner_id"]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def test_required_text_must_hold_a_line_with_something_in_it(
    admin_client: TestClient, crm: str
) -> None:
    create = schema_of(document(admin_client), "crm.lead.create")
    for name, taken in [("Wang", True), ("  ", False), ("two\nlines", False), ("", False)]:
        assert allows(create, {"name": name}) is taken, name
        answer = admin_client.post(LEADS, json={"name": name})
        assert (answer.status_code == 201) is taken, (name, answer.text)


def test_optional_fields_take_their_blank(admin_client: TestClient, crm: str) -> None:
    create = schema_of(document(admin_client), "crm.lead.create")
    body = {"name": "Li", "email": "", "amount": ""}
    assert allows(create, body)
    assert admin_client.post(LEADS, json=body).status_code == 201
    assert not allows(create, {"name": "Li", "email": {}})


@pytest.mark.parametrize(
    ("amount", "taken"),
    [("12.50", True), ("12.5", True), ("-1", False), ("1.234", False), ("1" * 17, False)],
)
def test_decimals_say_their_digits_and_sign(
    admin_client: TestClient, crm: str, amount: str, taken: bool
) -> None:
    create = schema_of(document(admin_client), "crm.lead.create")
    assert allows(create, {"name": "Li", "amount": amount}) is taken
    answer = admin_client.post(LEADS, json={"name": "Li", "amount": amount})
    assert (answer.status_code == 201) is taken, answer.text


def test_on_sqlite_decimals_keep_to_15_significant_digits(
    admin_client: TestClient, crm: str, db_url: str
) -> None:
    create = schema_of(document(admin_client), "crm.lead.create")
    sqlite = db_url.startswith("sqlite")
    body = {"name": "Li", "amount": "1" * 14 + ".00"}  # 16 digits: NUMERIC(18, 2) keeps them
    assert allows(create, body) is not sqlite
    assert (admin_client.post(LEADS, json=body).status_code == 201) is not sqlite


def test_filter_sort_and_fields_are_described(admin_client: TestClient, crm: str) -> None:
    doc = document(admin_client)
    for path in (LEADS, "/api/apps/{app}/entities/{entity}/records"):
        parameters = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        filter_schema = parameters["filter"]["content"]["application/json"]["schema"]
        assert allows(filter_schema, {"==": [{"var": "status"}, "new"]})
        assert not allows(filter_schema, {"no_such_operator": []})
        assert not allows(filter_schema, [1])
    parameters = {p["name"]: p for p in doc["paths"][LEADS]["get"]["parameters"]}
    sort, fields = parameters["sort"]["schema"], parameters["fields"]["schema"]
    assert allows(sort, "-amount, name") and not allows(sort, "nope")
    assert allows(fields, "name,email") and not allows(fields, "name,nope")
    assert admin_client.get(LEADS, params={"sort": "-amount, name"}).status_code == 200
    assert admin_client.get(LEADS, params={"sort": "nope"}).status_code == 422


def test_links_lead_from_a_created_record_to_its_operations(
    admin_client: TestClient, crm: str
) -> None:
    created = document(admin_client)["paths"][LEADS]["post"]["responses"]["201"]
    assert {link["operationId"] for link in created["links"].values()} == {
        "get_crm_lead",
        "update_crm_lead",
        "delete_crm_lead",
    }
    assert all(
        link["parameters"] == {"record_id": "$response.body#/id"}
        for link in created["links"].values()
    )


def test_new_passwords_follow_the_policy(client: TestClient) -> None:
    schemas = document(client)["components"]["schemas"]
    password = schemas["UserCreate"]["properties"]["password"]
    assert password["minLength"] == 10
    assert allows(password, "abcdefgh12") and not allows(password, "abcdefghij")
    assert schemas["UserCreate"]["properties"]["language"]["enum"] == ["en", "zh"]


def test_a_malformed_if_match_is_refused_even_with_a_version(
    admin_client: TestClient, crm: str
) -> None:
    record = admin_client.post(LEADS, json={"name": "Li"}).json()
    url = f"{LEADS}/{record['id']}"
    for header in ("", "abc", "²".encode("latin-1")):  # "²".isdigit(), but int("²") fails
        answer = admin_client.patch(url, json={"version": 1}, headers={"If-Match": header})
        assert answer.status_code == 422, (header, answer.text)
        assert answer.json()["errors"][0]["pointer"] == "/headers/if-match"
    answer = admin_client.patch(
        url, json={"version": 1.0, "name": "Lu"}, headers={"If-Match": 'W/"1"'}
    )
    assert answer.status_code == 200, answer.text


def test_whole_numbers_written_with_a_point_are_whole_numbers(
    admin_client: TestClient, crm: str
) -> None:
    account = admin_client.post("/api/apps/crm/entities/account/records", json={"name": "A"})
    body = {"name": "Li", "account": float(account.json()["id"]), "owner_id": 1.0}
    answer = admin_client.post(LEADS, json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["account"] == account.json()["id"]
    department = admin_client.post("/api/org/departments", json={"name": "D", "sort_order": 3.0})
    assert department.status_code == 201, department.text
    refused = admin_client.post("/api/org/departments", json={"name": "D", "sort_order": 3.5})
    assert refused.status_code == 422


def test_a_web_address_the_parser_cannot_split_is_a_422(admin_client: TestClient) -> None:
    from jimu.engines.form.model import Field
    from jimu.engines.form.types.base import InvalidValue
    from jimu.engines.form.types.text import UrlType

    parse = UrlType().parser(Field({"name": "site", "type": "url"}), None)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        parse("http://[")


def test_a_username_with_a_trailing_newline_is_refused(admin_client: TestClient) -> None:
    body = {"username": "newline\n", "password": "abcdefgh12345"}
    answer = admin_client.post("/api/users", json=body)
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/username"


def test_demoting_yourself_points_at_what_you_changed(admin_client: TestClient, admin: Any) -> None:
    answer = admin_client.patch(
        f"/api/users/{admin.id}", json={"is_admin": None, "is_active": False}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"pointer": "/is_active", "message": "Not for yourself.", "code": "yourself"}
    ]


def test_audit_times_beyond_the_calendar_are_bounds_not_errors(admin_client: TestClient) -> None:
    params = {"since": "0001-01-01T00:00:00+05:00", "until": "9999-12-31"}
    assert admin_client.get("/api/admin/audit-events", params=params).status_code == 200
    too_big = admin_client.get("/api/admin/audit-events", params={"before": str(MAX_ID + 1)})
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["pointer"] == "/before"


def test_an_import_into_no_such_entity_is_a_404_before_the_file_is_read(
    admin_client: TestClient, crm: str
) -> None:
    files = {"file": ("people", b"no extension", "application/octet-stream")}
    answer = admin_client.post("/api/apps/crm/entities/nope/records/import", files=files)
    assert answer.status_code == 404, answer.text


def test_the_organisation_import_documents_its_body(admin_client: TestClient) -> None:
    body = document(admin_client)["paths"]["/api/org/import"]["post"]["requestBody"]
    json_body = body["content"]["application/json"]["schema"]
    assert allows(json_body, {"users": []}) and not allows(json_body, {"users": None})
    assert admin_client.post("/api/org/import", json={"users": None}).status_code == 422
    assert admin_client.post("/api/org/import", json={"users": []}).status_code == 200


def test_spelled_out_whitespace_is_pythons_in_both_regex_dialects() -> None:
    import re

    import jsonschema_rs

    from jimu.engines.form.patterns import NOT_SPACE, SPACE

    ecma = jsonschema_rs.validator_for({"type": "string", "pattern": f"^{SPACE}$"})
    probes = [chr(c) for c in range(0x3100)] + ["\ufeff", "\U0001f600"]
    for char in probes:
        assert ecma.is_valid(char) is char.isspace(), hex(ord(char))
        assert bool(re.fullmatch(SPACE, char)) is char.isspace(), hex(ord(char))
        assert bool(re.fullmatch(NOT_SPACE, char)) is not char.isspace(), hex(ord(char))
