"""A short-lived, per-process cache of what scoped users' policies are built from.

Building a scoped user's policy reads their ``$user`` context (user, departments, the tree
below, its members, their reports), the departments above theirs and the roles they hold: seven
small queries per request, and one more for the shares of each list. :class:`PolicyCache`
keeps those inputs per (app, user) under the access revision (:mod:`.revision`) they were read
at; each use reads the revision again (one query) and rebuilds when it moved, so a role,
department, membership or share change is seen by the very next request in every process
sharing the database. Entries also expire after ``ttl`` seconds, which bounds how long a change
made behind SQLAlchemy's back (raw SQL that does not call ``revision.bump``) can go unseen.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform.access import revision
from jimu.platform.access.loading import PolicyInputs, read_inputs

#: Seconds an entry is used at most (even if the revision has not moved).
TTL_SECONDS = 30.0
#: Entries kept at most (least recently stored first out).
MAX_ENTRIES = 1024


@dataclass
class _Entry:
    revision: int
    stored_at: float
    inputs: PolicyInputs


class PolicyCache:
    def __init__(self, ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, int], _Entry] = OrderedDict()

    def inputs(self, conn: sa.Connection, app: str, user_id: int) -> PolicyInputs:
        """``user_id``'s inputs in ``app``: cached if read at the current revision."""
        # The revision first: inputs read after it are at least as new as it says.
        now_revision = revision.current(conn)
        key = (app, user_id)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if (
            entry is not None
            and entry.revision == now_revision
            and now - entry.stored_at < self.ttl
        ):
            return entry.inputs
        inputs = read_inputs(conn, app, user_id)
        inputs.shares = {}
        if not revision.raised_here(conn):  # not data this transaction may still roll back
            with self._lock:
                self._entries[key] = _Entry(now_revision, now, inputs)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return inputs

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
