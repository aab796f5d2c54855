"""What the role editor relies on in the metadata API: role drafts saved and thrown away are
audited, and a scope condition without a SQL form is refused at publish with its pointer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from access_testing import Secured
from fastapi.testclient import TestClient
from platform_testing import assert_problem

from jimu.platform.models import AuditEvent
from jimu.platform.state import Platform

DOCS = "/api/apps/crm/documents/role"


def _role(scope: Any) -> dict[str, Any]:
    return {
        "kind": "role",
        "name": "auditor",
        "label": {"en": "Auditor", "zh": "审计"},
        "entities": {"lead": {"actions": ["read"], "scope": scope}},
    }


def _events(platform: Platform) -> list[tuple[str, Any]]:
    with platform.engine.connect() as conn:
        query = sa.select(AuditEvent.kind, AuditEvent.detail).order_by(AuditEvent.id)
        return [(kind, detail) for kind, detail in conn.execute(query)]


def test_saving_and_discarding_a_role_draft_is_audited(
    secured: Secured, admin_client: TestClient, platform: Platform
) -> None:
    saved = admin_client.put(f"{DOCS}/auditor", json=_role("all"))
    assert saved.status_code == 200, saved.text
    assert _events(platform)[-1] == ("role_draft_saved", {"name": "auditor", "version": 1})
    again = admin_client.put(f"{DOCS}/auditor", json=_role("own"))
    assert again.json()["body"]["entities"]["lead"]["scope"] == "own"  # the draft, replaced
    assert _events(platform)[-2:] == [("role_draft_saved", {"name": "auditor", "version": 1})] * 2
    discarded = admin_client.delete(f"{DOCS}/auditor/draft")
    assert discarded.status_code == 200, discarded.text
    assert _events(platform)[-1] == ("role_draft_discarded", {"name": "auditor"})


def test_a_draft_of_another_kind_is_not_a_role_event(
    secured: Secured, admin_client: TestClient, platform: Platform
) -> None:
    before = len(_events(platform))
    entity = admin_client.get("/api/apps/crm/documents/entity/account").json()["body"]
    assert (
        admin_client.put("/api/apps/crm/documents/entity/account", json=entity).status_code == 200
    )
    assert len(_events(platform)) == before


def test_a_scope_condition_without_sql_form_is_refused_at_publish(
    secured: Secured, admin_client: TestClient
) -> None:
    condition = {"matches": [{"var": "name"}, "^A"]}
    saved = admin_client.put(f"{DOCS}/auditor", json=_role({"condition": condition}))
    assert saved.status_code == 200, saved.text
    published = admin_client.post("/api/apps/crm/publish", json={"kind": "role", "name": "auditor"})
    problem = assert_problem(published, 422, "validation_failed")
    [error] = problem["errors"]
    assert error["pointer"] == "roles/auditor.json#/entities/lead/scope/condition/matches"
    assert error["code"] == "no_sql"


def test_a_scope_without_sql_form_for_its_columns_is_refused_at_publish(
    secured: Secured, admin_client: TestClient
) -> None:
    """``created_at`` is a date-time column: compared with text it has no SQL form, which only
    the columns tell. Published, it would make every list of the role's holders fail."""
    condition = {"<": [{"var": "created_at"}, "2024-01-01"]}
    saved = admin_client.put(f"{DOCS}/auditor", json=_role({"condition": condition}))
    assert saved.status_code == 200, saved.text
    published = admin_client.post("/api/apps/crm/publish", json={"kind": "role", "name": "auditor"})
    problem = assert_problem(published, 422, "validation_failed")
    [error] = problem["errors"]
    assert error["pointer"] == "roles/auditor.json#/entities/lead/scope/condition/<"
    assert error["code"] == "no_sql_form"
    assert "datetime" in error["message"]


def test_the_builders_date_time_period_publishes(
    secured: Secured, admin_client: TestClient
) -> None:
    start = {"start_of": [{"var": "$now"}, "month"]}
    this_month = {
        "and": [
            {">=": [{"var": "created_at"}, start]},
            {"<": [{"var": "created_at"}, {"date_add": [start, 1, "month"]}]},
        ]
    }
    saved = admin_client.put(f"{DOCS}/auditor", json=_role({"condition": this_month}))
    assert saved.status_code == 200, saved.text
    published = admin_client.post("/api/apps/crm/publish", json={"kind": "role", "name": "auditor"})
    assert published.status_code == 200, published.text
