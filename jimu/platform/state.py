"""What one running Jimu holds: its settings, database engine, session factories and the
compiled record services of its published apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from jimu.platform.db import PoolOptions, create_engine, session_factory, write_session_factory
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
    _apps: AppRegistry | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.sessions = session_factory(self.engine)
        self.write_sessions = write_session_factory(self.engine)
        # Org, role and share writes raise the access revision that policy caches are keyed by.
        from jimu.platform.access import revision

        revision.watch(self.engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Platform:
        pool = PoolOptions(
            size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            timeout=settings.db_pool_timeout,
        )
        return cls(settings=settings, engine=create_engine(settings.database_url, pool=pool))

    @property
    def apps(self) -> AppRegistry:
        """The record services of the published apps (built on first use)."""
        if self._apps is None:
            from jimu.platform.app_registry import AppRegistry

            self._apps = AppRegistry()
        return self._apps
