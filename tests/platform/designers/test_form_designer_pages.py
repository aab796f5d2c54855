"""The form designer's page (who may open it, what it carries), its preview (the draft layout
rendered by the record form's templates) and deleting a layout through the metadata API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from designer_harness import import_marketing
from designers_testing import PASSWORD, give_design_right
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import add_user, sign_in

from jimu.platform.state import Platform

HTML = {"Accept": "text/html"}
PAGE = "/design/apps/marketing/entities/lead/forms/{}"
DOCS = "/api/apps/marketing/documents/form/{}"


@pytest.fixture
def former(app: FastAPI, platform: Platform) -> Iterator[TestClient]:
    import_marketing(platform)
    give_design_right(platform, "marketing", "fay", ["forms"])
    with TestClient(app) as client:
        sign_in(client, "fay", PASSWORD)
        yield client


def boot_data(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="designer-boot"[^>]*>(.*?)</script>', html, re.S
    )
    assert found, html[:500]
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def preview(client: TestClient, layout: Any, lang: str = "en", form: str = "default") -> Any:
    csrf = boot_data(client.get(PAGE.format(form), headers=HTML).text)["csrf_token"]
    text = layout if isinstance(layout, str) else json.dumps(layout)
    data = {"csrf_token": csrf, "layout": text, "lang": lang}
    return client.post(PAGE.format(form) + "/preview", data=data, headers=HTML)


def test_a_forms_designer_opens_the_default_layout_with_the_fields_and_the_layouts(
    former: TestClient,
) -> None:
    page = former.get(PAGE.format("default"), headers=HTML)
    assert page.status_code == 200, page.text
    data = boot_data(page.text)
    assert data["designer"] == "form" and data["status"] == "published"
    assert data["document"]["sections"][0]["fields"][:2] == ["code", "name"]
    assert {"name": "phone", "label": "Phone", "type": "phone"}.items() <= {
        f["name"]: f for f in data["fields"]
    }["phone"].items()
    layouts = [(f["name"], f["public"]) for f in data["layouts"]]
    assert layouts[0] == ("default", False) and ("contact_us", True) in layouts
    assert data["preview_url"] == PAGE.format("default") + "/preview"
    entity = boot_data(former.get("/design/apps/marketing/entities/lead", headers=HTML).text)
    assert entity["forms"][0]["name"] == "default"
    assert former.get(PAGE.format("nothing_here"), headers=HTML).status_code == 404


def test_others_get_a_403(app: FastAPI, former: TestClient, platform: Platform) -> None:
    add_user(platform, "olly", PASSWORD)
    with TestClient(app) as other:
        sign_in(other, "olly", PASSWORD)
        assert other.get(PAGE.format("default"), headers=HTML).status_code == 403


def test_the_preview_renders_the_draft_with_its_tabs_columns_and_language(
    former: TestClient,
) -> None:
    layout = {
        "kind": "form",
        "entity": "lead",
        "name": "default",
        "sections": [
            {"title": {"en": "Who", "zh": "谁"}, "columns": 3, "fields": ["name", "company"]},
            {"tab": {"en": "Reach", "zh": "联系"}, "columns": 1, "fields": ["phone", "email"]},
        ],
    }
    page = preview(former, layout)
    assert page.status_code == 200, page.text
    assert page.headers["content-security-policy"].startswith("frame-ancestors 'self'")
    assert "x-frame-options" not in page.headers
    assert 'data-columns="3"' in page.text and ">Who</h2>" in page.text
    assert re.search(r'role="tab"[^>]*>Reach</button>', page.text)
    tab_panel = page.text[page.text.index('role="tabpanel"') :]
    assert 'name="phone"' in tab_panel and 'name="email"' in tab_panel
    assert 'name="status"' in page.text  # not placed: in the last section, as on the record page
    assert "<form" in page.text and 'method="post"' not in page.text  # cannot be submitted
    zh = preview(former, layout, lang="zh")
    assert re.search(r'role="tab"[^>]*>联系</button>', zh.text) and ">谁</h2>" in zh.text


def test_a_public_layout_previews_only_its_fields_with_its_own_labels(former: TestClient) -> None:
    layout = {
        "kind": "form",
        "entity": "lead",
        "name": "contact_us",
        "sections": [{"fields": ["name", "description"]}],
        "public": {
            "slug": "contact-us",
            "title": {"en": "Talk to us"},
            "labels": {"description": {"en": "Your question"}},
        },
    }
    page = preview(former, layout, form="contact_us")
    assert page.status_code == 200, page.text
    assert "Talk to us" in page.text and "Your question" in page.text
    assert 'name="status"' not in page.text and 'data-columns="1"' in page.text


def test_a_preview_of_something_else_than_a_layout_is_a_422_naming_it(
    former: TestClient,
) -> None:
    for wrong in ("not json", '{"sections": 3}'):
        refused = preview(former, wrong)
        assert refused.status_code == 422
        assert "/layout must be a form layout as JSON" in refused.text


def test_only_a_layout_other_than_the_default_can_be_deleted(former: TestClient) -> None:
    refused = former.delete(DOCS.format("lead.default"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["pointer"] == "/name"
    other_kind = former.delete("/api/apps/marketing/documents/entity/lead")
    assert other_kind.status_code == 422 and other_kind.json()["errors"][0]["pointer"] == "/kind"
    assert former.delete(DOCS.format("lead.contact_us")).status_code == 204
    assert former.get(DOCS.format("lead.contact_us")).status_code == 404
    assert former.get("/f/marketing/contact-us", headers=HTML).status_code == 404
    assert former.delete(DOCS.format("lead.contact_us")).status_code == 404


def save_entity_draft(client: TestClient, change: Any) -> None:
    """Save a draft of the lead entity with ``change`` applied to its fields."""
    url = "/api/apps/marketing/documents/entity/lead"
    body = client.get(url).json()["body"]
    change(body["fields"])
    csrf = boot_data(client.get(PAGE.format("default"), headers=HTML).text)["csrf_token"]
    saved = client.put(url, json=body, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text


def test_the_preview_shows_a_field_of_the_entity_draft_placed_on_the_draft_layout(
    former: TestClient,
) -> None:
    """A field added in the entity designer and not published yet is in the preview."""
    save_entity_draft(
        former,
        lambda fields: fields.append(
            {
                "name": "budget_note",
                "type": "text",
                "label": {"en": "Budget note", "zh": "预算说明"},
            }
        ),
    )
    designer = boot_data(former.get(PAGE.format("default"), headers=HTML).text)
    assert "budget_note" in {f["name"] for f in designer["fields"]}
    layout = {
        "kind": "form",
        "entity": "lead",
        "name": "default",
        "sections": [{"title": {"en": "Money"}, "fields": ["budget_note", "name"]}],
    }
    page = preview(former, layout)
    assert page.status_code == 200, page.text
    first = page.text[page.text.index(">Money</h2>") :]
    assert first.index('name="budget_note"') < first.index('name="name"')
    assert "Budget note" in page.text
    assert "预算说明" in preview(former, layout, lang="zh").text
    # A field the draft removed is gone from the preview, even where the layout places it.
    save_entity_draft(
        former, lambda fields: fields.remove(next(f for f in fields if f["name"] == "company"))
    )
    layout["sections"][0]["fields"].append("company")
    assert 'name="company"' not in preview(former, layout).text


def test_the_preview_of_a_layout_other_than_the_default_shows_only_what_it_places(
    former: TestClient,
) -> None:
    csrf = boot_data(former.get(PAGE.format("default"), headers=HTML).text)["csrf_token"]
    layout = {"kind": "form", "entity": "lead", "name": "quick", "sections": [{"fields": ["name"]}]}
    data = {"csrf_token": csrf, "layout": json.dumps(layout), "lang": "en"}
    page = former.post(PAGE.format("quick") + "/preview", data=data, headers=HTML)
    assert page.status_code == 200, page.text
    assert 'name="name"' in page.text and 'name="status"' not in page.text


def test_the_designer_links_a_published_internal_layout_to_its_form_in_the_app(
    former: TestClient, platform: Platform
) -> None:
    from jimu.platform import metadata_store as store
    from jimu.platform.db import begin_write

    default = boot_data(former.get(PAGE.format("default"), headers=HTML).text)
    assert default["app_url"] == "/apps/marketing/lead/new"
    public = boot_data(former.get(PAGE.format("contact_us"), headers=HTML).text)
    assert public["app_url"] is None  # a public form is an anonymous link, not an app layout
    quick = {"kind": "form", "entity": "lead", "name": "quick", "sections": [{"fields": ["name"]}]}
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "form", "lead.quick", quick)
    assert boot_data(former.get(PAGE.format("quick"), headers=HTML).text)["app_url"] is None
    with begin_write(platform.engine) as conn:
        store.publish(conn, "marketing", "form", "lead.quick")
    published = boot_data(former.get(PAGE.format("quick"), headers=HTML).text)
    assert published["app_url"] == "/apps/marketing/lead/new?form=quick"
