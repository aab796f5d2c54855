"""Formula fields and default formulas: stored, recomputed on every write, filterable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from records_testing import CTX, entity, make_model

from jimu.platform.records import ListQuery, Records

DEAL = entity(
    "deal",
    [
        {"name": "amount", "type": "money", "required": True},
        {"name": "discount", "type": "percent"},
        {
            "name": "grade",
            "type": "formula",
            "returns": "text",
            "formula": 'IF(amount > 100000, "A", "B")',
        },
        {
            "name": "net",
            "type": "formula",
            "returns": "decimal",
            "scale": 2,
            "formula": "amount * (100 - discount) / 100",
        },
        {"name": "target", "type": "money", "default_formula": "amount * 2"},
    ],
)


@pytest.fixture
def deals(jimu_engine: sa.Engine) -> Records:
    service = Records(make_model(DEAL))
    service.runtime.metadata.create_all(jimu_engine)
    return service


def test_formulas_are_stored_and_recomputed(deals: Records, jimu_engine: sa.Engine) -> None:
    with jimu_engine.begin() as conn:
        deal = deals.create(conn, "deal", {"amount": "200000", "discount": "10"}, CTX)
        assert deal["grade"] == "A"
        assert deal["net"] == "180000.00"
        assert deal["target"] == "400000.00"
        deal = deals.update(conn, "deal", deal["id"], {"amount": "50000.50"}, CTX)
        assert deal["grade"] == "B"
        assert deal["net"] == "45000.45"
        assert deal["target"] == "400000.00"  # a default is applied on create only
        history = {h["field"] for h in deals.history(conn, "deal", deal["id"])}
        assert {"amount", "grade", "net"} <= history
        page = deals.list(conn, "deal", ListQuery(filter={"==": [{"var": "grade"}, "B"]}))
        assert [r["id"] for r in page.items] == [deal["id"]]


ORDER = entity(
    "order",
    [
        {"name": "title", "type": "text"},
        {
            "name": "big_items",
            "type": "rollup",
            "entity": "item",
            "link": "order",
            "function": "count",
            "filter": {">": [{"var": "price"}, 100]},
        },
        {
            "name": "average",
            "type": "rollup",
            "entity": "item",
            "link": "order",
            "field": "price",
            "function": "avg",
        },
        {
            "name": "cheapest",
            "type": "rollup",
            "entity": "item",
            "link": "order",
            "field": "price",
            "function": "min",
        },
    ],
)
ITEM = entity(
    "item",
    [
        {"name": "order", "type": "link", "target": "order"},
        {"name": "price", "type": "money"},
    ],
)


def test_rollups_with_a_filter_and_averages(jimu_engine: sa.Engine) -> None:
    service = Records(make_model(ORDER, ITEM))
    service.runtime.metadata.create_all(jimu_engine)
    with jimu_engine.begin() as conn:
        order = service.create(conn, "order", {"title": "o"}, CTX)
        service.bulk_create(
            conn, "item", [{"order": order["id"], "price": p} for p in ("50", "150", "200.01")], CTX
        )
        got = service.get(conn, "order", order["id"])
        assert (got["big_items"], got["average"], got["cheapest"]) == (2, "133.34", "50.00")
        cheap = service.list(conn, "item", ListQuery(sort=["price"], limit=1)).items[0]
        service.update(conn, "item", cheap["id"], {"price": "500"}, CTX)
        got = service.get(conn, "order", order["id"])
        assert (got["big_items"], got["cheapest"]) == (3, "150.00")
