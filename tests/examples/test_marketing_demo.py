"""The marketing demo as `jimu demo` sets it up (the whole sample data), then its rule worker
started for the first time and run on with a clock the test moves: nothing to catch up at
first start, the history consistent with the rules, and the rules working on it afterwards.

One SQLite database for the module: loading the sample data is the expensive part."""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.rule.timing import moment_of
from jimu.errors import ValidationFailed
from jimu.metadata.folder import read_samples
from jimu.platform.db import begin_write
from jimu.platform.demo import DemoReport, run_demo
from jimu.platform.migrate import upgrade
from jimu.platform.models import Department, User, UserDepartment, utcnow
from jimu.platform.records import Records, WriteContext
from jimu.platform.records import service as service_module
from jimu.platform.rules.events import OUTBOX
from jimu.platform.rules.execute import RUNS
from jimu.platform.rules.history import history_end
from jimu.platform.rules.timers import TIMERS
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

MARKETING = Path(__file__).resolve().parents[2] / "examples" / "marketing"
APP = "marketing"
ACTIVE = ("new", "contacted", "qualified")


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def move(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class Demo:
    platform: Platform
    report: DemoReport
    clock: Clock
    worker: RuleWorker
    #: What the first drain of the worker did (events, timers, retries).
    first_drain: int
    #: The leads as they were before the month the tests let pass (see month_later).
    before_month: dict[int, dict[str, Any]] | None = None

    def month_later(self) -> dict[int, dict[str, Any]]:
        """Let 30 days pass once (the worker draining after), whichever test asks first: the
        tests that look at that month may run on different xdist workers, each with its own
        demo. Returns the leads as they were before it."""
        if self.before_month is None:
            self.before_month = self.leads()
            self.clock.move(days=30)
            self.worker.drain()
        return self.before_month

    def records(self, conn: sa.Connection) -> Records:
        return self.platform.apps.records(conn, APP)

    def leads(self) -> dict[int, dict[str, Any]]:
        with self.platform.engine.connect() as conn:
            table = self.records(conn).table("lead")
            return {row.id: dict(row._mapping) for row in conn.execute(sa.select(table))}

    def count(self, query: sa.Select[Any]) -> int:
        with self.platform.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'demo.db'}", data_dir=folder, worker_in_process=False
    )
    platform = Platform.from_settings(settings)
    upgrade(platform.engine)
    clock = Clock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service_module, "utcnow", clock)
        report = run_demo(platform)
        worker = RuleWorker(platform, WorkerOptions(), clock=clock)
        first = worker.drain()
        try:
            yield Demo(platform, report, clock, worker, first)
        finally:
            platform.engine.dispose()


def territory_members(demo: Demo) -> dict[str, set[int]]:
    """Region -> the members of the department the assignment rule's territory row names."""
    rule = json.loads((MARKETING / "rules" / "assign_new_leads.json").read_text("utf-8"))
    groups: dict[str, set[int]] = {}
    with demo.platform.engine.connect() as conn:
        for row in rule["actions"][0]["territory"]:
            department = sa.select(Department.id).where(Department.external_id == row["department"])
            members = sa.select(UserDepartment.user_id).where(
                UserDepartment.department_id == department.scalar_subquery()
            )
            groups[row["when"]["=="][1]] = set(conn.scalars(members))
    return groups


def assert_owned_within_territory(demo: Demo) -> None:
    groups = territory_members(demo)
    for lead in demo.leads().values():
        for owner in (lead["owner_id"], lead["previous_owner"]):
            if owner is not None:
                assert owner in groups[lead["region"]], (lead["id"], lead["region"], owner)


def assert_idle_and_clean(demo: Demo) -> None:
    pending = sa.select(sa.func.count()).where(OUTBOX.c.processed_at.is_(None))
    assert demo.count(pending) == 0
    due = sa.select(sa.func.count()).select_from(TIMERS).where(TIMERS.c.due_at <= demo.clock())
    assert demo.count(due) == 0
    failed = sa.select(RUNS.c.rule, RUNS.c.error).where(RUNS.c.status.in_(("dead", "retry")))
    with demo.platform.engine.connect() as conn:
        assert conn.execute(failed).all() == []


