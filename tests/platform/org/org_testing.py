"""Helpers for organisation tests: a small tree and DingTalk/WeCom-shaped CSV files."""

from __future__ import annotations

import html
import re

import httpx
from fastapi.testclient import TestClient
from platform_testing import send_origin

from jimu.platform.models import Department, User, UserDepartment
from jimu.platform.state import Platform

DEPARTMENTS_ZH = """部门ID,上级部门ID,部门名称,排序
1,,积木科技,0
2,1,销售部,1
3,2,华东区,1
4,2,华北区,2
5,1,财务部,2
"""

USERS_ZH = """用户ID,姓名,手机,邮箱,所属部门,是否部门负责人,直属上级
zhangsan,张三,13800138000,zhangsan@example.com,2,是,
lisi,李四,+86 139-0013-9000,lisi@example.com,3;5,1;0,zhangsan
wangwu,王五,13700137000,,4,否,zhangsan
"""

DEPARTMENTS_EN = """Department ID,Parent ID,Name,Order
10,0,Acme,0
11,10,Sales,1
12,11,East,1
"""

USERS_EN = """userid,name,mobile,email,departments,leader,main department,manager
ann,Ann,+1 555 0100,ann@example.com,11|12,1|0,12,
bob,Bob,,bob@example.com,12,0,,ann
"""


def make_tree(platform: Platform) -> dict[str, int]:
    """Acme > Sales > (East, North); Acme > Finance. Returns name -> id."""
    with platform.sessions() as db:
        acme = Department(name="Acme")
        db.add(acme)
        db.flush()
        sales = Department(name="Sales", parent_id=acme.id)
        finance = Department(name="Finance", parent_id=acme.id, sort_order=2)
        db.add_all([sales, finance])
        db.flush()
        east = Department(name="East", parent_id=sales.id)
        north = Department(name="North", parent_id=sales.id)
        db.add_all([east, north])
        db.commit()
        return {d.name: d.id for d in (acme, sales, finance, east, north)}


def join(platform: Platform, user: User, department_id: int, *, main: bool, leader: bool) -> None:
    with platform.sessions() as db:
        db.add(
            UserDepartment(
                user_id=user.id, department_id=department_id, is_main=main, is_leader=leader
            )
        )
        db.commit()


HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def page_login(client: TestClient, username: str, password: str) -> httpx.Response:
    send_origin(client)
    page = client.get("/login", headers=HTML)
    data = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    return client.post("/login", data=data, headers=HTML, follow_redirects=False)


def text_of(page: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    without_tags = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    )
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()
