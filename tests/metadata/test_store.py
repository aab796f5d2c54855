"""The metadata store: drafts, publish with DDL, schema changes on tables with data."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.errors import NotFound, ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write, create_engine
from jimu.platform.models import Base
from jimu.platform.records import ListQuery, Records, WriteContext

CTX = WriteContext(actor_id=1, source="api")
APP = {"kind": "app", "name": "crm", "label": {"en": "CRM"}, "menu": ["lead"]}


def lead_doc(*extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "entity",
        "name": "lead",
        "label": {"en": "Lead"},
        "fields": [
            {"name": "name", "type": "text", "required": True},
            {"name": "score", "type": "text"},
            *extra,
        ],
    }


@pytest.fixture
def db(db_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def publish(db: sa.Engine, *docs: dict[str, Any], **kw: Any) -> store.PublishPlan:
    with begin_write(db) as conn:
        for doc in docs:
            store.save_draft(conn, "crm", doc["kind"], doc["name"], doc)
        return store.publish(conn, "crm", **kw)


def columns(db: sa.Engine, table: str = "crm_lead") -> list[str]:
    return [c["name"] for c in sa.inspect(db).get_columns(table)]


def add_leads(db: sa.Engine, *rows: dict[str, Any]) -> list[dict[str, Any]]:
    with begin_write(db) as conn:
        return Records(store.load_app(conn, "crm")).bulk_create(conn, "lead", list(rows), CTX)


def read(db: sa.Engine, record_id: int) -> dict[str, Any]:
    with db.connect() as conn:
        return Records(store.load_app(conn, "crm")).get(conn, "lead", record_id)


def test_publish_creates_tables_and_versions(db: sa.Engine) -> None:
    result = publish(db, APP, lead_doc())
    assert "create table crm_lead" in result.steps
    assert any(s.startswith("CREATE TABLE crm_lead") for s in result.sql)
    assert "name" in columns(db)
    with db.connect() as conn:
        doc = store.published(conn, "crm", "entity", "lead")
        assert doc is not None and doc.version == 1 and doc.status == "published"
        assert store.load_app(conn, "crm").entity("lead").field_names() == ["name", "score"]


def test_a_draft_reports_every_error_with_pointers(db: sa.Engine) -> None:
    bad = lead_doc({"name": "x", "type": "nope"}, {"name": "Y", "type": "text"})
    with begin_write(db) as conn, pytest.raises(ValidationFailed) as info:
        store.save_draft(conn, "crm", "entity", "lead", bad)
    assert {e.pointer for e in info.value.errors} == {"/fields/2/type", "/fields/3/name"}


def test_adding_fields_to_a_table_with_data_and_dry_run(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    (lead,) = add_leads(db, {"name": "Li"})
    with begin_write(db) as conn:
        store.save_draft(
            conn,
            "crm",
            "entity",
            "lead",
            lead_doc(
                {"name": "email", "type": "email", "unique": True},
                {
                    "name": "status",
                    "type": "select",
                    "default": "new",
                    "index": True,
                    "options": [{"value": "new"}],
                },
            ),
        )
        plan = store.plan_publish(conn, "crm")
    assert any("ADD COLUMN email" in s for s in plan.sql)
    assert any("CREATE UNIQUE INDEX" in s for s in plan.sql)
    assert "email" not in columns(db)  # the dry run changed nothing
    with begin_write(db) as conn:
        store.publish(conn, "crm")
    assert {"email", "status"} <= set(columns(db))
    assert read(db, lead["id"])["name"] == "Li"
    with db.connect() as conn:
        assert [v.status for v in store.versions(conn, "crm", "entity", "lead")] == [
            "superseded",
            "published",
        ]


def test_rename_keeps_the_data(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    (lead,) = add_leads(db, {"name": "Li", "score": "7"})
    doc = lead_doc()
    doc["fields"][1]["name"] = "rating"
    publish(db, doc, renames={"lead": {"score": "rating"}})
    assert "rating" in columns(db) and "score" not in columns(db)
    assert read(db, lead["id"])["rating"] == "7"


def test_retype_converts_every_value_or_lists_the_rows(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    a, b, c = add_leads(
        db, {"name": "a", "score": "7"}, {"name": "b", "score": "x1"}, {"name": "c"}
    )
    doc = lead_doc()
    doc["fields"][1] = {"name": "score", "type": "number"}
    with begin_write(db) as conn:
        store.save_draft(conn, "crm", "entity", "lead", doc)
    with begin_write(db) as conn, pytest.raises(ValidationFailed) as info:
        store.publish(conn, "crm")
    (error,) = info.value.errors
    assert error.pointer == "/entities/lead/fields/1/type"
    assert f"record {b['id']}" in error.message and f"record {a['id']}" not in error.message
    with begin_write(db) as conn:
        Records(store.load_app(conn, "crm")).update(conn, "lead", b["id"], {"score": "1"}, CTX)
        store.publish(conn, "crm")
    assert read(db, a["id"])["score"] == 7
    assert read(db, b["id"])["score"] == 1
    assert read(db, c["id"])["score"] is None


def test_the_preview_lists_failing_rows_and_archiving_publishes_them_kept(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    a, b, c, d = add_leads(
        db,
        {"name": "Ann", "score": "7"},
        {"name": "Bo", "score": "x1"},
        {"name": "Cy"},
        {"name": "Di", "score": "lots"},
    )
    doc = lead_doc()
    doc["fields"][1] = {"name": "score", "type": "number"}
    with begin_write(db) as conn:
        store.save_draft(conn, "crm", "entity", "lead", doc)
    with db.connect() as conn:
        preview = store.preview_publish(conn, "crm", "entity", "lead")
    assert not preview.can_publish and preview.sql == []
    (conversion,) = preview.plan.conversions
    assert (conversion.field, conversion.from_type, conversion.to_type) == (
        "score",
        "text",
        "number",
    )
    assert (conversion.converted, conversion.failed, conversion.archive_as) == (1, 2, None)
    assert [(r.id, r.title, r.value) for r in conversion.rows] == [
        (b["id"], "Bo", "x1"),
        (d["id"], "Di", "lots"),
    ]
    assert all(r.reason for r in conversion.rows)
    (problem,) = preview.plan.problems
    assert problem.pointer == "/entities/lead/fields/1/type" and problem.code == "conversion"
    with begin_write(db) as conn, pytest.raises(ValidationFailed):
        store.publish(conn, "crm", "entity", "lead")
    assert columns(db).count("score") == 1 and "_archived_score_1" not in columns(db)

    archive = {"lead": ["score"]}
    with db.connect() as conn:
        kept = store.preview_publish(conn, "crm", "entity", "lead", archive=archive)
    assert kept.can_publish and kept.plan.conversions[0].archive_as == "_archived_score_1"
    assert any("archiving the old column as _archived_score_1" in s for s in kept.steps)
    with begin_write(db) as conn:
        store.publish(conn, "crm", "entity", "lead", archive=archive)
    assert [read(db, r["id"])["score"] for r in (a, b, c, d)] == [7, None, None, None]
    with db.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, _archived_score_1 FROM crm_lead")).all())
        (archived,) = store.archived_columns(conn, "crm", "lead")
    assert rows[b["id"]] == "x1" and rows[d["id"]] == "lots"
    assert archived["column_name"] == "_archived_score_1"
    assert archived["definition"] == {"name": "score", "type": "text"}


def test_removing_a_field_archives_it_and_restore_brings_it_back(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    (lead,) = add_leads(db, {"name": "Li", "score": "9"})
    publish(db, {**lead_doc(), "fields": lead_doc()["fields"][:1]})
    assert "score" not in columns(db) and "_archived_score_1" in columns(db)
    with db.connect() as conn:
        (archived,) = store.archived_columns(conn, "crm", "lead")
    assert archived["column_name"] == "_archived_score_1"
    with begin_write(db) as conn:
        store.restore_archived(conn, "crm", "lead", "_archived_score_1")
    assert read(db, lead["id"])["score"] == "9"
    publish(db, {**lead_doc(), "fields": lead_doc()["fields"][:1]})
    with begin_write(db) as conn:
        store.purge_archived(conn, "crm", "lead", "_archived_score_1")
        assert store.archived_columns(conn, "crm") == []
    assert not any(c.startswith("_archived") for c in columns(db))


def test_a_failed_publish_changes_nothing(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    with db.begin() as conn:
        conn.execute(sa.text("CREATE TABLE crm_zzz (id INTEGER PRIMARY KEY)"))
    extra = copy.deepcopy(lead_doc())
    extra["fields"].append({"name": "email", "type": "email"})
    zzz = {"kind": "entity", "name": "zzz", "label": {"en": "Z"}, "fields": []}
    with begin_write(db) as conn:
        store.save_draft(conn, "crm", "entity", "lead", extra)
        store.save_draft(conn, "crm", "entity", "zzz", zzz)
    with pytest.raises(sa.exc.DatabaseError), begin_write(db) as conn:
        store.publish(conn, "crm")
    assert "email" not in columns(db)
    with db.connect() as conn:
        assert [v.status for v in store.versions(conn, "crm", "entity", "lead")] == [
            "published",
            "draft",
        ]
        assert store.published(conn, "crm", "entity", "zzz") is None


def test_rollback_and_diff(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    publish(db, lead_doc({"name": "email", "type": "email"}))
    with db.connect() as conn:
        changes = store.diff(conn, "crm", "entity", "lead", 1, 2)
    assert [(c.op, c.pointer) for c in changes] == [("add", "/fields/2")]
    with begin_write(db) as conn:
        version = store.rollback(conn, "crm", "entity", "lead", 1)
    assert version.version == 3 and version.status == "published"
    assert "email" not in columns(db) and "_archived_email_1" in columns(db)


def test_import_and_export_folder_round_trip(db: sa.Engine, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "entities").mkdir(parents=True)
    (source / "app.json").write_text(json.dumps(APP))
    (source / "entities" / "lead.json").write_text(json.dumps(lead_doc()))
    with begin_write(db) as conn:
        docs = store.import_folder(conn, source)
    assert {d.name for d in docs} == {"crm", "lead"}
    out = tmp_path / "out"
    with db.connect() as conn:
        store.export_folder(conn, "crm", out)
    again = tmp_path / "again"
    shutil.copytree(out, again)
    with begin_write(db) as conn:
        assert store.import_folder(conn, again) == []  # nothing changed
        store.export_folder(conn, "crm", again)
    for path in out.rglob("*.json"):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes()


def test_import_errors_name_the_file(db: sa.Engine, tmp_path: Path) -> None:
    (tmp_path / "entities").mkdir()
    (tmp_path / "app.json").write_text(json.dumps(APP))
    (tmp_path / "entities" / "lead.json").write_text(
        json.dumps(lead_doc({"name": "a", "type": "link", "target": "nope"}))
    )
    with begin_write(db) as conn, pytest.raises(ValidationFailed) as info:
        store.import_folder(conn, tmp_path)
    assert [e.pointer for e in info.value.errors] == ["entities/lead.json#/fields/2/target"]


def test_load_app_of_an_unknown_app_is_not_found(db: sa.Engine) -> None:
    with db.connect() as conn, pytest.raises(NotFound):
        store.load_app(conn, "nope")


def test_derived_fields_added_later_are_computed_for_existing_rows(db: sa.Engine) -> None:
    account = {
        "kind": "entity",
        "name": "account",
        "label": {"en": "Account"},
        "fields": [{"name": "name", "type": "text"}],
    }
    lead = lead_doc({"name": "account", "type": "link", "target": "account"})
    publish(db, APP, account, lead)
    with begin_write(db) as conn:
        records = Records(store.load_app(conn, "crm"))
        acme = records.create(conn, "account", {"name": "Acme"}, CTX)
        records.bulk_create(
            conn, "lead", [{"name": "a", "account": acme["id"]}, {"name": "b"}], CTX
        )
    account["fields"] = [
        *account["fields"],
        {
            "name": "leads",
            "type": "rollup",
            "entity": "lead",
            "link": "account",
            "function": "count",
        },
    ]
    lead = lead_doc(
        {"name": "account", "type": "link", "target": "account"},
        {"name": "account_name", "type": "lookup", "link": "account", "field": "name"},
        {"name": "code", "type": "autonumber", "pattern": "L{0000}"},
    )
    result = publish(db, account, lead)
    assert any(step.startswith("compute") for step in result.steps)
    with db.connect() as conn:
        records = Records(store.load_app(conn, "crm"))
        assert records.get(conn, "account", acme["id"])["leads"] == 1
        leads = records.list(conn, "lead", ListQuery(sort=["name"])).items
    assert [(r["account_name"], r["code"]) for r in leads] == [("Acme", "L0001"), (None, "L0002")]


def test_a_unique_index_over_repeated_values_is_refused(db: sa.Engine) -> None:
    publish(db, APP, lead_doc())
    add_leads(db, {"name": "Li", "score": "1"}, {"name": "Li", "score": "2"})
    doc = lead_doc()
    doc["fields"][0]["unique"] = True
    with begin_write(db) as conn:
        store.save_draft(conn, "crm", "entity", "lead", doc)
    with begin_write(db) as conn, pytest.raises(ValidationFailed) as info:
        store.plan_publish(conn, "crm")
    assert "Li" in info.value.errors[0].message
    assert not any(ix["unique"] for ix in sa.inspect(db).get_indexes("crm_lead"))


def test_the_marketing_app_round_trips_byte_for_byte(db: sa.Engine, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "examples" / "marketing"
    with begin_write(db) as conn:
        store.import_folder(conn, source)
        written = store.export_folder(conn, "marketing", tmp_path)
    assert len(written) > 10
    for path in written:
        assert path.read_bytes() == (source / path.relative_to(tmp_path)).read_bytes(), path


def test_text_becomes_a_link_and_a_link_cannot_change_target(db: sa.Engine) -> None:
    account = {
        "kind": "entity",
        "name": "account",
        "label": {"en": "A"},
        "fields": [{"name": "name", "type": "text"}],
    }
    other = {**account, "name": "other"}
    publish(db, APP, account, other, lead_doc())
    with begin_write(db) as conn:
        acme = Records(store.load_app(conn, "crm")).create(conn, "account", {"name": "A"}, CTX)
    (lead,) = add_leads(db, {"name": "Li", "score": str(acme["id"])})
    as_link = lead_doc()
    as_link["fields"][1] = {"name": "score", "type": "link", "target": "account"}
    publish(db, as_link)
    assert "score_id" in columns(db) and "score" not in columns(db)
    assert read(db, lead["id"])["score"] == acme["id"]
    retarget = lead_doc()
    retarget["fields"][1] = {"name": "score", "type": "link", "target": "other"}
    with begin_write(db) as conn:
        store.save_draft(conn, "crm", "entity", "lead", retarget)
    with begin_write(db) as conn, pytest.raises(ValidationFailed) as info:
        store.publish(conn, "crm")
    assert info.value.errors[0].code == "unsupported_change"


def test_a_link_added_later_gets_its_foreign_key(db: sa.Engine) -> None:
    """On SQLite too: the column is added with ``REFERENCES ... ON DELETE SET NULL``."""
    account = {
        "kind": "entity",
        "name": "account",
        "label": {"en": "A"},
        "fields": [{"name": "name", "type": "text"}],
    }
    publish(db, APP, account, lead_doc())
    (before,) = add_leads(db, {"name": "Li"})
    publish(db, lead_doc({"name": "account", "type": "link", "target": "account"}))
    keys = sa.inspect(db).get_foreign_keys("crm_lead")
    assert [(k["constrained_columns"], k["referred_table"]) for k in keys] == [
        (["account_id"], "crm_account")
    ]
    assert read(db, before["id"])["account"] is None
    with begin_write(db) as conn:
        acme = Records(store.load_app(conn, "crm")).create(conn, "account", {"name": "A"}, CTX)
    (lead,) = add_leads(db, {"name": "Wang", "account": acme["id"]})
    with begin_write(db) as conn:
        conn.execute(sa.text("DELETE FROM crm_account WHERE id = :id"), {"id": acme["id"]})
    assert read(db, lead["id"])["account"] is None
    with begin_write(db) as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text("UPDATE crm_lead SET account_id = 999 WHERE id = :id"), lead)


def test_published_many_reads_the_published_versions_by_name(db: sa.Engine) -> None:
    """A dashboard view reads its charts in one query: the published version of each name,
    none for a name only drafted or unknown."""
    report = {"kind": "report", "name": "by_status", "dataset": {"entity": "lead"}}
    report |= {"measures": [{"name": "n", "agg": "count"}], "visual": {"type": "kpi"}}
    publish(db, APP, lead_doc(), report)
    newer = report | {"visual": {"type": "table"}}
    drafted = report | {"name": "draft_only"}
    with begin_write(db) as conn:
        store.save_draft(conn, "crm", "report", "by_status", newer)
        store.save_draft(conn, "crm", "report", "draft_only", drafted)
    with db.connect() as conn:
        found = store.published_many(conn, "crm", "report", ["by_status", "draft_only", "nope"])
        assert store.published_many(conn, "crm", "report", []) == {}
    assert list(found) == ["by_status"]
    assert found["by_status"].body["visual"] == {"type": "kpi"}
    assert found["by_status"].status == store.PUBLISHED
