"""The role editor's page (administrators only): its boot data (the role document, the
published entities with their fields, the choices labelled from the catalogue), a new role of
a valid name, and the links from the roles page."""

from __future__ import annotations

import json
import re
from typing import Any

from access_testing import Secured
from fastapi import FastAPI
from fastapi.testclient import TestClient

HTML = {"Accept": "text/html"}
BOOT = re.compile(r'<script type="application/json" id="designer-boot">(.*?)</script>', re.S)


def boot_of(page: str) -> dict[str, Any]:
    found = BOOT.search(page)
    assert found, "the page has no boot data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_editor_boots_with_the_role_and_the_apps_entities(
    secured: Secured, admin_client: TestClient
) -> None:
    response = admin_client.get("/design/apps/crm/roles/winner?lang=zh", headers=HTML)
    assert response.status_code == 200, response.text
    assert re.search(r'src="/static/designers/role-[^"]+\.js"', response.text)
    boot = boot_of(response.text)
    assert boot["designer"] == "role" and boot["lang"] == "zh"
    assert boot["document"]["entities"]["lead"]["scope"] == {
        "condition": {"==": [{"var": "status"}, "won"]}
    }
    assert (boot["status"], boot["version"], boot["published_version"]) == ("published", 1, 1)
    lead = next(e for e in boot["entities"] if e["name"] == "lead")
    assert lead["label"] == "线索"
    assert {"name": "status", "label": "状态", "type": "select"} in lead["fields"]
    assert {"value": "read", "label": "查看"} in boot["actions"]
    assert [k["value"] for k in boot["scope_kinds"]] == [
        "own",
        "department",
        "department_tree",
        "all",
    ]
    assert [k["value"] for k in boot["assign_kinds"]] == [
        "self",
        "department",
        "department_tree",
        "anyone",
    ]
    assert "forms" in [r["value"] for r in boot["design_rights"]]
    assert boot["field_rules"] == ["hidden", "read_only", "editable"]
    assert boot["api"] == "/api/apps/crm"
    assert boot["messages"]["designer.role.read_scope"] == "可查看的记录"
    assert boot["messages"]["designer.condition.any_of"] == "满足任一"


def test_a_role_that_does_not_exist_yet_starts_empty(
    secured: Secured, admin_client: TestClient
) -> None:
    boot = boot_of(admin_client.get("/design/apps/crm/roles/auditor", headers=HTML).text)
    assert boot["document"] == {
        "kind": "role",
        "name": "auditor",
        "label": {"en": "auditor"},
        "entities": {},
    }
    assert (boot["status"], boot["version"], boot["published_version"]) == ("new", 0, None)


def test_the_new_role_form_checks_the_name(secured: Secured, admin_client: TestClient) -> None:
    moved = admin_client.get(
        "/design/apps/crm/new-role?role=auditor", headers=HTML, follow_redirects=False
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == "/design/apps/crm/roles/auditor"
    bad = admin_client.get("/design/apps/crm/new-role?role=Bad Name", headers=HTML)
    assert bad.status_code == 422
    assert admin_client.get("/design/apps/crm/roles/Bad", headers=HTML).status_code == 404


def test_only_administrators_edit_roles(app: FastAPI, secured: Secured) -> None:
    """Not even an app's designers: roles decide who sees what (docs/access.md)."""
    for username in ("dee", "rex"):
        client = secured.client(app, username)
        page = client.get("/design/apps/crm/roles/winner", headers=HTML)
        assert page.status_code == 403, username
        new = client.get("/design/apps/crm/new-role?role=x", headers=HTML)
        assert new.status_code == 403, username


def test_the_roles_page_links_each_role_to_its_editor(
    secured: Secured, admin_client: TestClient
) -> None:
    page = admin_client.get("/admin/apps/crm/roles", headers=HTML).text
    assert 'href="/design/apps/crm/roles/winner"' in page
    assert 'action="/design/apps/crm/new-role"' in page
