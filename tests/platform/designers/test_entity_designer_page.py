"""Who may open the entity designer (the ``forms`` design right), and what its page carries:
the palette with the plugin's type and its declared editors, the entity or a new one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import sign_in

from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
PAGE = "/design/apps/marketing/entities/{}"


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    return platform


def client_with(app: FastAPI, platform: Platform, name: str, rights: list[str]) -> TestClient:
    give_design_right(platform, "marketing", name, rights)
    client = TestClient(app)
    sign_in(client, name, PASSWORD)
    return client


def boot_data(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="designer-boot"[^>]*>(.*?)</script>', html, re.S
    )
    assert found, html[:500]
    data = json.loads(found.group(1))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def former(app: FastAPI, marketing: Platform) -> Iterator[TestClient]:
    with client_with(app, marketing, "fay", ["forms"]) as client:
        yield client


def test_a_forms_designer_opens_an_entity_with_the_whole_palette(former: TestClient) -> None:
    page = former.get(PAGE.format("lead"), headers=HTML)
    assert page.status_code == 200, page.text
    data = boot_data(page.text)
    assert data["designer"] == "entity" and data["status"] == "published"
    document = data["document"]
    assert isinstance(document, dict) and document["name"] == "lead"
    palette = {t["name"]: t for t in data["field_types"]}  # type: ignore[attr-defined]
    assert palette["cn_id"]["editors"] == [{"key": "mask", "required": False, "editor": "boolean"}]
    assert palette["formula"]["editors"][0]["editor"] == "formula"
    assert {"name": "lead", "label": "Lead"} in data["entities"]  # type: ignore[operator]


def test_a_new_entity_starts_empty(former: TestClient) -> None:
    data = boot_data(former.get(PAGE.format("visit"), headers=HTML).text)
    assert data["status"] == "new" and data["version"] == 0
    assert data["document"] == {
        "kind": "entity",
        "name": "visit",
        "label": {"en": "visit"},
        "fields": [],
    }


def test_without_the_forms_right_the_page_is_403(app: FastAPI, marketing: Platform) -> None:
    with client_with(app, marketing, "kim", ["app"]) as keeper:
        assert keeper.get(PAGE.format("lead"), headers=HTML).status_code == 403


def test_an_entity_name_that_cannot_exist_is_404(former: TestClient) -> None:
    assert former.get(PAGE.format("Bad-Name"), headers=HTML).status_code == 404


def test_the_app_designer_links_to_the_entity_designer_for_forms_designers(
    app: FastAPI, marketing: Platform
) -> None:
    with client_with(app, marketing, "ann", ["app", "forms"]) as both:
        data = boot_data(both.get("/design/apps/marketing", headers=HTML).text)
        assert data["entity_designer"] == "/design/apps/marketing/entities/"
    with client_with(app, marketing, "kim", ["app"]) as keeper:
        data = boot_data(keeper.get("/design/apps/marketing", headers=HTML).text)
        assert data["entity_designer"] is None


def test_the_pickers_get_every_entity_drafts_included_with_field_types(
    former: TestClient, marketing: Platform
) -> None:
    from jimu.platform import metadata_store as store
    from jimu.platform.db import begin_write

    visit = {
        "kind": "entity",
        "name": "visit",
        "label": {"en": "Visit", "zh": "到访"},
        "fields": [
            {"name": "contract", "type": "link", "target": "contract"},
            {"name": "hours", "type": "number", "label": {"en": "Hours", "zh": "小时"}},
            {"name": "shout", "type": "formula", "formula": 'CONCAT("x", "!")'},
        ],
    }
    with begin_write(marketing.engine) as conn:
        store.save_draft(conn, "marketing", "entity", "visit", visit)  # never published
    data = boot_data(former.get(PAGE.format("contract"), headers=HTML).text)
    schemas = {s["name"]: s for s in data["schemas"]}  # type: ignore[attr-defined]
    assert schemas["visit"]["published"] is False and schemas["contract"]["published"] is True
    fields = {f["name"]: f for f in schemas["visit"]["fields"]}
    assert fields["contract"] == {
        "name": "contract",
        "type": "link",
        "label": {"en": "contract"},
        "target": "contract",
        "many": False,
        "stored": True,
        "value_type": "reference",
    }
    assert fields["hours"]["label"] == {"en": "Hours", "zh": "小时"}
    assert fields["shout"]["value_type"] == "text"  # a formula without returns: its type
    lines = {f["name"]: f for f in schemas["contract_line"]["fields"]}
    assert lines["contract"]["target"] == "contract"
