from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from org_testing import DEPARTMENTS_EN, DEPARTMENTS_ZH, USERS_EN, USERS_ZH

from jimu.platform.auth.passwords import has_usable_password
from jimu.platform.auth.users import authenticate, update_user
from jimu.platform.models import Department, User, UserDepartment
from jimu.platform.org.columns import read_csv, read_json, split_ids
from jimu.platform.org.context import user_context
from jimu.platform.org.sync import SyncReport, sync_organisation
from jimu.platform.state import Platform


def run(
    platform: Platform, departments: str | None, users: str | None, *, dry_run: bool
) -> SyncReport:
    with platform.sessions() as db:
        report = sync_organisation(
            db,
            read_csv("departments", departments) if departments is not None else None,
            read_csv("users", users) if users is not None else None,
            dry_run=dry_run,
        )
        if report.applied:
            db.commit()
        return report


def counts(platform: Platform) -> tuple[int, int, int]:
    with platform.sessions() as db:
        return (
            db.scalar(sa.select(sa.func.count()).select_from(Department)) or 0,
            db.scalar(sa.select(sa.func.count()).select_from(User)) or 0,
            db.scalar(sa.select(sa.func.count()).select_from(UserDepartment)) or 0,
        )


def test_split_ids_accepts_every_separator() -> None:
    assert split_ids("1;2|3, 4，5") == ["1", "2", "3", "4", "5"]
    assert split_ids("") == []


def test_chinese_headers_dry_run_then_apply_then_rerun(platform: Platform) -> None:
    dry = run(platform, DEPARTMENTS_ZH, USERS_ZH, dry_run=True)
    assert dry.errors == []
    assert dry.departments == {"created": 5, "updated": 0, "unchanged": 0}
    assert dry.users == {"created": 3, "updated": 0, "unchanged": 0}
    assert counts(platform) == (0, 0, 0)

    applied = run(platform, DEPARTMENTS_ZH, USERS_ZH, dry_run=False)
    assert applied.applied
    assert applied.users["created"] == 3
    assert counts(platform) == (5, 3, 4)
    with platform.sessions() as db:
        depts = {d.external_id: d for d in db.scalars(sa.select(Department))}
        assert depts["3"].parent_id == depts["2"].id
        assert depts["1"].parent_id is None
        users = {u.external_id: u for u in db.scalars(sa.select(User))}
        lisi = users["lisi"]
        assert (lisi.display_name, lisi.mobile, lisi.email) == (
            "李四",
            "+86 139-0013-9000",
            "lisi@example.com",
        )
        assert lisi.manager_id == users["zhangsan"].id
        assert not users["zhangsan"].is_admin
        context = user_context(db.connection(), lisi.id)
        assert context["main_department_id"] == depts["3"].id
        assert context["led_department_ids"] == [depts["3"].id]
        assert context["department_ids"] == sorted([depts["3"].id, depts["5"].id])
        zhang = user_context(db.connection(), users["zhangsan"].id)
        assert zhang["led_department_ids"] == [depts["2"].id]
        assert zhang["department_and_descendant_ids"] == sorted(
            [depts["2"].id, depts["3"].id, depts["4"].id]
        )
        # New users cannot sign in until an administrator sets a password: no password
        # opens their account (and none was hashed for them, which made big syncs slow).
        assert not has_usable_password(lisi.password_hash)
        assert authenticate(db, "lisi", "") is None
        assert authenticate(db, "lisi", lisi.password_hash) is None
        update_user(lisi, {"password": "Plum-blossom-2026"})
        assert authenticate(db, "lisi", "Plum-blossom-2026") is lisi

    again = run(platform, DEPARTMENTS_ZH, USERS_ZH, dry_run=False)
    assert again.departments == {"created": 0, "updated": 0, "unchanged": 5}
    assert again.users == {"created": 0, "updated": 0, "unchanged": 3}
    assert counts(platform) == (5, 3, 4)


