"""Schema-change plans: steps in words and the SQL per dialect (golden files)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.form import AppModel, build_tables, default_registry
from jimu.engines.form.migrate import plan_changes

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("JIMU_UPDATE_GOLDEN") == "1"


def entity(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"kind": "entity", "name": name, "label": {"en": name}, "fields": list(fields), **extra}


ACCOUNT = entity("account", {"name": "name", "type": "text"})
BEFORE = AppModel.from_documents(
    "crm",
    [
        ACCOUNT,
        entity(
            "lead",
            {"name": "name", "type": "text", "max_length": 50},
            {"name": "phone", "type": "text"},
            {"name": "note", "type": "textarea"},
            {"name": "old_score", "type": "text", "index": True},
        ),
    ],
)
AFTER = AppModel.from_documents(
    "crm",
    [
        ACCOUNT,
        entity(
            "lead",
            {"name": "name", "type": "text", "max_length": 100},
            {"name": "mobile", "type": "text"},
            {"name": "old_score", "type": "number", "index": True},
            {"name": "account", "type": "link", "target": "account"},
            {"name": "email", "type": "email", "unique": True},
            indexes=[{"fields": ["name", "owner_id"]}],
        ),
        entity("contact", {"name": "name", "type": "text", "required": True}),
    ],
)


def plan(dialect: str) -> Any:
    return plan_changes(
        None, BEFORE, AFTER, default_registry(), {"lead": {"phone": "mobile"}}, dialect
    )


def test_the_steps_in_words() -> None:
    assert plan("sqlite").describe() == [
        "drop index ix_crm_lead_old_score on crm_lead",
        "archive column crm_lead.note as _archived_note_1",
        "rename column crm_lead.phone as mobile",
        "create table crm_contact",
        "add column crm_lead.account_id (BIGINT) for field 'account'",
        "add column crm_lead.email (VARCHAR(320)) for field 'email'",
        "convert crm_lead.old_score from VARCHAR(255) to DOUBLE (0 values)",
        "create index ix_crm_lead_account_id on crm_lead (account_id)",
        "create index ix_crm_lead_name_owner_id on crm_lead (name, owner_id)",
        "create index ix_crm_lead_old_score on crm_lead (old_score)",
        "create unique index uq_crm_lead_email on crm_lead (email)",
        "create index ix_crm_contact_owner_id_id on crm_contact (owner_id, id)",
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_sql_matches_the_golden_file(dialect: str) -> None:
    sql = ";\n\n".join(plan(dialect).sql(dialect)) + ";\n"
    golden = GOLDEN / f"lead_change.{dialect}.sql"
    if UPDATE:
        golden.write_text(sql)
    assert sql == golden.read_text()


def test_a_table_made_without_the_owner_index_gets_it_on_the_next_publish(
    engine: sa.Engine,
) -> None:
    """Tables published before every table had an ``owner_id`` index (data scopes filter on
    it) get it with the next change of the app, even one that does not touch the table."""
    metadata = sa.MetaData()
    tables = build_tables(BEFORE, default_registry(), metadata)
    for entity in tables.values():
        for index in list(entity.table.indexes):
            if index.name == f"ix_{entity.table.name}_owner_id_id":
                entity.table.indexes.discard(index)
    metadata.create_all(engine)
    same_again = AppModel.from_documents("crm", [d.spec for d in BEFORE.entities.values()])
    with engine.begin() as conn:
        plan = plan_changes(conn, BEFORE, same_again, default_registry())
        assert plan.describe() == [
            "create index ix_crm_account_owner_id_id on crm_account (owner_id, id)",
            "create index ix_crm_lead_owner_id_id on crm_lead (owner_id, id)",
        ]
        plan.apply(conn)
    with engine.connect() as conn:
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("crm_lead")}
        assert indexes["ix_crm_lead_owner_id_id"] == ["owner_id", "id"]
        assert plan_changes(conn, BEFORE, same_again, default_registry()).describe() == []
