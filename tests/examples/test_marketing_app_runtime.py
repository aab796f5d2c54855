"""The marketing app running on a real database: its tables, computed fields and sample data.

Writes go through ``jimu.platform.records.Records``, the one write path, on each dialect under
test. They need the expression engine (formulas compile when the runtime is built).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines import expr
from jimu.engines.form.model import AppModel
from jimu.metadata.folder import read_folder, read_samples

needs_formulas = pytest.mark.skipif(
    not hasattr(expr, "parse_formula"),
    reason="the expression engine's formula parser (expr.parse_formula) is not there yet",
)

MARKETING = Path(__file__).resolve().parents[2] / "examples" / "marketing"


def marketing_model() -> AppModel:
    folder = read_folder(MARKETING)
    entities = [d for d in folder.documents if d["kind"] == "entity"]
    return AppModel.from_documents("marketing", entities, folder.app)


@pytest.fixture
def records(db_url: str) -> Iterator[tuple[Any, sa.Engine]]:
    from jimu.platform.db import create_engine
    from jimu.platform.models import Base
    from jimu.platform.records import Records

    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    add_demo_users(engine)
    service = Records(marketing_model())
    service.runtime.metadata.create_all(engine)
    try:
        yield service, engine
    finally:
        engine.dispose()


def add_demo_users(engine: sa.Engine) -> None:
    """Users 1..13 (the demo's admin and team), whom the sample data names as owners,
    assignees and signers."""
    from jimu.platform.models import User

    users: sa.Table = User.__table__  # type: ignore[assignment]
    rows = [
        {"id": i, "username": f"user{i}", "display_name": f"User {i}", "password_hash": "-"}
        for i in range(1, 14)
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(users), rows)


def context() -> Any:
    from jimu.platform.records import WriteContext

    return WriteContext(actor_id=1, source="import")


def test_every_entity_gets_its_table_and_indexes(db_url: str) -> None:
    """The app's DDL (columns, foreign keys, indexes) runs on each dialect."""
    from jimu.engines.form.registry import default_registry
    from jimu.engines.form.tables import build_tables
    from jimu.platform.db import create_engine

    model = marketing_model()
    metadata = sa.MetaData()
    build_tables(model, default_registry(), metadata)
    engine = create_engine(db_url)
    try:
        metadata.create_all(engine)
        inspector = sa.inspect(engine)
        assert {f"marketing_{name}" for name in model.entities} <= set(inspector.get_table_names())
        lead_indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes("marketing_lead")}
        for columns in [
            ("status",),
            ("owner_id",),
            ("source",),
            ("created_at",),
            ("status", "owner_id"),
            ("campaign_id",),
        ]:
            assert columns in lead_indexes, columns
        line_fks = inspector.get_foreign_keys("marketing_contract_line")
        assert [fk["referred_table"] for fk in line_fks] == ["marketing_contract"]
    finally:
        engine.dispose()


