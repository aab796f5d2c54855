from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jimu.platform.db import create_engine
from jimu.platform.migrate import (
    VERSION_TABLE,
    current_revision,
    downgrade,
    head_revision,
    is_up_to_date,
    migrations_dir,
    upgrade,
)
from jimu.platform.models import metadata


def test_upgrade_matches_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert is_up_to_date(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_upgrade_twice_is_a_no_op_and_downgrade_removes_everything(db_url: str) -> None:
    engine = create_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(sa.inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    downgrade(engine, "base")
    left = set(sa.inspect(engine).get_table_names()) & set(metadata.tables)
    assert left == set()
    engine.dispose()


def test_migrations_folder_ships_beside_the_package() -> None:
    folder = migrations_dir()
    assert (folder / "env.py").is_file()
    assert (folder / "script.py.mako").is_file()
    assert list((folder / "versions").glob("*.py"))
