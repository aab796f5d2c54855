"""Waking background workers the moment work they wait for is committed.

A :class:`CommitSignal` is marked by the transaction that creates work (outbox events, queued
deliveries): on PostgreSQL the mark sends ``NOTIFY <channel>`` (delivered to listeners in any
process only if the transaction commits); in this process the mark becomes a wake-up of every
subscribed :class:`threading.Event` once the commit is done and visible — when the connection
goes back to the pool, or, for a connection kept open, when its next transaction begins. A
rollback drops the mark. Workers also poll, so a missed signal only delays work, never loses it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 5.0


def base_engine(engine: sa.Engine) -> sa.Engine:
    """The engine events must be listened on: an engine made with ``execution_options`` (the
    ``BEGIN IMMEDIATE`` one) fires its base engine's events, not the other way round."""
    while (proxied := getattr(engine, "_proxied", None)) is not None:
        engine = proxied
    return engine


class CommitSignal:
    """One kind of committed work (``name``), with its PostgreSQL ``channel``."""

    def __init__(self, name: str, channel: str) -> None:
        self.name = name
        self.channel = channel
        self._pending = f"jimu.{name}.pending"
        self._committed = f"jimu.{name}.committed"
        self._lock = threading.Lock()
        self._waiters: weakref.WeakKeyDictionary[sa.Engine, set[threading.Event]] = (
            weakref.WeakKeyDictionary()
        )

    # -- the writing side -------------------------------------------------------------------

    def mark(self, conn: sa.Connection) -> None:
        """Wake the waiters once ``conn``'s transaction commits (once per transaction).

        Marking registers no listener: listeners are added when a waiter subscribes (a worker
        starting), never while other threads may be dispatching the engine's events."""
        transaction = conn.get_transaction()
        if transaction is not None and conn.info.get(self._pending) is transaction:
            return
        conn.info[self._pending] = transaction
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"NOTIFY {self.channel}")

    # -- the waiting side -------------------------------------------------------------------

    def subscribe(self, engine: sa.Engine, waiter: threading.Event) -> None:
        """Set ``waiter`` whenever a marked transaction of ``engine`` commits."""
        engine = base_engine(engine)
        self._watch(engine)
        with self._lock:
            self._waiters.setdefault(engine, set()).add(waiter)

    def unsubscribe(self, engine: sa.Engine, waiter: threading.Event) -> None:
        with self._lock:
            self._waiters.get(base_engine(engine), set()).discard(waiter)

    def listen(
        self,
        engine: sa.Engine,
        on_notify: Callable[[], None],
        stop: threading.Event,
        ready: threading.Event | None = None,
    ) -> None:
        """Call ``on_notify`` at each ``NOTIFY`` from any process until ``stop`` (a thread's
        target; PostgreSQL only); ``ready`` is set once the ``LISTEN`` is in place. A lost
        connection is opened again after a pause."""
        import psycopg

        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as listener:
                    listener.execute(f"LISTEN {self.channel}")
                    if ready is not None:
                        ready.set()
                    while not stop.is_set():
                        for _ in listener.notifies(timeout=0.5, stop_after=1):
                            on_notify()
            except psycopg.Error:
                log.warning("listening on %s failed; trying again", self.channel, exc_info=True)
                stop.wait(RECONNECT_SECONDS)

    # -- the hooks --------------------------------------------------------------------------

    def _watch(self, engine: sa.Engine) -> None:
        if event.contains(engine, "commit", self._on_commit):
            return
        with self._lock:
            if event.contains(engine, "commit", self._on_commit):
                return
            event.listen(engine, "commit", self._on_commit)
            event.listen(engine, "rollback", self._on_rollback)
            event.listen(engine, "begin", self._on_begin)
            event.listen(engine.pool, "checkin", self._checkin_hook(engine))

    def _on_commit(self, conn: sa.Connection) -> None:
        # The event comes *before* the database commits: a worker woken now could look before
        # the work is visible and sleep on it. So the wake waits for check-in or next begin.
        if conn.info.pop(self._pending, None) is not None:
            conn.info[self._committed] = True

    def _on_rollback(self, conn: sa.Connection) -> None:
        conn.info.pop(self._pending, None)

    def _on_begin(self, conn: sa.Connection) -> None:
        if conn.info.pop(self._committed, False):
            self._wake(base_engine(conn.engine))

    def _checkin_hook(self, engine: sa.Engine) -> Callable[[Any, Any], None]:
        ref = weakref.ref(engine)

        def on_checkin(_dbapi_connection: Any, record: Any) -> None:
            if record is not None and record.info.pop(self._committed, False):
                target = ref()
                if target is not None:
                    self._wake(target)

        return on_checkin

    def _wake(self, engine: sa.Engine) -> None:
        with self._lock:
            waiters = list(self._waiters.get(engine, ()))
        for waiter in waiters:
            waiter.set()
