"""Alembic environment.

``jimu db upgrade`` (see ``jimu.platform.migrate``) runs this with an open connection in
``config.attributes["connection"]``; plain ``alembic`` runs use ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from jimu.platform.db import create_engine
from jimu.platform.models import metadata

VERSION_TABLE = "jimu_alembic_version"


def _configure_and_run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _configure_and_run(conn)
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
