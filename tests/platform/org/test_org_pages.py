from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from org_testing import DEPARTMENTS_ZH, HTML, USERS_ZH, csrf_of, page_login, text_of
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD

from jimu.platform.models import User


@pytest.fixture
def admin_pages(app: FastAPI, admin: User) -> Iterator[TestClient]:
    with TestClient(app) as client:
        assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
        yield client


def upload(client: TestClient, departments: str, users: str) -> tuple[int, str]:
    page = client.get("/admin/org", headers=HTML)
    files = {
        "departments": ("d.csv", departments.encode("utf-8"), "text/csv"),
        "users": ("u.csv", users.encode("utf-8"), "text/csv"),
    }
    response = client.post(
        "/admin/org/import",
        data={"csrf_token": csrf_of(page.text)},
        files=files,
        headers=HTML,
    )
    return response.status_code, response.text


def test_non_admins_and_anonymous_cannot_open_the_page(
    client: TestClient, app: FastAPI, user: User
) -> None:
    anonymous = client.get("/admin/org", headers=HTML, follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    with TestClient(app) as alice:
        assert page_login(alice, "alice", USER_PASSWORD).status_code == 303
        assert alice.get("/admin/org", headers=HTML).status_code == 403


def test_check_then_apply_shows_the_tree_with_leaders(admin_pages: TestClient) -> None:
    empty = admin_pages.get("/admin/org", headers=HTML)
    assert 'id="org-empty"' in empty.text

    status, checked = upload(admin_pages, DEPARTMENTS_ZH, USERS_ZH)
    assert status == 200, checked
    assert "Departments: 5 new, 0 changed, 0 unchanged" in text_of(checked)
    assert 'id="org-empty"' in checked  # a dry run changes nothing

    applied = admin_pages.post(
        "/admin/org/import",
        data={
            "csrf_token": csrf_of(checked),
            "apply": "1",
            "departments": DEPARTMENTS_ZH,
            "users": USERS_ZH,
        },
        headers=HTML,
    )
    assert applied.status_code == 200, applied.text
    text = text_of(applied.text)
    assert "The organisation was imported." in text
    assert "积木科技" in text and "华东区" in text
    assert 'class="org-leader"' in applied.text
    assert "张三 zhangsan Head" in text


def test_bad_rows_are_listed_with_row_and_column_in_chinese(admin_pages: TestClient) -> None:
    admin_pages.cookies.set("jimu_lang", "zh")
    bad_users = "用户ID,姓名,邮箱,所属部门\nzhangsan,张三,bad-email,2\n"
    status, page = upload(admin_pages, DEPARTMENTS_ZH, bad_users)
    assert status == 422
    assert 'id="org-problems"' in page
    assert 'id="org-apply"' not in page
    text = text_of(page)
    assert "users 2 邮箱" in text
    assert "导入检查" in text  # the page speaks Chinese


def test_posting_nothing_is_a_clear_error(admin_pages: TestClient) -> None:
    page = admin_pages.get("/admin/org", headers=HTML)
    response = admin_pages.post(
        "/admin/org/import", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert response.status_code == 400
    assert "Choose a departments file" in text_of(response.text)


def test_an_unreadable_file_names_its_table_and_line(admin_pages: TestClient) -> None:
    status, page = upload(admin_pages, DEPARTMENTS_ZH, "userid,name\nann,A\x00nn\n")
    assert status == 422
    assert "The users file is not readable CSV at line 2" in text_of(page)
    assert 'id="org-apply"' not in page
