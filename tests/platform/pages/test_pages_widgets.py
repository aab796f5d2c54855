"""Every widget on a real form: rendered, posted, stored, shown, and edited again."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, csrf_of, page_login, post_form, text_of
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, add_user
from widget_app import import_widget_app

from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

PROJECTS = "/apps/works/project"


@pytest.fixture
def works(app: FastAPI, admin: User, platform: Platform, tmp_path: Path) -> TestClient:
    import_widget_app(platform, tmp_path / "works")
    with platform.sessions() as db:
        stored = db.get(User, admin.id)
        assert stored is not None
        stored.time_zone = "Asia/Shanghai"
        stored.display_name = "Ada Admin"
        db.commit()
    client = TestClient(app)
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    return client


def add_client(platform: Platform, name: str) -> int:
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "works")
        return int(records.create(conn, "client", {"name": name}, WriteContext(source="ui"))["id"])


def full_form(admin_id: int, client_id: int, other_id: int) -> dict[str, object]:
    return {
        "title": "Bridge",
        "summary": "Two lines\nof text",
        "body": "<p><strong>Bold</strong> plan</p>",
        "hours": "12.5",
        "ratio": "0.125",
        "budget": "1,200,000.50",
        "progress": "37.5",
        "active": ["false", "true"],
        "start": "2026-12-01",
        "due": "2026-12-24T18:30",
        "priority": "high",
        "tags": ["red", "blue"],
        "contact_email": "pm@example.com",
        "contact_phone": "+86 138 1234 5678",
        "site": "https://example.com/bridge",
        "manager": str(admin_id),
        "client": str(client_id),
        "related": [str(client_id), str(other_id)],
        "location.province": "浙江省",
        "location.city": "杭州市",
        "location.district": "西湖区",
        "stars": "4",
        "tasks.present": "1",
        "tasks.rows": ["0", "1"],
        "tasks.0.name": "Design",
        "tasks.0.hours": "3",
        "tasks.0.done": ["false", "true"],
        "tasks.1.name": "Build",
        "tasks.1.hours": "5",
        "tasks.1.done": "false",
    }


def test_the_form_has_a_control_for_every_widget(works: TestClient) -> None:
    html = works.get(f"{PROJECTS}/new", headers=HTML).text
    for needle in (
        'name="summary"',
        "data-richtext-input",
        "vendor/trix/trix.umd.min.js",
        'type="number" id="f-hours"',
        'inputmode="decimal" id="f-ratio"',
        '<span class="affix-text">CNY</span>',
        '<span class="affix-text">%</span>',
        'type="checkbox" id="f-active" name="active" value="true"',
        'type="date" id="f-start"',
        'type="datetime-local" id="f-due"',
        "Time zone: Asia/Shanghai",
        'data-color="#f5222d"',
        'name="tags" value="blue"',
        'type="email" id="f-contact_email"',
        'type="tel" id="f-contact_phone"',
        'type="url" id="f-site"',
        '<option value="1">Ada Admin</option>',
        'data-search-url="/apps/works/client/lookup"',
        "data-many",
        'name="location.province"',
        'type="radio" id="f-stars-5"',
        'data-subtable="tasks"',
        "<template>",
        'name="tasks.__index__.name"',
    ):
        assert needle in html, needle


def test_every_widget_round_trips_through_the_record_service(
    works: TestClient, platform: Platform, admin: User
) -> None:
    acme, globex = add_client(platform, "Acme"), add_client(platform, "Globex")
    created = post_form(
        works, f"{PROJECTS}/new", f"{PROJECTS}/new", full_form(admin.id, acme, globex)
    )
    assert created.status_code == 303, text_of(created.text)
    record_id = int(re.findall(r"/(\d+)\?", created.headers["location"])[0])
    with platform.engine.connect() as conn:
        stored = platform.apps.records(conn, "works").get(conn, "project", record_id)
    assert stored["due"] == "2026-12-24T10:30:00Z"  # 18:30 in Shanghai
    assert stored["budget"] == "1200000.50" and stored["progress"] == "37.5"
    assert stored["active"] is True and stored["tags"] == ["red", "blue"]
    assert stored["location"] == {"province": "浙江省", "city": "杭州市", "district": "西湖区"}
    assert stored["related"] == [acme, globex] and stored["client"] == acme
    assert stored["stars"] == 4 and stored["manager"] == admin.id
    assert [(t["name"], t["done"]) for t in stored["tasks"]] == [("Design", True), ("Build", False)]

    page = works.get(f"{PROJECTS}/{record_id}", headers=HTML).text
    text = text_of(page)
    for needle in (
        "P-0001",
        "¥1,200,000.50",
        "37.5%",
        "2026-12-24 18:30",
        "High",
        "Red",
        "Blue",
        "浙江省 / 杭州市 / 西湖区",
        "Ada Admin",
        "Design",
        "Build",
    ):
        assert needle in text, needle
    assert f'<a href="/apps/works/client/{acme}">Acme</a>' in page
    assert 'sandbox title="body" srcdoc="&lt;p&gt;&lt;strong&gt;Bold' in page
    assert 'href="https://example.com/bridge"' in page
    assert "★" in page

    edit = works.get(f"{PROJECTS}/{record_id}/edit", headers=HTML).text
    assert 'value="2026-12-24T18:30"' in edit
    assert 'name="tasks.0.id"' in edit and 'value="Design"' in edit
    assert 'value="4" checked' in edit


def test_sub_table_rows_are_added_changed_and_removed(
    works: TestClient, platform: Platform, admin: User
) -> None:
    acme = add_client(platform, "Acme")
    created = post_form(
        works, f"{PROJECTS}/new", f"{PROJECTS}/new", full_form(admin.id, acme, acme)
    )
    record_id = int(re.findall(r"/(\d+)\?", created.headers["location"])[0])
    with platform.engine.connect() as conn:
        before = platform.apps.records(conn, "works").get(conn, "project", record_id)
    tasks = before["tasks"]
    design = next(t for t in tasks if t["name"] == "Design")
    edit_url = f"{PROJECTS}/{record_id}/edit"
    response = post_form(
        works,
        edit_url,
        edit_url,
        {
            "title": "Bridge",
            "version": str(before["version"]),
            "tasks.present": "1",
            "tasks.rows": ["0", "5"],
            "tasks.0.id": str(design["id"]),
            "tasks.0.name": "Design v2",
            "tasks.0.hours": "4",
            "tasks.0.done": "false",
            "tasks.5.name": "Test",
            "tasks.5.hours": "2",
            "tasks.5.done": "false",
        },
    )
    assert response.status_code == 303, text_of(response.text)
    with platform.engine.connect() as conn:
        stored = platform.apps.records(conn, "works").get(conn, "project", record_id)
    names = sorted((t["name"], t["hours"]) for t in stored["tasks"])
    assert names == [("Design v2", 4), ("Test", 2)]
    assert next(t for t in stored["tasks"] if t["name"] == "Design v2")["id"] == design["id"]


def test_sub_table_errors_are_shown_in_their_cell(works: TestClient) -> None:
    response = post_form(
        works,
        f"{PROJECTS}/new",
        f"{PROJECTS}/new",
        {
            "title": "Bridge",
            "tasks.present": "1",
            "tasks.rows": ["0"],
            "tasks.0.name": "",
            "tasks.0.hours": "many",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert re.search(r'<td class="has-error" data-field="name">', html), text_of(html)
    assert re.search(r'<td class="has-error" data-field="hours">', html)
    assert 'value="many"' in html


def test_bad_values_of_several_widgets_are_all_reported(works: TestClient) -> None:
    response = post_form(
        works,
        f"{PROJECTS}/new",
        f"{PROJECTS}/new",
        {
            "title": "",
            "budget": "12.345",
            "contact_email": "nope",
            "stars": "9",
            "hours": "-1",
        },
    )
    assert response.status_code == 422
    for name in ("title", "budget", "contact_email", "stars", "hours"):
        assert re.search(
            rf'data-field="{name}"[^>]*>(?:(?!data-field=).)*class="field-error"',
            response.text,
            re.S,
        ), name


def test_files_are_uploaded_downloaded_and_removed(works: TestClient, platform: Platform) -> None:
    page = works.get(f"{PROJECTS}/new", headers=HTML)
    assert 'type="file" id="f-files-upload" name="files.upload" multiple' in page.text
    created = works.post(
        f"{PROJECTS}/new",
        data={"csrf_token": csrf_of(page.text), "title": "Bridge", "files.present": "1"},
        files=[
            ("files.upload", ("plan.txt", b"the plan", "text/plain")),
            ("files.upload", ("logo.png", b"\x89PNG fake", "image/png")),
        ],
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, text_of(created.text)
    record_url = created.headers["location"].split("?")[0]
    shown = works.get(record_url, headers=HTML).text.split('id="history"', 1)[0]
    links = re.findall(rf'href="({record_url}/files/files/[^"]+)"[^>]*>([^<]+)</a>', shown)
    assert [name for _, name in links] == ["plan.txt", "logo.png"]
    download = works.get(links[0][0])
    assert download.status_code == 200 and download.content == b"the plan"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert works.get(links[1][0]).headers["content-disposition"].startswith("inline;")
    assert works.get(f"{record_url}/files/files/{'0' * 32}.txt").status_code == 404

    edit = works.get(f"{record_url}/edit", headers=HTML).text
    kept = re.findall(r'name="files.keep" value="([^"]+)"', edit)
    assert len(kept) == 2
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version
    saved = works.post(
        f"{record_url}/edit",
        data={
            "csrf_token": csrf_of(edit),
            "title": "Bridge",
            "version": version.group(1),
            "files.present": "1",
            "files.keep": html.unescape(kept[1]),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303, text_of(saved.text)
    record_id = int(record_url.rsplit("/", 1)[1])
    with platform.engine.connect() as conn:
        stored = platform.apps.records(conn, "works").get(conn, "project", record_id)
    assert [f["name"] for f in stored["files"]] == ["logo.png"]


def test_a_file_that_breaks_the_fields_rules_is_refused_at_the_field(works: TestClient) -> None:
    page = works.get(f"{PROJECTS}/new", headers=HTML)
    response = works.post(
        f"{PROJECTS}/new",
        data={"csrf_token": csrf_of(page.text), "title": "Bridge", "files.present": "1"},
        files=[("files.upload", ("huge.exe", b"x" * 2000, "application/octet-stream"))],
        headers=HTML,
    )
    assert response.status_code == 422
    own_error = r'data-field="files"[^>]*>(?:(?!data-field=).)*class="field-error"'
    assert re.search(own_error, response.text, re.S)
    assert 'value="Bridge"' in response.text


def test_only_administrators_delete_for_good(
    works: TestClient, app: FastAPI, platform: Platform
) -> None:
    created = post_form(works, f"{PROJECTS}/new", f"{PROJECTS}/new", {"title": "Old"})
    record_url = created.headers["location"].split("?")[0]
    assert post_form(works, record_url, f"{record_url}/delete", {}).status_code == 303

    add_user(platform, "alice", USER_PASSWORD)
    alice = TestClient(app)
    page_login(alice, "alice", USER_PASSWORD)
    bin_page = alice.get(f"{PROJECTS}/recycle-bin", headers=HTML)
    assert "Old" in bin_page.text and "/purge" not in bin_page.text
    refused = alice.post(
        f"{record_url}/purge", data={"csrf_token": csrf_of(bin_page.text)}, headers=HTML
    )
    assert refused.status_code == 403

    purged = post_form(works, f"{PROJECTS}/recycle-bin", f"{record_url}/purge", {})
    assert purged.headers["location"] == f"{PROJECTS}/recycle-bin?notice=purged"
    after = works.get(purged.headers["location"], headers=HTML)
    assert "Record deleted for good." in text_of(after.text)
    assert works.get(record_url, headers=HTML).status_code == 404
