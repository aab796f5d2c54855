"""``POST .../files/{field}`` and attachment values in the records API: the upload's name and
type are kept, a file is claimed once by its uploader, another record's file is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from platform_testing import assert_problem

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

DOCS = "/api/apps/files/entities/doc"
ENTITY = {
    "kind": "entity",
    "name": "doc",
    "label": {"en": "Doc"},
    "fields": [
        {"name": "title", "type": "text", "label": {"en": "Title"}},
        {
            "name": "files",
            "type": "attachment",
            "label": {"en": "Files"},
            "max_size": 100,
            "accept": [".pdf", ".txt"],
        },
    ],
}


@pytest.fixture
def files_app(platform: Platform, tmp_path: Path) -> str:
    folder = tmp_path / "files_app"
    (folder / "entities").mkdir(parents=True)
    (folder / "app.json").write_text(
        json.dumps({"kind": "app", "name": "files", "label": {"en": "Files"}})
    )
    (folder / "entities" / "doc.json").write_text(json.dumps(ENTITY))
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)
    return "files"


def upload(client: TestClient, name: str, content: bytes, media_type: str) -> dict[str, Any]:
    response = client.post(f"{DOCS}/files/files", files={"file": (name, content, media_type)})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_upload_keeps_its_name_and_type(admin_client: TestClient, files_app: str) -> None:
    value = upload(admin_client, "dir/plan.pdf", b"%PDF", "application/pdf")
    assert value["name"] == "plan.pdf" and value["size"] == 4
    assert value["type"] == "application/pdf"
    forged = {"key": value["key"], "name": "plan.html", "size": 1, "type": "text/html"}
    created = admin_client.post(f"{DOCS}/records", json={"title": "a", "files": [forged]})
    assert created.status_code == 201, created.text
    assert created.json()["files"] == [value]
    key_only = admin_client.patch(
        f"{DOCS}/records/{created.json()['id']}", json={"files": [{"key": value["key"]}]}
    )
    assert key_only.json()["files"] == [value] and key_only.json()["version"] == 1


def test_another_records_file_and_another_users_upload_are_refused(
    admin_client: TestClient, user_client: TestClient, files_app: str
) -> None:
    mine = upload(admin_client, "mine.pdf", b"%PDF", "application/pdf")
    owner = admin_client.post(f"{DOCS}/records", json={"files": [mine]}).json()
    theirs = user_client.post(f"{DOCS}/records", json={"title": "b"}).json()
    stolen = user_client.patch(f"{DOCS}/records/{theirs['id']}", json={"files": [mine]})
    body = assert_problem(stolen, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/files"
    assert body["errors"][0]["message"] == "file 1 belongs to another record"
    assert user_client.get(f"{DOCS}/records/{theirs['id']}").json()["files"] is None

    alices = upload(user_client, "alice.txt", b"hello", "text/plain")
    taken = admin_client.patch(f"{DOCS}/records/{owner['id']}", json={"files": [mine, alices]})
    body = assert_problem(taken, 422, "validation_failed")
    assert body["errors"][0]["message"] == "file 2 was uploaded by someone else"


def test_uploads_the_field_refuses(admin_client: TestClient, files_app: str) -> None:
    not_files = admin_client.post(f"{DOCS}/files/title", files={"file": ("a.pdf", b"x")})
    assert assert_problem(not_files, 422, "validation_failed")["errors"][0]["pointer"] == "/title"
    too_big = admin_client.post(
        f"{DOCS}/files/files", files={"file": ("a.pdf", b"x" * 101, "application/pdf")}
    )
    messages = [e["message"] for e in assert_problem(too_big, 422, "validation_failed")["errors"]]
    assert messages == ["'a.pdf' is larger than 100 bytes"]
    wrong_type = admin_client.post(
        f"{DOCS}/files/files", files={"file": ("a.exe", b"MZ", "application/x-msdownload")}
    )
    assert assert_problem(wrong_type, 422, "validation_failed")
    missing = admin_client.post(
        "/api/apps/files/entities/nope/files/files", files={"file": ("a", b"")}
    )
    assert missing.status_code == 404
