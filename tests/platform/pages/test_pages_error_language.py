"""Error pages, list-query problems and 403/404 explanations follow the user's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, page_login, text_of

from jimu.platform.auth.users import create_user
from jimu.platform.state import Platform

PASSWORD = "chen-password-1"


@pytest.fixture
def chinese_admin(app: FastAPI, marketing: Platform) -> Iterator[TestClient]:
    """An administrator whose language is Chinese (no ?lang=, no cookie, no Accept-Language)."""
    with marketing.sessions() as db:
        create_user(db, "chen", PASSWORD, is_admin=True, language="zh")
        create_user(db, "lin", PASSWORD, language="zh")
        db.commit()
    with TestClient(app) as client:
        assert page_login(client, "chen", PASSWORD).status_code == 303
        yield client


@pytest.fixture
def chinese_user(app: FastAPI, chinese_admin: TestClient) -> Iterator[TestClient]:
    """A user whose language is Chinese, holding no role in the marketing app."""
    with TestClient(app) as client:
        assert page_login(client, "lin", PASSWORD).status_code == 303
        yield client


def explanation(client: TestClient, url: str, status: int) -> str:
    page = client.get(url, headers=HTML)
    assert page.status_code == status, text_of(page.text)
    found = page.text.split('<div class="error-page', 1)[1].split("</div>\n{% endblock", 1)[0]
    return text_of(found)


def test_not_found_pages_are_in_chinese(chinese_admin: TestClient) -> None:
    missing_record = explanation(chinese_admin, "/apps/marketing/lead/99999", 404)
    assert "页面不存在" in missing_record and "找不到编号为 99999 的记录" in missing_record
    assert "There is no" not in missing_record
    assert "应用“marketing”中没有“nope”" in explanation(chinese_admin, "/apps/marketing/nope", 404)
    assert "没有已发布的应用“nope”" in explanation(chinese_admin, "/apps/nope", 404)


def test_forbidden_pages_are_in_chinese(chinese_user: TestClient) -> None:
    no_role = explanation(chinese_user, "/apps/marketing", 403)
    assert "你没有权限执行此操作" in no_role and "没有能访问记录的角色" in no_role
    assert "You hold" not in no_role
    admin_only = explanation(chinese_user, "/admin/audit", 403)
    assert "只有管理员可以执行此操作" in admin_only and "Only administrators" not in admin_only
    denied = explanation(chinese_user, "/apps/marketing/lead", 403)
    assert "你无权查看线索记录" in denied
    assert "You may not" not in denied


def test_the_same_pages_stay_in_english_for_english_users(chinese_admin: TestClient) -> None:
    english = explanation(chinese_admin, "/apps/marketing/lead/99999?lang=en", 404)
    assert "There is no lead record 99999." in english


def test_list_query_problems_are_in_chinese(chinese_admin: TestClient) -> None:
    bad_filter = chinese_admin.get(
        "/apps/marketing/lead?f=nosuch:eq:1&f=status:contains:x", headers=HTML
    )
    assert bad_filter.status_code == 400
    text = text_of(bad_filter.text)
    assert "没有字段“nosuch”。" in text and "状态不能用“包含”筛选。" in text
    assert "There is no field" not in text and "cannot be filtered" not in text
    bad_sort = chinese_admin.get("/apps/marketing/lead?sort=nosuch", headers=HTML)
    assert bad_sort.status_code == 400 and "不能按“nosuch”排序" in text_of(bad_sort.text)
    bad_page = chinese_admin.get("/apps/marketing/lead?cursor=garbage", headers=HTML)
    assert bad_page.status_code == 400 and "不是有效的翻页位置" in text_of(bad_page.text)


def test_options_typed_in_either_language_filter_the_list(
    chinese_admin: TestClient, marketing: Platform
) -> None:
    for lang, typed in (("zh", "Qualified (MQL)"), ("zh", "qualified"), ("en", "市场认可线索 MQL")):
        url = f"/apps/marketing/lead?f=status:eq:{typed}&lang={lang}"
        page = chinese_admin.get(url, headers=HTML)
        assert page.status_code == 200, (lang, typed, text_of(page.text)[:400])
