"""The flow pages: the app's flows and the flow designer open for administrators and holders
of the ``flows`` design right (with what the designer boots from: the document, the people
for the approver pickers), 403 for anyone else; the app designer links to them."""

from __future__ import annotations

import json
import re

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, add_user, sign_in

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
CYCLE = {
    "kind": "flow",
    "name": "rework",
    "label": {"en": "Rework"},
    "entity": "opportunity",
    "nodes": [
        {"id": "s", "type": "start", "on": "manual"},
        {"id": "fix", "type": "fill"},
        {"id": "x", "type": "exclusive"},
        {"id": "e", "type": "end"},
    ],
    "edges": [
        {"from": "s", "to": "fix"},
        {"from": "fix", "to": "x"},
        {"from": "x", "to": "fix", "condition": {"<": [{"var": "record.amount"}, 10]}},
        {"from": "x", "to": "e", "default": True},
    ],
}


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    return platform


def boot_of(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="designer-boot"[^>]*>(.*?)</script>', html, re.S
    )
    assert found, "no boot data"
    data = json.loads(found.group(1))
    assert isinstance(data, dict)
    return data


def test_an_admin_opens_the_flows_and_a_new_flow(app: FastAPI, marketing: Platform) -> None:
    admin = add_user(marketing, "admin", ADMIN_PASSWORD, is_admin=True)
    with begin_write(marketing.engine) as conn:
        store.save_draft(conn, "marketing", "flow", "rework", CYCLE)
    with TestClient(app) as client:
        sign_in(client, "admin", ADMIN_PASSWORD)
        listing = client.get("/design/apps/marketing/flows", headers=HTML)
        assert listing.status_code == 200
        boot = boot_of(listing.text)
        assert boot["page"] == "list" and boot["designer"] == "flow"
        # The shipped flows are published; the one this test saved is a draft.
        assert [f for f in boot["flows"] if f["status"] == "draft"] == [
            {
                "name": "rework",
                "label": {"en": "Rework"},
                "entity": "opportunity",
                "version": 1,
                "status": "draft",
                "published_version": None,
            }
        ]
        page = client.get("/design/apps/marketing/flows/new_approval", headers=HTML)
        assert page.status_code == 200
        boot = boot_of(page.text)
        assert boot["status"] == "new" and boot["version"] == 0
        document = boot["document"]
        assert isinstance(document, dict)
        assert document["nodes"] == [
            {"id": "start", "type": "start", "on": "manual"},
            {"id": "end", "type": "end"},
        ]
        users = boot["users"]
        assert (
            isinstance(users, list)
            and {"id": admin.id, "label": "admin", "username": "admin"} in users
        )
        assert isinstance(boot["roles"], list) and boot["roles"]
        assert boot["messages"]["designer.flow.kind_approval"] == "Approver"  # type: ignore[index]
        saved = boot_of(client.get("/design/apps/marketing/flows/rework", headers=HTML).text)
        assert saved["document"] == CYCLE and saved["status"] == "draft"
        editor = boot_of(client.get("/design/apps/marketing", headers=HTML).text)
        assert editor["flows_url"] == "/design/apps/marketing/flows"
        assert client.get("/design/apps/marketing/flows/Bad-Name", headers=HTML).status_code == 404


def test_the_flows_right_opens_them_and_other_rights_get_a_403(
    app: FastAPI, marketing: Platform
) -> None:
    give_design_right(marketing, "marketing", "flo", ["flows"])
    with TestClient(app) as client:
        sign_in(client, "flo", PASSWORD)
        assert client.get("/design/apps/marketing/flows", headers=HTML).status_code == 200
        assert client.get("/design/apps/marketing/flows/x", headers=HTML).status_code == 200
    give_design_right(marketing, "marketing", "rui", ["rules"])
    with TestClient(app) as client:
        sign_in(client, "rui", PASSWORD)
        for url in ("/design/apps/marketing/flows", "/design/apps/marketing/flows/x"):
            page = client.get(url, headers=HTML)
            assert page.status_code == 403, url
            assert 'id="designer-boot"' not in page.text