def test_the_first_start_has_nothing_to_catch_up(demo: Demo) -> None:
    assert demo.report.loaded["lead"] == 3000
    assert demo.first_drain == 0  # the samples' events are history, no timer is due
    assert demo.count(sa.select(sa.func.count()).select_from(RUNS)) == 0
    assert_idle_and_clean(demo)
    # The quiet-time rules wait for the records that were not yet quiet when history ended.
    with demo.platform.engine.connect() as conn:
        planned = dict(
            conn.execute(sa.select(TIMERS.c.rule, sa.func.count()).group_by(TIMERS.c.rule)).all()
        )
    assert 0 < planned["score_decay"] < 3000
    assert_owned_within_territory(demo)


def test_a_lead_created_in_the_demo_gets_an_owner_and_its_touchpoints_score_it(
    demo: Demo,
) -> None:
    groups = territory_members(demo)
    with begin_write(demo.platform.engine) as conn:
        records = demo.records(conn)
        ctx = WriteContext(1, "public")
        lead = records.create(
            conn,
            "lead",
            {"name": "演示线索", "region": "north", "source": "website_form", "owner_id": None},
            ctx,
        )
    demo.worker.drain()
    with begin_write(demo.platform.engine) as conn:
        records = demo.records(conn)
        ctx = WriteContext(1, "api")
        at = "2026-12-01T02:00:00Z"
        records.create(conn, "activity", {"type": "download", "occurred_at": at,
                                          "lead": lead["id"]}, ctx)  # fmt: skip
    demo.worker.drain()
    stored = demo.leads()[lead["id"]]
    assert stored["owner_id"] in groups["north"]
    assert stored["score"] == 15
    with demo.platform.engine.connect() as conn:
        tasks = demo.records(conn).table("task")
        query = sa.select(tasks.c.owner_id).where(tasks.c.lead_id == lead["id"])
        assert list(conn.scalars(query)) == [stored["owner_id"]]
    assert_idle_and_clean(demo)


def test_a_month_on_only_the_leads_quiet_since_history_ended_lose_points_once(
    demo: Demo,
) -> None:
    before = demo.month_later()
    history_end = max(
        moment_of(lead[name], UTC)
        for lead in before.values()
        for name in ("created_at", "updated_at")
        if lead["id"] <= 3000
    )
    assert history_end is not None
    after = demo.leads()
    decayed = {i for i, lead in after.items() if lead["score"] != before[i]["score"]}
    expected = set()
    for i, lead in before.items():
        since = moment_of(lead["updated_at"], UTC)
        assert since is not None
        if i > 3000 or since + timedelta(days=30) <= history_end:
            continue  # created in the demo, or quiet already when the history ended
        if lead["status"] in ACTIVE and lead["score"] > 0:
            expected.add(i)
    assert decayed and decayed <= expected
    # The others left the funnel first (a lead untouched 48 hours went back to the pool).
    assert all(after[i]["status"] not in ACTIVE for i in expected - decayed)
    for i in decayed:
        assert after[i]["score"] == max(before[i]["score"] - 10, 0), i  # once
    runs = (
        sa.select(RUNS.c.record_id, sa.func.count())
        .where(RUNS.c.rule == "score_decay", RUNS.c.status == "done")
        .group_by(RUNS.c.record_id)
    )
    with demo.platform.engine.connect() as conn:
        assert all(n == 1 for _, n in conn.execute(runs).all())
    assert_owned_within_territory(demo)
    assert_idle_and_clean(demo)


def test_a_month_on_stale_deals_and_quiet_customers_that_became_so_after_the_history(
    demo: Demo,
) -> None:
    """(After the month of the test above, ``Demo.month_later``.) The stale-opportunity and
    dormant-customer rules fired, once each, for exactly the records whose quiet time ended
    after the history did: a customer's activity is its own change or the newest change of its
    contacts, deals, contracts and tickets."""
    demo.month_later()
    samples = read_samples(MARKETING)
    ended = history_end(samples)
    assert ended is not None

    def moment(row: dict[str, Any]) -> datetime:
        at = moment_of(row["updated_at"], UTC)
        assert at is not None
        return at

    open_deals = {
        row["id"] for row in samples["opportunity"]
        if row["stage"] not in ("won", "lost") and moment(row) + timedelta(days=7) > ended
    }  # fmt: skip
    active: dict[int, datetime] = {row["id"]: moment(row) for row in samples["account"]}
    for entity in ("contact", "opportunity", "contract", "service_ticket"):
        for row in samples[entity]:
            if row.get("account") is not None:
                active[row["account"]] = max(active[row["account"]], moment(row))
    quiet_customers = {
        row["id"] for row in samples["account"]
        if row.get("type") == "customer" and active[row["id"]] + timedelta(days=30) > ended
    }  # fmt: skip
    with demo.platform.engine.connect() as conn:
        for rule, expected in (
            ("stale_opportunity", open_deals),
            ("dormant_customer_care", quiet_customers),
        ):
            ran = conn.execute(
                sa.select(RUNS.c.record_id, sa.func.count())
                .where(RUNS.c.rule == rule, RUNS.c.status == "done")
                .group_by(RUNS.c.record_id)
            ).all()
            assert expected and {record for record, _ in ran} == expected, rule
            assert all(n == 1 for _, n in ran), rule


