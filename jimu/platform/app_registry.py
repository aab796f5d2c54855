"""One compiled ``Records`` service per published app, rebuilt after each publish.

``Records(model)`` compiles tables, validators and formulas once; building it per request would
waste that. The registry keeps one per app and compares ``metadata_store.app_revision`` (one
small query) on every use, so a publish is picked up by the next request in every process.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from jimu.platform import metadata_store as store
from jimu.platform.records import Records


class AppRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, tuple[str, Records]] = {}

    def records(self, conn: sa.Connection, app: str) -> Records:
        """The ``Records`` service of the published ``app`` (the store raises if there is none)."""
        revision = store.app_revision(conn, app)
        with self._lock:
            cached = self._apps.get(app)
        if cached is not None and cached[0] == revision:
            return cached[1]
        records = Records(store.load_app(conn, app))
        with self._lock:
            self._apps[app] = (revision, records)
        return records

    def forget(self, app: str) -> None:
        with self._lock:
            self._apps.pop(app, None)
