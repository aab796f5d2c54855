"""The demo set-up on the small crm app with sample data (jimu demo itself: test_cli_apps.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from crm_app import write_app

from jimu.errors import ValidationFailed
from jimu.platform.auth.users import authenticate
from jimu.platform.demo import DEMO_TEAM, PASSWORD_FILE, examples_dir, load_order, run_demo
from jimu.platform.metadata_store import load_app
from jimu.platform.models import User
from jimu.platform.state import Platform


def with_samples(root: Path, leads: list[dict[str, object]]) -> Path:
    folder = write_app(root)
    (folder / "sample").mkdir()
    accounts = [{"id": 1, "name": "Acme"}, {"id": 2, "name": "Globex"}]
    for entity, rows in (("lead", leads), ("account", accounts)):
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        (folder / "sample" / f"{entity}.jsonl").write_text(lines, encoding="utf-8")
    return folder


def table_count(platform: Platform, table: str) -> int:
    with platform.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(sa.table(table))
        return int(conn.execute(query).scalar_one())


def test_demo_loads_link_targets_first_and_is_idempotent(
    platform: Platform, tmp_path: Path
) -> None:
    leads = [{"id": i, "name": f"L{i}", "account": 1 + i % 2} for i in range(1, 8)]
    folder = with_samples(tmp_path, leads)
    first = run_demo(platform, folder)
    assert first.app == "crm" and first.imported_app
    assert first.loaded == {"account": 2, "lead": 7}
    stored = (platform.settings.data_dir / PASSWORD_FILE).read_text().strip()
    assert first.admin_password == stored
    with platform.sessions() as db:
        admin = authenticate(db, "admin", stored)
        assert admin is not None and admin.is_admin and admin.id == 1
        team = db.scalars(sa.select(User.id).where(User.username.in_(first.team))).all()
        assert sorted(team) == list(range(2, 2 + len(DEMO_TEAM)))
    second = run_demo(platform, folder)
    assert not second.imported_app and second.loaded == {}
    assert set(second.skipped) == {"account", "lead"}
    assert second.admin_password == first.admin_password
    assert table_count(platform, "crm_lead") == 7 and table_count(platform, "crm_account") == 2
    assert table_count(platform, "jimu_user") == 1 + len(DEMO_TEAM)


def test_a_lost_password_file_gets_a_new_password(platform: Platform, tmp_path: Path) -> None:
    folder = with_samples(tmp_path, [])
    first = run_demo(platform, folder)
    (platform.settings.data_dir / PASSWORD_FILE).unlink()
    second = run_demo(platform, folder)
    assert second.admin_password != first.admin_password
    with platform.sessions() as db:
        assert authenticate(db, "admin", second.admin_password) is not None
        assert authenticate(db, "wang.fang", second.admin_password) is not None


def test_sample_ids_must_match_the_assigned_ids(platform: Platform, tmp_path: Path) -> None:
    folder = with_samples(tmp_path, [{"id": 5, "name": "gap"}])
    with pytest.raises(ValidationFailed) as caught:
        run_demo(platform, folder)
    assert "numbered" in caught.value.message
    assert table_count(platform, "crm_lead") == 0  # all sample rows or none


def test_load_order_puts_targets_first(platform: Platform, tmp_path: Path) -> None:
    run_demo(platform, with_samples(tmp_path, []))
    with platform.engine.connect() as conn:
        order = load_order(load_app(conn, "crm"))
    assert order.index("account") < order.index("lead")


def test_examples_are_found_from_the_checkout() -> None:
    assert (examples_dir() / "app.json").is_file()
    assert (examples_dir() / "sample").is_dir()


def test_the_demo_logins_line_up_in_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from jimu.platform.cli.demo_command import print_report
    from jimu.platform.demo import DemoReport
    from jimu.platform.demo_org import RoleLogin
    from jimu.platform.settings import Settings

    report = DemoReport("admin", "pw")
    report.logins = [
        RoleLogin("finance", "财务 / Finance", "qian.hui"),
        RoleLogin("sales_manager", "区域销售经理 / Sales manager", "zhang.wei"),
    ]
    print_report(report, Settings(database_url="sqlite://"), "127.0.0.1", 8000)
    lines = [line for line in capsys.readouterr().out.splitlines() if " / " in line]
    ends = [
        len(line.rstrip()) + sum(1 for c in line if "\u4e00" <= c <= "\u9fff") for line in lines
    ]
    starts = [e - len(line.split()[-1]) for e, line in zip(ends, lines, strict=True)]
    assert len(set(starts)) == 1, lines


def test_the_install_page_names_every_user_the_demo_makes() -> None:
    install = (Path(__file__).resolve().parents[2] / "docs" / "install.md").read_text("utf-8")
    demo = " ".join(install.split("## The demo", 1)[1].split())
    named = re.findall(r"`([a-z]+\.[a-z]+)`", demo)
    assert named == [username for username, _, _ in DEMO_TEAM]
    total = 1 + len(DEMO_TEAM)  # the admin is user 1
    assert "users 2-8" in demo and f"users 9-{total}" in demo and "thirteen in all" in demo
