"""Flows started on a schedule (SQLite and PostgreSQL): the worker plans the next tick when the
flow is published, a tick starts one instance per live record the filter selects, a record
with a running instance is not started again, ticks missed while nothing ran fire once, and
publishing checks the cron expression and the filter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from jimu.errors import ValidationFailed
from jimu.platform.process.instances import INSTANCES
from jimu.platform.process.schedule_starts import SCHEDULES
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.state import Platform
from tests.platform.process.test_process_instances import complete, flow, tasks
from tests.platform.rules.rules_testing import APP, create, publish

HOT = {">=": [{"var": "score"}, 60]}


def _scheduled(**start: Any) -> dict[str, Any]:
    return flow(
        "weekly",
        nodes=[
            {"id": "s", "type": "start", "on": "schedule", "cron": "0 9 * * 1", **start},
            {"id": "boss", "type": "approval"},
            {"id": "ok", "type": "end"},
        ],
        edges=[{"from": "s", "to": "boss"}, {"from": "boss", "to": "ok"}],
    )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _instances(platform: Platform) -> list[tuple[int, int, str]]:
    """(instance, record, status) of the weekly flow, oldest first."""
    with platform.engine.connect() as conn:
        rows = conn.execute(
            sa.select(INSTANCES.c.id, INSTANCES.c.record_id, INSTANCES.c.status)
            .where(INSTANCES.c.app == APP, INSTANCES.c.flow == "weekly")
            .order_by(INSTANCES.c.id)
        ).all()
    return [(int(r.id), int(r.record_id), str(r.status)) for r in rows]


def _due(platform: Platform) -> datetime:
    with platform.engine.connect() as conn:
        due: datetime = conn.execute(sa.select(SCHEDULES.c.due_at)).scalar_one()
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def test_a_tick_starts_the_flow_on_each_matching_record_once(platform: Platform) -> None:
    # Monday 7 December 2026, 08:00 UTC (the app's time zone is the platform's, UTC).
    clock = Clock(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    worker = RuleWorker(platform, WorkerOptions(), clock=clock)
    publish(platform, [_scheduled(filter=HOT)])
    hot = create(platform, "lead", name="Hot", score=90)["id"]
    warm = create(platform, "lead", name="Warm", score=70)["id"]
    create(platform, "lead", name="Cold", score=10)
    worker.drain()
    assert _instances(platform) == []  # not 09:00 yet
    assert _due(platform) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    clock.now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    worker.drain()
    started = _instances(platform)
    assert [(r, s) for _, r, s in started] == [(hot, "running"), (warm, "running")]
    assert _due(platform) == datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    worker.drain()
    assert len(_instances(platform)) == 2  # one tick, one start per record

    # The hot lead's request ends; three Mondays pass while nothing runs.
    [task] = tasks(platform, started[0][0])
    assert complete(platform, task["id"], "approve") == "completed"
    clock.now = datetime(2026, 12, 29, 12, 0, tzinfo=UTC)
    worker.drain()
    after = _instances(platform)
    # Missed ticks fire once: the hot lead starts again, the warm one is still running.
    assert [(r, s) for _, r, s in after] == [
        (hot, "completed"),
        (warm, "running"),
        (hot, "running"),
    ]
    assert _due(platform) == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_without_a_filter_every_live_record_starts_and_unpublishing_drops_the_tick(
    platform: Platform,
) -> None:
    clock = Clock(datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    worker = RuleWorker(platform, WorkerOptions(), clock=clock)
    publish(platform, [_scheduled()])
    leads = [create(platform, "lead", name=f"L{i}", score=i)["id"] for i in range(3)]
    worker.drain()
    assert _instances(platform) == []  # planned after 09:00: the next tick is next Monday
    clock.now = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    worker.drain()
    assert [r for _, r, _ in _instances(platform)] == leads

    manual = flow("weekly")  # the same flow, now started by hand
    publish(platform, [manual], first=False)
    worker.drain()
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SCHEDULES)).scalar() == 0


@pytest.mark.parametrize(
    ("start", "pointer"),
    [
        ({"cron": "61 9 * * 1"}, "/nodes/0/cron"),
        ({"cron": "0 9 * *"}, "/nodes/0/cron"),
        ({"filter": {"nope": [1]}}, "/nodes/0/filter"),
    ],
)
def test_publishing_checks_the_cron_and_the_filter(
    platform: Platform, start: dict[str, Any], pointer: str
) -> None:
    publish(platform)
    with pytest.raises(ValidationFailed) as caught:
        publish(platform, [_scheduled(**start)], first=False)
    assert [e.pointer for e in caught.value.errors] == [f"flows/weekly.json#{pointer}"]


def test_cron_and_filter_go_with_a_schedule_only(platform: Platform) -> None:
    publish(platform)
    doc = _scheduled()
    doc["nodes"][0] = {"id": "s", "type": "start", "on": "manual", "cron": "0 9 * * 1"}
    with pytest.raises(ValidationFailed) as caught:
        publish(platform, [doc], first=False)
    assert [e.pointer for e in caught.value.errors] == ["flows/weekly.json#/nodes/0/cron"]
    doc["nodes"][0] = {"id": "s", "type": "start", "on": "schedule"}
    with pytest.raises(ValidationFailed, match="needs 'cron'"):
        publish(platform, [doc], first=False)


def test_a_filter_without_an_sql_form_is_applied_to_each_record(platform: Platform) -> None:
    clock = Clock(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    worker = RuleWorker(platform, WorkerOptions(), clock=clock)
    upper = {"==": [{"upper": [{"var": "name"}]}, "HOT"]}  # case rules differ per database
    publish(platform, [_scheduled(filter=upper)])
    create(platform, "lead", name="cold", score=1)
    hot = create(platform, "lead", name="hot", score=1)["id"]
    worker.drain()
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    worker.drain()
    assert [(r, s) for _, r, s in _instances(platform)] == [(hot, "running")]


def test_the_cron_preview_is_for_flow_designers(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    publish(platform)
    url = f"/api/apps/{APP}/processes/cron-preview"
    answer = admin_client.post(url, json={"cron": "0 9 * * 1"})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["times"]) == 3
    assert all("T09:00" in t for t in answer.json()["times"])
    bad = admin_client.post(url, json={"cron": "0 25 * * 1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/cron"
    assert user_client.post(url, json={"cron": "0 9 * * 1"}).status_code == 403