def test_the_demo_has_contract_approvals_in_every_state(demo: Demo) -> None:
    """The contract approvals the demo starts: in the rep's, the manager's, the director's and
    finance's inboxes, approved (copied to finance), rejected and returned once."""
    from jimu.platform.process import task_inbox
    from jimu.platform.process.instances import INSTANCES

    assert demo.report.flow_instances >= 6
    with demo.platform.engine.connect() as conn:
        statuses = list(conn.scalars(sa.select(INSTANCES.c.status).order_by(INSTANCES.c.id)))
        ids = dict(conn.execute(sa.select(User.username, User.id)).all())
        counts = {name: task_inbox.counts(conn, ids[name]) for name in ("wang.fang", "zhang.wei")}
        director = task_inbox.counts(conn, ids["ma.jun"])
        finance = task_inbox.counts(conn, ids["qian.hui"])
    assert {"running", "completed", "rejected"} <= set(statuses)
    assert counts["wang.fang"]["todo"] == 2  # one to submit, one returned to her
    assert counts["wang.fang"]["initiated"] >= demo.report.flow_instances
    # the manager's: a contract, a discount and two stage gates (the discounts and gates below)
    assert counts["zhang.wei"]["todo"] == 4 and counts["zhang.wei"]["done"] >= 3
    assert director["todo"] >= 1 and finance["todo"] >= 1 and finance["cc"] >= 1


def test_the_demo_has_discount_approvals_and_stage_gates_in_every_state(demo: Demo) -> None:
    """The rep's discounts: within her limit, waiting for her manager, for the director,
    approved, rejected (the discount back at her 10 %) and withdrawn; her deals' stage gates:
    waiting at negotiation and at won, passed, and sent back (the stage back at proposal)."""
    from jimu.platform.process.instances import INSTANCES, TASKS

    with demo.platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(INSTANCES.c.id, INSTANCES.c.flow, INSTANCES.c.status, INSTANCES.c.record_id)
            .where(INSTANCES.c.flow.in_(("discount_approval", "stage_gate")))
            .order_by(INSTANCES.c.id)
        ).all()
        waiting = dict(
            conn.execute(
                sa.select(TASKS.c.instance_id, TASKS.c.node).where(TASKS.c.status == "open")
            ).all()
        )
        records = demo.records(conn)
        deals = {r.id: records.get(conn, "opportunity", r.record_id) for r in rows}
    discounts = [(r.status, waiting.get(r.id)) for r in rows if r.flow == "discount_approval"]
    assert discounts == [
        ("completed", None),
        ("running", "manager"),
        ("running", "director"),
        ("completed", None),
        ("rejected", None),
        ("cancelled", None),
    ]
    rejected = next(r for r in rows if r.flow == "discount_approval" and r.status == "rejected")
    assert float(deals[rejected.id]["discount"]) == 10
    gates = [(r.status, waiting.get(r.id)) for r in rows if r.flow == "stage_gate"]
    assert gates == [
        ("running", "negotiation_gate"),
        ("completed", None),
        ("rejected", None),
        ("running", "won_gate"),
    ]
    sent_back = next(r for r in rows if r.flow == "stage_gate" and r.status == "rejected")
    assert deals[sent_back.id]["stage"] == "proposal"


