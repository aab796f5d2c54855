"""The import wizard: upload, the dry run's problems by row, then the import."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from pages_testing import HTML, csrf_of, page_login, text_of
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, add_user
from widget_app import import_widget_app

from jimu.platform.models import User
from jimu.platform.pages.import_stash import STASH_FOLDER
from jimu.platform.records import ListQuery
from jimu.platform.state import Platform

PROJECTS = "/apps/works/project"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def works(app: FastAPI, admin: User, platform: Platform, tmp_path: Path) -> TestClient:
    import_widget_app(platform, tmp_path / "works")
    client = TestClient(app)
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    return client


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: TestClient, name: str, data: bytes, media_type: str = XLSX) -> str:
    page = client.get(f"{PROJECTS}/import", headers=HTML)
    assert page.status_code == 200 and 'type="file"' in page.text
    response = client.post(
        f"{PROJECTS}/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": (name, data, media_type)},
        headers=HTML,
    )
    return str(response.status_code) + "\n" + response.text


def project_count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        page = platform.apps.records(conn, "works").list(conn, "project", ListQuery(count=True))
    return int(page.total or 0)


def test_a_file_with_bad_rows_lists_every_problem_and_imports_nothing(
    works: TestClient, platform: Platform
) -> None:
    data = xlsx([["Title", "hours", "priority"], ["Bridge", 3, "high"], ["", "lots", "urgent"]])
    status, html = upload(works, "projects.xlsx", data).split("\n", 1)
    assert status == "422"
    text = text_of(html)
    assert "1 of 2 rows are ready to import." in text
    problems = html.split('id="import-problems"', 1)[1]
    assert "Title" in problems and "hours" in problems and "priority" in problems
    assert "/import/commit" not in html
    assert project_count(platform) == 0


def test_a_good_file_is_checked_then_imported(works: TestClient, platform: Platform) -> None:
    data = xlsx([["title", "hours", "priority"], ["Bridge", 3, "high"], ["Tunnel", 5, "low"]])
    status, html = upload(works, "projects.xlsx", data).split("\n", 1)
    assert status == "200", text_of(html)
    assert "2 of 2 rows are ready to import." in text_of(html)
    assert project_count(platform) == 0  # the check writes nothing
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    done = works.post(
        f"{PROJECTS}/import/commit",
        data={"csrf_token": csrf_of(html), "token": token.group(1)},
        headers=HTML,
    )
    assert done.status_code == 200
    assert "Imported 2 records." in text_of(done.text)
    assert project_count(platform) == 2
    again = works.post(
        f"{PROJECTS}/import/commit",
        data={"csrf_token": csrf_of(html), "token": token.group(1)},
        headers=HTML,
    )
    assert again.status_code == 400 and "no longer available" in text_of(again.text)
    assert project_count(platform) == 2


def test_csv_files_work_too(works: TestClient, platform: Platform) -> None:
    status, html = upload(works, "projects.csv", b"title,hours\nBridge,3\n", "text/csv").split(
        "\n", 1
    )
    assert status == "200", text_of(html)
    assert "1 of 1 rows are ready to import." in text_of(html)


def test_other_files_are_refused(works: TestClient) -> None:
    status, html = upload(works, "projects.txt", b"hello", "text/plain").split("\n", 1)
    assert status == "400"
    assert "Choose a CSV or XLSX file." in text_of(html)


def test_only_the_uploader_can_import_the_checked_file(
    works: TestClient, app: FastAPI, platform: Platform
) -> None:
    data = xlsx([["title"], ["Bridge"]])
    _, html = upload(works, "projects.xlsx", data).split("\n", 1)
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    add_user(platform, "alice", USER_PASSWORD)
    other = TestClient(app)
    page_login(other, "alice", USER_PASSWORD)
    form = other.get(f"{PROJECTS}/import", headers=HTML).text
    refused = other.post(
        f"{PROJECTS}/import/commit",
        data={"csrf_token": csrf_of(form), "token": token.group(1)},
        headers=HTML,
    )
    assert refused.status_code == 400
    assert project_count(platform) == 0
    assert any((platform.settings.data_dir / STASH_FOLDER).iterdir())


def test_the_wizard_speaks_chinese(works: TestClient) -> None:
    page = works.get(f"{PROJECTS}/import?lang=zh", headers=HTML)
    assert "导入项目" in text_of(page.text) and "检查文件" in text_of(page.text)
