"""The token cache (jimu/platform/auth/token_cache.py): a Bearer token is looked up once, and
every change to the token or its owner is seen by the next request of this process (within the
TTL for changes it cannot see: raw SQL, other processes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import assert_problem
from sqlalchemy.orm import Session
from tokens_testing import bearer_client, make_token

from jimu.platform.auth import token_cache
from jimu.platform.auth.api_tokens import issue_token, live_token
from jimu.platform.auth.crypto import digest
from jimu.platform.auth.token_cache import TokenCache
from jimu.platform.db import create_engine
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


@contextmanager
def token_reads(engine: sa.Engine) -> Iterator[list[str]]:
    """The SELECTs of ``jimu_api_token`` run on ``engine`` inside the block."""
    seen: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "jimu_api_token" in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_looked_up_once_then_served_from_the_cache(
    app: FastAPI, admin_client: TestClient, platform: Platform
) -> None:
    token, _ = make_token(admin_client)
    caller = bearer_client(app, token)
    with token_reads(platform.engine) as reads:
        for _ in range(5):
            assert caller.get("/api/auth/me").json()["user"]["username"] == "admin"
    assert len(reads) == 1
    # A wrong token is never answered from the cache.
    wrong = bearer_client(app, token + "x")
    assert_problem(wrong.get("/api/auth/me"), 401, "not_authenticated")


def test_revoking_a_token_is_seen_by_the_next_request(
    app: FastAPI, admin_client: TestClient
) -> None:
    token, created = make_token(admin_client)
    caller = bearer_client(app, token)
    assert caller.get("/api/auth/me").status_code == 200
    assert admin_client.delete(f"/api/auth/tokens/{created['id']}").status_code == 200
    assert_problem(caller.get("/api/auth/me"), 401, "not_authenticated")


def test_deactivating_or_demoting_the_owner_is_seen_by_the_next_request(
    app: FastAPI, admin_client: TestClient, user_client: TestClient, user: User
) -> None:
    token, _ = make_token(user_client)
    caller = bearer_client(app, token)
    assert_problem(caller.get("/api/admin/audit-events"), 403, "permission_denied")
    assert admin_client.patch(f"/api/users/{user.id}", json={"is_admin": True}).is_success
    assert caller.get("/api/admin/audit-events").status_code == 200
    assert admin_client.patch(f"/api/users/{user.id}", json={"is_admin": False}).is_success
    assert_problem(caller.get("/api/admin/audit-events"), 403, "permission_denied")
    assert admin_client.patch(f"/api/users/{user.id}", json={"is_active": False}).is_success
    assert_problem(caller.get("/api/auth/me"), 401, "not_authenticated")


def test_a_change_through_another_engine_of_the_process_is_seen_at_once(
    app: FastAPI, admin_client: TestClient, settings: Settings, user: User, user_client: TestClient
) -> None:
    token, _ = make_token(user_client)
    caller = bearer_client(app, token)
    assert caller.get("/api/auth/me").status_code == 200
    other = create_engine(settings.database_url)  # e.g. the CLI, run in this process
    try:
        with Session(other) as db:
            found = db.get(User, user.id)
            assert found is not None
            found.is_active = False
            db.commit()
    finally:
        other.dispose()
    assert_problem(caller.get("/api/auth/me"), 401, "not_authenticated")


def test_raw_sql_and_other_processes_are_seen_within_the_ttl(
    app: FastAPI, admin_client: TestClient, platform: Platform, user: User, user_client: TestClient
) -> None:
    clock = FakeClock()
    platform.tokens.clock = clock
    token, _ = make_token(user_client)
    caller = bearer_client(app, token)
    assert caller.get("/api/auth/me").status_code == 200
    with platform.engine.begin() as conn:  # what the generation cannot see
        conn.execute(
            sa.text("UPDATE jimu_user SET is_active = :no WHERE id = :id"),
            {
                "no": False,
                "id": user.id,
            },
        )
    assert caller.get("/api/auth/me").status_code == 200  # the documented bound
    clock.now += token_cache.TTL_SECONDS
    assert_problem(caller.get("/api/auth/me"), 401, "not_authenticated")


def test_a_lookup_that_raced_a_write_is_not_kept(platform: Platform, admin: User) -> None:
    """Read while a deactivation is written but not committed: the old row may serve that
    request, but not the next one once the writer's connection is back in the pool."""
    with platform.sessions() as db:
        issued = issue_token(db, admin, "raced")
        db.commit()
    cache = TokenCache()
    users: sa.Table = User.__table__  # type: ignore[assignment]
    with platform.engine.connect() as writer:
        writer.execute(sa.update(users).where(users.c.id == admin.id).values(is_active=False))
        with platform.sessions() as db:
            assert live_token(db, issued.token, cache) is not None  # read the committed row
        writer.commit()
    with platform.sessions() as db:
        assert live_token(db, issued.token, cache) is None
    assert cache.get(digest(issued.token)) is None


def test_an_expired_token_is_refused_from_the_cache(platform: Platform, admin: User) -> None:
    soon = datetime.now(UTC) + timedelta(minutes=5)
    with platform.sessions() as db:
        issued = issue_token(db, admin, "short", expires_at=soon)
        db.commit()
    cache = TokenCache()
    with platform.sessions() as db:
        assert live_token(db, issued.token, cache) is not None
    assert cache.get(digest(issued.token)) is not None
    cache.utcnow = lambda: soon
    assert cache.get(digest(issued.token)) is None


def test_each_use_gets_its_own_copy_of_the_rows(platform: Platform, admin: User) -> None:
    with platform.sessions() as db:
        issued = issue_token(db, admin, "copies", apps=None)
        db.commit()
    cache = TokenCache()
    with platform.sessions() as db:
        live_token(db, issued.token, cache)
    first = cache.get(digest(issued.token))
    assert first is not None
    first[1].is_admin = False
    first[0].access = "read"
    second = cache.get(digest(issued.token))
    assert second is not None and second[1].is_admin is True and second[0].access == "write"
    assert second[1] is not first[1]
    # A copy is detached, not new: a session that takes it in updates the stored row.
    with platform.sessions() as db:
        mine = db.merge(second[1])
        assert sa.inspect(mine).persistent


def test_only_live_tokens_read_at_the_current_generation_are_kept(
    platform: Platform, admin: User
) -> None:
    with platform.sessions() as db:
        issued = issue_token(db, admin, "kept")
        db.commit()
        row, user = live_token(db, issued.token) or (None, None)
    assert row is not None and user is not None
    cache = TokenCache(max_entries=2)
    read_at = token_cache.generation()
    token_cache.GENERATION.bump()
    cache.put("stale", read_at, row, user)
    assert len(cache) == 0
    now = token_cache.generation()
    for key in ("a", "b", "c"):
        cache.put(key, now, row, user)
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") is not None
    row.revoked_at = datetime.now(UTC)
    cache.put("revoked", now, row, user)
    assert cache.get("revoked") is None
