"""Attachment files in the data directory, with the field's size and type limits, and the
record and field each file belongs to (an upload is claimed once, by its uploader's write)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from records_testing import CTX, entity, make_model

from jimu.errors import Conflict, NotFound, ValidationFailed
from jimu.platform.records import Records, WriteContext
from jimu.platform.records.attachments import attachment_path, save_attachment
from jimu.platform.records.file_owners import clean_media_type, clean_name, stored_file

DOC = entity(
    "doc",
    [
        {"name": "title", "type": "text"},
        {"name": "files", "type": "attachment", "max_size": 10, "accept": [".pdf", "image/*"]},
        {"name": "scans", "type": "attachment"},
        {"name": "pages", "type": "subtable", "target": "page", "link": "doc"},
    ],
)
PAGE = entity(
    "page",
    [
        {"name": "doc", "type": "link", "target": "doc", "required": True},
        {"name": "image", "type": "attachment"},
    ],
)
OTHER_USER = WriteContext(actor_id=8, source="api")


@pytest.fixture
def docs(jimu_engine: sa.Engine) -> Records:
    service = Records(make_model(DOC, PAGE))
    service.runtime.metadata.create_all(jimu_engine)
    return service


@pytest.fixture
def conn(jimu_engine: sa.Engine, docs: Records) -> Iterator[sa.Connection]:
    with jimu_engine.connect() as connection, connection.begin():
        yield connection


def upload(
    conn: sa.Connection,
    docs: Records,
    data_dir: Path,
    name: str = "a.pdf",
    field: str = "files",
    entity_name: str = "doc",
    by: int | None = CTX.actor_id,
) -> dict[str, Any]:
    rt = docs.runtime.entity(entity_name)
    return save_attachment(conn, data_dir, rt, field, name, b"%PDF-1", "application/pdf", by)


def refusal(info: pytest.ExceptionInfo[ValidationFailed]) -> list[tuple[str, str]]:
    return [(e.pointer, e.message) for e in info.value.errors]


def test_upload_then_attach(docs: Records, conn: sa.Connection, tmp_path: Path) -> None:
    value = upload(conn, docs, tmp_path)
    assert attachment_path(tmp_path, value["key"]).read_bytes() == b"%PDF-1"
    rec = docs.create(conn, "doc", {"title": "t", "files": [value]}, CTX)
    assert rec["files"] == [value]
    stored = stored_file(conn, value["key"])
    assert stored is not None and stored.belongs_to("crm", "doc", rec["id"], "files")


def test_limits_and_bad_keys(docs: Records, conn: sa.Connection, tmp_path: Path) -> None:
    rt = docs.runtime.entity("doc")
    with pytest.raises(ValidationFailed) as info:
        save_attachment(conn, tmp_path, rt, "files", "a.exe", b"x" * 11)
    assert len(info.value.errors) == 2
    png = save_attachment(conn, tmp_path, rt, "files", "p.png", b"png", "image/png")
    assert png["type"] == "image/png" and png["size"] == 3
    with pytest.raises(NotFound):
        attachment_path(tmp_path, "../../etc/passwd")


def test_a_file_of_another_record_is_refused(
    docs: Records, conn: sa.Connection, tmp_path: Path
) -> None:
    value = upload(conn, docs, tmp_path)
    first = docs.create(conn, "doc", {"title": "A", "files": [value]}, CTX)
    with pytest.raises(ValidationFailed) as info:
        docs.create(conn, "doc", {"title": "B", "files": [value]}, CTX)
    assert refusal(info) == [("/files", "file 1 belongs to another record")]
    second = docs.create(conn, "doc", {"title": "B"}, CTX)
    with pytest.raises(ValidationFailed) as info:
        docs.update(conn, "doc", second["id"], {"files": [value]}, CTX)
    assert refusal(info) == [("/files", "file 1 belongs to another record")]
    with pytest.raises(ValidationFailed) as info:  # another field of the same record neither
        docs.update(conn, "doc", first["id"], {"scans": [value]}, CTX)
    assert refusal(info) == [("/scans", "file 1 belongs to another record")]
    assert docs.get(conn, "doc", second["id"])["files"] is None


def test_removed_file_can_come_back_to_its_own_record(
    docs: Records, conn: sa.Connection, tmp_path: Path
) -> None:
    value = upload(conn, docs, tmp_path)
    rec = docs.create(conn, "doc", {"title": "A", "files": [value]}, CTX)
    docs.update(conn, "doc", rec["id"], {"files": []}, CTX)
    again = docs.update(conn, "doc", rec["id"], {"files": [value]}, OTHER_USER)
    assert again["files"] == [value]


def test_only_the_uploader_claims_an_upload_for_its_field(
    docs: Records, conn: sa.Connection, tmp_path: Path
) -> None:
    theirs = upload(conn, docs, tmp_path, by=OTHER_USER.actor_id)
    scan = upload(conn, docs, tmp_path, field="scans")
    with pytest.raises(ValidationFailed) as info:
        docs.create(conn, "doc", {"files": [theirs, scan]}, CTX)
    assert refusal(info) == [
        ("/files", "file 1 was uploaded by someone else"),
        ("/files", "file 2 was uploaded for another field"),
    ]
    rec = docs.create(conn, "doc", {"files": [theirs]}, OTHER_USER)
    assert rec["files"] == [theirs]


def test_unknown_keys_and_twice_named_files_are_refused(
    docs: Records, conn: sa.Connection, tmp_path: Path
) -> None:
    value = upload(conn, docs, tmp_path)
    forged = {"key": "0" * 32 + ".pdf", "name": "x.pdf", "size": 1, "type": "application/pdf"}
    with pytest.raises(ValidationFailed) as info:
        docs.bulk_create(conn, "doc", [{"files": [forged, value]}, {"files": [value]}], CTX)
    assert refusal(info) == [
        ("/0/files", "file 1 is not an uploaded file"),
        ("/1/files", "file 1 is attached twice"),
    ]
    with pytest.raises(ValidationFailed) as info:
        docs.create(conn, "doc", {"files": [value, value]}, CTX)
    assert refusal(info) == [("/files", "file 2 is attached twice")]


def test_the_stored_name_size_and_type_win_over_the_writers(
    docs: Records, conn: sa.Connection, tmp_path: Path
) -> None:
    value = upload(conn, docs, tmp_path, name="report.pdf")
    claimed = {"key": value["key"], "name": "report.pdf", "size": 1, "type": "image/svg+xml"}
    rec = docs.create(conn, "doc", {"files": [claimed]}, CTX)
    assert rec["files"] == [value]
    renamed = {**value, "name": "invoice.html", "type": "text/html"}
    again = docs.update(conn, "doc", rec["id"], {"files": [renamed]}, CTX)
    assert again["files"] == [value] and again["version"] == 1  # nothing changed
    assert docs.get(conn, "doc", rec["id"])["files"] == [value]


def test_an_upload_is_claimed_once(docs: Records, jimu_engine: sa.Engine, tmp_path: Path) -> None:
    with jimu_engine.begin() as conn:
        value = upload(conn, docs, tmp_path)
    with jimu_engine.begin() as conn, pytest.raises(ValidationFailed):  # claims nothing
        docs.create(conn, "doc", {"nope": 1, "files": [value]}, CTX)
    with jimu_engine.begin() as conn:
        stored = stored_file(conn, value["key"])
        assert stored is not None and stored.record_id is None
        docs.create(conn, "doc", {"files": [value]}, CTX)
    with jimu_engine.begin() as conn, pytest.raises(ValidationFailed):
        docs.create(conn, "doc", {"files": [value]}, CTX)


def test_a_claim_lost_to_another_write_is_a_conflict(
    docs: Records, conn: sa.Connection, tmp_path: Path
) -> None:
    from jimu.platform.records.file_owners import FileClaims

    value = upload(conn, docs, tmp_path)
    docs.create(conn, "doc", {"files": [value]}, CTX)
    late = FileClaims(claims=[[(value["key"], "/files")]])
    with pytest.raises(Conflict):
        late.bind(conn, [99])


def test_sub_table_rows_own_their_files(docs: Records, conn: sa.Connection, tmp_path: Path) -> None:
    image = upload(conn, docs, tmp_path, name="p1.png", field="image", entity_name="page")
    rec = docs.create(conn, "doc", {"title": "A", "pages": [{"image": [image]}]}, CTX)
    page_id = rec["pages"][0]["id"]
    stored = stored_file(conn, image["key"])
    assert stored is not None and stored.belongs_to("crm", "page", page_id, "image")
    with pytest.raises(ValidationFailed) as info:
        docs.create(conn, "doc", {"title": "B", "pages": [{"image": [image]}]}, CTX)
    assert refusal(info) == [("/pages/0/image", "file 1 belongs to another record")]
    other = docs.create(conn, "doc", {"title": "C", "pages": [{}]}, CTX)
    with pytest.raises(ValidationFailed) as info:
        docs.update(
            conn, "doc", other["id"], {"pages": [{**other["pages"][0], "image": [image]}]}, CTX
        )
    assert refusal(info) == [("/pages/0/image", "file 1 belongs to another record")]
    kept = docs.update(conn, "doc", rec["id"], {"pages": [{"id": page_id, "image": [image]}]}, CTX)
    assert kept["pages"][0]["image"] == [image]


def test_names_and_types_are_cleaned() -> None:
    assert clean_name("C:\\Users\\me\\plan.pdf") == "plan.pdf"
    assert clean_name("../../etc/pa\x00ss\u202ewd") == "passwd"
    assert clean_name("") == "file"
    long = clean_name("x" * 400 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")
    assert clean_media_type("Image/PNG; charset=x") == "image/png"
    assert clean_media_type("text/html\r\nX-Evil: 1") == "application/octet-stream"
