"""Counters in fixed time windows, kept in ``jimu_rate_limit`` (key, window_start, hits).

One row per key and window; ``bump`` adds one with a single ``INSERT ... ON CONFLICT DO UPDATE
... RETURNING hits`` (SQLite and PostgreSQL alike), so any number of processes share the counts
and two requests in the same instant both count. The rate limit and the per-form statistics of
the admin page both use it, with different key prefixes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.platform.models import RateLimitHit

HITS: sa.Table = RateLimitHit.__table__  # type: ignore[assignment]
KEY_LENGTH = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime, seconds: int) -> datetime:
    """The start (UTC) of the fixed window of ``seconds`` that holds ``now``."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def fit_key(key: str) -> str:
    """``key``, or (when longer than the column) its start and a hash of the whole."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: KEY_LENGTH - 33]}#{digest}"


def bump(conn: sa.Connection, key: str, start: datetime) -> int:
    """Add one hit to ``key`` in the window starting at ``start``; returns the hits now."""
    values = {"key": fit_key(key), "window_start": start, "hits": 1}
    insert: postgresql.Insert | sqlite.Insert
    if conn.dialect.name == "postgresql":
        insert = postgresql.insert(HITS).values(**values)
    else:
        insert = sqlite.insert(HITS).values(**values)
    stmt = insert.on_conflict_do_update(
        index_elements=[HITS.c.key, HITS.c.window_start], set_={"hits": HITS.c.hits + 1}
    ).returning(HITS.c.hits)
    return int(conn.execute(stmt).scalar_one())


def total(conn: sa.Connection, keys: Sequence[str], since: datetime | None = None) -> int:
    """The hits of ``keys`` over every window (starting at or after ``since``)."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(HITS.c.hits), 0)).where(
        HITS.c.key.in_([fit_key(k) for k in keys])
    )
    if since is not None:
        stmt = stmt.where(HITS.c.window_start >= since)
    return int(conn.execute(stmt).scalar_one())


def forget_before(conn: sa.Connection, prefix: str, before: datetime) -> int:
    """Delete the windows of keys starting with ``prefix`` that started before ``before``."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = sa.delete(HITS).where(
        HITS.c.key.like(f"{escaped}%", escape="\\"), HITS.c.window_start < before
    )
    return int(conn.execute(stmt).rowcount or 0)
