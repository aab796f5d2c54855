"""Lookups of lookups and rollups of rollups are kept current through the whole chain, in the
write's transaction; a chain that feeds itself is refused when the app is checked."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from records_testing import CTX, entity

from jimu.engines.form.model import AppModel
from jimu.metadata.validate import validate_app_documents
from jimu.platform.records import Records

REGION = entity(
    "region",
    [
        {"name": "name", "type": "text"},
        {"name": "total", "type": "rollup", "entity": "account", "link": "region",
         "field": "lead_total", "function": "sum"},
    ],
)  # fmt: skip
ACCOUNT = entity(
    "account",
    [
        {"name": "name", "type": "text"},
        {"name": "region", "type": "link", "target": "region"},
        {"name": "region_name", "type": "lookup", "link": "region", "field": "name"},
        {"name": "lead_total", "type": "rollup", "entity": "lead", "link": "account",
         "field": "amount", "function": "sum"},
    ],
)  # fmt: skip
LEAD = entity(
    "lead",
    [
        {"name": "name", "type": "text"},
        {"name": "amount", "type": "money", "currency": "CNY"},
        {"name": "account", "type": "link", "target": "account"},
        {"name": "region_name", "type": "lookup", "link": "account", "field": "region_name"},
    ],
)  # fmt: skip
APP = {"kind": "app", "name": "chain", "label": {"en": "Chain"}}


def test_chains_are_valid_and_kept_current(jimu_engine: sa.Engine) -> None:
    assert validate_app_documents([APP, REGION, ACCOUNT, LEAD]) == []
    records = Records(AppModel.from_documents("chain", [REGION, ACCOUNT, LEAD], APP))
    records.runtime.metadata.create_all(jimu_engine)
    with jimu_engine.begin() as conn:
        east = records.create(conn, "region", {"name": "East"}, CTX)
        acme = records.create(conn, "account", {"name": "Acme", "region": east["id"]}, CTX)
        lead = records.create(
            conn, "lead", {"name": "L", "amount": "10.00", "account": acme["id"]}, CTX
        )
        assert lead["region_name"] == "East"
        records.create(conn, "lead", {"name": "M", "amount": "5.50", "account": acme["id"]}, CTX)
        assert records.get(conn, "region", east["id"])["total"] == "15.50"
        records.update(conn, "region", east["id"], {"name": "East China"}, CTX)
        assert records.get(conn, "lead", lead["id"])["region_name"] == "East China"
        records.update(conn, "lead", lead["id"], {"amount": "1.00"}, CTX)
        assert records.get(conn, "region", east["id"])["total"] == "6.50"


def test_a_chain_that_feeds_itself_is_refused() -> None:
    a: dict[str, Any] = entity(
        "a",
        [
            {"name": "b", "type": "link", "target": "b"},
            {"name": "x", "type": "lookup", "link": "b", "field": "y"},
        ],
    )
    b: dict[str, Any] = entity(
        "b",
        [
            {"name": "a", "type": "link", "target": "a"},
            {"name": "y", "type": "lookup", "link": "a", "field": "x"},
        ],
    )
    errors = validate_app_documents([{**APP, "name": "loop"}, a, b])
    messages = {e.pointer: e.message for e in errors}
    assert "cycle: a.x → b.y → a.x" in messages["entities/a.json#/fields/1/field"]
    assert "cycle: b.y → a.x → b.y" in messages["entities/b.json#/fields/1/field"]
