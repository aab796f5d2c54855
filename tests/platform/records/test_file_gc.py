"""``jimu files gc``: attachment files no record holds are deleted after a grace period;
files of live, deleted (recycle bin) and freshly uploaded records are kept."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from jimu.platform import metadata_store as store
from jimu.platform.cli.main import main
from jimu.platform.db import begin_write
from jimu.platform.records import WriteContext
from jimu.platform.records.attachments import FOLDER, save_attachment
from jimu.platform.records.file_gc import collect_garbage
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


def age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_unreferenced_files_are_collected(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_docs_app(platform, tmp_path)
    data_dir = platform.settings.data_dir
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, "files")
        rt = records.runtime.entity("doc")
        kept = save_attachment(data_dir, rt, "files", "kept.pdf", b"keep")
        binned = save_attachment(data_dir, rt, "files", "binned.pdf", b"bin")
        replaced = save_attachment(data_dir, rt, "files", "old.pdf", b"old")
        fresh = save_attachment(data_dir, rt, "files", "fresh.pdf", b"new upload")
        live = records.create(conn, "doc", {"title": "a", "files": [kept, replaced]}, CTX)
        records.update(conn, "doc", live["id"], {"files": [kept]}, CTX)
        gone = records.create(conn, "doc", {"title": "b", "files": [binned]}, CTX)
        records.delete(conn, "doc", gone["id"], CTX)
    folder = data_dir / FOLDER
    for value in (kept, binned, replaced):
        age(folder / value["key"], 48)
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
