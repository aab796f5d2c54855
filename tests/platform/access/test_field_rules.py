"""Field rules: a hidden field never appears in any response, export, history or error;
a read-only field cannot be written."""

from __future__ import annotations

import json
import re

from access_testing import Secured
from fastapi import FastAPI
from platform_testing import assert_problem

LEADS = "/api/apps/crm/entities/lead/records"


def test_a_hidden_field_never_appears(app: FastAPI, secured: Secured) -> None:
    rex1 = secured.leads["rex1"]
    with secured.client(app, "rex") as rex:
        bodies: list[str] = []

        def seen(response: object) -> None:
            bodies.append(response.text)  # type: ignore[attr-defined]

        listed = rex.get(LEADS)
        seen(listed)
        assert all("amount" not in item for item in listed.json()["items"])
        seen(rex.get(f"{LEADS}/{rex1}"))
        seen(rex.get(f"{LEADS}/{rex1}/history"))
        seen(rex.get(f"{LEADS}/export"))
        created = rex.post(LEADS, json={"name": "mine"})
        assert created.status_code == 201, created.text
        seen(created)
        seen(rex.patch(f"{LEADS}/{rex1}", json={"name": "rex1b"}))
        # A stale write answers with the current record: without the hidden field.
        stale = rex.patch(f"{LEADS}/{rex1}", json={"name": "x", "version": 1})
        assert_problem(stale, 409, "conflict")
        seen(stale)
        # Filtering, sorting, selecting or writing it fails as for a field that does not exist.
        for response in (
            rex.get(LEADS, params={"filter": json.dumps({">": [{"var": "amount"}, 0]})}),
            rex.get(LEADS, params={"sort": "amount"}),
            rex.get(LEADS, params={"fields": "name,amount"}),
            rex.post(LEADS, json={"name": "x", "amount": "1.00"}),
        ):
            assert response.status_code == 422, response.text
        for response in (
            rex.get(LEADS, params={"filter": json.dumps({">": [{"var": "nothing"}, 0]})}),
            rex.get(LEADS, params={"sort": "nothing"}),
        ):
            assert response.status_code == 422
        for body in bodies:
            assert "amount" not in body and "1000" not in body, body


def test_an_error_about_a_hidden_field_does_not_name_it(
    app: FastAPI, secured: Secured, admin_client: object
) -> None:
    # The admin makes amount required; a rep cannot see it, so the error stays neutral.
    from crm_app import LEAD

    lead = json.loads(json.dumps(LEAD))
    for f in lead["fields"]:
        if f["name"] == "amount":
            f["required"] = True
            f["default"] = None
            f.pop("default")
    saved = admin_client.put("/api/apps/crm/documents/entity/lead", json=lead)  # type: ignore[attr-defined]
    assert saved.status_code in (200, 201), saved.text
    published = admin_client.post("/api/apps/crm/publish", json={})  # type: ignore[attr-defined]
    assert published.status_code == 200, published.text
    with secured.client(app, "rex") as rex:
        refused = rex.post(LEADS, json={"name": "needs amount"})
        body = assert_problem(refused, 422, "validation_failed")
        assert "amount" not in refused.text
        assert body["errors"][0]["code"] == "hidden_field"


def test_read_only_fields_cannot_be_written(app: FastAPI, secured: Secured) -> None:
    rex1 = secured.leads["rex1"]
    with secured.client(app, "mia") as mia:
        record = mia.get(f"{LEADS}/{rex1}").json()
        assert record["email"] == "rex1@example.com"
        refused = mia.patch(f"{LEADS}/{rex1}", json={"email": "new@example.com"})
        body = assert_problem(refused, 422, "validation_failed")
        assert body["errors"] == [
            {"pointer": "/email", "message": "is read-only for you", "code": "read_only"}
        ]
        assert mia.patch(f"{LEADS}/{rex1}", json={"status": "won"}).status_code == 200
        access = mia.get("/api/apps/crm/access").json()
        assert access["roles"] == ["manager"]
        assert access["entities"]["lead"]["hidden"] == []
        assert access["entities"]["lead"]["read_only"] == ["email"]


def test_the_most_open_rule_of_several_roles_wins(
    app: FastAPI, secured: Secured, admin_client: object
) -> None:
    with secured.client(app, "win") as win:
        record = win.get(f"{LEADS}/{secured.leads['rex2']}").json()
        assert "email" not in record and record["amount"] == "1000.00"
        # With finance too (no field rules), email is visible again.
        added = admin_client.post(  # type: ignore[attr-defined]
            "/api/apps/crm/roles/finance/members", json={"user_id": secured.users["win"]}
        )
        assert added.status_code == 201
        record = win.get(f"{LEADS}/{secured.leads['rex2']}").json()
        assert record["email"] == "rex2@example.com"


def test_the_openapi_document_is_the_callers(app: FastAPI, secured: Secured) -> None:
    with secured.client(app, "rex") as rex:
        schemas = rex.get("/openapi.json").json()["components"]["schemas"]
        assert "amount" not in schemas["crm.lead"]["properties"]
        assert "amount" not in schemas["crm.lead.create"]["properties"]
        assert "name" in schemas["crm.lead"]["properties"]
        listing = rex.get("/openapi.json").json()["paths"][LEADS]["get"]["parameters"]
        sort = next(p for p in listing if p["name"] == "sort")["schema"]["pattern"]
        assert re.fullmatch(sort, "-name") and not re.fullmatch(sort, "-amount")
        assert rex.get(LEADS, params={"sort": "-amount"}).status_code == 422
    with secured.client(app, "nob") as nob:
        document = nob.get("/openapi.json").json()
        assert "crm.lead" not in document["components"]["schemas"]
        assert "/api/apps/crm/entities/lead/records" not in document["paths"]
