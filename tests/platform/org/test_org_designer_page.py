"""``/admin/organisation``: the organisation designer's page is for administrators (403 for
others, the login page for anonymous visitors), linked from the header and from the import page,
and hands the designer the published apps in the viewer's language."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from org_testing import HTML, page_login
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD

from jimu.platform.models import User

PAGE = "/admin/organisation"


def boot_of(html: str) -> dict[str, object]:
    pattern = r'<script type="application/json" id="designer-boot">(.*?)</script>'
    found = re.search(pattern, html, re.S)
    assert found, "no boot data"
    return dict(json.loads(found.group(1)))


def test_only_administrators_open_it(client: TestClient, app: FastAPI, user: User) -> None:
    anonymous = client.get(PAGE, headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    with TestClient(app) as alice:
        assert page_login(alice, "alice", USER_PASSWORD).status_code == 303
        assert alice.get(PAGE, headers=HTML).status_code == 403
        assert 'id="nav-org"' not in alice.get("/apps", headers=HTML).text


def test_the_page_mounts_the_org_designer_with_the_apps(
    app: FastAPI, admin: User, crm: str
) -> None:
    with TestClient(app) as browser:
        assert page_login(browser, "admin", ADMIN_PASSWORD).status_code == 303
        assert 'href="/admin/organisation" id="nav-org"' in browser.get("/apps", headers=HTML).text
        assert 'id="link-org-designer"' in browser.get("/admin/org", headers=HTML).text
        page = browser.get(PAGE + "?lang=zh", headers=HTML)
        assert page.status_code == 200
        boot = boot_of(page.text)
        assert boot["designer"] == "org" and boot["lang"] == "zh"
        assert boot["apps"] == [{"name": "crm", "label": "客户管理"}]
        messages = boot["messages"]
        assert isinstance(messages, dict)
        assert messages["designer.org.title"] == "组织架构"
