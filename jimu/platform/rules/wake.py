"""A committed write wakes the rule worker at once: every write path step that stores outbox
events marks :data:`OUTBOX_WRITTEN` (see jimu.platform.wakeups: in this process once the commit is
visible, in others through PostgreSQL's ``NOTIFY jimu_outbox``)."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.records.pipeline import StoredBatch
from jimu.platform.wakeups import CommitSignal

OUTBOX_WRITTEN = CommitSignal("outbox", "jimu_outbox")


def signal_outbox(conn: sa.Connection, batch: StoredBatch) -> None:
    """After-store step: mark the transaction as one that wrote events."""
    mark_written(conn)


def mark_written(conn: sa.Connection) -> None:
    """Wake the rule workers when ``conn``'s transaction, which wrote outbox events, commits."""
    OUTBOX_WRITTEN.mark(conn)