def test_english_headers_with_main_department_and_per_department_leader(
    platform: Platform,
) -> None:
    report = run(platform, DEPARTMENTS_EN, USERS_EN, dry_run=False)
    assert report.errors == [], report.errors
    with platform.sessions() as db:
        depts = {d.external_id: d.id for d in db.scalars(sa.select(Department))}
        ann = db.scalars(sa.select(User).where(User.external_id == "ann")).one()
        context = user_context(db.connection(), ann.id)
        assert context["main_department_id"] == depts["12"]
        assert context["led_department_ids"] == [depts["11"]]
        bob = db.scalars(sa.select(User).where(User.external_id == "bob")).one()
        assert bob.manager_id == ann.id
        assert bob.mobile is None


def test_changes_are_updates_and_missing_users_are_reported_not_deleted(
    platform: Platform,
) -> None:
    run(platform, DEPARTMENTS_ZH, USERS_ZH, dry_run=False)
    renamed = DEPARTMENTS_ZH.replace("华北区", "华北大区")
    fewer = "\n".join(line for line in USERS_ZH.splitlines() if not line.startswith("wangwu"))
    fewer = fewer.replace("李四", "李四四")
    report = run(platform, renamed, fewer, dry_run=False)
    assert report.departments == {"created": 0, "updated": 1, "unchanged": 4}
    assert report.users == {"created": 0, "updated": 1, "unchanged": 1}
    assert report.users_not_in_file == ["wangwu"]
    assert counts(platform)[1] == 3


def test_dry_run_reports_every_bad_row_with_row_and_column(platform: Platform) -> None:
    departments = """部门ID,上级部门ID,部门名称,排序
1,,积木科技,0
2,99,销售部,1
2,1,重复,1
7,8,甲,x
8,7,乙,0
9,1,,0
"""
    users = """用户ID,姓名,手机,邮箱,所属部门,是否部门负责人,直属上级
zhangsan,张三,abc,not-an-email,1;42,是,
lisi,李四,13900139000,lisi@example.com,1,1;0,nobody
zhangsan,张三,,,1,,
,无名,,,1,,
"""
    report = run(platform, departments, users, dry_run=True)
    found = {(e.file, e.row, e.column) for e in report.errors}
    assert found == {
        ("departments", 3, "上级部门ID"),  # unknown parent 99
        ("departments", 4, "部门ID"),  # duplicate 2
        ("departments", 5, "排序"),  # order x
        ("departments", 5, "上级部门ID"),  # 7 -> 8 -> 7 cycle
        ("departments", 6, "上级部门ID"),  # 8 -> 7 -> 8 cycle
        ("departments", 7, "部门名称"),  # no name
        ("users", 2, "手机"),
        ("users", 2, "邮箱"),
        ("users", 2, "所属部门"),  # department 42
        ("users", 3, "是否部门负责人"),  # 2 flags, 1 department
        ("users", 4, "用户ID"),  # duplicate
        ("users", 5, "用户ID"),  # missing
    }
    cycle = next(e for e in report.errors if e.row == 6 and e.file == "departments")
    assert "cycle" in cycle.message
    assert cycle.pointer == "/departments/6/上级部门ID"
    assert counts(platform) == (0, 0, 0)
    assert not run(platform, departments, users, dry_run=False).applied
    assert counts(platform) == (0, 0, 0)


def test_unknown_manager_is_reported(platform: Platform) -> None:
    users = "userid,name,departments,manager\nann,Ann,,ghost\n"
    report = run(platform, None, users, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "manager")]


def test_json_rows_use_their_index(platform: Platform) -> None:
    items: list[dict[str, Any]] = [
        {"department_id": "1", "parent_id": None, "name": "Root"},
        {"department_id": "2", "parent_id": "1", "name": "Child", "order": 3},
        {"department_id": "3", "parent_id": "404", "name": "Lost"},
    ]
    with platform.sessions() as db:
        report = sync_organisation(db, read_json("departments", items), None, dry_run=True)
    assert [e.pointer for e in report.errors] == ["/departments/2/parent_id"]
