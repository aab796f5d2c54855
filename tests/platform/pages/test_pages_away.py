"""The away dates on the account's security page: wall times in the user's time zone, stored
as UTC, shown again in the form; bad input is shown per field and nothing is saved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import HTML, page_login, post_form
from platform_testing import USER_PASSWORD

from jimu.platform.models import User
from jimu.platform.state import Platform


@pytest.fixture
def alice(app: FastAPI, platform: Platform, user: User) -> Iterator[TestClient]:
    with platform.sessions() as db:
        row = db.get(User, user.id)
        assert row is not None
        row.time_zone = "Asia/Shanghai"
        db.commit()
    with TestClient(app) as client:
        assert page_login(client, "alice", USER_PASSWORD).status_code == 303
        yield client


def stored(platform: Platform, user: User) -> tuple[datetime | None, datetime | None]:
    with platform.sessions() as db:
        row = db.get(User, user.id)
        assert row is not None
        return row.away_from, row.away_until


def test_away_dates_are_saved_in_the_users_time_zone(
    alice: TestClient, platform: Platform, user: User
) -> None:
    period = {"away_from": "2026-12-24T09:00", "away_until": "2027-01-02T09:00"}
    answer = post_form(alice, "/account/security", "/account/away", period)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account/security?notice=saved"
    assert stored(platform, user) == (
        datetime(2026, 12, 24, 1, tzinfo=UTC),
        datetime(2027, 1, 2, 1, tzinfo=UTC),
    )
    page = alice.get("/account/security", headers=HTML).text
    assert 'value="2026-12-24T09:00"' in page and 'value="2027-01-02T09:00"' in page
    cleared = post_form(alice, "/account/security", "/account/away", {})
    assert cleared.status_code == 303
    assert stored(platform, user) == (None, None)


@pytest.mark.parametrize(
    ("period", "field", "message"),
    [
        (
            {"away_from": "2027-01-02T09:00", "away_until": "2027-01-01T09:00"},
            "away_until",
            "Must be later than the start.",
        ),
        ({"away_from": "soon"}, "away_from", "Not a date and time."),
        ({"away_until": "0001-01-01T01:00"}, "away_until", "Not a date and time."),
    ],
)
def test_bad_away_dates_are_shown_on_the_field(
    alice: TestClient,
    platform: Platform,
    user: User,
    period: dict[str, str],
    field: str,
    message: str,
) -> None:
    answer = post_form(alice, "/account/security", "/account/away", period)
    assert answer.status_code == 422
    assert f'id="{field}-errors"' in answer.text and message in answer.text
    assert stored(platform, user) == (None, None)
