"""App folders: read with file names in errors, written byte-stable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jimu.errors import ValidationFailed
from jimu.metadata.folder import read_folder, read_samples, write_folder

REPO = Path(__file__).resolve().parents[2]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.json"))}


def test_export_of_an_import_is_byte_stable(tmp_path: Path) -> None:
    folder = read_folder(REPO / "examples" / "marketing")
    first = tmp_path / "first"
    write_folder(first, folder.documents)
    again = read_folder(first)
    second = tmp_path / "second"
    write_folder(second, again.documents)
    assert files(first) == files(second)
    assert again.documents == folder.documents
    assert set(files(first)) == set(folder.files)


def test_unreadable_files_are_reported_by_name(tmp_path: Path) -> None:
    (tmp_path / "entities").mkdir()
    (tmp_path / "app.json").write_text(json.dumps({"kind": "app", "name": "x"}))
    (tmp_path / "entities" / "a.json").write_text("{ nope")
    (tmp_path / "entities" / "b.json").write_text("[1]")
    with pytest.raises(ValidationFailed) as info:
        read_folder(tmp_path)
    assert [e.pointer for e in info.value.errors] == ["entities/a.json#", "entities/b.json#"]


def test_stale_document_files_are_removed_on_write(tmp_path: Path) -> None:
    app = {"kind": "app", "name": "x", "label": {"en": "X"}}
    (tmp_path / "entities").mkdir()
    (tmp_path / "entities" / "old.json").write_text("{}")
    write_folder(tmp_path, [app])
    assert not (tmp_path / "entities" / "old.json").exists()


def test_samples_are_read_per_entity(tmp_path: Path) -> None:
    shutil.copy(REPO / "examples" / "marketing" / "app.json", tmp_path / "app.json")
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "lead.jsonl").write_text('{"name": "a"}\n\n{"name": "b"}\n')
    assert read_samples(tmp_path) == {"lead": [{"name": "a"}, {"name": "b"}]}
