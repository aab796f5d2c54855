"""The delivery worker: claims due deliveries, sends them, records each outcome.

A claim marks rows ``sending`` and counts the attempt in a short transaction of its own
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never take the same row; on
SQLite ``BEGIN IMMEDIATE`` serialises claims). ``next_attempt_at`` then holds the end of the
claim's lease: a worker that dies mid-send leaves a row that becomes due again when the lease
ends, so every send happens at least once. The outcome is written only if the row is still the
claimed attempt; a row recorded ``sent`` is never claimed again.

Failures retry after ``backoff * 2 ** (attempts - 1)`` seconds (at most ``backoff_max``);
after ``max_attempts`` the row is ``dead`` until an admin retries it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.platform.db import begin_write, is_postgresql
from jimu.platform.models import Delivery, utcnow
from jimu.platform.notify.channels import (
    AttemptLog,
    Outgoing,
    SendFailed,
    SmtpConfig,
    send,
)

logger = logging.getLogger(__name__)
TABLE: sa.Table = Delivery.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class RetryPolicy:
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    #: How long a claimed send may take before another worker may try it again.
    lease_seconds: float = 300.0

    def delay(self, attempts: int) -> timedelta:
        seconds = self.backoff_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))


@dataclass(frozen=True)
class Claimed:
    id: int
    attempt: int
    outgoing: Outgoing


def claim(engine: sa.Engine, limit: int, policy: RetryPolicy) -> list[Claimed]:
    """Take up to ``limit`` due deliveries for this worker."""
    now = utcnow()
    due = (
        sa.select(TABLE)
        .where(TABLE.c.status.in_(("pending", "sending")), TABLE.c.next_attempt_at <= now)
        .order_by(TABLE.c.next_attempt_at, TABLE.c.id)
        .limit(limit)
    )
    with begin_write(engine) as conn:
        if is_postgresql(conn):
            due = due.with_for_update(skip_locked=True)
        rows = conn.execute(due).mappings().all()
        lease_end = now + timedelta(seconds=policy.lease_seconds)
        claimed = []
        for row in rows:
            attempt = row["attempts"] + 1
            conn.execute(
                TABLE.update()
                .where(TABLE.c.id == row["id"])
                .values(status="sending", attempts=attempt, next_attempt_at=lease_end)
            )
            outgoing = Outgoing(
                channel=row["channel"],
                target=row["target"],
                payload=bytes(row["payload"]),
                options=dict(row["options"] or {}),
                key=row["idempotency_key"],
            )
            claimed.append(Claimed(id=row["id"], attempt=attempt, outgoing=outgoing))
    return claimed


def record(
    engine: sa.Engine,
    claimed: Claimed,
    attempt: AttemptLog,
    *,
    succeeded: bool,
    policy: RetryPolicy,
    started: datetime,
) -> str | None:
    """Write the outcome of ``claimed``'s attempt; its new status, or None when the claim was
    no longer current (the lease ended and another worker took the row)."""
    now = utcnow()
    entry: dict[str, Any] = {
        "attempt": claimed.attempt,
        "at": started.isoformat(),
        "ms": round((now - started).total_seconds() * 1000, 1),
        **attempt.as_dict(),
    }
    current = (TABLE.c.id == claimed.id) & (TABLE.c.status == "sending")
    current &= TABLE.c.attempts == claimed.attempt
    with begin_write(engine) as conn:
        row = conn.execute(
            sa.select(TABLE.c.log, TABLE.c.max_attempts).where(current)
        ).one_or_none()
        if row is None:
            return None
        values: dict[str, Any] = {"log": [*(row.log or []), entry], "last_error": attempt.error}
        if succeeded:
            values.update(status="sent", sent_at=now, last_error=None)
        elif claimed.attempt >= row.max_attempts:
            values.update(status="dead")
        else:
            values.update(status="pending", next_attempt_at=now + policy.delay(claimed.attempt))
        conn.execute(TABLE.update().where(current).values(**values))
        return str(values["status"])


def deliver(
    engine: sa.Engine, claimed: Claimed, smtp: SmtpConfig | None, policy: RetryPolicy
) -> str | None:
    started = utcnow()
    try:
        attempt = send(claimed.outgoing, smtp)
    except SendFailed as failure:
        logger.warning("delivery %s attempt %s failed: %s", claimed.id, claimed.attempt, failure)
        return record(
            engine, claimed, failure.attempt, succeeded=False, policy=policy, started=started
        )
    except Exception as error:  # a bug in a channel must not stop the worker
        logger.exception("delivery %s crashed", claimed.id)
        failed = AttemptLog(error=f"{type(error).__name__}: {error}")
        return record(engine, claimed, failed, succeeded=False, policy=policy, started=started)
    return record(engine, claimed, attempt, succeeded=True, policy=policy, started=started)


def run_once(
    engine: sa.Engine,
    *,
    smtp: SmtpConfig | None = None,
    policy: RetryPolicy | None = None,
    batch: int = 20,
) -> int:
    """Claim and send one batch of due deliveries; how many were claimed."""
    policy = policy or RetryPolicy()
    claimed = claim(engine, batch, policy)
    for item in claimed:
        deliver(engine, item, smtp, policy)
    return len(claimed)
