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

from jimu.builder_ui.pages.imports.stash import STASH_FOLDER
from jimu.platform.models import User
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


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "the page keeps no uploaded file"
    return found.group(1)


def column_choices(html: str) -> dict[str, str]:
    """Column header → the field chosen for it on the column step ("" = not imported)."""
    table = html.split('id="import-columns"', 1)[1].split("</table>", 1)[0]
    chosen = {}
    for row in re.findall(r'<tr data-column="\d+">(.*?)</tr>', table, flags=re.S):
        header = text_of(row.split("</label>", 1)[0])
        selected = re.search(r'<option value="([^"]*)" selected>', row)
        chosen[header] = selected.group(1) if selected else ""
    return chosen


def preview_of(html: str) -> list[list[str]]:
    table = html.split('id="import-preview"', 1)[1].split("</table>", 1)[0]
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", row, flags=re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    ]


def post_columns(
    client: TestClient, html: str, choices: dict[int, str], action: str = "columns"
) -> tuple[int, str]:
    data = {"csrf_token": csrf_of(html), "token": token_of(html)}
    data.update({f"col.{index}": field for index, field in choices.items()})
    response = client.post(f"{PROJECTS}/import/{action}", data=data, headers=HTML)
    return response.status_code, response.text


def test_the_column_step_matches_lists_the_unmatched_and_previews(
    works: TestClient, platform: Platform
) -> None:
    header = ["标题", "电话", " HOURS "]
    data = xlsx([header, ["Bridge", "13812345678", 3], ["Tunnel", "13987654321", 5]])
    status, html = upload(works, "projects.xlsx", data).split("\n", 1)
    assert status == "200", text_of(html)
    assert column_choices(html) == {"标题": "title", "电话": "", "HOURS": "hours"}
    unmapped = html.split('id="import-unmapped"', 1)[1].split("</p>", 1)[0]
    assert "电话" in text_of(unmapped) and "标题" not in text_of(unmapped)
    assert preview_of(html) == [["Title", "hours"], ["Bridge", "3"], ["Tunnel", "5"]]
    assert "2 of 2 rows are ready to import." in text_of(html)

    # The user points the 电话 column at the phone field: checked again, nothing left out.
    status_code, again = post_columns(works, html, {0: "title", 1: "contact_phone", 2: "hours"})
    assert status_code == 200, text_of(again)
    assert column_choices(again)["电话"] == "contact_phone"
    assert 'id="import-unmapped"' not in again
    assert preview_of(again)[0] == ["Title", "contact_phone", "hours"]
    assert project_count(platform) == 0

    choices = {0: "title", 1: "contact_phone", 2: "hours"}
    status_code, done = post_columns(works, again, choices, action="commit")
    assert status_code == 200 and "Imported 2 records." in text_of(done)
    with platform.engine.connect() as conn:
        items = platform.apps.records(conn, "works").list(conn, "project", ListQuery()).items
    assert sorted(str(i["contact_phone"]) for i in items) == ["+8613812345678", "+8613987654321"]


def test_the_count_of_ready_rows_follows_the_mapping(works: TestClient) -> None:
    data = xlsx([["Title", "Notes"], ["Bridge", "fine"], ["Tunnel", "also fine"]])
    _, html = upload(works, "projects.xlsx", data).split("\n", 1)
    assert "2 of 2 rows are ready to import." in text_of(html)
    status, remapped = post_columns(works, html, {0: "", 1: "hours"})
    assert status == 422
    assert "0 of 2 rows are ready to import." in text_of(remapped)
    problems = text_of(remapped.split('id="import-problems"', 1)[1].split("</table>", 1)[0])
    assert "must be a number" in problems and "is required" in problems
    assert "/import/commit" not in remapped  # nothing to import while rows have problems
    assert column_choices(remapped) == {"Title": "", "Notes": "hours"}


def test_a_mapping_that_cannot_work_is_explained(works: TestClient, platform: Platform) -> None:
    data = xlsx([["Title", "Name"], ["Bridge", "Bridge 2"]])
    _, html = upload(works, "projects.xlsx", data).split("\n", 1)
    status, twice = post_columns(works, html, {0: "title", 1: "title"})
    assert status == 422
    assert "already filled from the column 'Title'" in text_of(twice)
    status, nothing = post_columns(works, html, {0: "", 1: ""})
    assert status == 422 and "No column fills a field" in text_of(nothing)
    status, forced = post_columns(works, html, {0: "", 1: ""}, action="commit")
    assert "No column fills a field" in text_of(forced)
    assert status == 422 and project_count(platform) == 0


def test_import_problems_follow_the_users_language(works: TestClient) -> None:
    works.get(f"{PROJECTS}/import?lang=zh", headers=HTML)
    data = xlsx([["标题", "hours", "电话"], ["", "lots", "1"]])
    status, html = upload(works, "projects.xlsx", data).split("\n", 1)
    assert status == "422"
    problems = text_of(html.split('id="import-problems"', 1)[1].split("</table>", 1)[0])
    assert "必填" in problems and "必须是数字" in problems
    assert "is required" not in problems and "must be a number" not in problems
    assert "不会导入(未选择字段):电话" in text_of(html)
