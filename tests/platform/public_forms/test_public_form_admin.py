"""``/admin/apps/{app}/public-forms``: links, states and counts, and switching a form off/on."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from live_server import free_port, serve
from platform_testing import ADMIN_PASSWORD, assert_problem, send_origin, sign_in
from public_forms_testing import CONTACT, HTML, FakeClock, leads, text_of

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

PAGE = "/admin/apps/marketing/public-forms"
TOGGLE = f"{PAGE}/lead.contact_us/toggle"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(client: TestClient) -> TestClient:
    send_origin(client)
    login = client.get("/login", headers=HTML)
    token = _CSRF.search(login.text)
    assert token is not None
    data = {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token.group(1)}
    response = client.post("/login", data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def row_of(page: str, document: str) -> str:
    found = re.search(rf'<tr data-form="{re.escape(document)}">(.*?)</tr>', page, flags=re.S)
    assert found, f"no row for {document}"
    return found.group(1)


def test_the_page_lists_links_states_and_counts(
    visitor: TestClient, marketing: Platform, admin: User, clock: FakeClock
) -> None:
    for n in range(3):
        data = {"name": f"N{n}", "email": f"n{n}@example.com"}
        assert visitor.post(CONTACT, data=data, follow_redirects=False).status_code == 303
    spam = {"name": "Bot", "your-website": "x"}
    assert visitor.post(CONTACT, data=spam, follow_redirects=False).status_code == 303
    clock.advance(days=40)  # older than the "last 30 days" column
    data = {"name": "Later", "email": "later@example.com"}
    assert visitor.post(CONTACT, data=data, follow_redirects=False).status_code == 303

    client = signed_in(visitor)
    home = client.get("/apps/marketing", headers=HTML)
    assert f'href="{PAGE}"' in home.text  # reachable from the app's page
    page = client.get(PAGE, headers=HTML)
    assert page.status_code == 200, page.text
    row = row_of(page.text, "lead.contact_us")
    assert "http://testserver/f/marketing/contact-us" in row  # the address the page came to
    assert 'data-state="on"' in row
    assert text_of(row).split()[-6:-1] == ["On", "4", "1", "1", "Switch"]
    assert 'data-created="0"' in row_of(page.text, "lead.whitepaper_download")
    assert "/f/marketing/event-registration" in page.text


def _admin_page_links(app: FastAPI, port: int) -> str:
    with serve(app, port) as base, httpx.Client(base_url=base) as web:
        sign_in(web, "admin", ADMIN_PASSWORD)
        page = web.get(PAGE, headers=HTML)
    assert page.status_code == 200, page.text
    return row_of(page.text, "lead.contact_us")


def test_links_use_the_port_the_server_runs_on(marketing: Platform, admin: User) -> None:
    port = free_port()
    row = _admin_page_links(create_app(platform=marketing), port)
    assert f'href="http://127.0.0.1:{port}/f/marketing/contact-us"' in row
    assert ":8000" not in row


def test_links_use_the_base_url_setting_when_set(
    marketing: Platform, admin: User, settings: Settings
) -> None:
    proxied = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key="test-secret",
        base_url="https://jimu.example.com/",
        cookie_secure=False,  # the test's server itself is plain http
        _env_file=None,
    )
    row = _admin_page_links(create_app(proxied), free_port())
    assert 'href="https://jimu.example.com/f/marketing/contact-us"' in row


def test_switching_a_form_off_and_on_publishes_its_document(
    visitor: TestClient, marketing: Platform, admin: User
) -> None:
    client = signed_in(visitor)
    page = client.get(PAGE, headers=HTML)
    token = _CSRF.search(page.text)
    assert token is not None
    off = client.post(TOGGLE, data={"csrf_token": token.group(1), "enabled": "false"})
    assert off.status_code == 200
    assert "is off" in text_of(off.text)
    assert 'data-state="off"' in row_of(off.text, "lead.contact_us")
    assert visitor.get(CONTACT, headers=HTML).status_code == 404
    with marketing.engine.connect() as conn:
        history = store.versions(conn, "marketing", "form", "lead.contact_us")
    assert [v.status for v in history] == ["superseded", "published"]
    assert history[-1].created_by == admin.id
    assert history[-1].body["public"]["enabled"] is False

    on = client.post(TOGGLE, data={"csrf_token": token.group(1), "enabled": "true"})
    assert 'data-state="on"' in row_of(on.text, "lead.contact_us")
    assert visitor.get(CONTACT, headers=HTML).status_code == 200


def test_switching_needs_the_csrf_token_and_an_admin(
    visitor: TestClient, marketing: Platform, admin: User, user_client: TestClient
) -> None:
    client = signed_in(visitor)
    refused = client.post(TOGGLE, data={"enabled": "false"}, headers=HTML)
    assert refused.status_code == 403
    assert user_client.get(PAGE, headers=HTML).status_code == 403
    assert client.get(CONTACT, headers=HTML).status_code == 200  # still on


def test_a_form_with_an_unpublished_draft_is_not_switched(
    visitor: TestClient, marketing: Platform, admin: User
) -> None:
    with begin_write(marketing.engine) as conn:
        live = store.published(conn, "marketing", "form", "lead.contact_us")
        assert live is not None
        draft = {**live.body, "label": {"en": "Draft", "zh": "草稿"}}
        store.save_draft(conn, "marketing", "form", "lead.contact_us", draft)
    client = signed_in(visitor)
    token = _CSRF.search(client.get(PAGE, headers=HTML).text)
    assert token is not None
    response = client.post(TOGGLE, data={"csrf_token": token.group(1), "enabled": "false"})
    assert response.status_code == 409
    assert "has an unpublished draft" in text_of(response.text)
    assert visitor.get(CONTACT, headers=HTML).status_code == 200


def test_a_public_form_made_through_the_metadata_api(
    admin_client: TestClient, marketing: Platform
) -> None:
    url = "/api/apps/marketing/documents/form/lead.newsletter"
    form = {
        "kind": "form",
        "entity": "lead",
        "name": "newsletter",
        "sections": [{"fields": ["name", "email"]}],
        "public": {"slug": "Newsletter!", "title": {"en": "Newsletter", "zh": "订阅"}},
    }
    refused = admin_client.put(url, json=form)
    body = assert_problem(refused, 422, "validation_failed")
    assert [e["pointer"] for e in body["errors"]] == ["/public/slug"]

    form["public"] = {**form["public"], "slug": "newsletter", "defaults": {"source": "email"}}
    assert admin_client.put(url, json=form).status_code == 200
    assert admin_client.get("/f/marketing/newsletter", headers=HTML).status_code == 404  # draft
    publish = {"kind": "form", "name": "lead.newsletter"}
    published = admin_client.post("/api/apps/marketing/publish", json=publish)
    assert published.status_code == 200, published.text
    page = admin_client.get("/f/marketing/newsletter", headers=HTML)
    assert page.status_code == 200 and "订阅" not in page.text and "Newsletter" in page.text


def test_the_record_page_says_the_lead_came_from_a_public_form(
    visitor: TestClient, marketing: Platform, admin: User
) -> None:
    data = {"name": "From the web", "email": "web@example.com"}
    assert visitor.post(CONTACT, data=data, follow_redirects=False).status_code == 303
    (lead,) = leads(marketing, email="web@example.com")
    client = signed_in(visitor)
    page = client.get(f"/apps/marketing/lead/{lead['id']}", headers=HTML)
    assert page.status_code == 200
    assert "· Public form" in text_of(page.text)
