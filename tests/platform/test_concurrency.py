"""Concurrent load against a real uvicorn server: one connection per request at a time, SQLite
writes that wait for their lock, a full pool answered 503, long work off the event loop.

The server's pool is kept tiny (``POOL``), so a request that held one connection while asking
for a second would starve the others and time out; here every answer must still be a 2xx.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from live_server import serve
from platform_testing import ADMIN_PASSWORD

from jimu.app import create_app
from jimu.engines.form.naming import table_name
from jimu.platform.auth.api_tokens import issue_token
from jimu.platform.auth.sessions import as_utc
from jimu.platform.db import begin_write, create_engine
from jimu.platform.models import Session as SessionRow
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

CONCURRENT = 20
#: Two connections for twenty concurrent requests; a wait of 20 s would be a starved request.
POOL = {"db_pool_size": 2, "db_max_overflow": 0, "db_pool_timeout": 20.0}
LEADS = "/api/apps/crm/entities/lead/records"
TIMEOUT = httpx.Timeout(60.0)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", database_url=db_url, secret_key="test-secret", **POOL
    )


@pytest.fixture
def server(platform: Platform, crm: str, admin: User) -> Iterator[str]:
    with serve(create_app(platform=platform)) as base:
        yield base


def new_token(platform: Platform, user: User) -> str:
    with platform.sessions() as db:
        token = issue_token(db, user, f"load {time.time()}").token
        db.commit()
    return token


Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def burst(
    base: str, calls: list[Call], cookies: httpx.Cookies | None = None
) -> list[httpx.Response]:
    """Run ``calls`` at once, each on a client of its own; their answers in order."""

    async def run() -> list[httpx.Response]:
        clients = [
            httpx.AsyncClient(base_url=base, timeout=TIMEOUT, cookies=cookies) for _ in calls
        ]
        try:
            return list(
                await asyncio.gather(*(c(cl) for c, cl in zip(calls, clients, strict=True)))
            )
        finally:
            for client in clients:
                await client.aclose()

    return asyncio.run(run())


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [r.status_code for r in responses]


def failures(responses: list[httpx.Response], ok: set[int]) -> list[str]:
    return [f"{r.status_code} {r.text[:300]}" for r in responses if r.status_code not in ok]


def signed_in_cookies(base: str) -> tuple[httpx.Cookies, str]:
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        answer = client.post(
            "/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return client.cookies, str(answer.json()["csrf_token"])


def test_concurrent_token_reads_hold_one_connection_each(
    server: str, platform: Platform, admin: User
) -> None:
    token = new_token(platform, admin)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server, headers=auth, timeout=TIMEOUT) as client:
        created = client.post(LEADS, json={"name": "Read me"})
        assert created.status_code == 201, created.text
    record = f"{LEADS}/{created.json()['id']}"

    async def get(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get(record, headers=auth)

    answers = burst(server, [get] * CONCURRENT)
    assert failures(answers, {200}) == []


def test_concurrent_list_pages_while_sessions_are_touched(
    server: str, platform: Platform, admin: User
) -> None:
    cookies, _ = signed_in_cookies(server)
    stale = datetime.now(UTC) - timedelta(minutes=5)  # every page is due to touch the session
    with begin_write(platform.engine) as conn:
        conn.execute(sa.update(SessionRow.__table__).values(last_seen_at=stale))  # type: ignore[arg-type]

    async def page(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/apps/crm/lead", headers={"Accept": "text/html"})

    answers = burst(server, [page] * CONCURRENT, cookies=cookies)
    assert failures(answers, {200}) == []
    assert all(a.headers["content-type"].startswith("text/html") for a in answers)
    with platform.sessions() as db:
        seen = db.scalars(sa.select(SessionRow.last_seen_at)).one()
    assert as_utc(seen) > stale + timedelta(minutes=4)


def test_concurrent_sign_ins_all_succeed(server: str) -> None:
    async def sign_in(client: httpx.AsyncClient) -> httpx.Response:
        body = {"username": "admin", "password": ADMIN_PASSWORD}
        return await client.post("/api/auth/login", json=body)

    answers = burst(server, [sign_in] * 6)
    assert failures(answers, {200}) == []
    assert len({a.json()["csrf_token"] for a in answers}) == 6


def test_concurrent_creates_and_updates_all_succeed(
    server: str, platform: Platform, admin: User
) -> None:
    token = new_token(platform, admin)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server, headers=auth, timeout=TIMEOUT) as client:
        target = client.post(LEADS, json={"name": "Update me"}).json()["id"]

    def create(n: int) -> Call:
        async def call(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post(LEADS, json={"name": f"Lead {n}"}, headers=auth)

        return call

    def update(n: int) -> Call:
        async def call(client: httpx.AsyncClient) -> httpx.Response:
            return await client.patch(f"{LEADS}/{target}", json={"amount": n}, headers=auth)

        return call

    calls = [create(n) if n % 2 else update(n) for n in range(CONCURRENT)]
    answers = burst(server, calls)
    assert failures(answers, {200, 201}) == []
    with httpx.Client(base_url=server, headers=auth, timeout=TIMEOUT) as client:
        listed = client.get(LEADS, params={"count": "true"}).json()
        current = client.get(f"{LEADS}/{target}").json()
    assert listed["total"] == 1 + CONCURRENT // 2
    assert current["version"] == 1 + CONCURRENT // 2


def test_a_full_pool_answers_503_with_retry_after_quickly(
    settings: Settings, crm: str, admin: User, platform: Platform
) -> None:
    token = new_token(platform, admin)
    tiny = Platform.from_settings(
        settings.model_copy(
            update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.5}
        )
    )
    try:
        with serve(create_app(platform=tiny)) as base:
            auth = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=auth, timeout=TIMEOUT) as client:
                assert client.get(LEADS).status_code == 200
                with tiny.engine.connect():  # the only connection, held
                    started = time.monotonic()
                    busy = client.get(LEADS)
                    waited = time.monotonic() - started
                assert client.get(LEADS).status_code == 200
    finally:
        tiny.engine.dispose()
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "1"
    assert busy.headers["content-type"].startswith("application/problem+json")
    assert busy.json()["code"] == "overloaded"
    assert waited < 5


@contextmanager
def lead_table_locked(url: str) -> Iterator[None]:
    """The lead table write-locked (SQLite: the whole database) from a connection outside the
    server's pool, for as long as the block runs."""
    held, release = threading.Event(), threading.Event()
    engine = create_engine(url)

    def hold() -> None:
        with begin_write(engine) as conn:  # SQLite: BEGIN IMMEDIATE takes the write lock
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f'LOCK TABLE "{table_name("crm", "lead")}"')
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        assert held.wait(10)
        yield
    finally:
        release.set()
        holder.join(10)
        engine.dispose()


def test_an_import_waiting_for_the_database_does_not_block_other_requests(
    server: str, platform: Platform, admin: User, db_url: str
) -> None:
    token = new_token(platform, admin)
    auth = {"Authorization": f"Bearer {token}"}
    data = b"Name,Amount\nImported One,5\nImported Two,7\n"
    with httpx.Client(base_url=server, headers=auth, timeout=TIMEOUT) as client:
        assert client.get(LEADS).status_code == 200  # the token's last use is written now
        answers: list[httpx.Response] = []
        post = functools.partial(
            client.post,
            f"{LEADS}/import",
            files={"file": ("leads.csv", data, "text/csv")},
            data={"dry_run": "false"},
        )
        importing = threading.Thread(target=lambda: answers.append(post()))
        with lead_table_locked(db_url):
            importing.start()
            time.sleep(1)  # the import is waiting for the lock now
            with httpx.Client(base_url=server, timeout=5) as other:
                health = other.get("/api/health")
            assert health.status_code == 200
            assert importing.is_alive(), "the import did not wait for the lock"
        importing.join(60)
    assert answers and answers[0].status_code == 200, answers and answers[0].text
    assert len(answers[0].json()["created"]) == 2
