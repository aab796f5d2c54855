"""The inbox API, the away dates (API and ``is_away``) and the admins' deliveries API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from platform_testing import assert_problem

from jimu.errors import ValidationFailed
from jimu.platform import notify
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.notify.worker import RetryPolicy, run_once
from jimu.platform.state import Platform


def post(platform: Platform, user: User, title: str, **about: object) -> int:
    with begin_write(platform.engine) as conn:
        return notify.post_inbox(conn, user.id, title=title, **about)  # type: ignore[arg-type]


def test_the_inbox_counts_lists_and_marks_read(
    platform: Platform, user: User, admin: User, user_client: TestClient
) -> None:
    first = post(platform, user, "New lead assigned", app="crm", entity="lead", record_id=7)
    second = post(platform, user, "Score reached 60")
    post(platform, admin, "Not yours")
    assert user_client.get("/api/notifications/unread-count").json() == {"unread": 2}
    listed = user_client.get("/api/notifications").json()
    assert [item["id"] for item in listed] == [second, first]
    assert listed[1]["link"] == "/apps/crm/lead/7"
    assert listed[0]["link"] is None
    answer = user_client.post(f"/api/notifications/{first}/read")
    assert answer.json() == {"unread": 1}
    unread = user_client.get("/api/notifications", params={"unread": "true"}).json()
    assert [item["id"] for item in unread] == [second]
    assert user_client.post("/api/notifications/read-all").json() == {"marked": 1}
    assert user_client.get("/api/notifications/unread-count").json() == {"unread": 0}
    assert all(item["read_at"] for item in user_client.get("/api/notifications").json())


def test_someone_elses_notification_is_not_found(
    platform: Platform, admin: User, user_client: TestClient
) -> None:
    theirs = post(platform, admin, "Private")
    assert_problem(user_client.post(f"/api/notifications/{theirs}/read"), 404, "not_found")


def test_a_notification_needs_a_title_and_a_whole_record_reference(
    platform: Platform, user: User
) -> None:
    with begin_write(platform.engine) as conn:
        with pytest.raises(ValidationFailed) as no_title:
            notify.post_inbox(conn, user.id, title="  ")
        with pytest.raises(ValidationFailed) as half:
            notify.post_inbox(conn, user.id, title="x", app="crm")
    assert no_title.value.errors[0].pointer == "/title"
    assert half.value.errors[0].pointer == "/record_id"


def test_users_set_their_own_away_dates(user_client: TestClient, admin_client: TestClient) -> None:
    period = {"away_from": "2026-12-24T00:00:00+08:00", "away_until": "2027-01-02T00:00:00+08:00"}
    answer = user_client.put("/api/users/me/away", json=period)
    assert answer.status_code == 200, answer.text
    shown = user_client.get("/api/users/me/away").json()
    assert datetime.fromisoformat(shown["away_from"]) == datetime(2026, 12, 23, 16, tzinfo=UTC)
    alice = next(u for u in admin_client.get("/api/users").json() if u["username"] == "alice")
    assert datetime.fromisoformat(alice["away_until"]) == datetime(2027, 1, 1, 16, tzinfo=UTC)
    cleared = user_client.put("/api/users/me/away", json={"away_from": None, "away_until": None})
    assert cleared.json() == {"away_from": None, "away_until": None}


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (
            {"away_from": "2027-01-02T00:00:00Z", "away_until": "2027-01-01T00:00:00Z"},
            "/away_until",
        ),
        ({"away_from": "2027-01-02T00:00:00"}, "/away_from"),
        ({"away_until": "0001-01-01T00:00:00+01:00"}, "/away_until"),
        ({"away_from": 325}, "/away_from"),
        ({"away_until": "1104"}, "/away_until"),
        ({"away_from": "9999-12-31T23:00:00-05:00"}, "/away_from"),
    ],
)
def test_bad_away_dates_are_refused(
    user_client: TestClient, body: dict[str, str], pointer: str
) -> None:
    problem = assert_problem(
        user_client.put("/api/users/me/away", json=body), 422, "validation_failed"
    )
    assert problem["errors"][0]["pointer"] == pointer


def test_is_away_within_the_period_only() -> None:
    start = datetime(2026, 12, 24, tzinfo=UTC)
    user = User(username="bob", away_from=start, away_until=start + timedelta(days=3))
    assert not notify.is_away(user, start - timedelta(seconds=1))
    assert notify.is_away(user, start)
    assert notify.is_away(user, start + timedelta(days=2))
    assert not notify.is_away(user, start + timedelta(days=3))
    assert not notify.is_away(User(username="x"), start)
    open_ended = User(username="y", away_from=start)
    assert notify.is_away(open_ended, start + timedelta(days=400))


def test_admins_list_dead_deliveries_and_retry_them(
    platform: Platform, admin_client: TestClient, user_client: TestClient
) -> None:
    with begin_write(platform.engine) as conn:
        dead = notify.enqueue_webhook(
            conn, url="http://127.0.0.1:9/closed", body={}, key="d", max_attempts=1
        )
    run_once(platform.engine, policy=RetryPolicy())
    assert_problem(user_client.get("/api/admin/deliveries"), 403, "permission_denied")
    listed = admin_client.get("/api/admin/deliveries", params={"status": "dead"}).json()
    assert [item["id"] for item in listed] == [dead]
    assert listed[0]["last_error"].startswith("ConnectError")
    retried = admin_client.post(f"/api/admin/deliveries/{dead}/retry").json()
    assert (retried["status"], retried["max_attempts"]) == ("pending", 2)
    assert_problem(admin_client.post(f"/api/admin/deliveries/{dead}/retry"), 409, "conflict")
    assert_problem(admin_client.post("/api/admin/deliveries/999/retry"), 404, "not_found")
