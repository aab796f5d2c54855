"""The demo's approval requests: contract approvals (examples/marketing/flows) started by a
sales rep on sample contracts and taken to different states — waiting for the rep, returned
to the rep (退回), waiting for the sales manager, waiting for the director and finance to
countersign (会签), approved, rejected — so every task inbox of the demo has something in it
(docs/marketing.md, "Flows"). The same for the rep's open opportunities: discounts quoted
(within the limit, waiting for the manager, for the director, approved, rejected, withdrawn)
and stages moved through a gate (waiting, passed, sent back). Run once per flow: nothing is
started for a flow that has instances."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.platform.db import begin_write
from jimu.platform.models import User, utcnow
from jimu.platform.process import actions, instances
from jimu.platform.process.flows import published_flow
from jimu.platform.records import Records, WriteContext
from jimu.platform.records.context import ListQuery
from jimu.platform.rules import history
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
    """Start the demo's approval requests (once per flow); how many were started."""
    return ensure_contract_approvals(platform, app) + ensure_opportunity_flows(platform, app)


def ensure_contract_approvals(platform: Platform, app: str) -> int:
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


#: Discounts the rep quotes (%) and what becomes of each request (her limit is 10 %).
DISCOUNT_STORIES = (
    ("8.00", "within_limit"),
    ("15.00", "waiting_manager"),
    ("28.00", "waiting_director"),
    ("18.00", "approved"),
    ("22.00", "rejected"),
    ("12.00", "withdrawn"),
)
#: Stage gates: (the stage the deal is at, the stage the rep moves it to, what follows).
GATE_STORIES = (
    ("proposal", "negotiation", "waiting"),
    ("proposal", "negotiation", "passed"),
    ("proposal", "negotiation", "sent_back"),
    ("commitment", "won", "waiting"),
)


def _flow_started(conn: sa.Connection, app: str, flow: str) -> bool:
    query = sa.select(sa.func.count()).select_from(instances.INSTANCES)
    query = query.where(instances.INSTANCES.c.app == app, instances.INSTANCES.c.flow == flow)
    return bool(conn.execute(query).scalar_one())


def _rep_deals(conn: sa.Connection, records: Records, rep: int) -> dict[str, list[int]]:
    """The rep's sample opportunities by stage."""
    table = records.table("opportunity")
    rows = conn.execute(
        sa.select(table.c.id, table.c.stage).where(table.c.owner_id == rep).order_by(table.c.id)
    )
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(str(row.stage), []).append(int(row.id))
    return found


def _change(
    conn: sa.Connection,
    records: Records,
    platform: Platform,
    app: str,
    flow: str,
    start: str,
    deal: int,
    changes: dict[str, object],
    rep: int,
) -> int:
    """The rep's change of a deal, and the flow it starts (as the worker would start it on
    the change's event, with the changed fields' old values)."""
    before = records.get(conn, "opportunity", deal)
    records.update(conn, "opportunity", deal, changes, WriteContext(rep, "api"))
    old = {name: before.get(name) for name in changes}
    return instances.start_instance(
        conn, records, app, flow, utcnow(), entity="opportunity", record_id=deal, start=start,
        variables={"old": old}, initiator_id=rep, platform=platform,
    ).instance_id  # fmt: skip


def ensure_opportunity_flows(platform: Platform, app: str) -> int:
    """Start the demo's discount approvals and stage gates on the rep's open deals (once
    each); how many were started. The writes are history like the samples: their events are
    marked processed, so the worker does not start the flows a second time."""
    started = 0
    with begin_write(platform.engine) as conn:
        people = _users(conn)
        if len(people) < 4:
            return 0
        if not any(_published(conn, app, flow) for flow in ("discount_approval", "stage_gate")):
            return 0  # an app without these flows (not the marketing app)
        records = platform.apps.records(conn, app)
        first_event = history.next_event_id(conn)
        deals = _rep_deals(conn, records, people[REP])
        if _published(conn, app, "discount_approval") and not _flow_started(
            conn, app, "discount_approval"
        ):
            early = deals.get("needs_analysis", []) + deals.get("prospecting", [])
            for deal, (discount, story) in zip(early, DISCOUNT_STORIES, strict=False):
                instance = _change(
                    conn, records, platform, app, "discount_approval", "changed", deal,
                    {"discount": discount}, people[REP],
                )  # fmt: skip
                _discount_story(conn, records, platform, instance, story, people)
                started += 1
        if _published(conn, app, "stage_gate") and not _flow_started(conn, app, "stage_gate"):
            for at, to, story in GATE_STORIES:
                if not deals.get(at):
                    continue
                deal = deals[at].pop(0)
                changes: dict[str, object] = {"stage": to}
                if story == "passed":
                    changes.update(
                        next_step="商务谈判：确认合同条款", expected_close_date="2026-12-15"
                    )
                instance = _change(
                    conn, records, platform, app, "stage_gate", "start", deal, changes,
                    people[REP],
                )  # fmt: skip
                if story != "waiting":
                    _gate_story(conn, records, platform, instance, story, people[MANAGER])
                started += 1
        history.settle_events(conn, app, first_event, utcnow())
    return started


def _gate_story(
    conn: sa.Connection,
    records: Records,
    platform: Platform,
    instance: int,
    story: str,
    manager: int,
) -> None:
    if story == "passed":
        comment = "同意进入商务谈判 Go ahead"
        _decide(conn, records, platform, instance, "negotiation_gate", manager, "approve", comment)
    else:
        comment = "客户预算尚未确认，请先完成需求确认 Confirm the budget first"
        _decide(conn, records, platform, instance, "negotiation_gate", manager, "reject", comment)


def _published(conn: sa.Connection, app: str, flow: str) -> bool:
    try:
        published_flow(conn, app, flow)
    except NotFound:
        return False
    return True


def _discount_story(
    conn: sa.Connection,
    records: Records,
    platform: Platform,
    instance: int,
    story: str,
    people: dict[str, int],
) -> None:
    manager = people[MANAGER]
    if story == "waiting_director" or story == "approved":
        _decide(conn, records, platform, instance, "manager", manager, "approve", "同意")
    elif story == "rejected":
        _decide(conn, records, platform, instance, "manager", manager, "reject",
                "折扣过高，请控制在 15% 以内")  # fmt: skip
    elif story == "withdrawn":
        actions.withdraw(
            conn, records, instance, utcnow(), user_id=people[REP],
            comment="客户同意原价，撤回折扣申请", platform=platform,
        )  # fmt: skip
