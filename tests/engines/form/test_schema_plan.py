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
        "add column crm_lead.account_id (BIGINT) for field 'account', linked to crm_account",
        "add column crm_lead.email (VARCHAR(320)) for field 'email'",
        "convert crm_lead.old_score from VARCHAR(255) to DOUBLE (0 values)",
        "create index ix_crm_lead_account_id on crm_lead (account_id)",
        "create index ix_crm_lead_name_owner_id on crm_lead (name, owner_id)",
        "create index ix_crm_lead_old_score on crm_lead (old_score)",
        "create unique index uq_crm_lead_email on crm_lead (email)",
        "create index ix_crm_contact_owner_deleted on crm_contact (owner_id, id)"
        " where deleted_at IS NOT NULL",
        "create index ix_crm_contact_owner_live on crm_contact (owner_id, id, deleted_at)"
        " where deleted_at IS NULL",
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_sql_matches_the_golden_file(dialect: str) -> None:
    sql = ";\n\n".join(plan(dialect).sql(dialect)) + ";\n"
    golden = GOLDEN / f"lead_change.{dialect}.sql"
    if UPDATE:
        golden.write_text(sql)
    assert sql == golden.read_text()


OWNER_INDEX_STEPS = [
    "create index ix_crm_account_owner_deleted on crm_account (owner_id, id)"
    " where deleted_at IS NOT NULL",
    "create index ix_crm_account_owner_live on crm_account (owner_id, id, deleted_at)"
    " where deleted_at IS NULL",
    "create index ix_crm_lead_owner_deleted on crm_lead (owner_id, id)"
    " where deleted_at IS NOT NULL",
    "create index ix_crm_lead_owner_live on crm_lead (owner_id, id, deleted_at)"
    " where deleted_at IS NULL",
]


def tables_without_the_owner_index(engine: sa.Engine, legacy: bool) -> None:
    """BEFORE's tables as an older Jimu made them: without an owner index, or (``legacy``) with
    the full ``(owner_id, id)`` one it made before the partial one."""
    metadata = sa.MetaData()
    tables = build_tables(BEFORE, default_registry(), metadata)
    for entity in tables.values():
        table = entity.table
        for index in list(table.indexes):
            if index.name in (f"ix_{table.name}_owner_live", f"ix_{table.name}_owner_deleted"):
                table.indexes.discard(index)
        if legacy:
            sa.Index(f"ix_{table.name}_owner_id_id", table.c.owner_id, table.c.id)
    metadata.create_all(engine)


def test_a_table_made_without_the_owner_index_gets_it_on_the_next_publish(
    engine: sa.Engine,
) -> None:
    """Tables published before every table had an ``owner_id`` index (data scopes filter on
    it) get it with the next change of the app, even one that does not touch the table."""
    tables_without_the_owner_index(engine, legacy=False)
    same_again = AppModel.from_documents("crm", [d.spec for d in BEFORE.entities.values()])
    with engine.begin() as conn:
        plan = plan_changes(conn, BEFORE, same_again, default_registry())
        assert plan.describe() == OWNER_INDEX_STEPS
        plan.apply(conn)
    with engine.connect() as conn:
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("crm_lead")}
        assert indexes["ix_crm_lead_owner_live"] == ["owner_id", "id", "deleted_at"]
        assert indexes["ix_crm_lead_owner_deleted"] == ["owner_id", "id"]
        assert partial_predicate(conn, "crm_lead", "ix_crm_lead_owner_deleted") in (
            "deleted_at IS NOT NULL",
            "(deleted_at IS NOT NULL)",  # PostgreSQL's way of writing it back
        )
        assert plan_changes(conn, BEFORE, same_again, default_registry()).describe() == []


def partial_predicate(conn: sa.Connection, table: str, index: str) -> str | None:
    """The WHERE of a partial index as the database stores it (None: a full index)."""
    if conn.dialect.name == "postgresql":
        sql = "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = :i::regclass"
        return conn.execute(sa.text(sql.replace(":i", f"'{index}'"))).scalar_one()
    found = conn.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :i"), {"i": index}
    ).scalar_one()
    return found.split(" WHERE ", 1)[1] if " WHERE " in found else None


def test_the_next_publish_replaces_the_full_owner_index_with_the_partial_one(
    engine: sa.Engine,
) -> None:
    """Tables made with the full ``(owner_id, id)`` index get the partial one instead (dropped
    and created in the same transaction), whatever the publish changes."""
    tables_without_the_owner_index(engine, legacy=True)
    same_again = AppModel.from_documents("crm", [d.spec for d in BEFORE.entities.values()])
    with engine.begin() as conn:
        plan = plan_changes(conn, BEFORE, same_again, default_registry())
        assert plan.describe() == [
            "drop index ix_crm_account_owner_id_id on crm_account",
            "drop index ix_crm_lead_owner_id_id on crm_lead",
            *OWNER_INDEX_STEPS,
        ]
        plan.apply(conn)
    with engine.connect() as conn:
        names = {i["name"] for i in sa.inspect(conn).get_indexes("crm_lead")}
        assert "ix_crm_lead_owner_id_id" not in names and "ix_crm_lead_owner_live" in names
        assert "deleted_at IS NULL" in str(
            partial_predicate(conn, "crm_lead", "ix_crm_lead_owner_live")
        )
        assert plan_changes(conn, BEFORE, same_again, default_registry()).describe() == []


def test_a_declared_owner_id_id_index_is_kept_beside_the_partial_one(engine: sa.Engine) -> None:
    """An entity that declares ``(owner_id, id)`` itself keeps that index: only the automatic
    one of an older Jimu is replaced."""
    tables_without_the_owner_index(engine, legacy=True)
    specs = [dict(d.spec) for d in BEFORE.entities.values()]
    for spec in specs:
        if spec["name"] == "lead":
            spec["indexes"] = [{"fields": ["owner_id", "id"]}]
    declared = AppModel.from_documents("crm", specs)
    with engine.begin() as conn:
        steps = plan_changes(conn, BEFORE, declared, default_registry()).describe()
    assert "drop index ix_crm_lead_owner_id_id on crm_lead" not in steps
    assert "drop index ix_crm_account_owner_id_id on crm_account" in steps
