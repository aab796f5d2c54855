"""Design rights per app: designers of forms may change entities and forms, nothing else;
users without a design right may not read the documents of an app with roles."""

from __future__ import annotations

import json

import sqlalchemy as sa
from access_testing import ROLES, Secured
from crm_app import LEAD
from fastapi import FastAPI
from platform_testing import assert_problem

from jimu.platform.models import AuditEvent
from jimu.platform.state import Platform

DOCS = "/api/apps/crm/documents"


def test_a_forms_designer_changes_entities_but_not_roles(app: FastAPI, secured: Secured) -> None:
    lead = json.loads(json.dumps(LEAD))
    lead["fields"].append({"name": "note", "type": "text", "label": {"en": "Note"}})
    with secured.client(app, "dee") as dee:
        assert dee.get(f"{DOCS}/entity/lead").status_code == 200
        saved = dee.put(f"{DOCS}/entity/lead", json=lead)
        assert saved.status_code in (200, 201), saved.text
        preview = dee.post("/api/apps/crm/publish/preview", json={"kind": "entity"})
        assert preview.status_code == 200, preview.text
        assert preview.json()["can_publish"] is True and preview.json()["conversions"] == []
        assert any("crm_lead.note" in step for step in preview.json()["steps"])
        published = dee.post("/api/apps/crm/publish", json={"kind": "entity"})
        assert published.status_code == 200, published.text
        role = dict(ROLES["rep"], entities={"lead": {"actions": ["read"], "scope": "all"}})
        assert_problem(dee.put(f"{DOCS}/role/rep", json=role), 403, "permission_denied")
        assert_problem(dee.post("/api/apps/crm/publish", json={}), 403, "permission_denied")
    with secured.client(app, "rex") as rex:
        assert_problem(rex.get(DOCS), 403, "permission_denied")
        assert_problem(rex.get(f"{DOCS}/entity/lead"), 403, "permission_denied")
        assert_problem(
            rex.post("/api/apps/crm/publish/preview", json={"kind": "entity"}),
            403,
            "permission_denied",
        )
        assert_problem(rex.put(f"{DOCS}/entity/lead", json=lead), 403, "permission_denied")


def test_publishing_roles_is_audited(
    secured: Secured, admin_client: object, platform: Platform
) -> None:
    role = dict(ROLES["rep"], entities={"lead": {"actions": ["read"], "scope": "all"}})
    saved = admin_client.put(f"{DOCS}/role/rep", json=role)  # type: ignore[attr-defined]
    assert saved.status_code in (200, 201), saved.text
    published = admin_client.post("/api/apps/crm/publish", json={"kind": "role"})  # type: ignore[attr-defined]
    assert published.status_code == 200, published.text
    with platform.engine.connect() as conn:
        kinds = list(conn.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.id)))
    assert kinds[-1] == "roles_published"


def test_a_bad_role_document_is_refused_with_pointers(
    secured: Secured, admin_client: object
) -> None:
    role = {
        "kind": "role",
        "name": "broken",
        "label": {"en": "Broken"},
        "entities": {
            "lead": {
                "actions": ["read"],
                "scope": {"condition": {"==": [{"var": "ownr"}, {"var": "$user.id"}]}},
                "fields": {"nope": "hidden"},
            },
            "ghost": {"actions": ["read"]},
        },
    }
    saved = admin_client.put(f"{DOCS}/role/broken", json=role)  # type: ignore[attr-defined]
    assert saved.status_code in (200, 201), saved.text
    refused = admin_client.post("/api/apps/crm/publish", json={"kind": "role"})  # type: ignore[attr-defined]
    body = assert_problem(refused, 422, "validation_failed")
    pointers = {e["pointer"] for e in body["errors"]}
    assert any(p.endswith("/entities/ghost") for p in pointers), pointers
    assert any(p.endswith("/entities/lead/fields/nope") for p in pointers), pointers
    assert any("/entities/lead/scope/condition" in p for p in pointers), pointers
    bad_action = dict(role, name="worse", entities={"lead": {"actions": ["fly"]}})
    rejected = admin_client.put(f"{DOCS}/role/worse", json=bad_action)  # type: ignore[attr-defined]
    assert_problem(rejected, 422, "validation_failed")


def test_a_role_names_only_known_assignment_rights(secured: Secured, admin_client: object) -> None:
    role = {
        "kind": "role",
        "name": "dispatcher",
        "label": {"en": "Dispatcher"},
        "entities": {"lead": {"actions": ["update"], "assign_to": "everyone"}},
    }
    refused = admin_client.put(f"{DOCS}/role/dispatcher", json=role)  # type: ignore[attr-defined]
    body = assert_problem(refused, 422, "validation_failed")
    assert [e["pointer"] for e in body["errors"]] == ["/entities/lead/assign_to"], body
    role["entities"] = {"lead": {"actions": ["update"], "assign_to": "anyone"}}
    saved = admin_client.put(f"{DOCS}/role/dispatcher", json=role)  # type: ignore[attr-defined]
    assert saved.status_code in (200, 201), saved.text
