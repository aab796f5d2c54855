"""Tabs and columns of a form layout on the record form, the record page and a public form."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, MARKETING, post_form, text_of

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

LEADS = "/apps/marketing/lead"
PIPELINE = {"en": "Pipeline", "zh": "销售进展"}
NOTES = {"en": "Notes tab", "zh": "备注页"}


def publish_form(platform: Platform, file: str, change: Any) -> None:
    body = json.loads((MARKETING / "forms" / file).read_text())
    change(body["sections"])
    name = f"{body['entity']}.{body['name']}"
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "form", name, body)
        store.publish(conn, "marketing", "form", name)


def tabbed_lead(sections: list[dict[str, Any]]) -> None:
    sections[2]["tab"] = PIPELINE  # Qualification
    sections[3]["tab"] = NOTES  # Conversion
    sections[3]["columns"] = 3
    sections[4]["tab"] = PIPELINE  # Notes: joins the first tab, after Qualification


def tabs_of(page: str) -> list[tuple[str, str]]:
    return re.findall(r'role="tab" id="([^"]+)-button"[^>]*>([^<]+)</button>', page)


def panel(page: str, tab_id: str) -> str:
    start = page.index(f'role="tabpanel" id="{tab_id}"')
    end = page.find('role="tabpanel"', start + 10)
    return page[start : end if end > 0 else len(page)]


def test_the_record_form_and_page_show_the_tabs_in_order_with_their_sections(
    pages: TestClient, marketing: Platform
) -> None:
    publish_form(marketing, "lead.json", tabbed_lead)
    form = pages.get(f"{LEADS}/new", headers=HTML).text
    assert tabs_of(form) == [("tab-1", "Pipeline"), ("tab-2", "Notes tab")]
    assert 'role="tablist"' in form and 'aria-controls="tab-1"' in form
    first, second = panel(form, "tab-1"), panel(form, "tab-2")
    assert 'name="status"' in first and 'name="description"' in first
    assert 'name="converted_at"' in second and 'data-columns="3"' in second
    above = form[: form.index("data-tabs")]
    assert 'name="name"' in above and 'name="utm_source"' in above  # no tab: above the tabs
    assert 'name="status"' not in above

    created = post_form(
        pages,
        f"{LEADS}/new",
        f"{LEADS}/new",
        {
            "name": "Tab Lead",
            "company": "Tabs Ltd",
            "source": "website_form",
            "status": "new",
            "description": "in the pipeline tab",
        },
    )
    assert created.status_code == 303, text_of(created.text)
    record = pages.get(created.headers["location"], headers=HTML).text
    assert tabs_of(record) == [("tab-1", "Pipeline"), ("tab-2", "Notes tab")]
    assert "in the pipeline tab" in text_of(panel(record, "tab-1"))
    assert 'data-field="converted_at"' in panel(record, "tab-2")

    zh = pages.get(f"{LEADS}/new?lang=zh", headers=HTML).text
    assert [title for _, title in tabs_of(zh)] == ["销售进展", "备注页"]


def test_a_public_form_shows_its_tab_and_columns(app: FastAPI, marketing: Platform) -> None:
    def change(sections: list[dict[str, Any]]) -> None:
        sections[0]["columns"] = 4
        sections[1]["tab"] = {"en": "Your message", "zh": "留言"}

    publish_form(marketing, "lead.contact_us.json", change)
    with TestClient(app) as visitor:
        page = visitor.get("/f/marketing/contact-us", headers=HTML).text
    assert tabs_of(page) == [("tab-1", "Your message")]
    assert 'name="description"' in panel(page, "tab-1")
    assert 'data-columns="4"' in page[: page.index("data-tabs")]
