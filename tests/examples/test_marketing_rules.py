"""The marketing app's rules (examples/marketing/rules/) end to end: the app imported and
published as the demo does it, its organisation synced, records written through the records
service and the rule worker run with a clock the test moves — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from jimu.app import create_app
from jimu.platform.db import begin_write
from jimu.platform.demo import DemoAdmin, ensure_admin, ensure_app, ensure_team
from jimu.platform.demo_org import ensure_organisation
from jimu.platform.migrate import upgrade
from jimu.platform.models import Department, Notification, User, UserDepartment, utcnow
from jimu.platform.records import Records, WriteContext
from jimu.platform.records import service as service_module
from jimu.platform.rules.catalog import compile_published
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

MARKETING = Path(__file__).resolve().parents[2] / "examples" / "marketing"
APP = "marketing"


class Clock:
    """Now plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def move(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Marketing:
    platform: Platform
    admin: DemoAdmin
    clock: Clock
    worker: RuleWorker

    def records(self) -> Records:
        with self.platform.engine.connect() as conn:
            return self.platform.apps.records(conn, APP)

    def create(self, entity: str, actor: int | None = None, **values: Any) -> dict[str, Any]:
        with begin_write(self.platform.engine) as conn:
            ctx = WriteContext(actor or self.admin.id, "api")
            return self.records().create(conn, entity, values, ctx)

    def update(self, entity: str, record_id: int, **values: Any) -> dict[str, Any]:
        with begin_write(self.platform.engine) as conn:
            ctx = WriteContext(self.admin.id, "api")
            return self.records().update(conn, entity, record_id, values, ctx)

    def get(self, entity: str, record_id: int) -> dict[str, Any]:
        with self.platform.engine.connect() as conn:
            return self.records().get(conn, entity, record_id)

    def rows(self, entity: str, **where: Any) -> list[dict[str, Any]]:
        table = self.records().table(entity)
        query = sa.select(table).order_by(table.c.id)
        for name, value in where.items():
            column = table.c[name] if name in table.c else table.c[f"{name}_id"]  # links
            query = query.where(column == value)
        with self.platform.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def user(self, username: str) -> int:
        with self.platform.engine.connect() as conn:
            return int(
                conn.execute(sa.select(User.id).where(User.username == username)).scalar_one()
            )

    def members(self, hr_id: str) -> set[int]:
        with self.platform.engine.connect() as conn:
            department = conn.scalar(
                sa.select(Department.id).where(Department.external_id == hr_id)
            )
            query = sa.select(UserDepartment.user_id).where(
                UserDepartment.department_id == department
            )
            return set(conn.scalars(query))

    def inbox(self, entity: str, record_id: int) -> list[tuple[int, str]]:
        query = (
            sa.select(Notification.user_id, Notification.title)
            .where(Notification.entity == entity, Notification.record_id == record_id)
            .order_by(Notification.user_id)
        )
        with self.platform.engine.connect() as conn:
            return [(row.user_id, row.title) for row in conn.execute(query)]

    def drain(self) -> None:
        self.worker.drain()

    def manager(self, user_id: int) -> int:
        with self.platform.engine.connect() as conn:
            return int(conn.scalar(sa.select(User.manager_id).where(User.id == user_id)))

    @contextmanager
    def client(self, username: str = "admin") -> Iterator[TestClient]:
        """An API client signed in as ``username`` (the demo team shares the admin's password)."""
        with TestClient(create_app(platform=self.platform)) as client:
            body = {"username": username, "password": self.admin.password}
            signed = client.post("/api/auth/login", json=body)
            assert signed.status_code == 200, signed.text
            client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
            client.headers["Origin"] = str(client.base_url).rstrip("/")
            yield client


@pytest.fixture
def marketing(
    db_url: str, migrated: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Marketing]:
    settings = Settings(database_url=db_url, data_dir=tmp_path, worker_in_process=False)
    platform = Platform.from_settings(settings)
    upgrade(platform.engine)
    admin = ensure_admin(platform)
    ensure_team(platform, admin.password)
    assert ensure_app(platform, MARKETING, APP)
    ensure_organisation(platform, MARKETING, APP)
    clock = Clock()
    # Records are written at the clock's time too, as if the test's days really passed.
    monkeypatch.setattr(service_module, "utcnow", clock)
    worker = RuleWorker(platform, WorkerOptions(), clock=clock)
    try:
        yield Marketing(platform, admin, clock, worker)
    finally:
        platform.engine.dispose()


def new_lead(m: Marketing, **values: Any) -> dict[str, Any]:
    body = {
        "name": "林晓",
        "company": "杭州云帆零售有限公司",
        "source": "website_form",
        "owner_id": None,  # as a public form captures it
    }
    return m.create("lead", **{**body, **values})


def test_every_rule_of_the_folder_is_published(marketing: Marketing) -> None:
    platform = marketing.platform
    with platform.engine.connect() as conn:
        published = compile_published(conn, APP, platform.apps.records(conn, APP).model)
    names = {p.rule.name for p in published}
    assert names == {p.stem for p in (MARKETING / "rules").glob("*.json")}


def test_a_new_east_retail_lead_gets_an_owner_of_the_east_group_and_a_24h_task(
    marketing: Marketing,
) -> None:
    m = marketing
    east = m.members("4")
    first = new_lead(m, region="east", industry="retail")
    second = new_lead(m, name="周航", region="east", industry="retail")
    before = m.clock()
    m.drain()
    owners = [m.get("lead", first["id"])["owner_id"], m.get("lead", second["id"])["owner_id"]]
    assert set(owners) <= east and len(east) >= 2
    assert owners[0] != owners[1]  # round robin within the group
    tasks = m.rows("task", lead=first["id"])
    assert len(tasks) == 1
    task = tasks[0]
    assert task["owner_id"] == owners[0]
    assert (task["kind"], task["status"]) == ("first_follow_up", "open")
    due = task["due_at"].replace(tzinfo=UTC) if task["due_at"].tzinfo is None else task["due_at"]
    assert timedelta(hours=23, minutes=59) <= due - before <= timedelta(hours=24, minutes=5)
    assert "林晓" in task["title"]
    # A lead of another region goes to that region's group; one that already has an owner is
    # left alone.
    north = new_lead(m, name="高原", region="north", industry="finance")
    mine = new_lead(m, name="自拓", region="north", owner_id=m.user("wang.fang"))
    m.drain()
    assert m.get("lead", north["id"])["owner_id"] in m.members("5")
    assert m.get("lead", mine["id"])["owner_id"] == m.user("wang.fang")
    # A lead created with its owner gets the same task, once; an assigned one gets one too,
    # not a second one from its creation.
    own_tasks = m.rows("task", lead=mine["id"])
    assert [(t["owner_id"], t["kind"], t["status"]) for t in own_tasks] == [
        (m.user("wang.fang"), "first_follow_up", "open")
    ]
    assert len(m.rows("task", lead=north["id"])) == 1
    assert len(m.rows("task", lead=second["id"])) == 1


def test_touchpoints_score_the_lead_into_an_mql_and_tell_the_regions_group(
    marketing: Marketing,
) -> None:
    m = marketing
    lead = new_lead(m, region="south", industry="manufacturing")
    m.drain()
    owner = m.get("lead", lead["id"])["owner_id"]
    assert owner in m.members("6")
    at = "2026-11-20T02:00:00Z"
    for kind in ("form_submit", "download", "page_view", "email_click"):
        m.create("activity", type=kind, occurred_at=at, lead=lead["id"])
    m.drain()
    scored = m.get("lead", lead["id"])
    assert scored["score"] == 20 + 15 + 10 + 5
    assert scored["status"] == "new"
    assert m.inbox("lead", lead["id"]) == []
    points = [a["score_delta"] for a in m.rows("activity", lead=lead["id"])]
    assert [int(p) for p in points] == [20, 15, 10, 5]
    # An event check-in (+25) passes 60: the lead becomes an MQL and the group is told.
    m.create("activity", type="event_checkin", occurred_at=at, lead=lead["id"])
    m.drain()
    qualified = m.get("lead", lead["id"])
    assert (qualified["score"], qualified["status"]) == (75, "qualified")
    told = m.inbox("lead", lead["id"])
    assert {user for user, _ in told} == m.members("6") | {owner}
    assert all(title.startswith("新 MQL") for _, title in told)
    # A corrected touchpoint moves the score by the difference; the score stops at 100.
    email = m.rows("activity", lead=lead["id"], type="email_click")[0]
    m.update("activity", email["id"], score_delta=1)
    m.drain()
    assert m.get("lead", lead["id"])["score"] == 71
    m.create("activity", type="form_submit", occurred_at=at, lead=lead["id"], score_delta=40)
    m.create("activity", type="form_submit", occurred_at=at, lead=lead["id"])
    m.drain()
    assert m.get("lead", lead["id"])["score"] == 91  # given points are the sender's: not added
    m.create("activity", type="event_checkin", occurred_at=at, lead=lead["id"])
    m.drain()
    assert m.get("lead", lead["id"])["score"] == 100


def test_an_inactive_lead_loses_ten_points_after_thirty_quiet_days(marketing: Marketing) -> None:
    m = marketing
    # Contacted: a new lead nobody follows up would go back to the pool after 48 hours.
    lead = new_lead(m, region="north", score=35, status="contacted")
    m.drain()
    m.clock.move(days=29)
    m.drain()
    assert m.get("lead", lead["id"])["score"] == 35
    m.clock.move(days=1, hours=1)
    m.drain()
    assert m.get("lead", lead["id"])["score"] == 25
    m.clock.move(days=30, hours=1)
    m.drain()
    assert m.get("lead", lead["id"])["score"] == 15


def test_convert_creates_and_links_account_contact_and_opportunity(marketing: Marketing) -> None:
    m = marketing
    lead = new_lead(
        m,
        region="east",
        industry="retail",
        city="杭州",
        job_title="IT 总监",
        phone="13812345678",
        email="lin.xiao@yunfan.example",
        interests=["crm_pro", "cdp"],
        status="qualified",
        score=70,
    )
    fresh = new_lead(m, name="未合格", region="east")
    m.drain()
    owner = m.get("lead", lead["id"])["owner_id"]
    with TestClient(create_app(platform=m.platform)) as client:
        body = {"username": m.admin.username, "password": m.admin.password}
        signed = client.post("/api/auth/login", json=body)
        assert signed.status_code == 200, signed.text
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        client.headers["Origin"] = str(client.base_url).rstrip("/")
        pressed = client.post(
            f"/api/apps/{APP}/rules/convert_lead/press",
            json={"record_ids": [lead["id"], fresh["id"]]},
        )
    assert pressed.status_code == 200, pressed.text
    answer = pressed.json()
    assert [q["record_id"] for q in answer["queued"]] == [lead["id"]]
    assert [s["record_id"] for s in answer["skipped"]] == [fresh["id"]]
    m.drain()
    converted = m.get("lead", lead["id"])
    assert converted["status"] == "converted" and converted["converted_at"] is not None
    account = m.get("account", converted["converted_account"])
    contact = m.get("contact", converted["converted_contact"])
    opportunity = m.get("opportunity", converted["converted_opportunity"])
    assert (account["name"], account["industry"], account["region"], account["city"]) == (
        "杭州云帆零售有限公司",
        "retail",
        "east",
        "杭州",
    )
    assert (contact["name"], contact["account"], contact["mobile"], contact["email"]) == (
        "林晓",
        account["id"],
        converted["phone"],
        "lin.xiao@yunfan.example",
    )
    assert (opportunity["account"], opportunity["contact"], opportunity["stage"]) == (
        account["id"],
        contact["id"],
        "prospecting",
    )
    assert sorted(opportunity["products"]) == ["cdp", "crm_pro"]
    assert {account["owner_id"], contact["owner_id"], opportunity["owner_id"]} == {owner}
    assert m.get("lead", fresh["id"])["status"] == "new"


def test_a_dormant_customer_gets_a_care_task_after_thirty_quiet_days(marketing: Marketing) -> None:
    m = marketing
    rep = m.user("zhao.min")
    customer = m.create("account", actor=rep, name="广州恒达物流", type="customer", region="south")
    prospect = m.create("account", actor=rep, name="广州新锐科技", type="prospect", region="south")
    m.drain()
    m.clock.move(days=20)
    m.drain()
    # A new contact is activity: the quiet time starts again.
    m.create("contact", actor=rep, name="陈晨", account=customer["id"])
    m.drain()
    m.clock.move(days=15)
    m.drain()
    assert m.rows("task", account=customer["id"]) == []
    m.clock.move(days=16)
    m.drain()
    tasks = m.rows("task", account=customer["id"])
    assert [(t["kind"], t["owner_id"], t["status"]) for t in tasks] == [
        ("customer_care", rep, "open")
    ]
    assert "广州恒达物流" in tasks[0]["title"]
    assert m.rows("task", account=prospect["id"]) == []


def test_an_opportunity_stuck_in_its_stage_alerts_the_owner_and_their_manager(
    marketing: Marketing,
) -> None:
    m = marketing
    rep = m.user("li.qiang")
    account = m.create("account", actor=rep, name="北京博远咨询", type="prospect", region="north")
    moving = m.create(
        "opportunity",
        actor=rep,
        name="博远 CRM",
        account=account["id"],
        stage="proposal",
        amount="120000.00",
    )
    won = m.create(
        "opportunity",
        actor=rep,
        name="博远培训",
        account=account["id"],
        stage="won",
        amount="8000.00",
    )
    m.drain()
    m.clock.move(days=5)
    m.drain()
    m.update("opportunity", moving["id"], stage="negotiation")
    m.update("opportunity", moving["id"], next_step="报价确认")  # not a stage change
    m.drain()
    m.clock.move(days=6)
    m.drain()
    assert m.inbox("opportunity", moving["id"]) == []
    m.clock.move(days=2)
    m.drain()
    told = m.inbox("opportunity", moving["id"])
    assert [user for user, _ in told] == sorted([rep, m.user("zhang.wei")])
    assert all("博远 CRM" in title for _, title in told)
    assert m.inbox("opportunity", won["id"]) == []


def test_an_untouched_lead_goes_back_to_the_pool_after_48_hours_and_not_to_its_owner_again(
    marketing: Marketing,
) -> None:
    m = marketing
    east = m.members("4")
    kept = new_lead(m, name="跟进了", region="east", industry="retail")
    left = new_lead(m, name="没人管", region="east", industry="retail")
    m.drain()
    kept_owner = m.get("lead", kept["id"])["owner_id"]
    owner = m.get("lead", left["id"])["owner_id"]
    assert {kept_owner, owner} == east  # the two reps of the east, one lead each
    m.clock.move(hours=24)
    m.create(
        "follow_up",
        actor=kept_owner,
        subject="电话沟通",
        method="call",
        content="介绍了方案，约了下周演示",
        followed_at=m.clock().isoformat(),
        lead=kept["id"],
    )
    m.drain()
    m.clock.move(hours=23)
    m.drain()
    assert m.get("lead", left["id"])["owner_id"] == owner  # 47 hours: not yet
    m.clock.move(hours=2)
    m.drain()
    returned = m.get("lead", left["id"])
    assert returned["owner_id"] is None
    assert (returned["status"], returned["previous_owner"]) == ("in_public_pool", owner)
    assert returned["pool_entered_at"] is not None
    assert m.get("lead", kept["id"])["owner_id"] == kept_owner  # followed up in time: stays
    told = m.inbox("lead", left["id"])
    assert [user for user, _ in told] == [m.manager(owner)]
    assert told[0][1].startswith("线索超时未跟进")
    assert m.inbox("lead", kept["id"]) == []
    with m.client() as client:
        owners = client.get(f"/api/apps/{APP}/pool/lead/{left['id']}/owners").json()
        assert owners["previous_owners"] == [owner]
        assert owners["periods"][-1]["ended"] == "pool"
        assert owners["periods"][-1]["reason"] == "no_follow_up"
    # The rep who let it go may not claim it back ...
    username = "wang.fang" if owner == m.user("wang.fang") else "wu.lei"
    with m.client(username) as client:
        claim = client.post(f"/api/apps/{APP}/pool/lead/claim", json={"record_ids": [left["id"]]})
        assert claim.status_code == 403, claim.text
    # ... and reassignment by territory gives it to the other rep of the group, with a task.
    with m.client() as client:
        pressed = client.post(
            f"/api/apps/{APP}/rules/reassign_pool_leads/press",
            json={"record_ids": [left["id"], kept["id"]]},
        )
    assert pressed.status_code == 200, pressed.text
    assert [s["record_id"] for s in pressed.json()["skipped"]] == [kept["id"]]  # not in pool
    m.drain()
    again = m.get("lead", left["id"])
    assert again["owner_id"] in east - {owner}
    assert again["status"] == "new"
    tasks = m.rows("task", lead=left["id"])
    assert [t["owner_id"] for t in tasks] == [owner, again["owner_id"]]
    # The lead followed up once is not returned later either; the reassigned one would be,
    # 48 hours after its new assignment.
    m.clock.move(hours=49)
    m.drain()
    assert m.get("lead", kept["id"])["owner_id"] == kept_owner
    assert m.get("lead", left["id"])["owner_id"] is None
