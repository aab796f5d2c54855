"""Helpers for the sign-in throttling tests: a clock the test moves, clients at addresses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jimu.platform.clock import Clock, clock
from jimu.platform.models import SignInThrottle
from jimu.platform.state import Platform

LOGIN = "/api/auth/login"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class FrozenClock:
    """The time the app sees: ``START`` until the test moves it."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def freeze(app: FastAPI) -> FrozenClock:
    frozen = FrozenClock()

    async def frozen_clock() -> Clock:
        return frozen

    app.dependency_overrides[clock] = frozen_clock
    return frozen


@contextmanager
def client_at(app: FastAPI, address: str) -> Iterator[TestClient]:
    """A client whose requests come from ``address`` (as the server sees it)."""
    with TestClient(app, client=(address, 50000)) as client:
        yield client


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post(LOGIN, json={"username": username, "password": password})


def refusal(response: httpx.Response) -> dict[str, Any]:
    """A 429 answer's body, checked against its ``Retry-After``."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == "rate_limited"
    assert response.headers["Retry-After"] == str(body["retry_after"])
    return body


def remembered(platform: Platform) -> dict[tuple[str, str], int]:
    """The failures in ``jimu_sign_in_throttle`` by (scope, key)."""
    with platform.sessions() as db:
        rows = db.execute(
            sa.select(SignInThrottle.scope, SignInThrottle.key, SignInThrottle.failures)
        )
        return {(row.scope, row.key): int(row.failures) for row in rows}
