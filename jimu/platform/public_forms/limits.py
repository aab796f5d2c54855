"""Protection of the anonymous routes: rate limit per client IP and form, body size, lengths.

The rate limit counts fixed windows (a minute and an hour by default, from the settings) in
``jimu_rate_limit`` under ``public-form:<seconds>:<app>/<slug>:<ip>``. Every post counts,
refused ones too, so a client over the limit stays refused until the window ends;
``Retry-After`` says when that is. The clock is a FastAPI dependency (``clock``), so tests move
time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends
from starlette.requests import Request

from jimu.errors import JimuError
from jimu.platform.db import begin_write
from jimu.platform.models import utcnow
from jimu.platform.public_forms import counters
from jimu.platform.settings import Settings

KEY_PREFIX = "public-form:"
#: How often (at most, per process) windows that ended long ago are deleted.
SWEEP_EVERY = timedelta(minutes=10)

Clock = Callable[[], datetime]


def clock() -> Clock:
    """The current time (UTC); tests override this dependency to move time."""
    return utcnow


ClockDep = Annotated[Clock, Depends(clock)]


class TooManySubmissions(JimuError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many submissions from your address. Try again in {retry_after} seconds.",
            code="rate_limited",
            status=429,
            extra={"retry_after": retry_after},
        )

    @property
    def retry_after(self) -> int:
        return int(self.extra["retry_after"])


class TooLarge(JimuError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The submission is larger than {limit} bytes.", code="too_large", status=413
        )


@dataclass(frozen=True)
class Window:
    seconds: int
    limit: int


def windows(settings: Settings) -> list[Window]:
    found = [
        Window(60, settings.public_form_per_minute),
        Window(3600, settings.public_form_per_hour),
    ]
    return [w for w in found if w.limit > 0]


def client_ip(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, let uvicorn's
    ``--forwarded-allow-ips`` put the real one there; a header is never trusted here)."""
    return request.client.host if request.client is not None else "unknown"


class Sweeper:
    """Deletes finished windows of the rate limit now and then (not on every request)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        with self._lock:
            if self._last is not None and abs(now - self._last) < SWEEP_EVERY:
                return False
            self._last = now
            return True


SWEEPER = Sweeper()


def check_rate(
    engine: sa.Engine, settings: Settings, app: str, slug: str, ip: str, now: datetime
) -> None:
    """Count this submission; ``TooManySubmissions`` when a window's limit is exceeded.

    Runs in a transaction of its own, so refused and failed submissions count too.
    """
    retry_after = 0
    found = windows(settings)
    with begin_write(engine) as conn:
        for window in found:
            start = counters.window_start(now, window.seconds)
            key = f"{KEY_PREFIX}{window.seconds}:{app}/{slug}:{ip}"
            if counters.bump(conn, key, start) > window.limit:
                ends = start + timedelta(seconds=window.seconds)
                retry_after = max(retry_after, math.ceil((ends - now).total_seconds()), 1)
        if found and SWEEPER.due(now):
            longest = max(w.seconds for w in found)
            counters.forget_before(conn, KEY_PREFIX, now - timedelta(seconds=2 * longest))
    if retry_after:
        raise TooManySubmissions(retry_after)


def too_long(value: object, limit: int) -> bool:
    """Whether a submitted value (or any text inside it) is longer than ``limit`` characters."""
    if isinstance(value, str):
        return len(value) > limit
    if isinstance(value, list):
        return any(too_long(v, limit) for v in value)
    if isinstance(value, dict):
        return any(too_long(v, limit) for v in value.values())
    return False