def test_a_countersigned_contract_goes_to_the_general_manager_only_above_a_million(
    demo: Demo,
) -> None:
    """The largest sample contract through the flow: the manager, then director and finance
    countersign (会签); above ¥1M it then waits for the general manager (the sales director
    acts for one), else it is approved and copied to finance."""
    from jimu.platform.process import instances
    from jimu.platform.process.instances import INSTANCES

    platform = demo.platform
    with begin_write(platform.engine) as conn:
        records = demo.records(conn)
        users = dict(conn.execute(sa.select(User.username, User.id)).all())
        table = records.table("contract")
        contract = conn.execute(
            sa.select(table.c.id)
            .where(table.c.total_amount.is_not(None))
            .order_by(table.c.total_amount.desc())
            .limit(1)
        ).scalar_one()
        amount = float(records.get(conn, "contract", contract)["total_amount"])
        instance = instances.start_instance(
            conn,
            records,
            APP,
            "contract_approval",
            utcnow(),
            entity="contract",
            record_id=contract,
            initiator_id=users["wang.fang"],
            platform=platform,
        ).instance_id

        def decide(node: str, user: str) -> None:
            task = next(t for t in instances.open_tasks(conn, instance) if t["node"] == node)
            assert users[user] in task["users"], (node, user)
            instances.complete_task(
                conn,
                records,
                task["id"],
                utcnow(),
                outcome="approve" if node != "submit" else "done",
                user_id=users[user],
                platform=platform,
            )

        decide("submit", "wang.fang")
        decide("manager", "zhang.wei")
        assert sorted(t["node"] for t in instances.open_tasks(conn, instance)) == [
            "director",
            "finance",
        ]
        decide("director", "ma.jun")
        decide("finance", "qian.hui")
        if amount > 1_000_000:
            decide("general_manager", "ma.jun")
        status = conn.execute(
            sa.select(INSTANCES.c.status).where(INSTANCES.c.id == instance)
        ).scalar_one()
    assert amount > 100_000 and status == "completed"


def test_finance_changes_the_payment_terms_while_approving_and_never_sees_the_notes(
    demo: Demo,
) -> None:
    """The contract approval's field permissions: at finance's countersign the payment terms
    are editable and the rep's notes hidden; finance approves with new terms (written with the
    decision, finance in the record's history), and changing the notes is refused as an
    unknown field with nothing written."""
    from sqlalchemy.orm import Session

    from jimu.builder_ui.pages.tasks import actions
    from jimu.errors import ValidationFailed
    from jimu.platform.process import instances
    from jimu.platform.process.task_fields import task_record

    platform = demo.platform
    with begin_write(platform.engine) as conn:
        records = demo.records(conn)
        users = dict(conn.execute(sa.select(User.username, User.id)).all())
        table = records.table("contract")
        contract = conn.execute(
            sa.select(table.c.id)
            .where(table.c.total_amount > 100_000)
            .order_by(table.c.id)
            .limit(1)
        ).scalar_one()
        records.update(
            conn, "contract", contract, {"notes": "Rep's private note"}, WriteContext(1, "api")
        )
        instance = instances.start_instance(
            conn,
            records,
            APP,
            "contract_approval",
            utcnow(),
            entity="contract",
            record_id=contract,
            initiator_id=users["wang.fang"],
            platform=platform,
        ).instance_id
        for node, user in (("submit", "wang.fang"), ("manager", "zhang.wei")):
            task = next(t for t in instances.open_tasks(conn, instance) if t["node"] == node)
            instances.complete_task(
                conn, records, task["id"], utcnow(), user_id=users[user], platform=platform
            )
        finance_task = next(
            t["id"] for t in instances.open_tasks(conn, instance) if t["node"] == "finance"
        )
    with Session(platform.engine) as session:
        finance = session.get(User, users["qian.hui"])
        assert finance is not None
        session.expunge(finance)
    with platform.engine.connect() as conn:
        row = conn.execute(
            sa.select(instances.TASKS).where(instances.TASKS.c.id == finance_task)
        ).one()
        seen = task_record(platform, conn, row, finance)
    assert seen is not None
    assert seen.fields.of("payment_terms") == "editable" and seen.fields.of("notes") == "hidden"
    assert "notes" not in seen.record and seen.fields.of("total_amount") == "read_only"
    with pytest.raises(ValidationFailed) as refused:
        actions.complete(
            platform, finance, finance_task, "approve", None, [], {"notes": "seen", "x": 1}
        )
    assert [(e.pointer, e.code) for e in refused.value.errors] == [
        ("/notes", "unknown_field"),
        ("/x", "unknown_field"),
    ]
    actions.complete(
        platform, finance, finance_task, "approve", None, [], {"payment_terms": "annual"}
    )
    with platform.engine.connect() as conn:
        records = demo.records(conn)
        after = records.get(conn, "contract", contract)
        history = records.history(conn, "contract", contract)
    assert after["payment_terms"] == "annual" and after["notes"] == "Rep's private note"
    terms = [h for h in history if h.get("field") == "payment_terms"]
    assert terms[-1]["actor_id"] == users["qian.hui"] and terms[-1]["source"] == "process"


