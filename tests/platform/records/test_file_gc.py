"""``jimu files gc``: attachment files no record holds are deleted after a grace period;
files of live, deleted (recycle bin) and freshly uploaded records are kept."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from jimu.platform import metadata_store as store
from jimu.platform.cli.main import main
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.records.attachments import FOLDER, save_attachment
from jimu.platform.records.file_gc import collect_garbage
from jimu.platform.records.file_owners import FILES, stored_file
from jimu.platform.state import Platform

CTX = WriteContext(actor_id=None, source="api")


def publish_docs_app(platform: Platform, root: Path) -> None:
    folder = root / "docs_app"
    (folder / "entities").mkdir(parents=True)
    app = {"kind": "app", "name": "files", "label": {"en": "Files"}}
    doc = {
        "kind": "entity",
        "name": "doc",
        "label": {"en": "Doc"},
        "fields": [
            {"name": "title", "type": "text", "label": {"en": "Title"}},
            {"name": "files", "type": "attachment", "label": {"en": "Files"}},
        ],
    }
    (folder / "app.json").write_text(json.dumps(app))
    (folder / "entities" / "doc.json").write_text(json.dumps(doc))
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)


def age(platform: Platform, path: Path, hours: float) -> None:
    """Make a file (and its upload) ``hours`` old."""
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    with begin_write(platform.engine) as conn:
        uploaded_at = datetime.fromtimestamp(then, UTC)
        conn.execute(
            sa.update(FILES).where(FILES.c.key == path.name).values(uploaded_at=uploaded_at)
        )


def test_unreferenced_files_are_collected(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_docs_app(platform, tmp_path)
    data_dir = platform.settings.data_dir
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "files")
        rt = records.runtime.entity("doc")
        kept = save_attachment(conn, data_dir, rt, "files", "kept.pdf", b"keep")
        binned = save_attachment(conn, data_dir, rt, "files", "binned.pdf", b"bin")
        replaced = save_attachment(conn, data_dir, rt, "files", "old.pdf", b"old")
        fresh = save_attachment(conn, data_dir, rt, "files", "fresh.pdf", b"new upload")
        live = records.create(conn, "doc", {"title": "a", "files": [kept, replaced]}, CTX)
        records.update(conn, "doc", live["id"], {"files": [kept]}, CTX)
        gone = records.create(conn, "doc", {"title": "b", "files": [binned]}, CTX)
        records.delete(conn, "doc", gone["id"], CTX)
    folder = data_dir / FOLDER
    for value in (kept, binned, replaced):
        age(platform, folder / value["key"], 48)
    with platform.engine.connect() as conn:
        dry = collect_garbage(conn, data_dir, dry_run=True)
    assert dry.deleted == [replaced["key"]] and dry.kept == 3
    assert (folder / replaced["key"]).exists()
    code = main(["--data-dir", str(data_dir), "--database-url", platform.settings.database_url,
                 "files", "gc"])  # fmt: skip
    assert code == 0
    assert "deleted 1 unreferenced files (3 bytes); kept 3" in capsys.readouterr().out
    assert not (folder / replaced["key"]).exists()
    for value in (kept, binned, fresh):
        assert (folder / value["key"]).exists()


def hold_directly(platform: Platform, record_id: int, files: list[dict[str, object]]) -> None:
    """Write a value into the entity table behind the service's back (as records written before
    files had owners could hold a key copied from another record)."""
    with begin_write(platform.engine) as conn:
        table = platform.apps.records(conn, "files").table("doc")
        conn.execute(sa.update(table).where(table.c.id == record_id).values(files=files))


def test_a_copy_in_another_record_keeps_no_file_and_collected_files_lose_their_owner(
    platform: Platform, tmp_path: Path
) -> None:
    publish_docs_app(platform, tmp_path)
    data_dir = platform.settings.data_dir
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "files")
        rt = records.runtime.entity("doc")
        shared = save_attachment(conn, data_dir, rt, "files", "a.pdf", b"a", uploaded_by=None)
        unclaimed = save_attachment(conn, data_dir, rt, "files", "u.pdf", b"u", uploaded_by=None)
        owner = records.create(conn, "doc", {"title": "a", "files": [shared]}, CTX)
        copier = records.create(conn, "doc", {"title": "b"}, CTX)
    hold_directly(platform, copier["id"], [shared])
    with begin_write(platform.engine) as conn:
        platform.apps.records(conn, "files").update(conn, "doc", owner["id"], {"files": []}, CTX)
    folder = data_dir / FOLDER
    for value in (shared, unclaimed):
        age(platform, folder / value["key"], 48)
    with begin_write(platform.engine) as conn:
        report = collect_garbage(conn, data_dir, dry_run=False)
    assert sorted(report.deleted) == sorted([shared["key"], unclaimed["key"]])
    with platform.engine.connect() as conn:
        assert stored_file(conn, shared["key"]) is None
        assert stored_file(conn, unclaimed["key"]) is None
    assert not (folder / shared["key"]).exists()


def test_an_upload_younger_than_the_grace_period_is_kept_even_with_an_old_file_time(
    platform: Platform, tmp_path: Path
) -> None:
    publish_docs_app(platform, tmp_path)
    data_dir = platform.settings.data_dir
    with begin_write(platform.engine) as conn:
        rt = platform.apps.records(conn, "files").runtime.entity("doc")
        value = save_attachment(conn, data_dir, rt, "files", "a.pdf", b"a")
    path = data_dir / FOLDER / value["key"]
    then = time.time() - 48 * 3600
    os.utime(path, (then, then))  # e.g. restored from a backup with its old time
    with begin_write(platform.engine) as conn:
        assert collect_garbage(conn, data_dir, dry_run=False).deleted == []
    assert path.exists()
