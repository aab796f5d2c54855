"""Files on process comments and decisions through the API: upload for an instance (whoever may
comment), attach to a comment or a decision (only the uploader's own unclaimed uploads for that
instance), download (whoever may read the instance), and ``jimu files gc`` keeping the files a
timeline holds."""

# ruff: noqa: F811 (the fixtures imported from the approval actions tests are used by name)
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from jimu.platform.db import begin_write
from jimu.platform.process.instances import STEPS
from jimu.platform.records.attachments import FOLDER
from jimu.platform.records.file_gc import collect_garbage
from jimu.platform.records.file_owners import FILES
from jimu.platform.state import Platform
from tests.platform.process.approvals_testing import Org
from tests.platform.process.test_approval_actions_api import (  # noqa: F401 (fixtures)
    BASE,
    People,
    _started,
    _task,
    org,
    people,
    review,
)
from tests.platform.records.test_file_gc import age


def _upload(client: TestClient, instance: int, name: str, content: bytes, media_type: str) -> Any:
    return client.post(
        f"{BASE}/instances/{instance}/files", files={"file": (name, content, media_type)}
    )


def _uploaded(client: TestClient, instance: int, name: str, content: bytes) -> dict[str, Any]:
    response = _upload(client, instance, name, content, "text/plain")
    assert response.status_code == 201, response.text
    return dict(response.json())


def _steps(platform: Platform, instance: int) -> int:
    with platform.engine.connect() as conn:
        query = sa.select(sa.func.count()).where(STEPS.c.instance_id == instance)
        return int(conn.execute(query).scalar_one())


def _claimed(platform: Platform, key: str) -> bool:
    with platform.engine.connect() as conn:
        query = sa.select(FILES.c.claimed_at).where(FILES.c.key == key)
        return conn.execute(query).scalar_one() is not None


def test_a_comment_attaches_files_that_readers_download(
    platform: Platform, review: Org, people: People, admin_client: TestClient
) -> None:
    instance = _started(people.ann, "review")["id"]
    other = _started(people.ann, "review")["id"]
    answer = _upload(people.ann, instance, "../Quote <1>.txt", b"price: 42", "text/plain; x=1")
    assert answer.status_code == 201, answer.text
    quote = answer.json()
    assert set(quote) == {"key", "name", "size", "type"}
    assert (quote["name"], quote["size"], quote["type"]) == ("Quote <1>.txt", 9, "text/plain")
    assert (platform.settings.data_dir / FOLDER / quote["key"]).read_bytes() == b"price: 42"
    assert not _claimed(platform, quote["key"])
    # Before a comment claims it, nobody downloads it.
    early = people.ann.get(f"{BASE}/instances/{instance}/files/{quote['key']}")
    assert early.status_code == 404
    sent = {**quote, "name": "renamed.exe", "size": 1, "type": "application/x-msdownload"}
    said = people.ann.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "", "attachments": [sent]}
    )
    assert said.status_code == 201, said.text
    event = people.ann.get(f"{BASE}/instances/{instance}").json()["trace"][-1]["event"]
    assert event["type"] == "comment" and event["attachments"] == [quote]
    got = people.ann.get(f"{BASE}/instances/{instance}/files/{quote['key']}")
    assert got.status_code == 200 and got.content == b"price: 42"
    assert got.headers["content-type"].startswith("text/plain")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "Quote" in got.headers["content-disposition"]
    # A flow designer reads the instance, so downloads; a stranger does not.
    assert admin_client.get(f"{BASE}/instances/{instance}/files/{quote['key']}").status_code == 200
    assert people.frank.get(f"{BASE}/instances/{instance}/files/{quote['key']}").status_code == 403
    # Only through its own instance, and only known keys.
    assert people.ann.get(f"{BASE}/instances/{other}/files/{quote['key']}").status_code == 404
    assert people.ann.get(f"{BASE}/instances/{instance}/files/{'0' * 32}").status_code == 404
    assert people.ann.get(f"{BASE}/instances/999999/files/{quote['key']}").status_code == 404
    # A comment needs a text or a file.
    empty = people.ann.post(f"{BASE}/instances/{instance}/comments", json={"text": " "})
    assert empty.status_code == 422 and "/text" in empty.text


