"""Waking delivery workers as soon as a transaction that enqueued commits: :data:`DELIVERIES`
(jimu.platform.wakeups) wakes this process's worker once the commit is visible, and workers in
other processes through PostgreSQL's ``NOTIFY jimu_deliveries``; else they find it at their
next poll."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.wakeups import CommitSignal

DELIVERIES = CommitSignal("deliveries", "jimu_deliveries")


def mark(conn: sa.Connection) -> None:
    """Wake the delivery workers once ``conn``'s transaction commits."""
    DELIVERIES.mark(conn)
