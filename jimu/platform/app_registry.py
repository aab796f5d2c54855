"""One compiled ``Records`` service (and the app's roles) per published app, rebuilt after each
publish.

``Records(model)`` compiles tables, validators and formulas once; building it per request would
waste that. The registry keeps one per app and compares ``metadata_store.app_revision`` (one
small query) on every use, so a publish is picked up by the next request in every process.
Scoped users' policy inputs (roles held, departments, shares) are kept the same way, under the
access revision every org, role and share change raises (``access/cache.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform import metadata_store as store
from jimu.platform.access.cache import PolicyCache
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.access.loading import load_policy, published_roles
from jimu.platform.access.policy import RoleSpec
from jimu.platform.models import User
from jimu.platform.records import Records


@dataclass(frozen=True)
class CompiledApp:
    revision: str
    records: Records
    roles: tuple[RoleSpec, ...]


class AppRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: dict[str, CompiledApp] = {}
        #: Scoped users' policy inputs, under the access revision (see access/cache.py).
        self.policies = PolicyCache()

    def _compiled(self, conn: sa.Connection, app: str) -> CompiledApp:
        revision = store.app_revision(conn, app)
        with self._lock:
            cached = self._apps.get(app)
        if cached is not None and cached.revision == revision:
            return cached
        compiled = CompiledApp(
            revision, Records(store.load_app(conn, app)), published_roles(conn, app)
        )
        with self._lock:
            self._apps[app] = compiled
        return compiled

    def records(self, conn: sa.Connection, app: str) -> Records:
        """The ``Records`` service of the published ``app`` (the store raises if there is none).

        It is unguarded: for the system (workers, the demo loader). Requests use ``for_user``.
        """
        return self._compiled(conn, app).records

    def roles(self, conn: sa.Connection, app: str) -> tuple[RoleSpec, ...]:
        """The roles of the published ``app``."""
        return self._compiled(conn, app).roles

    def for_user(self, conn: sa.Connection, app: str, user: User) -> GuardedRecords:
        """The records of ``app`` as ``user`` may read and change them."""
        compiled = self._compiled(conn, app)
        policy = load_policy(
            conn, app, user, compiled.roles, lambda: self.policies.inputs(conn, app, user.id)
        )
        return GuardedRecords(compiled.records, policy, compiled.revision)

    def forget(self, app: str) -> None:
        with self._lock:
            self._apps.pop(app, None)