def test_a_decision_attaches_files(platform: Platform, review: Org, people: People) -> None:
    started = _started(people.ann, "review")
    instance = started["id"]
    [draft] = started["tasks"]
    plan = _uploaded(people.ann, instance, "plan.txt", b"the plan")
    done = people.ann.post(
        f"{BASE}/tasks/{draft['id']}/complete",
        json={"comment": "See the plan", "attachments": [{"key": plan["key"]}]},
    )
    assert done.status_code == 200, done.text
    trace = people.ann.get(f"{BASE}/instances/{instance}").json()["trace"]
    decided = next(s["event"] for s in trace if s["event"]["type"] == "task_done")
    assert decided["comment"] == "See the plan" and decided["attachments"] == [plan]
    # The manager now has a task in it: he reads (and downloads) what the draft attached.
    got = people.bob.get(f"{BASE}/instances/{instance}/files/{plan['key']}")
    assert got.status_code == 200 and got.content == b"the plan"


def test_only_the_uploaders_own_unclaimed_uploads_for_the_instance_are_attached(
    platform: Platform, review: Org, people: People
) -> None:
    started = _started(people.ann, "review")
    instance = started["id"]
    other = _started(people.ann, "review")["id"]
    # Whoever may not comment may not upload: a stranger, an unknown instance.
    assert _upload(people.frank, instance, "x.txt", b"x", "text/plain").status_code == 403
    assert _upload(people.ann, 999999, "x.txt", b"x", "text/plain").status_code == 404
    people.ann.post(f"{BASE}/tasks/{started['tasks'][0]['id']}/complete", json={})
    mgr = _task(people.ann, instance, "mgr")
    bobs = _uploaded(people.bob, instance, "bob.txt", b"bob's")
    elsewhere = _uploaded(people.ann, other, "other.txt", b"other")
    mine = _uploaded(people.ann, instance, "mine.txt", b"mine")
    before = _steps(platform, instance)
    for attached in (bobs, elsewhere, {"key": "0" * 32}):
        refused = people.ann.post(
            f"{BASE}/instances/{instance}/comments",
            json={"text": "see", "attachments": [attached, mine]},
        )
        assert refused.status_code == 422, refused.text
        errors = refused.json()["errors"]
        assert [e["pointer"] for e in errors] == ["/attachments/0"], errors
    twice = people.ann.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "x", "attachments": [mine, mine]}
    )
    assert twice.status_code == 422
    assert [e["pointer"] for e in twice.json()["errors"]] == ["/attachments/1"]
    # Not the decision either, and the task stays open.
    decision = people.bob.post(
        f"{BASE}/tasks/{mgr['id']}/complete", json={"outcome": "approve", "attachments": [mine]}
    )
    assert decision.status_code == 422
    assert [e["pointer"] for e in decision.json()["errors"]] == ["/attachments/0"]
    assert _task(people.ann, instance, "mgr")["id"] == mgr["id"]
    # Nothing was written: no step, every upload still unclaimed and usable by its owner.
    assert _steps(platform, instance) == before
    assert not any(_claimed(platform, f["key"]) for f in (bobs, elsewhere, mine))
    said = people.ann.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "ok", "attachments": [mine]}
    )
    assert said.status_code == 201, said.text
    again = people.bob.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "me too", "attachments": [mine]}
    )
    assert again.status_code == 422
    reuse = people.ann.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "again", "attachments": [mine]}
    )
    assert reuse.status_code == 422 and "attached already" in reuse.text
    # A comment file is no record's file: a record write cannot claim it.
    with platform.engine.connect() as conn:
        row = conn.execute(sa.select(FILES).where(FILES.c.key == bobs["key"])).one()
    assert row.instance_id == instance and row.record_id is None and row.entity == ""


def test_gc_keeps_the_files_a_timeline_holds_and_collects_old_unclaimed_ones(
    platform: Platform, review: Org, people: People
) -> None:
    instance = _started(people.ann, "review")["id"]
    kept = _uploaded(people.ann, instance, "kept.txt", b"kept")
    left = _uploaded(people.ann, instance, "left.txt", b"left behind")
    fresh = _uploaded(people.ann, instance, "fresh.txt", b"fresh")
    said = people.ann.post(
        f"{BASE}/instances/{instance}/comments", json={"text": "x", "attachments": [kept]}
    )
    assert said.status_code == 201, said.text
    folder = platform.settings.data_dir / FOLDER
    for value in (kept, left):
        age(platform, folder / value["key"], 48)
    with begin_write(platform.engine) as conn:
        report = collect_garbage(conn, platform.settings.data_dir, dry_run=False)
    assert left["key"] in report.deleted and kept["key"] not in report.deleted
    assert fresh["key"] not in report.deleted and (folder / fresh["key"]).exists()
    assert (folder / kept["key"]).exists() and not (folder / left["key"]).exists()
    got = people.ann.get(f"{BASE}/instances/{instance}/files/{kept['key']}")
    assert got.status_code == 200 and got.content == b"kept"
