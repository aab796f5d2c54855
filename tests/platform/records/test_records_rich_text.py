"""Rich text through the records API: stored sanitised, and the API answers the stored HTML."""

from __future__ import annotations

from pathlib import Path

from crm_app import LEAD, write_app
from fastapi.testclient import TestClient

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

LEADS = "/api/apps/crm/entities/lead/records"
DIRTY = (
    "<div><strong>Call</strong> back<svg/onload=alert(1)></div>"
    '<a href="jav&#x61;script:alert(document.cookie)">details</a>'
    '<p>see<script src="https://evil.example/x.js">'
)
CLEAN = (
    "<div><strong>Call</strong> back</div>"
    '<a rel="noopener noreferrer nofollow">details</a><p>see</p>'
)


def publish_with_notes(platform: Platform, root: Path) -> None:
    lead = {**LEAD, "fields": [*LEAD["fields"], {"name": "notes", "type": "richtext"}]}
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, write_app(root, lead), publish=True)


def test_rich_text_is_stored_and_answered_sanitised(
    admin_client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    publish_with_notes(platform, tmp_path / "apps")
    created = admin_client.post(LEADS, json={"name": "Li", "notes": DIRTY})
    assert created.status_code == 201, created.text
    assert created.json()["notes"] == CLEAN
    record_id = created.json()["id"]
    assert admin_client.get(f"{LEADS}/{record_id}").json()["notes"] == CLEAN

    updated = admin_client.patch(
        f"{LEADS}/{record_id}", json={"notes": '<em>ok</em><img src=x onerror="alert(1)">'}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["notes"] == '<em>ok</em><img src="x">'
    listed = admin_client.get(LEADS, params={"fields": "notes"}).json()
    assert [row["notes"] for row in listed["items"]] == ['<em>ok</em><img src="x">']
