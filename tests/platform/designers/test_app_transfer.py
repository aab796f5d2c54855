"""Export an app as a zip, preview and import a zip, start from the marketing template."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from designer_harness import import_marketing
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, add_user, sign_in

from jimu.platform import metadata_store as store
from jimu.platform.state import Platform

ZIP = {"Content-Type": "application/zip", "Accept": "application/json"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def admin_client(app: FastAPI, platform: Platform) -> TestClient:
    import_marketing(platform)
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    client = TestClient(app)
    sign_in(client, "admin", ADMIN_PASSWORD)
    return client


def exported(client: TestClient) -> bytes:
    response = client.get("/api/apps/marketing/export.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="marketing.zip"' in response.headers["content-disposition"]
    return response.content


def rewrite(data: bytes, changes: dict[str, bytes | None], prefix: str = "") -> bytes:
    """``data`` with files replaced, added or (None) removed, optionally under a top folder."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name not in changes:
                target.writestr(prefix + name, source.read(name))
        for name, content in changes.items():
            if content is not None:
                target.writestr(prefix + name, content)
    return out.getvalue()


def test_the_export_is_the_published_folder_and_byte_stable(admin_client: TestClient) -> None:
    first = exported(admin_client)
    assert first == exported(admin_client)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert "app.json" in names and "entities/lead.json" in names
        assert names == sorted(names)
        assert json.loads(archive.read("app.json"))["name"] == "marketing"


def test_the_preview_shows_what_an_import_changes_and_writes_nothing(
    admin_client: TestClient, platform: Platform
) -> None:
    data = exported(admin_client)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        app_doc = json.loads(archive.read("app.json"))
    app_doc["color"] = "#123456"
    changed = rewrite(
        data, {"app.json": json.dumps(app_doc).encode(), "roles/finance.json": None}, "marketing/"
    )
    preview = admin_client.post("/api/apps/import/preview", content=changed, headers=ZIP)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["app"] == "marketing" and body["exists"] is True
    by_doc = {(d["kind"], d["name"]): d for d in body["documents"]}
    assert by_doc[("app", "marketing")]["change"] == "changed"
    assert by_doc[("app", "marketing")]["details"] == [
        {"op": "add", "pointer": "/color", "old": None, "new": "#123456"}
    ]
    assert by_doc[("role", "finance")]["change"] == "kept"
    assert by_doc[("entity", "lead")]["change"] == "unchanged"
    with platform.engine.connect() as conn:
        assert "color" not in store.published(conn, "marketing", "app", "marketing").body  # type: ignore[union-attr]
    imported = admin_client.post("/api/apps/import", content=changed, headers=ZIP)
    assert imported.status_code == 200, imported.text
    assert imported.json()["documents"] == [{"kind": "app", "name": "marketing", "version": 2}]
    with platform.engine.connect() as conn:
        assert store.published(conn, "marketing", "app", "marketing").body["color"] == "#123456"  # type: ignore[union-attr]


def test_a_new_app_previews_as_added(admin_client: TestClient) -> None:
    data = exported(admin_client)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        app_doc = json.loads(archive.read("app.json"))
    app_doc["name"] = "copy"
    copy = rewrite(data, {"app.json": json.dumps(app_doc).encode()})
    body = admin_client.post("/api/apps/import/preview", content=copy, headers=ZIP).json()
    assert body["app"] == "copy" and body["exists"] is False
    assert {d["change"] for d in body["documents"]} == {"added"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "is not a zip file"),
        ("escape", "points outside the folder"),
        ("no_app", "has no app.json"),
        ("invalid", "app.json"),
    ],
)
def test_bad_zips_are_422_problems_naming_the_file(
    admin_client: TestClient, content: bytes | str, message: str
) -> None:
    if content == "escape":
        content = rewrite(exported(admin_client), {"../evil.json": b"{}"})
    elif content == "no_app":
        content = rewrite(exported(admin_client), {"app.json": None})
    elif content == "invalid":
        content = rewrite(exported(admin_client), {"app.json": b'{"kind": "app", "name": 3}'})
    assert isinstance(content, bytes)
    for url in ("/api/apps/import/preview", "/api/apps/import"):
        response = admin_client.post(url, content=content, headers=ZIP)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert message in json.dumps(response.json())


def test_starting_from_the_template_copies_the_marketing_app(
    admin_client: TestClient, platform: Platform
) -> None:
    body = {"name": "growth", "label": {"en": "Growth", "zh": "增长"}}
    made = admin_client.post("/api/apps/from-template", json=body)
    assert made.status_code == 200, made.text
    assert made.json() == {"app": "growth", "url": "/design/apps/growth"}
    with platform.engine.connect() as conn:
        app_doc = store.published(conn, "growth", "app", "growth")
        assert app_doc is not None and app_doc.body["label"] == body["label"]
        original = {(d.kind, d.name) for d in store.list_documents(conn, "marketing")}
        assert {(d.kind, d.name) for d in store.list_documents(conn, "growth")} == {
            (k, "growth" if k == "app" else n) for k, n in original
        }
    assert admin_client.get("/apps/growth/lead", headers={"Accept": "text/html"}).status_code == 200
    again = admin_client.post("/api/apps/from-template", json=body, headers=JSON)
    assert again.status_code == 409
    assert again.json()["errors"][0]["pointer"] == "/name"
    bad = admin_client.post(
        "/api/apps/from-template", json={"name": "Bad Name", "label": {}}, headers=JSON
    )
    assert bad.status_code == 422
