"""Protection: the rate limit per IP and form (with a clock the test moves), sizes, lengths."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from public_forms_testing import CONTACT, HTML, FakeClock, lead_count, text_of

from jimu.platform.models import RateLimitHit
from jimu.platform.public_forms import counters
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

WHITEPAPER = "/f/marketing/whitepaper"


def person(n: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"Visitor {n}", "email": f"visitor{n}@example.com", **extra}


def post(visitor: TestClient, n: int, path: str = CONTACT, **kw: Any) -> Any:
    return visitor.post(path, data=person(n), headers=HTML, follow_redirects=False, **kw)


def test_the_eleventh_post_in_a_minute_is_refused_until_the_next_window(
    visitor: TestClient, marketing: Platform, clock: FakeClock
) -> None:
    before = lead_count(marketing)
    clock.advance(seconds=15)  # 09:00:15: the window ends at 09:01:00
    for n in range(10):
        assert post(visitor, n).status_code == 303
    refused = post(visitor, 10)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "45"
    assert "Please try again in 45 seconds" in text_of(refused.text)
    assert lead_count(marketing) == before + 10
    clock.advance(seconds=30)
    assert post(visitor, 11).status_code == 429  # still the same minute
    clock.advance(seconds=15)  # 09:01:00: a new window
    assert post(visitor, 12).status_code == 303
    assert lead_count(marketing) == before + 11


def test_the_limit_is_per_form_and_per_address(
    visitor: TestClient, marketing: Platform, clock: FakeClock
) -> None:
    for n in range(10):
        assert post(visitor, n).status_code == 303
    assert post(visitor, 10).status_code == 429
    assert post(visitor, 11, WHITEPAPER).status_code == 303  # another form
    other = TestClient(visitor.app, client=("203.0.113.9", 50000))
    assert other.post(CONTACT, data=person(12), follow_redirects=False).status_code == 303


def test_the_hourly_limit(
    visitor: TestClient, marketing: Platform, clock: FakeClock, settings: Settings
) -> None:
    settings.public_form_per_minute = 0  # only the hour counts here
    settings.public_form_per_hour = 3
    for n in range(3):
        assert post(visitor, n).status_code == 303
    clock.advance(minutes=20)
    refused = post(visitor, 3)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(40 * 60)
    clock.advance(minutes=40)
    assert post(visitor, 4).status_code == 303


def test_failed_submissions_count_too(visitor: TestClient, clock: FakeClock) -> None:
    for _ in range(10):
        bad = visitor.post(CONTACT, data={"name": ""}, follow_redirects=False)
        assert bad.status_code == 422
    assert post(visitor, 1).status_code == 429


def test_counting_works_across_processes_in_one_row_per_window(
    marketing: Platform, clock: FakeClock
) -> None:
    """Two connections bump the same key: one row, both hits counted (no lost update)."""
    start = counters.window_start(clock.now, 60)
    with marketing.engine.begin() as conn:
        assert counters.bump(conn, "public-form:60:test", start) == 1
    with marketing.engine.begin() as conn:
        assert counters.bump(conn, "public-form:60:test", start) == 2
    table: sa.Table = RateLimitHit.__table__  # type: ignore[assignment]
    with marketing.engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c.key == "public-form:60:test")).all()
    assert len(rows) == 1 and rows[0].hits == 2


def test_old_windows_are_swept(visitor: TestClient, marketing: Platform, clock: FakeClock) -> None:
    from jimu.platform.public_forms.limits import SWEEPER

    table: sa.Table = RateLimitHit.__table__  # type: ignore[assignment]
    SWEEPER._last = None  # this process sweeps on its next post
    assert post(visitor, 1).status_code == 303
    clock.advance(hours=3)
    SWEEPER._last = None
    assert post(visitor, 2).status_code == 303
    with marketing.engine.connect() as conn:
        starts = conn.execute(
            sa.select(table.c.window_start).where(table.c.key.like("public-form:%"))
        ).scalars()
        assert all(counters.window_start(s, 60) >= clock.now.replace(minute=0) for s in starts)


def test_a_body_over_the_limit_is_refused_with_413(
    visitor: TestClient, marketing: Platform
) -> None:
    before = lead_count(marketing)
    big = person(1, description="x" * (70 * 1024))
    response = visitor.post(CONTACT, data=big, headers=HTML)
    assert response.status_code == 413
    assert "larger than 64 KiB" in text_of(response.text)

    def chunks() -> Any:  # no Content-Length: read until it passes the limit
        yield b"name=x&description="
        for _ in range(100):
            yield b"y" * 1024

    chunked = visitor.post(
        CONTACT,
        content=chunks(),
        headers={**HTML, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413
    assert lead_count(marketing) == before


@pytest.mark.parametrize("chars", [5001])
def test_a_value_over_the_length_limit_is_an_error_at_its_field(
    visitor: TestClient, marketing: Platform, chars: int
) -> None:
    response = visitor.post(CONTACT, data=person(1, description="y" * chars), headers=HTML)
    assert response.status_code == 422
    assert 'id="f-description-error"' in response.text
    assert "at most 5000 characters" in text_of(response.text)


def test_other_content_types_are_refused(visitor: TestClient) -> None:
    response = visitor.post(CONTACT, files={"name": ("a.txt", b"x")}, headers=HTML)
    assert response.status_code == 422
    assert "application/x-www-form-urlencoded" in text_of(response.text)
