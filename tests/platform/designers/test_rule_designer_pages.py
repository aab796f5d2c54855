"""The rule pages: the app's rules and the rule designer open for administrators and holders
of the ``rules`` design right (with what the designer boots from), 403 for anyone else; the
app designer links to them."""

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


def test_an_admin_opens_the_rules_and_a_new_rules_designer(
    app: FastAPI, marketing: Platform
) -> None:
    add_user(marketing, "admin", ADMIN_PASSWORD, is_admin=True)
    with TestClient(app) as client:
        sign_in(client, "admin", ADMIN_PASSWORD)
        listing = client.get("/design/apps/marketing/rules", headers=HTML)
        assert listing.status_code == 200
        boot = boot_of(listing.text)
        assert boot["page"] == "list" and boot["designer"] == "rule"
        assert boot["designer_url"] == "/design/apps/marketing/rules/"
        assert "rule-" in listing.text  # the rule designer's script
        page = client.get("/design/apps/marketing/rules/hot_leads", headers=HTML)
        assert page.status_code == 200
        boot = boot_of(page.text)
        assert boot["status"] == "new" and boot["version"] == 0
        assert boot["document"] == {
            "kind": "rule",
            "name": "hot_leads",
            "label": {},
            "entity": "lead",
            "trigger": {"on": "created"},
            "actions": [],
        }
        assert boot["messages"]["designer.rule.tab_test"] == "Test run"
        editor = boot_of(client.get("/design/apps/marketing", headers=HTML).text)
        assert editor["rule_designer"] == "/design/apps/marketing/rules"
        assert client.get("/design/apps/marketing/rules/Bad-Name", headers=HTML).status_code == 404


def test_a_saved_draft_opens_in_the_designer(app: FastAPI, marketing: Platform) -> None:
    add_user(marketing, "admin", ADMIN_PASSWORD, is_admin=True)
    body = {
        "kind": "rule",
        "name": "tag",
        "label": {"zh": "打标签"},
        "entity": "lead",
        "trigger": {"on": "updated", "fields": ["score"]},
        "actions": [{"type": "add_tags", "field": "interests", "tags": ["cdp"]}],
    }
    with begin_write(marketing.engine) as conn:
        store.save_draft(conn, "marketing", "rule", "tag", body)
    with TestClient(app) as client:
        sign_in(client, "admin", ADMIN_PASSWORD)
        client.cookies.set("jimu_lang", "zh")
        page = client.get("/design/apps/marketing/rules/tag?lang=zh", headers=HTML)
        boot = boot_of(page.text)
        assert boot["document"] == body and boot["status"] == "draft"
        assert boot["published_version"] is None


def test_the_rules_right_opens_them_and_other_rights_get_a_403(
    app: FastAPI, marketing: Platform
) -> None:
    give_design_right(marketing, "marketing", "rui", ["rules"])
    with TestClient(app) as client:
        sign_in(client, "rui", PASSWORD)
        assert client.get("/design/apps/marketing/rules", headers=HTML).status_code == 200
        assert client.get("/design/apps/marketing/rules/x", headers=HTML).status_code == 200
        assert client.get("/api/apps/marketing/rules/vocabulary").status_code == 200
    add_user(marketing, "fay", PASSWORD)
    with TestClient(app) as client:
        sign_in(client, "fay", PASSWORD)
        for url in ("/design/apps/marketing/rules", "/design/apps/marketing/rules/x"):
            page = client.get(url, headers=HTML)
            assert page.status_code == 403, url
            assert "<html" in page.text and 'id="designer-boot"' not in page.text