def test_a_new_service_ticket_is_dispatched_resolved_within_its_sla_and_surveyed(
    demo: Demo,
) -> None:
    """The service ticket flow starts by itself on a new ticket: its SLA by priority, the
    dispatch (the assignee is required there) by a service agent, the assignee's resolution due
    within the SLA, then the ticket marked resolved and the contact emailed a survey."""
    from jimu.platform.models import Delivery
    from jimu.platform.process import instances
    from jimu.platform.process.instances import INSTANCES
    from jimu.platform.process.task_fields import write_task_edits

    platform = demo.platform
    deliveries: sa.Table = Delivery.__table__  # type: ignore[assignment]
    with platform.engine.connect() as conn:
        users = dict(conn.execute(sa.select(User.username, User.id)).all())
        contact = demo.records(conn).get(conn, "contact", 1)
    with platform.sessions() as db:
        agent = db.scalars(sa.select(User).where(User.username == "he.na")).one()
        db.expunge(agent)
    reported = demo.clock().replace(microsecond=0)
    with begin_write(platform.engine) as conn:
        ticket = demo.records(conn).create(
            conn,
            "service_ticket",
            {"subject": "报表导出失败", "description": "客户导出月报时报错。",
             "account": contact["account"], "contact": 1,
             "type": "incident", "priority": "high", "channel": "email",
             "reported_at": reported.isoformat()},
            WriteContext(users["he.na"], "api"),
        )  # fmt: skip
    demo.worker.drain()
    with platform.engine.connect() as conn:
        [instance] = conn.execute(
            sa.select(INSTANCES.c.id).where(
                INSTANCES.c.flow == "service_ticket", INSTANCES.c.record_id == ticket["id"]
            )
        ).scalars()
        stored = demo.records(conn).get(conn, "service_ticket", ticket["id"])
        [dispatch] = instances.open_tasks(conn, instance)
    assert moment_of(stored["sla_due_at"], UTC) == reported + timedelta(hours=8)  # high
    assert dispatch["node"] == "dispatch" and agent.id in dispatch["users"]

    with begin_write(platform.engine) as conn:
        task = conn.execute(
            sa.select(instances.TASKS).where(instances.TASKS.c.id == dispatch["id"])
        ).one()
        with pytest.raises(ValidationFailed, match="required"), conn.begin_nested():
            write_task_edits(platform, conn, task, agent, {}, outcome="done")  # no assignee
        edited = write_task_edits(platform, conn, task, agent, {"assignee": agent.id},
                                  outcome="done")  # fmt: skip
        instances.complete_task(conn, demo.records(conn), dispatch["id"], demo.clock(),
                                user_id=agent.id, edited=edited, platform=platform)  # fmt: skip
    with platform.engine.connect() as conn:
        [resolve] = instances.open_tasks(conn, instance)
    assert resolve["node"] == "resolve" and resolve["users"] == [agent.id]
    assert moment_of(resolve["due_at"], UTC) == reported + timedelta(hours=8)  # the SLA's

    with begin_write(platform.engine) as conn:
        task = conn.execute(
            sa.select(instances.TASKS).where(instances.TASKS.c.id == resolve["id"])
        ).one()
        changes = {"resolution": "已修复导出模板。"}
        edited = write_task_edits(platform, conn, task, agent, changes, outcome="done")
        instances.complete_task(conn, demo.records(conn), resolve["id"], demo.clock(),
                                user_id=agent.id, edited=edited, platform=platform)  # fmt: skip
    with platform.engine.connect() as conn:
        status = conn.execute(
            sa.select(INSTANCES.c.status).where(INSTANCES.c.id == instance)
        ).scalar_one()
        stored = demo.records(conn).get(conn, "service_ticket", ticket["id"])
        mails = conn.execute(
            sa.select(deliveries.c.target, deliveries.c.payload).where(
                deliveries.c.channel == "email", deliveries.c.target.contains(contact["email"])
            )
        ).all()
    assert status == "completed"
    assert stored["status"] == "resolved" and stored["resolved_at"] is not None
    [(_, payload)] = mails
    message = email.message_from_bytes(payload, policy=email_policy.default)
    assert stored["code"] in str(message["Subject"])
