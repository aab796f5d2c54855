"""The runtime sidebar follows the app designer's menu: groups, links, dashboards, colour, and
only the entities the viewer may reach."""

from __future__ import annotations

import re
from typing import Any

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, add_user, sign_in

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
MENU: list[Any] = [
    {"type": "link", "label": {"en": "Handbook", "zh": "手册"}, "url": "https://example.org/h"},
    {
        "type": "group",
        "label": {"en": "Sales", "zh": "销售"},
        "items": [
            "opportunity",
            {"type": "entity", "entity": "lead", "label": {"en": "Prospects"}},
        ],
    },
    "account",
    {"type": "group", "label": {"en": "Service"}, "items": ["service_ticket"]},
    {"type": "link", "label": {"en": "Records home"}, "url": "/apps"},
    {"type": "group", "label": {"en": "Marketing"}, "items": ["campaign"]},
]


def publish_menu(platform: Platform, **extra: Any) -> None:
    with begin_write(platform.engine) as conn:
        body = dict(store.published(conn, "marketing", "app", "marketing").body)  # type: ignore[union-attr]
        store.save_draft(conn, "marketing", "app", "marketing", {**body, "menu": MENU, **extra})
        store.publish(conn, "marketing", "app", "marketing")
    platform.apps.forget("marketing")


def sidebar(client: TestClient, url: str = "/apps/marketing") -> str:
    page = client.get(url, headers=HTML)
    assert page.status_code == 200, page.text
    found = re.search(r'<nav class="sidebar".*?</nav>', page.text, re.S)
    assert found
    return found.group(0)


def texts(html: str) -> list[str]:
    return [t.strip() for t in re.findall(r">([^<>]+)<", html) if t.strip()]


@pytest.fixture
def admin_client(app: FastAPI, platform: Platform) -> TestClient:
    import_marketing(platform)
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    client = TestClient(app)
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client


def test_groups_links_and_labels_render_in_menu_order(
    admin_client: TestClient, platform: Platform
) -> None:
    publish_menu(platform, color="#aa3355")
    html = sidebar(admin_client)
    assert texts(html)[1:] == [
        "Handbook",
        "Sales",
        "Opportunity",
        "Prospects",
        "Account",
        "Service",
        "Service ticket",
        "Records home",
        "Marketing",
        "Campaign",
    ]
    assert 'style="--app-color: #aa3355"' in html
    assert 'href="https://example.org/h" target="_blank" rel="noopener noreferrer"' in html
    assert '<a href="/apps">' in html  # a link on Jimu opens in place
    assert html.count('class="nav-group"') == 3
    zh = sidebar(admin_client, "/apps/marketing?lang=zh")
    assert "手册" in zh and "销售" in zh and "Service" in zh  # no zh label: English


def test_the_current_entity_is_marked_inside_a_group(
    admin_client: TestClient, platform: Platform
) -> None:
    publish_menu(platform)
    html = sidebar(admin_client, "/apps/marketing/lead")
    assert re.search(r'href="/apps/marketing/lead" aria-current="page">Prospects<', html)


def test_a_group_whose_entities_the_viewer_cannot_reach_is_left_out(
    app: FastAPI, admin_client: TestClient, platform: Platform
) -> None:
    publish_menu(platform)
    user = add_user(platform, "agent", PASSWORD)
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, "marketing")
        assign_role(conn, "marketing", roles, "service_agent", user_id=user.id)
    client = TestClient(app)
    sign_in(client, "agent", PASSWORD)
    html = sidebar(client, "/apps/marketing/service_ticket")
    assert "Service ticket" in html
    assert "Prospects" not in html and "Opportunity" in html  # lead is out of their reach
    assert "Marketing" not in texts(html)  # its only entity is out of reach: no empty group
    assert "Handbook" in html
