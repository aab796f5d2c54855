"""The demo's approval requests: contract approvals (examples/marketing/flows) started by a
sales rep on sample contracts and taken to different states — waiting for the rep, returned
to the rep (退回), waiting for the sales manager, waiting for the director and finance to
countersign (会签), approved, rejected — so every task inbox of the demo has something in it
(docs/marketing.md, "Flows"). Run once: nothing is started when the flow has instances."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.platform.db import begin_write
from jimu.platform.models import User, utcnow
from jimu.platform.process import actions, instances
from jimu.platform.process.flows import published_flow
from jimu.platform.records import Records
from jimu.platform.records.context import ListQuery
from jimu.platform.state import Platform

FLOW = "contract_approval"
REP, MANAGER, DIRECTOR, FINANCE = "wang.fang", "zhang.wei", "ma.jun", "qian.hui"
SMALL_LIMIT = 100_000
#: What happens to each small contract's request after it is started (in order).
SMALL_STORIES = ("waiting_rep", "returned", "waiting_manager", "approved", "rejected")


def _users(conn: sa.Connection) -> dict[str, int]:
    names = (REP, MANAGER, DIRECTOR, FINANCE)
    rows = conn.execute(sa.select(User.id, User.username).where(User.username.in_(names)))
    return {str(r.username): int(r.id) for r in rows}


def _open_task(conn: sa.Connection, instance_id: int, node: str) -> int:
    return int(
        conn.execute(
            sa.select(instances.TASKS.c.id).where(
                instances.TASKS.c.instance_id == instance_id,
                instances.TASKS.c.node == node,
                instances.TASKS.c.status == "open",
            )
        ).scalar_one()
    )


def _contracts(conn: sa.Connection, records: Records) -> tuple[list[int], list[int]]:
    """Sample contract ids with an amount: small (≤ ¥100k) and large ones."""
    small: list[int] = []
    large: list[int] = []
    page = records.list(conn, "contract", ListQuery(sort=["id"], limit=100))
    for row in page.items:
        amount = row.get("total_amount")
        if amount is None:
            continue
        (small if float(amount) <= SMALL_LIMIT else large).append(int(row["id"]))
    return small, large


def _decide(
    conn: sa.Connection,
    records: Records,
    platform: Platform,
    instance_id: int,
    node: str,
    user: int,
    outcome: str,
    comment: str | None = None,
) -> None:
    instances.complete_task(
        conn,
        records,
        _open_task(conn, instance_id, node),
        utcnow(),
        outcome=outcome,
        values={},
        user_id=user,
        comment=comment,
        platform=platform,
    )


def _story(
    conn: sa.Connection,
    records: Records,
    platform: Platform,
    app: str,
    contract: int,
    story: str,
    people: dict[str, int],
) -> None:
    started = instances.start_instance(
        conn,
        records,
        app,
        FLOW,
        utcnow(),
        entity="contract",
        record_id=contract,
        initiator_id=people[REP],
        platform=platform,
    )
    instance = started.instance_id
    if story == "waiting_rep":
        return
    _decide(conn, records, platform, instance, "submit", people[REP], "done", "请审批")
    if story == "returned":
        actions.return_task(
            conn,
            records,
            _open_task(conn, instance, "manager"),
            "submit",
            utcnow(),
            user_id=people[MANAGER],
            comment="请补充付款计划 Please add the payment plan",
            platform=platform,
        )
    elif story == "approved":
        _decide(conn, records, platform, instance, "manager", people[MANAGER], "approve", "同意")
    elif story == "rejected":
        _decide(conn, records, platform, instance, "manager", people[MANAGER], "reject", "折扣过高")
    elif story == "countersign":
        _decide(conn, records, platform, instance, "manager", people[MANAGER], "approve")


def ensure_flow_instances(platform: Platform, app: str) -> int:
    """Start the demo's contract approvals (once); how many were started."""
    with begin_write(platform.engine) as conn:
        started = conn.execute(
            sa.select(sa.func.count())
            .select_from(instances.INSTANCES)
            .where(instances.INSTANCES.c.app == app, instances.INSTANCES.c.flow == FLOW)
        ).scalar_one()
        people = _users(conn)
        if started or len(people) < 4:
            return 0
        try:
            published_flow(conn, app, FLOW)
        except NotFound:  # the app has no contract approval flow
            return 0
        records = platform.apps.records(conn, app)
        small, large = _contracts(conn, records)
        plan: list[tuple[int, str]] = list(zip(small, SMALL_STORIES, strict=False))
        plan += [(contract, "countersign") for contract in large[:2]]
        for contract, story in plan:
            _story(conn, records, platform, app, contract, story, people)
    return len(plan)
