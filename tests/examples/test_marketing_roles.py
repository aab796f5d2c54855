"""The marketing app's roles, as a newcomer tries them: the demo set up on a real database,
then each demo login through the HTTP API sees exactly what its role allows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from jimu.app import create_app
from jimu.platform.demo import DemoReport, run_demo
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

API = "/api/apps/marketing/entities"


@dataclass
class Demo:
    platform: Platform
    report: DemoReport
    client: TestClient

    def user_id(self, username: str) -> int:
        with self.platform.engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT id FROM jimu_user WHERE username = :u"), {"u": username}
            ).scalar_one()
        return int(found)

    def sign_in(self, username: str) -> None:
        self.client.cookies.clear()
        body = {"username": username, "password": self.report.admin_password}
        response = self.client.post("/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        self.client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        # Cookie writes must come from the site's own origin, as a browser's do.
        self.client.headers["Origin"] = str(self.client.base_url).rstrip("/")

    def count(self, entity: str) -> int:
        response = self.client.get(f"{API}/{entity}/records", params={"count": "true", "limit": 1})
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    def sql(self, query: str, **params: object) -> int:
        with self.platform.engine.connect() as conn:
            return int(conn.execute(sa.text(query), params).scalar_one())


@pytest.fixture
def demo(db_url: str, migrated: None, tmp_path: Path) -> Iterator[Demo]:
    settings = Settings(database_url=db_url, data_dir=tmp_path)
    platform = Platform.from_settings(settings)
    from jimu.platform.migrate import upgrade

    upgrade(platform.engine)
    report = run_demo(platform)
    with TestClient(create_app(platform=platform)) as client:
        yield Demo(platform, report, client)
    platform.engine.dispose()


def test_the_demo_prints_one_login_per_role(demo: Demo) -> None:
    roles = [login.role for login in demo.report.logins]
    assert roles == [
        "marketing_specialist",
        "sales_rep",
        "sales_manager",
        "sales_director",
        "finance",
        "service_agent",
    ]
    again = run_demo(demo.platform)
    assert [x.username for x in again.logins] == [x.username for x in demo.report.logins]
    assignments = demo.sql("SELECT count(*) FROM jimu_role_assignment")
    assert assignments == 6


def test_a_rep_sees_own_leads_and_the_pool_and_a_manager_the_region(demo: Demo) -> None:
    fang, qiang = demo.user_id("wang.fang"), demo.user_id("li.qiang")
    own_or_pool = "SELECT count(*) FROM marketing_lead WHERE deleted_at IS NULL AND "
    demo.sign_in("wang.fang")
    assert demo.count("lead") == demo.sql(
        own_or_pool + "(owner_id = :me OR owner_id IS NULL)", me=fang
    )
    someone_else = demo.sql(
        "SELECT min(id) FROM marketing_lead WHERE owner_id = :other", other=qiang
    )
    response = demo.client.get(f"{API}/lead/records/{someone_else}")
    assert response.status_code == 404
    # The region's manager sees the reps of the East sales centre, and the pool.
    demo.sign_in("zhang.wei")
    lei = demo.user_id("wu.lei")
    assert demo.count("lead") == demo.sql(
        own_or_pool + "(owner_id IN (:a, :b, :c) OR owner_id IS NULL)", a=fang, b=qiang, c=lei
    )
    assert demo.client.get(f"{API}/lead/records/{someone_else}").status_code == 200
    demo.sign_in("ma.jun")
    assert demo.count("lead") == demo.sql(own_or_pool + "1 = 1")


def test_amounts_follow_the_roles(demo: Demo) -> None:
    demo.sign_in("qian.hui")
    contracts = demo.client.get(f"{API}/contract/records", params={"limit": 5}).json()["items"]
    assert contracts and all("total_amount" in c for c in contracts)
    assert demo.client.get(f"{API}/lead/records").status_code == 403
    demo.sign_in("he.na")
    contract = demo.client.get(f"{API}/contract/records/{contracts[0]['id']}").json()
    assert "total_amount" not in contract and "received_amount" not in contract
    assert contract["lines"] and all("unit_price" not in line for line in contract["lines"])
    deals = demo.client.get(f"{API}/opportunity/records", params={"limit": 5}).json()["items"]
    assert deals and all("amount" not in d and "weighted_amount" not in d for d in deals)
    assert demo.count("service_ticket") == demo.sql(
        "SELECT count(*) FROM marketing_service_ticket WHERE deleted_at IS NULL"
    )
    exported = demo.client.get(f"{API}/opportunity/records/export")
    assert exported.status_code == 403


def test_the_service_agents_contract_page_shows_no_amounts(demo: Demo) -> None:
    contract = demo.sql("SELECT min(id) FROM marketing_contract WHERE deleted_at IS NULL")
    demo.sign_in("qian.hui")
    page = demo.client.get(f"/apps/marketing/contract/{contract}?lang=en")
    assert page.status_code == 200
    assert "Unit price" in page.text and "Contract total" in page.text
    demo.sign_in("he.na")
    page = demo.client.get(f"/apps/marketing/contract/{contract}?lang=en")
    assert page.status_code == 200, page.text
    assert "Unit price" not in page.text and "Contract total" not in page.text
    assert "Line amount" not in page.text


def test_who_may_become_a_leads_owner(demo: Demo) -> None:
    """A rep claims pool leads (themselves only), the region's manager hands leads to the
    region, the director to anyone (examples/marketing/roles, ``assign_to``)."""
    fang, qiang, min_ = (demo.user_id(u) for u in ("wang.fang", "li.qiang", "zhao.min"))
    pool = demo.sql(
        "SELECT min(id) FROM marketing_lead WHERE owner_id IS NULL AND deleted_at IS NULL"
    )
    own = demo.sql("SELECT min(id) FROM marketing_lead WHERE owner_id = :me", me=fang)
    lead = f"{API}/lead/records"
    demo.sign_in("wang.fang")
    given = demo.client.patch(f"{lead}/{pool}", json={"owner_id": qiang})
    assert given.status_code == 403, given.text
    claimed = demo.client.patch(f"{lead}/{pool}", json={"owner_id": fang})
    assert claimed.status_code == 200 and claimed.json()["owner_id"] == fang
    assert demo.client.patch(f"{lead}/{own}", json={"owner_id": qiang}).status_code == 403
    assert demo.client.post(lead, json={"name": "x", "owner_id": qiang}).status_code == 403
    demo.sign_in("zhang.wei")
    assert demo.client.patch(f"{lead}/{own}", json={"owner_id": qiang}).status_code == 200
    assert demo.client.patch(f"{lead}/{own}", json={"owner_id": min_}).status_code == 403
    demo.sign_in("ma.jun")
    assert demo.client.patch(f"{lead}/{own}", json={"owner_id": min_}).status_code == 200
    assert demo.sql("SELECT owner_id FROM marketing_lead WHERE id = :i", i=own) == min_
