"""Published list views on the record list: columns, widths, default filter, sort, page size,
the view switcher, and the reader's scope and hidden fields still holding beneath a view."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, csrf_of, page_login, text_of
from platform_testing import add_user
from test_pages_records import LEADS, create_lead

from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

CONTACTED = {
    "kind": "view",
    "entity": "lead",
    "name": "contacted",
    "type": "table",
    "label": {"en": "Contacted leads", "zh": "已联系线索"},
    "columns": [{"field": "score", "width": 120}, {"field": "name"}, {"field": "owner_id"}],
    "filter": {"==": [{"var": "status"}, "contacted"]},
    "sort": ["-score"],
    "page_size": 50,
}


def csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_of(client.get("/apps", headers=HTML).text)}


def save_view(client: TestClient, body: dict[str, Any]) -> httpx.Response:
    url = f"/api/apps/marketing/documents/view/lead.{body['name']}"
    return client.put(url, json=body, headers=csrf(client))


def publish_views(client: TestClient) -> httpx.Response:
    return client.post("/api/apps/marketing/publish", json={"kind": "view"}, headers=csrf(client))


def publish_view(client: TestClient, body: dict[str, Any]) -> None:
    saved = save_view(client, body)
    assert saved.status_code == 200, saved.text
    done = publish_views(client)
    assert done.status_code == 200, done.text


def ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-id="(\d+)"', page)]


def head_of(page: str) -> str:
    return page.split("<thead>", 1)[1].split("</thead>", 1)[0]


def test_a_view_sets_columns_widths_filter_sort_and_page_size(pages: TestClient) -> None:
    create_lead(pages, name="Wang Fang", score="10", status="new")
    li = create_lead(pages, name="Li Lei", score="90", status="contacted", phone="13900001111")
    zhao = create_lead(pages, name="Zhao Min", score="50", status="contacted", phone="13700002222")
    publish_view(pages, CONTACTED)

    everyone = pages.get(LEADS, headers=HTML).text
    assert len(ids(everyone)) == 3
    assert 'id="view-switcher"' in everyone and "Contacted leads" in everyone

    page = pages.get(f"{LEADS}?view=contacted", headers=HTML)
    assert page.status_code == 200, text_of(page.text)
    assert ids(page.text) == [li, zhao]
    head = head_of(page.text)
    assert head.index("Score") < head.index("Name") < head.index("Owner")
    assert "Status" not in head and 'style="width:120px"' in head
    assert "<option selected>50</option>" in page.text
    assert 'value="contacted" selected' in page.text

    # The user's own conditions and sort narrow the view; its filter still holds.
    narrowed = pages.get(f"{LEADS}?view=contacted&q=Zhao", headers=HTML).text
    assert ids(narrowed) == [zhao]
    resorted = pages.get(f"{LEADS}?view=contacted&sort=score", headers=HTML).text
    assert ids(resorted) == [zhao, li]
    # Links on the page keep the view.
    assert "view=contacted" in resorted.split('id="records"', 1)[1].split("</thead>", 1)[0]


def test_the_switcher_speaks_chinese_and_an_unknown_view_is_a_404(pages: TestClient) -> None:
    publish_view(pages, CONTACTED)
    zh = pages.get(f"{LEADS}?lang=zh", headers=HTML).text
    assert "已联系线索" in zh and "全部记录" in zh and "视图" in text_of(zh)
    assert pages.get(f"{LEADS}?view=ghost", headers=HTML).status_code == 404


def test_a_draft_view_is_not_offered(pages: TestClient) -> None:
    assert save_view(pages, CONTACTED).status_code == 200
    assert 'id="view-switcher"' not in pages.get(LEADS, headers=HTML).text
    assert pages.get(f"{LEADS}?view=contacted", headers=HTML).status_code == 404


def test_an_invalid_view_is_refused_with_pointers(pages: TestClient) -> None:
    bad = {**CONTACTED, "columns": [{"field": "ghost"}], "filter": {"==": [{"var": "nope"}, 1]}}
    assert save_view(pages, bad).status_code == 200  # drafts are checked on publish
    refused = publish_views(pages)
    assert refused.status_code == 422, refused.text
    pointers = {e["pointer"] for e in refused.json()["errors"]}
    assert any("/columns/0/field" in p for p in pointers)
    assert any("/filter" in p for p in pointers)


def test_scope_and_hidden_fields_hold_beneath_a_view(
    app: FastAPI, pages: TestClient, marketing: Platform
) -> None:
    rep = add_user(marketing, "rep", "rep-password-1")
    with begin_write(marketing.engine) as conn:
        roles = marketing.apps.roles(conn, "marketing")
        assign_role(conn, "marketing", roles, "sales_rep", user_id=rep.id)
    theirs = create_lead(pages, name="Li Lei", score="90", status="contacted", phone="13900001111")
    publish_view(pages, {**CONTACTED, "columns": [{"field": "name"}, {"field": "wechat"}]})
    with TestClient(app) as client:
        assert page_login(client, "rep", "rep-password-1").status_code == 303
        mine = create_lead(client, name="Rep Lead", status="contacted", phone="13600003333")
        page = client.get(f"{LEADS}?view=contacted", headers=HTML)
        assert page.status_code == 200, text_of(page.text)
        # The admin's lead (owned by the admin) is outside the rep's scope.
        assert ids(page.text) == [mine] and theirs not in ids(page.text)


def holder_of(app: FastAPI, platform: Platform, role: str) -> TestClient:
    user = add_user(platform, role, "holder-password-1")
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, "marketing")
        assign_role(conn, "marketing", roles, role, user_id=user.id)
    client = TestClient(app)
    assert page_login(client, role, "holder-password-1").status_code == 303
    return client


def test_the_forms_right_opens_the_view_designer_and_others_get_403(
    app: FastAPI, pages: TestClient, marketing: Platform
) -> None:
    page = "/design/apps/marketing/views/lead/contacted"
    assert pages.get(page, headers=HTML).status_code == 200
    assert pages.get("/design/apps/marketing/views/ghost/x", headers=HTML).status_code == 404
    with holder_of(app, marketing, "marketing_specialist") as designer:
        assert designer.get(page, headers=HTML).status_code == 200
        assert save_view(designer, CONTACTED).status_code == 200
    with holder_of(app, marketing, "sales_director") as director:
        assert director.get(page, headers=HTML).status_code == 403
        assert save_view(director, CONTACTED).status_code == 403
