"""The marketing app's discount approval and opportunity stage gates
(examples/marketing/flows/) end to end: the app imported and published as the demo does it, a
rep's writes through the records service starting the flows by themselves (the rule worker),
the approvers deciding through the API — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.platform.process import instances
from jimu.platform.process.instances import INSTANCES
from tests.examples import test_marketing_rules as rules
from tests.examples.test_marketing_rules import Marketing

#: The marketing app published, its organisation synced, a worker with a clock (SQLite, PG).
marketing = rules.marketing


def opportunity(m: Marketing, rep: int, **values: Any) -> dict[str, Any]:
    account = m.create(
        "account", rep, name=f"杭州云帆零售有限公司 {len(m.rows('account'))}", region="east"
    )
    body = {"name": "云帆 CRM 升级", "account": account["id"], "amount": "200000.00",
            "stage": "proposal"}  # fmt: skip
    return m.create("opportunity", rep, **{**body, **values})


def runs(m: Marketing, flow: str, record: int) -> list[tuple[int, str]]:
    query = (
        sa.select(INSTANCES.c.id, INSTANCES.c.status)
        .where(INSTANCES.c.flow == flow, INSTANCES.c.record_id == record)
        .order_by(INSTANCES.c.id)
    )
    with m.platform.engine.connect() as conn:
        return [(int(r.id), str(r.status)) for r in conn.execute(query)]


def open_tasks(m: Marketing, instance: int) -> list[dict[str, Any]]:
    with m.platform.engine.connect() as conn:
        return instances.open_tasks(conn, instance)


def decide(m: Marketing, instance: int, node: str, user: str, outcome: str, **body: Any) -> Any:
    [task] = [t for t in open_tasks(m, instance) if t["node"] == node]
    assert m.user(user) in task["users"], (node, user, task["users"])
    with m.client(user) as client:
        return client.post(
            f"/api/apps/marketing/processes/tasks/{task['id']}/complete",
            json={"outcome": outcome, **body},
        )


def test_a_discount_within_the_reps_limit_needs_nobody(marketing: Marketing) -> None:
    m = marketing
    rep = m.user("wang.fang")
    deal = opportunity(m, rep, discount="8.00")
    m.drain()
    [(instance, status)] = runs(m, "discount_approval", deal["id"])
    assert status == "completed" and open_tasks(m, instance) == []
    assert Decimal(str(m.get("opportunity", deal["id"])["discount_limit"])) == 10  # a rep's
    plain = opportunity(m, rep)  # no discount quoted: no look-up
    m.drain()
    assert [s for _, s in runs(m, "discount_approval", plain["id"])] == ["completed"]
    assert m.get("opportunity", plain["id"])["discount_limit"] is None


def test_a_discount_above_25_percent_goes_to_the_manager_then_the_director(
    marketing: Marketing,
) -> None:
    m = marketing
    deal = opportunity(m, m.user("wang.fang"))
    m.drain()
    with m.client("wang.fang") as client:
        changed = client.patch(
            f"/api/apps/marketing/entities/opportunity/records/{deal['id']}",
            json={"discount": "28.00"},
        )
        assert changed.status_code == 200, changed.text
    m.drain()
    running = [i for i, s in runs(m, "discount_approval", deal["id"]) if s == "running"]
    [instance] = running
    assert decide(m, instance, "manager", "zhang.wei", "approve").status_code == 200
    assert [t["node"] for t in open_tasks(m, instance)] == ["director"]
    assert decide(m, instance, "director", "ma.jun", "approve").status_code == 200
    assert runs(m, "discount_approval", deal["id"])[-1] == (instance, "completed")
    assert Decimal(str(m.get("opportunity", deal["id"])["discount"])) == 28


def test_a_rejected_discount_goes_back_to_the_reps_limit(marketing: Marketing) -> None:
    m = marketing
    deal = opportunity(m, m.user("wang.fang"), discount="15.00")
    m.drain()
    [(instance, status)] = runs(m, "discount_approval", deal["id"])
    assert status == "running" and [t["node"] for t in open_tasks(m, instance)] == ["manager"]
    answer = decide(m, instance, "manager", "zhang.wei", "reject", comment="折扣过高")
    assert answer.status_code == 200, answer.text
    assert runs(m, "discount_approval", deal["id"]) == [(instance, "rejected")]
    assert Decimal(str(m.get("opportunity", deal["id"])["discount"])) == 10
    m.drain()  # the discount set back is the flow's own write: it does not start it again
    assert runs(m, "discount_approval", deal["id"]) == [(instance, "rejected")]


def test_the_negotiation_gate_requires_its_fields_and_a_reject_puts_the_stage_back(
    marketing: Marketing,
) -> None:
    m = marketing
    deal = opportunity(m, m.user("wang.fang"))
    m.drain()
    with m.client("wang.fang") as client:
        moved = client.patch(
            f"/api/apps/marketing/entities/opportunity/records/{deal['id']}",
            json={"stage": "negotiation"},
        )
        assert moved.status_code == 200, moved.text
    m.drain()
    [(instance, _)] = runs(m, "stage_gate", deal["id"])
    assert [t["node"] for t in open_tasks(m, instance)] == ["negotiation_gate"]
    refused = decide(m, instance, "negotiation_gate", "zhang.wei", "approve")
    assert refused.status_code == 422, refused.text
    pointers = {(e["pointer"], e["code"]) for e in refused.json()["errors"]}
    assert ("/record/next_step", "required") in pointers
    assert ("/record/expected_close_date", "required") in pointers
    assert m.get("opportunity", deal["id"])["stage"] == "negotiation"  # nothing written
    answer = decide(
        m, instance, "negotiation_gate", "zhang.wei", "reject",
        comment="先确认预算", record={"gate_feedback": "客户预算未确认"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    after = m.get("opportunity", deal["id"])
    assert after["stage"] == "proposal" and after["gate_feedback"] == "客户预算未确认"
    assert runs(m, "stage_gate", deal["id"])[0] == (instance, "rejected")
    m.drain()  # moving back is no gate
    assert all(s == "completed" for _, s in runs(m, "stage_gate", deal["id"])[1:])


def test_the_won_gate_passes_once_closed_on_is_filled(marketing: Marketing) -> None:
    m = marketing
    deal = opportunity(m, m.user("wang.fang"), stage="commitment")
    m.drain()
    with m.client("wang.fang") as client:
        moved = client.patch(
            f"/api/apps/marketing/entities/opportunity/records/{deal['id']}", json={"stage": "won"}
        )
        assert moved.status_code == 200, moved.text
    m.drain()
    [(instance, _)] = runs(m, "stage_gate", deal["id"])
    refused = decide(m, instance, "won_gate", "zhang.wei", "approve")
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/record/closed_on"]
    answer = decide(
        m, instance, "won_gate", "zhang.wei", "approve", record={"closed_on": "2026-11-20"}
    )
    assert answer.status_code == 200, answer.text
    assert runs(m, "stage_gate", deal["id"]) == [(instance, "completed")]
    after = m.get("opportunity", deal["id"])
    assert after["stage"] == "won" and str(after["closed_on"]) == "2026-11-20"
