"""A record's files are its own: a key copied from another record is refused on save and never
served through the copy; a refused form keeps its uploads for the next save; the name and
type shown and served are the upload's, whatever the form posts."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from pages_testing import HTML, csrf_of, page_login, post_form, text_of
from platform_testing import ADMIN_PASSWORD
from widget_app import import_widget_app

from jimu.builder_ui.pages.shell.error_messages import in_chinese
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.state import Platform

PROJECTS = "/apps/works/project"
FIELD_ERROR = r'data-field="files"[^>]*>(?:(?!data-field=).)*class="field-error"'


@pytest.fixture
def works(app: FastAPI, admin: User, platform: Platform, tmp_path: Path) -> TestClient:
    import_widget_app(platform, tmp_path / "works")
    client = TestClient(app)
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    return client


def create_with_file(works: TestClient, name: str, content: bytes, media_type: str) -> str:
    page = works.get(f"{PROJECTS}/new", headers=HTML)
    created = works.post(
        f"{PROJECTS}/new",
        data={"csrf_token": csrf_of(page.text), "title": "A", "files.present": "1"},
        files=[("files.upload", (name, content, media_type))],
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, text_of(created.text)
    return str(created.headers["location"].split("?")[0])


def stored_files(platform: Platform, record_url: str) -> list[dict[str, object]]:
    record_id = int(record_url.rsplit("/", 1)[1])
    with platform.engine.connect() as conn:
        record = platform.apps.records(conn, "works").get(conn, "project", record_id)
    return list(record["files"] or [])


def save_edit(works: TestClient, record_url: str, keep: list[dict[str, object]]) -> Response:
    edit = works.get(f"{record_url}/edit", headers=HTML).text
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version
    return works.post(
        f"{record_url}/edit",
        data={
            "csrf_token": csrf_of(edit),
            "title": "B",
            "version": version.group(1),
            "files.present": "1",
            "files.keep": [json.dumps(f) for f in keep],
        },
        headers=HTML,
        follow_redirects=False,
    )


def test_a_key_copied_from_another_record_is_refused_and_not_served(
    works: TestClient, platform: Platform
) -> None:
    owner_url = create_with_file(works, "secret.txt", b"owner's file", "text/plain")
    secret = stored_files(platform, owner_url)[0]
    other_url = (
        post_form(works, f"{PROJECTS}/new", f"{PROJECTS}/new", {"title": "B"})
        .headers["location"]
        .split("?")[0]
    )

    refused = save_edit(works, other_url, [secret])
    assert refused.status_code == 422
    assert re.search(FIELD_ERROR, refused.text, re.S)
    assert stored_files(platform, other_url) == []

    # a copy written behind the service's back (as before files had owners) is not served
    other_id = int(other_url.rsplit("/", 1)[1])
    with begin_write(platform.engine) as conn:
        table = platform.apps.records(conn, "works").table("project")
        conn.execute(sa.update(table).where(table.c.id == other_id).values(files=[secret]))
    assert works.get(f"{other_url}/files/files/{secret['key']}").status_code == 404
    served = works.get(f"{owner_url}/files/files/{secret['key']}")
    assert served.status_code == 200 and served.content == b"owner's file"


def test_the_uploads_name_and_type_are_kept_whatever_the_form_posts(
    works: TestClient, platform: Platform
) -> None:
    record_url = create_with_file(works, "plan.txt", b"<script>alert(1)</script>", "text/plain")
    original = stored_files(platform, record_url)[0]
    forged = {**original, "name": "plan.png", "type": "image/png", "size": 1}
    saved = save_edit(works, record_url, [forged])
    assert saved.status_code == 303, text_of(saved.text)
    assert stored_files(platform, record_url) == [original]
    served = works.get(f"{record_url}/files/files/{original['key']}")
    assert served.headers["content-type"].startswith("text/plain")
    assert served.headers["content-disposition"].startswith('attachment; filename="plan.txt"')


def test_a_refused_form_keeps_its_upload_for_the_next_save(
    works: TestClient, platform: Platform
) -> None:
    page = works.get(f"{PROJECTS}/new", headers=HTML)
    refused = works.post(
        f"{PROJECTS}/new",
        data={"csrf_token": csrf_of(page.text), "title": "", "files.present": "1"},
        files=[("files.upload", ("notes.txt", b"notes", "text/plain"))],
        headers=HTML,
    )
    assert refused.status_code == 422
    kept = re.findall(r'name="files.keep" value="([^"]+)"', refused.text)
    assert len(kept) == 1
    created = works.post(
        f"{PROJECTS}/new",
        data={
            "csrf_token": csrf_of(refused.text),
            "title": "Second try",
            "files.present": "1",
            "files.keep": html.unescape(kept[0]),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert created.status_code == 303, text_of(created.text)
    record_url = created.headers["location"].split("?")[0]
    [notes] = stored_files(platform, record_url)
    assert notes["name"] == "notes.txt"
    assert works.get(f"{record_url}/files/files/{notes['key']}").content == b"notes"


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("file 1 is not an uploaded file", "第 1 个文件不是已上传的文件"),
        ("file 2 belongs to another record", "第 2 个文件属于另一条记录"),
        ("file 1 was uploaded for another field", "第 1 个文件是为另一个字段上传的"),
        ("file 3 was uploaded by someone else", "第 3 个文件是别人上传的"),
        ("file 2 is attached twice", "第 2 个文件重复添加"),
    ],
)
def test_the_ownership_messages_have_a_chinese_wording(message: str, chinese: str) -> None:
    assert in_chinese(message) == chinese
