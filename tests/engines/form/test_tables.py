"""Entity documents to tables: columns, system columns, indexes, junction tables."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from jimu.engines.form import AppModel, build_tables, default_registry
from jimu.engines.form.autonumber import AutonumberPattern
from jimu.engines.form.tables import index_where

APP = AppModel.from_documents(
    "crm",
    [
        {
            "kind": "entity",
            "name": "lead",
            "label": {"en": "Lead"},
            "fields": [
                {"name": "name", "type": "text", "max_length": 80, "index": True},
                {"name": "email", "type": "email", "unique": True},
                {"name": "amount", "type": "money", "scale": 2},
                {"name": "account", "type": "link", "target": "account"},
                {"name": "tags", "type": "link", "target": "account", "many": True},
                {"name": "code", "type": "autonumber", "pattern": "LD-{0000}"},
                {"name": "industry", "type": "lookup", "link": "account", "field": "industry"},
            ],
            "indexes": [{"fields": ["name", "owner_id"], "unique": False}],
        },
        {
            "kind": "entity",
            "name": "account",
            "label": {"en": "Account"},
            "fields": [{"name": "industry", "type": "select", "options": [{"value": "it"}]}],
        },
    ],
)


def test_columns_system_columns_and_types() -> None:
    table = build_tables(APP, default_registry())["lead"].table
    assert table.name == "crm_lead"
    assert [c.name for c in table.columns] == [
        "id",
        "name",
        "email",
        "amount",
        "account_id",
        "code",
        "industry",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "owner_id",
        "version",
        "deleted_at",
    ]
    assert isinstance(table.c.amount.type, sa.Numeric) and table.c.amount.type.scale == 2
    assert table.c.name.type.length == 80  # type: ignore[attr-defined]
    assert table.c.industry.type.length == 64  # type: ignore[attr-defined]
    assert [fk.column.table.name for fk in table.c.account_id.foreign_keys] == ["crm_account"]


def test_indexes_declared_and_automatic() -> None:
    tables = build_tables(APP, default_registry())["lead"]
    indexes = {i.name: ([c.name for c in i.columns], i.unique) for i in tables.table.indexes}
    assert indexes == {
        "ix_crm_lead_name": (["name"], False),
        "uq_crm_lead_email": (["email"], True),
        "ix_crm_lead_account_id": (["account_id"], False),
        "uq_crm_lead_code": (["code"], True),
        "ix_crm_lead_name_owner_id": (["name", "owner_id"], False),
        "ix_crm_lead_owner_live": (["owner_id", "id", "deleted_at"], False),
        "ix_crm_lead_owner_deleted": (["owner_id", "id"], False),
    }
    partial = {i.name: index_where(i) for i in tables.table.indexes if index_where(i)}
    assert partial == {
        "ix_crm_lead_owner_live": "deleted_at IS NULL",
        "ix_crm_lead_owner_deleted": "deleted_at IS NOT NULL",  # the recycle bin's
    }
    junction = tables.junctions["tags"]
    assert junction.name == "crm_lead__tags"
    assert {c.name for c in junction.primary_key} == {"source_id", "target_id"}


def test_every_table_has_one_owner_index_for_data_scopes() -> None:
    declared = AppModel.from_documents(
        "crm",
        [
            {
                "kind": "entity",
                "name": "deal",
                "label": {"en": "Deal"},
                "fields": [{"name": "name", "type": "text"}],
                "indexes": [{"fields": ["owner_id", "id"]}],
            }
        ],
    )
    for app, entity in ((APP, "account"), (declared, "deal")):
        table = build_tables(app, default_registry())[entity].table
        owner = [i for i in table.indexes if index_where(i) is not None]
        assert sorted((i.name, [c.name for c in i.columns], i.unique) for i in owner) == [
            (f"ix_crm_{entity}_owner_deleted", ["owner_id", "id"], False),
            (f"ix_crm_{entity}_owner_live", ["owner_id", "id", "deleted_at"], False),
        ]
    # the declared one is kept as declared (a full index), beside the automatic one
    deal = build_tables(declared, default_registry())["deal"].table
    assert "ix_crm_deal_owner_id_id" in {i.name for i in deal.indexes}


def test_tables_create_on_a_real_database(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    build_tables(APP, default_registry(), metadata)
    metadata.create_all(engine)
    assert {"crm_lead", "crm_account", "crm_lead__tags"} <= set(
        sa.inspect(engine).get_table_names()
    )


@pytest.mark.parametrize(
    ("pattern", "period", "text"),
    [
        ("LD-{YYYY}{MM}-{0000}", "202611", "LD-202611-0042"),
        ("{YY}{MM}{DD}-{000}", "20261123", "261123-042"),
        ("NO.{00000}", "", "NO.00042"),
    ],
)
def test_autonumber_patterns(pattern: str, period: str, text: str) -> None:
    parsed = AutonumberPattern.parse(pattern)
    day = date(2026, 11, 23)
    assert parsed.period(day) == period
    assert parsed.format(day, 42) == text


@pytest.mark.parametrize("pattern", ["LD-{YYYY}", "{000}-{00}", "{X}{000}"])
def test_bad_autonumber_patterns(pattern: str) -> None:
    with pytest.raises(ValueError):
        AutonumberPattern.parse(pattern)