@needs_formulas
def test_computed_fields_of_the_app_work_end_to_end(records: tuple[Any, sa.Engine]) -> None:
    service, engine = records
    ctx = context()
    with engine.connect() as conn, conn.begin():
        campaign = service.create(
            conn,
            "campaign",
            {
                "name": "春季线上研讨会",
                "type": "webinar",
                "channel": "webinar",
                "start_date": "2026-04-16",
                "budget": "50000.00",
                "actual_cost": "40000.00",
                "utm_campaign": "spring_webinar_2026",
            },
            ctx,
        )
        account = service.create(
            conn,
            "account",
            {"name": "上海华拓新材料有限公司", "industry": "manufacturing", "region": "east"},
            ctx,
        )
        opportunity = service.create(
            conn,
            "opportunity",
            {
                "name": "华拓新材 营销云项目",
                "account": account["id"],
                "campaign": campaign["id"],
                "stage": "proposal",
                "amount": "200000.00",
            },
            ctx,
        )
        assert Decimal(opportunity["probability"]) == 40  # default_formula from the stage
        assert Decimal(opportunity["weighted_amount"]) == Decimal("80000.00")
        assert opportunity["account_industry"] == "manufacturing"
        assert re.fullmatch(r"OPP-\d{6}-0001", opportunity["code"])

        lead = service.create(
            conn,
            "lead",
            {"name": "王伟", "source": "webinar", "campaign": campaign["id"], "score": 85},
            ctx,
        )
        assert lead["grade"] == "A" and lead["status"] == "new"
        assert re.fullmatch(r"LD-\d{6}-0001", lead["code"])

        contract = service.create(
            conn,
            "contract",
            {
                "name": "华拓新材 营销云采购合同",
                "account": account["id"],
                "opportunity": opportunity["id"],
                "received_amount": "100000.00",
                "lines": [
                    {
                        "product": "marketing_cloud",
                        "quantity": 2,
                        "unit_price": "98000.00",
                        "discount": "10.00",
                    },
                    {"product": "implementation", "quantity": 10, "unit_price": "2800.00"},
                ],
            },
            ctx,
        )
        contract = service.get(conn, "contract", contract["id"])
        assert Decimal(contract["total_amount"]) == Decimal("204400.00")  # 176400 + 28000
        assert Decimal(contract["outstanding_amount"]) == Decimal("104400.00")
        assert contract["line_count"] == 2

        service.update(conn, "opportunity", opportunity["id"], {"stage": "won"}, ctx)
        campaign = service.get(conn, "campaign", campaign["id"])
        assert campaign["lead_count"] == 1 and campaign["opportunity_count"] == 1
        assert Decimal(campaign["won_amount"]) == Decimal("200000.00")
        assert campaign["roi"] == pytest.approx(400.0)  # (200000 - 40000) / 40000 * 100
        account = service.get(conn, "account", account["id"])
        assert account["contract_count"] == 1 and account["open_opportunity_count"] == 0

        ticket = service.create(
            conn,
            "service_ticket",
            {
                "subject": "线索导入 Excel 报错",
                "account": account["id"],
                "type": "incident",
                "reported_at": "2026-10-01T02:00:00Z",
                "resolved_at": "2026-10-01T08:00:00Z",
                "description": "导入时提示格式错误",
            },
            ctx,
        )
        assert ticket["resolution_hours"] == 6


def load_order() -> list[str]:
    model = marketing_model()
    graph = {
        name: {
            str(f.get("target"))
            for f in entity.fields
            if f.type == "link" and f.get("target") != name
        }
        for name, entity in model.entities.items()
    }
    return list(TopologicalSorter(graph).static_order())


@needs_formulas
def test_the_sample_data_loads_through_the_write_path(records: tuple[Any, sa.Engine]) -> None:
    service, engine = records
    samples = read_samples(MARKETING)
    ctx = context()
    with engine.connect() as conn, conn.begin():
        for entity in load_order():
            rows = samples[entity]
            for start in range(0, len(rows), 500):
                created = service.bulk_create(conn, entity, rows[start : start + 500], ctx)
                # empty tables, rows in id order: the database gives the sample ids back
                assert [r["id"] for r in created] == [r["id"] for r in rows[start : start + 500]]
        leads_per_campaign = Counter(lead.get("campaign") for lead in samples["lead"])
        for campaign in samples["campaign"]:
            stored = service.get(conn, "campaign", campaign["id"])
            assert stored["lead_count"] == leads_per_campaign[campaign["id"]]
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for line in samples["contract_line"]:
            amount = line["quantity"] * Decimal(line["unit_price"])
            amount *= 1 - Decimal(line.get("discount", "0")) / 100
            totals[line["contract"]] += amount.quantize(Decimal("0.01"))
        for contract in samples["contract"][:20]:
            stored = service.get(conn, "contract", contract["id"])
            assert Decimal(stored["total_amount"]) == totals[contract["id"]]
        pool = service.list(conn, "lead", public_pool_query())
        expected = sum(1 for lead in samples["lead"] if lead["status"] == "in_public_pool")
        assert pool.total == expected
        assert all(lead["owner_id"] is None for lead in pool.items)  # nobody owns the pool


def public_pool_query() -> Any:
    from jimu.platform.records import ListQuery

    return ListQuery(
        filter={"==": [{"var": "status"}, "in_public_pool"]},
        fields=["owner_id"],
        limit=1000,
        count=True,
    )
