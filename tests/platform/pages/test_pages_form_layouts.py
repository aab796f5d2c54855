"""Form layouts other than the default on the record pages: ``?form=`` on the new, edit and
record pages, the switcher, a list view's ``form``; unknown and public layouts are 404s, and a
layout never widens what a user may do (read-only fields, required fields)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, post_form, text_of
from platform_testing import add_user, sign_in
from test_pages_list_views import CONTACTED, csrf, publish_view, publish_views, save_view
from test_pages_records import LEADS, create_lead

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

QUICK = {
    "kind": "form",
    "entity": "lead",
    "name": "quick",
    "label": {"en": "Quick entry", "zh": "快速录入"},
    "sections": [
        {"title": {"en": "Essentials", "zh": "要点"}, "fields": ["name", "source", "status"]},
        {"fields": ["phone", "score"]},
    ],
}


def publish_layout(platform: Platform, body: dict[str, Any]) -> None:
    name = f"{body['entity']}.{body['name']}"
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "marketing", "form", name, body)
        store.publish(conn, "marketing", "form", name)


def inputs(page: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([a-z_]+)"', page))


def test_the_new_form_takes_the_layout_named_in_the_url_and_posts_back_to_it(
    pages: TestClient, marketing: Platform
) -> None:
    publish_layout(marketing, QUICK)
    page = pages.get(f"{LEADS}/new?form=quick", headers=HTML)
    assert page.status_code == 200, text_of(page.text)
    assert {"name", "source", "status", "phone", "score"} <= inputs(page.text)
    assert "company" not in inputs(page.text) and "description" not in inputs(page.text)
    assert "Essentials" in page.text
    assert f'action="{LEADS}/new?form=quick"' in page.text
    # the default layout still shows every field
    assert {"company", "description"} <= inputs(pages.get(f"{LEADS}/new", headers=HTML).text)

    data = {"name": "Quick Lead", "source": "wechat", "status": "new", "phone": "13812345678"}
    created = post_form(pages, f"{LEADS}/new?form=quick", f"{LEADS}/new?form=quick", data)
    assert created.status_code == 303, text_of(created.text)
    found = re.fullmatch(rf"{LEADS}/(\d+)\?form=quick&notice=created", created.headers["location"])
    assert found, created.headers["location"]
    record = pages.get(created.headers["location"], headers=HTML)
    assert "Quick Lead" in record.text
    assert 'data-field="company"' not in record.text and 'data-field="phone"' in record.text
    assert f'href="{LEADS}/{found.group(1)}/edit?form=quick"' in record.text


def test_an_edit_with_a_smaller_layout_keeps_the_fields_it_does_not_show(
    pages: TestClient, marketing: Platform
) -> None:
    publish_layout(marketing, QUICK)
    lead = create_lead(pages, company="Acme", interests=["crm_pro", "bi_analytics"])
    before = pages.get(f"/api/apps/marketing/entities/lead/records/{lead}").json()
    assert before["interests"] and before["company"] == "Acme"
    edit = f"{LEADS}/{lead}/edit?form=quick"
    page = pages.get(edit, headers=HTML)
    assert page.status_code == 200 and f'action="{edit}"' in page.text
    data = {"name": "Renamed", "source": "wechat", "status": "new", "version": "1"}
    saved = post_form(pages, edit, edit, data)
    assert saved.status_code == 303, text_of(saved.text)
    assert saved.headers["location"] == f"{LEADS}/{lead}?form=quick&notice=saved"
    after = pages.get(f"/api/apps/marketing/entities/lead/records/{lead}").json()
    assert after["name"] == "Renamed"
    # not on the layout: untouched (a multiselect posts nothing when empty, so it must not
    # be read from a form that does not carry it)
    assert after["interests"] == before["interests"] and after["company"] == "Acme"


def test_the_record_page_offers_a_switcher_between_the_internal_layouts(
    pages: TestClient, marketing: Platform
) -> None:
    lead = create_lead(pages)
    alone = pages.get(f"{LEADS}/{lead}", headers=HTML).text
    assert 'id="layout-switcher"' not in alone  # the default only (public forms do not count)
    publish_layout(marketing, QUICK)
    page = pages.get(f"{LEADS}/{lead}", headers=HTML).text
    switcher = page.split('id="layout-switcher"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-current="page" data-layout="default"' in switcher
    assert f'href="{LEADS}/{lead}?form=quick"' in switcher and "Quick entry" in switcher
    assert "contact_us" not in switcher and "event_registration" not in switcher
    quick = pages.get(f"{LEADS}/{lead}?form=quick&lang=zh", headers=HTML).text
    switcher = quick.split('id="layout-switcher"', 1)[1].split("</nav>", 1)[0]
    assert "快速录入" in switcher and "标准" in switcher and "表单布局" in switcher
    assert 'aria-current="page" data-layout="quick"' in switcher
    assert f'href="{LEADS}/{lead}"' in switcher


def test_unknown_and_public_layouts_are_404s(pages: TestClient, marketing: Platform) -> None:
    lead = create_lead(pages)
    for url in (
        f"{LEADS}/new?form=ghost",
        f"{LEADS}/new?form=contact_us",  # a public form: an anonymous link, not an app layout
        f"{LEADS}/{lead}?form=ghost",
        f"{LEADS}/{lead}/edit?form=contact_us",
        f"{LEADS}/new?form=Bad%20Name",
    ):
        page = pages.get(url, headers=HTML)
        assert page.status_code == 404, url
        assert "There is no form layout" in text_of(page.text)
    refused = post_form(pages, f"{LEADS}/new", f"{LEADS}/new?form=ghost", {"name": "X"})
    assert refused.status_code == 404
    assert pages.get("/api/apps/marketing/entities/lead/records").json()["items"][0]["id"] == lead


def test_required_fields_apply_whatever_the_layout(pages: TestClient, marketing: Platform) -> None:
    publish_layout(marketing, {**QUICK, "sections": [{"fields": ["name", "status"]}]})
    refused = post_form(
        pages,
        f"{LEADS}/new?form=quick",
        f"{LEADS}/new?form=quick",
        {"name": "No source", "source": "wechat", "status": "new"},
    )
    assert refused.status_code == 422
    # the source is not on the form (a posted value is not read): its error is shown above
    # the form, by name
    assert "source:" in text_of(refused.text)
    assert f'action="{LEADS}/new?form=quick"' in refused.text


def test_a_layout_never_widens_access(app: FastAPI, pages: TestClient, marketing: Platform) -> None:
    """The sales rep may not change a lead's score (read-only for the role): placed on the
    quick layout, it is shown read-only and a posted value is not taken."""
    publish_layout(marketing, QUICK)
    rep = add_user(marketing, "rep", "rep-password-1")
    with begin_write(marketing.engine) as conn:
        roles = marketing.apps.roles(conn, "marketing")
        assign_role(conn, "marketing", roles, "sales_rep", user_id=rep.id)
    with TestClient(app) as client:
        sign_in(client, "rep", "rep-password-1")
        page = client.get(f"{LEADS}/new?form=quick", headers=HTML)
        assert page.status_code == 200 and "score" not in inputs(page.text)
        data = {"name": "Rep", "source": "wechat", "status": "new", "score": "99"}
        created = post_form(client, f"{LEADS}/new?form=quick", f"{LEADS}/new?form=quick", data)
        assert created.status_code == 303, text_of(created.text)
        lead = int(created.headers["location"].split("/")[-1].split("?")[0])
        record = client.get(f"/api/apps/marketing/entities/lead/records/{lead}").json()
        assert record["score"] != 99


def test_a_view_names_the_layout_its_new_button_and_record_links_open(
    pages: TestClient, marketing: Platform
) -> None:
    publish_layout(marketing, QUICK)
    lead = create_lead(pages, status="contacted")
    publish_view(pages, {**CONTACTED, "form": "quick"})
    page = pages.get(f"{LEADS}?view=contacted", headers=HTML).text
    assert f'id="new-record" href="{LEADS}/new?form=quick"' in page
    assert f'href="{LEADS}/{lead}?form=quick"' in page
    assert f'href="{LEADS}/{lead}/edit?form=quick"' in page
    everyone = pages.get(LEADS, headers=HTML).text  # without the view: the default layout
    assert f'id="new-record" href="{LEADS}/new"' in everyone
    assert f'href="{LEADS}/{lead}"' in everyone


def test_a_view_naming_an_unknown_or_public_layout_is_refused_at_form(
    pages: TestClient,
) -> None:
    for name, code in (("ghost", "reference"), ("contact_us", "public")):
        assert save_view(pages, {**CONTACTED, "form": name}).status_code == 200
        refused = publish_views(pages)
        assert refused.status_code == 422, refused.text
        errors = [e for e in refused.json()["errors"] if e["pointer"].endswith("#/form")]
        assert errors and errors[0]["code"] == code, refused.json()
    bad = pages.put(
        "/api/apps/marketing/documents/view/lead.contacted",
        json={**CONTACTED, "form": "Not A Name"},
        headers=csrf(pages),
    )
    assert bad.status_code == 422 and "/form" in bad.text


def test_a_kanban_view_opens_its_cards_with_its_layout(
    pages: TestClient, marketing: Platform
) -> None:
    from test_pages_kanban import BOARD, PIPELINE, boot_of

    publish_layout(marketing, QUICK)
    lead = create_lead(pages, status="new")
    publish_view(pages, {**PIPELINE, "form": "quick"})
    cards = boot_of(pages.get(BOARD, headers=HTML).text)["cards"]
    assert [c["url"] for c in cards] == [f"{LEADS}/{lead}?form=quick"]
