"""``POST /api/apps/{app}/flows/{flow}/simulate`` on the marketing contract approval, on SQLite
and PostgreSQL: a stored contract or sample values walked through the flow with the people
resolved (the sales manager by role), a rejection, a draft document; the rights of the flow
designers; bad input named at its field; and not one row written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from platform_testing import add_user

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import RoleAssignment
from jimu.platform.process.instances import INCIDENTS, INSTANCES, STEPS, TASKS, TIMERS, TOKENS
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

APP = "marketing"
URL = f"/api/apps/{APP}/flows/contract_approval/simulate"
MARKETING = Path(__file__).parents[3] / "examples" / "marketing"
TABLES = (INSTANCES, TOKENS, TASKS, TIMERS, STEPS, INCIDENTS)


@pytest.fixture
def marketing(platform: Platform) -> dict[str, int]:
    """The marketing app, a sales manager and a contract of ¥300,000 (one line)."""
    manager = add_user(platform, "zhang", "pw-12345678").id
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)
        conn.execute(
            sa.insert(RoleAssignment.__table__).values(
                app=APP, created_at=datetime.now(), user_id=manager, role="sales_manager"
            )
        )
        records = platform.apps.records(conn, APP)
        ctx = WriteContext(actor_id=None, source="system")
        account = records.create(conn, "account", {"name": "Acme", "region": "east"}, ctx)
        deal = records.create(conn, "contract", {"name": "Big deal", "account": account["id"]}, ctx)
        records.create(
            conn,
            "contract_line",
            {
                "contract": deal["id"],
                "product": "marketing_cloud",
                "quantity": 1,
                "unit_price": "300000.00",
            },
            ctx,
        )
    return {"manager": manager, "contract": int(deal["id"])}


def counts(platform: Platform) -> list[int]:
    with platform.engine.connect() as conn:
        return [
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in TABLES
        ]


def test_a_contract_and_sample_amounts_are_walked_through_the_flow(
    platform: Platform, marketing: dict[str, int], admin_client: TestClient
) -> None:
    before = counts(platform)
    answer = admin_client.post(URL, json={"record": marketing["contract"]})
    assert answer.status_code == 200, answer.text
    path = answer.json()
    assert path["status"] == "completed" and path["result"] == "complete"
    assert [t["node"] for s in path["steps"] for t in s["tasks"]] == [
        "submit", "manager", "director", "finance",
    ]  # fmt: skip
    manager = path["steps"][1]["tasks"][0]
    assert manager["users"] == [marketing["manager"]]
    assert path["users"][str(marketing["manager"])] == "zhang"
    by_amount = next(c for s in path["steps"] for c in s["choices"] if c["node"] == "by_amount")
    assert by_amount["default"] is True and by_amount["taken"][0]["to"] == "countersign"
    small = admin_client.post(
        URL, json={"record": marketing["contract"], "values": {"total_amount": 800}}
    ).json()
    assert "countersign" not in small["path"] and small["path"][-1] == "approved"
    chosen = next(c for s in small["steps"] for c in s["choices"] if c["node"] == "by_amount")
    assert chosen["taken"][0]["words"] == {
        "en": "Contract total is at most 100,000",
        "zh": "合同总额 小于等于 100,000",
    }
    rejected = admin_client.post(
        URL, json={"values": {"total_amount": 5_000_000}, "decisions": {"finance": "reject"}}
    ).json()
    assert rejected["status"] == "rejected" and rejected["path"][-1] == "rejected"
    assert counts(platform) == before  # nothing written


def test_a_draft_document_is_simulated_as_sent(
    platform: Platform, marketing: dict[str, int], admin_client: TestClient
) -> None:
    with platform.engine.connect() as conn:
        doc: dict[str, Any] = dict(store.get(conn, APP, "flow", "contract_approval").body)
    small = next(e for e in doc["edges"] if e["from"] == "by_amount" and "condition" in e)
    small["condition"] = {"<=": [{"var": "record.total_amount"}, 1000]}  # the draft's limit
    answer = admin_client.post(URL, json={"document": doc, "values": {"total_amount": 5000}})
    assert answer.status_code == 200, answer.text
    assert "countersign" in answer.json()["path"]
    published = admin_client.post(URL, json={"values": {"total_amount": 5000}}).json()
    assert "countersign" not in published["path"]


@pytest.mark.parametrize(
    ("body", "status", "pointer"),
    [
        ({"record": 999_999}, 422, "/record"),
        ({"values": {"total_amount": "lots"}}, 422, "/values/total_amount"),
        ({"values": {"no_such_field": 1}}, 422, "/values/no_such_field"),
        ({"decisions": {"nowhere": "approve"}}, 422, "/decisions/nowhere"),
        ({"decisions": {"manager": "maybe"}}, 422, "/decisions/manager"),
        ({"document": {"kind": "flow", "name": "x", "nodes": [], "edges": []}}, 422, None),
    ],
)
def test_bad_input_is_named_at_its_field(
    platform: Platform,
    marketing: dict[str, int],
    admin_client: TestClient,
    body: dict[str, Any],
    status: int,
    pointer: str | None,
) -> None:
    answer = admin_client.post(URL, json=body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    pointers = [e["pointer"] for e in answer.json()["errors"]]
    if pointer is None:
        assert pointers and all(p.startswith("/document/") for p in pointers), pointers
    else:
        assert pointers == [pointer]


def test_only_flow_designers_may_simulate(
    platform: Platform, marketing: dict[str, int], user_client: TestClient
) -> None:
    """The marketing app has roles and none of alice's gives the flows right: refused, as
    saving the flow would be (the right first, so an unknown flow is refused too)."""
    refused = user_client.post(URL, json={})
    assert refused.status_code == 403
    assert user_client.post(f"/api/apps/{APP}/flows/nothing/simulate", json={}).status_code == 403


def test_an_unknown_flow_is_not_found(
    platform: Platform, marketing: dict[str, int], admin_client: TestClient
) -> None:
    assert admin_client.post(f"/api/apps/{APP}/flows/nothing/simulate", json={}).status_code == 404
