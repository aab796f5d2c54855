"""Attachment files in the data directory, with the field's size and type limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from records_testing import CTX, entity, make_model

from jimu.errors import NotFound, ValidationFailed
from jimu.platform.records import Records
from jimu.platform.records.attachments import attachment_path, save_attachment

DOC = entity(
    "doc",
    [
        {"name": "title", "type": "text"},
        {"name": "files", "type": "attachment", "max_size": 10, "accept": [".pdf", "image/*"]},
    ],
)


@pytest.fixture
def docs(jimu_engine: sa.Engine) -> Records:
    service = Records(make_model(DOC))
    service.runtime.metadata.create_all(jimu_engine)
    return service


def test_upload_then_attach(docs: Records, jimu_engine: sa.Engine, tmp_path: Path) -> None:
    rt = docs.runtime.entity("doc")
    value = save_attachment(tmp_path, rt, "files", "a.pdf", b"%PDF-1", "application/pdf")
    assert attachment_path(tmp_path, value["key"]).read_bytes() == b"%PDF-1"
    with jimu_engine.begin() as conn:
        rec = docs.create(conn, "doc", {"title": "t", "files": [value]}, CTX)
    assert rec["files"] == [value]


def test_limits_and_bad_keys(docs: Records, tmp_path: Path) -> None:
    rt = docs.runtime.entity("doc")
    with pytest.raises(ValidationFailed) as info:
        save_attachment(tmp_path, rt, "files", "a.exe", b"x" * 11)
    assert len(info.value.errors) == 2
    assert image_ok(save_attachment(tmp_path, rt, "files", "p.png", b"png", "image/png"))
    with pytest.raises(NotFound):
        attachment_path(tmp_path, "../../etc/passwd")


def image_ok(value: dict[str, object]) -> bool:
    return value["type"] == "image/png" and value["size"] == 3
