"""Migration 0006 gives the files that records held before ownership was kept to the first
record holding each, so they stay downloadable from it, and a copy elsewhere is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from jimu.errors import ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write, create_engine
from jimu.platform.migrate import upgrade
from jimu.platform.records import Records, WriteContext
from jimu.platform.records.attachments import save_attachment
from jimu.platform.records.file_holders import adopt_held_files
from jimu.platform.records.file_owners import FILES, stored_file
from jimu.platform.state import Platform

CTX = WriteContext(actor_id=None, source="api")
SUB_APP = {
    "app.json": {"kind": "app", "name": "files", "label": {"en": "Files"}},
    "entities/doc.json": {
        "kind": "entity",
        "name": "doc",
        "label": {"en": "Doc"},
        "fields": [
            {"name": "title", "type": "text", "label": {"en": "Title"}},
            {"name": "files", "type": "attachment", "label": {"en": "Files"}},
            {"name": "pages", "type": "subtable", "target": "page", "link": "doc"},
        ],
    },
    "entities/page.json": {
        "kind": "entity",
        "name": "page",
        "label": {"en": "Page"},
        "fields": [
            {"name": "doc", "type": "link", "target": "doc", "required": True},
            {"name": "scan", "type": "attachment", "label": {"en": "Scan"}},
        ],
    },
}


def write_app(root: Path) -> Path:
    folder = root / "files_app"
    for name, body in SUB_APP.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps(body))
    return folder


def file(key: str, name: str) -> dict[str, object]:
    return {"key": key, "name": name, "size": 3, "type": "application/pdf"}


A, B, C = ("a" * 32 + ".pdf", "b" * 32 + ".pdf", "c" * 32 + ".png")


def test_migration_0006_adopts_the_files_records_hold(db_url: str, tmp_path: Path) -> None:
    engine = create_engine(db_url)
    try:
        upgrade(engine, "0005")
        with begin_write(engine) as conn:
            store.import_folder(conn, write_app(tmp_path), publish=True)
            # Rows as a 0005 database holds them, written with plain SQL: today's write path
            # writes columns later migrations add (the outbox's old values, for one).
            records = Records(store.load_app(conn, "files"))
            doc, page = records.table("doc"), records.table("page")
            now = datetime.now(UTC)
            stamps = {"created_at": now, "updated_at": now}
            first = {"id": 1}
            copy = {"id": 2}
            conn.execute(
                sa.insert(doc),
                [
                    {**first, "title": "first", "files": [file(A, "a.pdf")], **stamps},
                    {**copy, "title": "copy", "files": [file(A, "x.html"), file(B, "b.pdf")],
                     **stamps},
                ],
            )  # fmt: skip
            page_id = 1
            conn.execute(
                sa.insert(page).values(
                    id=page_id, doc_id=copy["id"], scan=[file(C, "c.png")], **stamps
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            owners = {
                row.key: (row.entity, row.record_id, row.field, row.name)
                for row in conn.execute(sa.select(FILES))
            }
            assert adopt_held_files(conn) == 0  # once is enough
    finally:
        engine.dispose()
    assert owners == {
        A: ("doc", first["id"], "files", "a.pdf"),
        B: ("doc", copy["id"], "files", "b.pdf"),
        C: ("page", page_id, "scan", "c.png"),
    }


def test_a_copy_held_before_the_upgrade_cannot_be_written_again(
    platform: Platform, tmp_path: Path
) -> None:
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, write_app(tmp_path), publish=True)
        records = platform.apps.records(conn, "files")
        first = records.create(conn, "doc", {"title": "first"}, CTX)
        table = records.table("doc")
        conn.execute(
            sa.update(table).where(table.c.id == first["id"]).values(files=[file(A, "a.pdf")])
        )
        assert adopt_held_files(conn) == 1
        stored = stored_file(conn, A)
        assert stored is not None and stored.belongs_to("files", "doc", first["id"], "files")
        other = records.create(conn, "doc", {"title": "other"}, CTX)
        with pytest.raises(ValidationFailed) as info:
            records.update(conn, "doc", other["id"], {"files": [{"key": A}]}, CTX)
        assert [e.pointer for e in info.value.errors] == ["/files"]
        kept = records.update(
            conn, "doc", first["id"], {"title": "still mine", "files": [{"key": A}]}, CTX
        )
        assert kept["files"] == [file(A, "a.pdf")]


def test_a_renamed_field_keeps_its_files(platform: Platform, tmp_path: Path) -> None:
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, write_app(tmp_path), publish=True)
        records = platform.apps.records(conn, "files")
        rt = records.runtime.entity("doc")
        value = save_attachment(conn, platform.settings.data_dir, rt, "files", "a.pdf", b"a")
        rec = records.create(conn, "doc", {"title": "t", "files": [value]}, CTX)
        body = json.loads(json.dumps(SUB_APP["entities/doc.json"]))
        body["fields"][1]["name"] = "documents"
        store.save_draft(conn, "files", "entity", "doc", body)
        store.publish(conn, "files", "entity", "doc", renames={"doc": {"files": "documents"}})
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "files")
        stored = stored_file(conn, value["key"])
        assert stored is not None and stored.belongs_to("files", "doc", rec["id"], "documents")
        kept = records.update(conn, "doc", rec["id"], {"documents": [{"key": value["key"]}]}, CTX)
        assert kept["documents"] == [value]
