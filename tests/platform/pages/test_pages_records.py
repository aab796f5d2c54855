"""The app pages, record list, form, record page with history, and the recycle bin."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pages_testing import HTML, csrf_of, post_form, text_of

LEADS = "/apps/marketing/lead"
VALID_LEAD = {"name": "Wang Fang", "source": "wechat", "status": "new", "phone": "13812345678"}


def create_lead(client: TestClient, **values: Any) -> int:
    response = post_form(client, f"{LEADS}/new", f"{LEADS}/new", {**VALID_LEAD, **values})
    assert response.status_code == 303, text_of(response.text)
    found = re.fullmatch(rf"{LEADS}/(\d+)\?notice=created", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def test_the_apps_page_lists_the_published_app(pages: TestClient) -> None:
    page = pages.get("/apps", headers=HTML)
    assert page.status_code == 200
    assert "Integrated marketing" in page.text and 'href="/apps/marketing"' in page.text
    assert "一体化营销管理" in pages.get("/apps?lang=zh", headers=HTML).text


def test_the_root_goes_to_the_apps(pages: TestClient) -> None:
    response = pages.get("/", headers=HTML, follow_redirects=False)
    assert response.headers["location"] == "/apps"


def test_the_app_home_shows_each_table_with_its_count(pages: TestClient) -> None:
    create_lead(pages)
    page = pages.get("/apps/marketing", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Lead 1" in text and "Opportunity 0" in text
    assert f'href="{LEADS}"' in page.text


def test_an_unknown_app_or_entity_is_a_404_page(pages: TestClient) -> None:
    for url in ("/apps/nope", "/apps/marketing/nope", f"{LEADS}/999999", f"{LEADS}/999999/edit"):
        page = pages.get(url, headers=HTML)
        assert page.status_code == 404, url
        assert page.headers["content-type"].startswith("text/html")


def test_the_new_form_renders_every_widget_of_the_lead(pages: TestClient) -> None:
    page = pages.get(f"{LEADS}/new", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert 'name="name"' in html and 'maxlength="100"' in html
    assert '<select id="f-source" name="source"' in html and 'data-color="#52c41a"' in html
    assert 'type="checkbox" name="interests" value="cdp"' in html
    assert 'type="datetime-local" id="f-next_follow_up_at"' in html
    assert 'type="tel" id="f-phone"' in html and 'type="email" id="f-email"' in html
    assert 'data-link-picker data-search-url="/apps/marketing/campaign/lookup"' in html
    assert 'type="url" id="f-landing_page"' in html
    assert "Calculated automatically" in html  # code, grade, rollups
    assert 'value="new" data-color="#1677ff" selected' in html  # the default status
    assert "Basic information" in html and "Source &amp; UTM" in html  # the form's sections


def test_a_bad_lead_shows_every_error_inline_and_keeps_the_input(pages: TestClient) -> None:
    response = post_form(
        pages,
        f"{LEADS}/new",
        f"{LEADS}/new",
        {"name": "", "source": "wechat", "email": "not-an-email", "company": "Acme"},
    )
    assert response.status_code == 422
    html = response.text
    assert "Please correct the fields marked below." in text_of(html)
    assert re.search(r'data-field="name"[^>]*>.*?class="field-error"', html, re.S)
    assert re.search(r'data-field="email"[^>]*>.*?class="field-error"', html, re.S)
    assert 'value="Acme"' in html and 'value="not-an-email"' in html
    assert pages.get(f"{LEADS}", headers=HTML).text.count("data-id=") == 0


def test_create_then_the_record_page_shows_values_and_history(pages: TestClient) -> None:
    record_id = create_lead(pages, company="Acme", interests=["cdp", "scrm"], score="85")
    page = pages.get(f"{LEADS}/{record_id}?notice=created", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Record created." in text
    assert "Wang Fang" in text and "Acme" in text and "WeChat" in text
    assert "Customer Data Platform" in text and "Social CRM (WeCom)" in text
    assert "Grade A" in text  # the formula, computed by the record service
    assert re.search(r"Lead no\. LD-\d{6}-0001", text)
    assert "History" in text and "Version 1" in text


def test_edit_saves_and_the_history_shows_the_change(pages: TestClient) -> None:
    record_id = create_lead(pages, company="Acme")
    edit = pages.get(f"{LEADS}/{record_id}/edit", headers=HTML)
    assert 'name="version" value="1"' in edit.text and 'value="Acme"' in edit.text
    response = post_form(
        pages,
        f"{LEADS}/{record_id}/edit",
        f"{LEADS}/{record_id}/edit",
        {**VALID_LEAD, "company": "Acme Asia", "status": "contacted", "version": "1"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{LEADS}/{record_id}?notice=saved"
    page = pages.get(response.headers["location"], headers=HTML)
    history = text_of(page.text.split('id="history"', 1)[1])
    assert "Version 2" in history
    assert "Company: Acme → Acme Asia" in history
    assert "Status: New → Contacted" in history


def test_an_invalid_edit_is_refused_inline(pages: TestClient) -> None:
    record_id = create_lead(pages)
    response = post_form(
        pages,
        f"{LEADS}/{record_id}/edit",
        f"{LEADS}/{record_id}/edit",
        {**VALID_LEAD, "score": "101", "version": "1"},
    )
    assert response.status_code == 422
    assert re.search(r'data-field="score"[^>]*>.*?class="field-error"', response.text, re.S)
    assert 'name="version" value="1"' in response.text


def test_a_stale_edit_shows_the_other_persons_version(pages: TestClient) -> None:
    record_id = create_lead(pages, company="Acme")
    first = post_form(
        pages,
        f"{LEADS}/{record_id}/edit",
        f"{LEADS}/{record_id}/edit",
        {**VALID_LEAD, "company": "First", "version": "1"},
    )
    assert first.status_code == 303
    stale = post_form(
        pages,
        f"{LEADS}/{record_id}/edit",
        f"{LEADS}/{record_id}/edit",
        {**VALID_LEAD, "company": "Second", "version": "1"},
    )
    assert stale.status_code == 409
    assert "Someone else changed this record" in text_of(stale.text)
    assert 'value="First"' in stale.text and 'name="version" value="2"' in stale.text


def test_delete_moves_to_the_recycle_bin_and_restore_brings_it_back(pages: TestClient) -> None:
    record_id = create_lead(pages)
    deleted = post_form(pages, f"{LEADS}/{record_id}", f"{LEADS}/{record_id}/delete", {})
    assert deleted.status_code == 303 and deleted.headers["location"] == f"{LEADS}?notice=deleted"
    listing = pages.get(deleted.headers["location"], headers=HTML)
    assert "Record moved to the recycle bin." in text_of(listing.text)
    assert f'data-id="{record_id}"' not in listing.text
    bin_page = pages.get(f"{LEADS}/recycle-bin", headers=HTML)
    assert bin_page.status_code == 200 and f'data-id="{record_id}"' in bin_page.text
    page = pages.get(f"{LEADS}/{record_id}", headers=HTML)
    assert "This record is in the recycle bin." in text_of(page.text)
    restored = pages.post(
        f"{LEADS}/{record_id}/restore",
        data={"csrf_token": csrf_of(bin_page.text), "next": f"{LEADS}/recycle-bin"},
        headers=HTML,
        follow_redirects=False,
    )
    assert restored.status_code == 303
    assert restored.headers["location"] == f"{LEADS}/recycle-bin?notice=restored"
    assert "The recycle bin is empty." in text_of(pages.get(f"{LEADS}/recycle-bin").text)
    assert f'data-id="{record_id}"' in pages.get(LEADS, headers=HTML).text


def test_a_post_without_the_csrf_token_is_refused(pages: TestClient) -> None:
    record_id = create_lead(pages)
    response = pages.post(f"{LEADS}/{record_id}/delete", headers=HTML, follow_redirects=False)
    assert response.status_code == 403
    # the page is titled with what went wrong, not a generic "Something went wrong"
    assert "<title>Your form expired." in response.text
    assert pages.get(f"{LEADS}/999999", headers=HTML).text.count("This page does not exist.") == 2
    assert f'data-id="{record_id}"' in pages.get(LEADS, headers=HTML).text


def test_the_list_filters_sorts_and_chooses_columns(pages: TestClient) -> None:
    wang = create_lead(pages, name="Wang Fang", score="10", status="new")
    li = create_lead(pages, name="Li Lei", score="90", status="contacted", phone="13900001111")
    zhao = create_lead(pages, name="Zhao Min", score="50", status="contacted", phone="13700002222")
    everyone = pages.get(LEADS, headers=HTML)
    assert all(f'data-id="{i}"' in everyone.text for i in (wang, li, zhao))
    assert "3 records" in text_of(everyone.text)

    contacted = pages.get(f"{LEADS}?f=status:eq:contacted&sort=-score", headers=HTML).text
    assert re.findall(r'data-id="(\d+)"', contacted) == [str(li), str(zhao)]
    ascending = pages.get(f"{LEADS}?f=status:eq:contacted&sort=score", headers=HTML).text
    assert re.findall(r'data-id="(\d+)"', ascending) == [str(zhao), str(li)]

    by_form = pages.get(f"{LEADS}?ff=name&fo=contains&fv=Li&ff=&fo=eq&fv=", headers=HTML).text
    assert re.findall(r'data-id="(\d+)"', by_form) == [str(li)]
    searched = pages.get(f"{LEADS}?q=Zhao", headers=HTML).text
    assert re.findall(r'data-id="(\d+)"', searched) == [str(zhao)]

    columns = pages.get(f"{LEADS}?cols=name,score", headers=HTML).text
    head = columns.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "Score" in head and "Status" not in head


def test_a_bad_filter_is_explained_on_the_page(pages: TestClient) -> None:
    page = pages.get(f"{LEADS}?f=score:gt:lots&f=nope:eq:1", headers=HTML)
    assert page.status_code == 400
    text = text_of(page.text)
    assert "Score: The value is not valid." in text and "There is no field 'nope'." in text


def test_the_list_pages_with_a_cursor(pages: TestClient) -> None:
    ids = [create_lead(pages, name=f"Lead {n:02d}") for n in range(27)]
    first = pages.get(LEADS, headers=HTML).text
    assert first.count("data-id=") == 25
    next_link = re.search(r'rel="next" href="([^"]+)"', first)
    assert next_link
    second = pages.get(next_link.group(1).replace("&amp;", "&"), headers=HTML).text
    shown = re.findall(r'data-id="(\d+)"', first) + re.findall(r'data-id="(\d+)"', second)
    assert sorted(map(int, shown)) == sorted(ids)
    assert 'rel="next"' not in second and "First page" in second


def test_the_link_picker_searches_the_target(pages: TestClient) -> None:
    create_lead(pages, name="Wang Fang")
    create_lead(pages, name="Li Lei")
    found = pages.get(f"{LEADS}/lookup?q=Li").json()
    assert [item["title"] for item in found] == ["Li Lei"]
    assert set(found[0]) == {"id", "title", "subtitle"}
    assert len(pages.get(f"{LEADS}/lookup").json()) == 2


def test_links_show_the_targets_title(pages: TestClient) -> None:
    campaign = post_form(
        pages,
        "/apps/marketing/campaign/new",
        "/apps/marketing/campaign/new",
        {
            "name": "Spring Expo",
            "type": "trade_show",
            "channel": "trade_show",
            "start_date": "2026-03-01",
        },
    )
    if campaign.status_code != 303:
        pytest.fail(text_of(campaign.text))
    campaign_id = int(campaign.headers["location"].split("/")[-1].split("?")[0])
    record_id = create_lead(pages, campaign=str(campaign_id))
    page = pages.get(f"{LEADS}/{record_id}", headers=HTML).text
    assert f'<a href="/apps/marketing/campaign/{campaign_id}">Spring Expo</a>' in page


def test_the_pages_speak_chinese(pages: TestClient) -> None:
    record_id = create_lead(pages)
    listing = text_of(pages.get(f"{LEADS}?lang=zh", headers=HTML).text)
    assert "新建线索" in listing and "回收站" in listing and "姓名" in listing
    page = text_of(pages.get(f"{LEADS}/{record_id}", headers=HTML).text)
    assert "修改历史" in page and "微信公众号" in page
    form = text_of(pages.get(f"{LEADS}/new", headers=HTML).text)
    assert "基本信息" in form and "保存" in form
