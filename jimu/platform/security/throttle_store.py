"""Failed password checks per address and per username, kept in ``jimu_sign_in_throttle``.

Counting is one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (SQLite and PostgreSQL
alike), so two failures at the same moment both count, in any number of processes. A check
and the count that may follow it are serialised per key by :func:`lock`: an advisory
transaction lock on PostgreSQL; on SQLite the sign-in's transaction began ``IMMEDIATE`` and
already holds the one write lock.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jimu.platform.models import SignInThrottle
from jimu.platform.security.backoff import Failures, ThrottlePolicy

THROTTLES: sa.Table = SignInThrottle.__table__  # type: ignore[assignment]
KEY_LENGTH = 200
#: The first of the two 32-bit advisory lock keys: sign-in throttling's own key space.
LOCK_NAMESPACE = 0x4A494D55  # "JIMU"
#: How often (at most, per process) forgotten failures are deleted.
SWEEP_EVERY = timedelta(minutes=10)


def fit_key(key: str) -> str:
    """``key``, or (when longer than the column) its start and a hash of the whole."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: KEY_LENGTH - 33]}#{digest}"


def lock(db: Session, keys: Iterable[tuple[str, str]]) -> None:
    """Serialise password checks on these (scope, key) pairs until the transaction ends.

    Always taken in sorted order, so two checks never wait for each other in a circle."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for scope, key in sorted(set(keys)):
        hashed = zlib.crc32(f"{scope}:{fit_key(key)}".encode())
        signed = hashed - 2**32 if hashed >= 2**31 else hashed
        pair = (sa.cast(LOCK_NAMESPACE, sa.Integer), sa.cast(signed, sa.Integer))
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(*pair)))


def read(db: Session, scope: str, key: str) -> Failures | None:
    """The failures remembered for ``key`` in ``scope`` (None if there are none)."""
    query = sa.select(THROTTLES.c.failures, THROTTLES.c.last_failure_at).where(
        THROTTLES.c.scope == scope, THROTTLES.c.key == fit_key(key)
    )
    row = db.execute(query).one_or_none()
    if row is None:
        return None
    return Failures(scope, key, int(row.failures), row.last_failure_at)


def count_failure(
    db: Session, scope: str, key: str, now: datetime, policy: ThrottlePolicy
) -> Failures:
    """Add one failure (starting again from one when the earlier ones are forgotten)."""
    column = THROTTLES.c.last_failure_at
    at = sa.bindparam("failed_at", now, type_=column.type)
    forgotten = column <= now - policy.forget_after
    insert: postgresql.Insert | sqlite.Insert
    values = {"scope": scope, "key": fit_key(key), "failures": 1, "last_failure_at": now}
    if db.get_bind().dialect.name == "postgresql":
        insert = postgresql.insert(THROTTLES).values(**values)
    else:
        insert = sqlite.insert(THROTTLES).values(**values)
    stmt = insert.on_conflict_do_update(
        index_elements=[THROTTLES.c.scope, THROTTLES.c.key],
        set_={
            "failures": sa.case((forgotten, 1), else_=THROTTLES.c.failures + 1),
            "last_failure_at": sa.case((column > at, column), else_=at),
        },
    ).returning(THROTTLES.c.failures, THROTTLES.c.last_failure_at)
    row = db.execute(stmt).one()
    return Failures(scope, key, int(row.failures), row.last_failure_at)


def forget(db: Session, scope: str, key: str) -> Failures | None:
    """Forget the failures of ``key`` in ``scope``; what was remembered (None if nothing)."""
    stmt = (
        sa.delete(THROTTLES)
        .where(THROTTLES.c.scope == scope, THROTTLES.c.key == fit_key(key))
        .returning(THROTTLES.c.failures, THROTTLES.c.last_failure_at)
    )
    row = db.execute(stmt).one_or_none()
    if row is None:
        return None
    return Failures(scope, key, int(row.failures), row.last_failure_at)


def remembered(
    db: Session, policy: ThrottlePolicy, now: datetime, limit: int = 200
) -> list[Failures]:
    """Every address and username with failures still remembered, the latest first."""
    query = (
        sa.select(THROTTLES)
        .where(THROTTLES.c.last_failure_at > now - policy.forget_after)
        .order_by(THROTTLES.c.last_failure_at.desc(), THROTTLES.c.scope, THROTTLES.c.key)
        .limit(limit)
    )
    return [
        Failures(row.scope, row.key, int(row.failures), row.last_failure_at)
        for row in db.execute(query)
    ]


class Sweeper:
    """Deletes forgotten failures now and then (not on every failure)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: datetime | None = None

    def sweep(self, db: Session, policy: ThrottlePolicy, now: datetime) -> int:
        with self._lock:
            if self._last is not None and abs(now - self._last) < SWEEP_EVERY:
                return 0
            self._last = now
        stale = THROTTLES.c.last_failure_at <= now - policy.forget_after
        if db.get_bind().dialect.name == "postgresql":
            # rows another sign-in is counting right now are skipped, never waited for (it
            # may be waiting for a row this transaction holds: a deadlock)
            claimed = (
                sa.select(THROTTLES.c.scope, THROTTLES.c.key)
                .where(stale)
                .with_for_update(skip_locked=True)
            )
            pair = sa.tuple_(THROTTLES.c.scope, THROTTLES.c.key)
            stale = pair.in_(claimed)
        result = db.execute(sa.delete(THROTTLES).where(stale))
        return int(getattr(result, "rowcount", 0) or 0)


SWEEPER = Sweeper()
