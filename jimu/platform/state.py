"""What one running Jimu holds: its settings, database engine, session factories, the
compiled record services of its published apps and the API tokens looked up a moment ago."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from jimu.platform import data_versions
from jimu.platform.auth.token_cache import TokenCache
from jimu.platform.auth.token_cache import watch as watch_token_tables
from jimu.platform.db import PoolOptions, create_engine, session_factory, write_session_factory
from jimu.platform.reports.cache import ResultCache
from jimu.platform.settings import Settings

if TYPE_CHECKING:
    from jimu.platform.app_registry import AppRegistry


@dataclass
class Platform:
    settings: Settings
    engine: sa.Engine
    sessions: sessionmaker[Session] = field(init=False)
    #: Sessions that will write (``BEGIN IMMEDIATE`` on SQLite): a POST's request session.
    write_sessions: sessionmaker[Session] = field(init=False)
    #: Live API tokens and their owners, by digest (see auth/token_cache.py).
    tokens: TokenCache = field(init=False, default_factory=TokenCache)
    #: Chart rows under the data versions of the tables they read (reports/cache.py).
    chart_results: ResultCache = field(init=False, default_factory=ResultCache)
    _apps: AppRegistry | None = field(init=False, default=None)
    _replica: sa.Engine | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.sessions = session_factory(self.engine)
        self.write_sessions = write_session_factory(self.engine)
        # Org, role and share writes raise the access revision that policy caches are keyed by.
        from jimu.platform.access import revision

        revision.watch(self.engine)
        # Committed writes to app tables raise their data versions (cached chart results).
        data_versions.watch(self.engine)
        # Token and user writes (any engine of the process) invalidate cached token lookups.
        watch_token_tables()

    @classmethod
    def from_settings(cls, settings: Settings) -> Platform:
        pool = PoolOptions(
            size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            timeout=settings.db_pool_timeout,
        )
        return cls(settings=settings, engine=create_engine(settings.database_url, pool=pool))

    @property
    def replica(self) -> sa.Engine | None:
        """The read replica's engine (``read_replica_url``), None without one. Charts read
        their rows there; everything else, access checks included, uses the primary."""
        if self._replica is None and self.settings.read_replica_url:
            pool = PoolOptions(
                size=self.settings.db_pool_size,
                max_overflow=self.settings.db_max_overflow,
                timeout=self.settings.db_pool_timeout,
            )
            self._replica = create_engine(self.settings.read_replica_url, pool=pool)
        return self._replica

    @contextmanager
    def chart_reader(self) -> Iterator[sa.Connection | None]:
        """A connection to the read replica for the duration, or None without one."""
        replica = self.replica
        if replica is None:
            yield None
            return
        with replica.connect() as conn:
            yield conn

    @property
    def apps(self) -> AppRegistry:
        """The record services of the published apps (built on first use)."""
        if self._apps is None:
            from jimu.platform.app_registry import AppRegistry

            self._apps = AppRegistry()
        return self._apps
