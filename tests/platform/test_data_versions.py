"""Data versions (SQLite and PostgreSQL): raised at commit by Core, ORM and raw writes to app
tables, never by a rollback or by the platform's own tables, invisible to others until the
commit, and on PostgreSQL no lock that makes concurrent writers of a table wait for each other's
transactions."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from jimu.platform import data_versions
from jimu.platform.models import Revision
from jimu.platform.records.fastinsert import insert_values
from jimu.platform.state import Platform

METADATA = sa.MetaData()
ITEMS = sa.Table(
    "shop_item",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50)),
)
OTHER = sa.Table("shop_other", METADATA, sa.Column("id", sa.Integer, primary_key=True))
REVISIONS: sa.Table = Revision.__table__  # type: ignore[assignment]


@pytest.fixture
def engine(platform: Platform) -> sa.Engine:
    METADATA.create_all(platform.engine)
    return platform.engine


def version(engine: sa.Engine, table: str = "shop_item") -> int:
    with engine.connect() as conn:
        return data_versions.versions(conn, [table])[0]


def test_committed_writes_raise_rollbacks_do_not(engine: sa.Engine) -> None:
    assert version(engine) == 0
    with engine.begin() as conn:
        conn.execute(ITEMS.insert(), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        conn.execute(ITEMS.update().where(ITEMS.c.id == 1).values(name="c"))
    assert version(engine) == 1  # once per transaction
    with engine.connect() as conn:
        with conn.begin():
            conn.execute(ITEMS.delete().where(ITEMS.c.id == 2))
            assert data_versions.pending(conn) == {"shop_item"}
            with engine.connect() as other:  # not before the commit
                assert data_versions.versions(other, ["shop_item"]) == (1,)
        assert version(engine) == 2
        transaction = conn.begin()
        conn.execute(ITEMS.delete())
        transaction.rollback()
        assert data_versions.pending(conn) == frozenset()
        with conn.begin():  # a rolled-back transaction leaves nothing for the next one
            conn.execute(sa.select(ITEMS.c.id)).all()
    assert version(engine) == 2
    with engine.begin() as conn:  # raw SQL through insert_values (COPY on PostgreSQL)
        insert_values(conn, ITEMS, ("id", "name"), [(7, "raw")])
    assert version(engine) == 3
    with engine.begin() as conn:  # other tables have versions of their own
        conn.execute(OTHER.insert().values(id=1))
    assert (version(engine), version(engine, "shop_other")) == (3, 1)


def test_the_platforms_own_tables_have_no_version(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(REVISIONS.insert().values(name="unrelated", value=5))
    with engine.connect() as conn:
        names = list(conn.scalars(sa.select(REVISIONS.c.name)))
    assert names == ["unrelated"]
    assert data_versions.tracked("jimu_record_history")  # funnels read it
    assert data_versions.tracked("jimu_user")  # charts show owners' names
    assert not data_versions.tracked("jimu_role_assignment")


def test_a_version_is_the_sum_of_its_shards(engine: sa.Engine) -> None:
    connections = [engine.connect() for _ in range(data_versions.SHARDS + 1)]
    try:
        for n, conn in enumerate(connections):
            with conn.begin():
                conn.execute(ITEMS.insert().values(id=100 + n, name="x"))
        with engine.connect() as conn:
            shards = conn.scalars(
                sa.select(REVISIONS.c.name).where(REVISIONS.c.name.like("data:shop_item#%"))
            ).all()
    finally:
        for conn in connections:
            conn.close()
    assert len(shards) > 1
    assert version(engine) == data_versions.SHARDS + 1


def test_concurrent_writers_of_a_table_do_not_wait_for_each_other(
    engine: sa.Engine, db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    first, second = engine.connect(), engine.connect()
    # The same counter row for both: the worst case.
    first.info["jimu_data_shard"] = second.info["jimu_data_shard"] = 0
    try:
        first.begin()
        first.execute(ITEMS.insert().values(id=1, name="first"))
        second.begin()
        # Any lock wait fails at once instead of waiting for the first transaction to end.
        second.exec_driver_sql("SET LOCAL lock_timeout = '1ms'")
        second.execute(ITEMS.insert().values(id=2, name="second"))
        second.execute(ITEMS.update().where(ITEMS.c.id == 2).values(name="again"))
        with engine.connect() as third:  # nobody holds the counter rows during the work
            third.exec_driver_sql("SET lock_timeout = '1ms'")
            locked = sa.select(REVISIONS.c.name).with_for_update(nowait=True)
            third.execute(locked).all()
        done = threading.Event()

        def commit_second() -> None:
            second.commit()
            done.set()

        worker = threading.Thread(target=commit_second)
        worker.start()
        worker.join(timeout=30)
        assert done.is_set()  # the first transaction is still open
        first.commit()
    finally:
        first.close()
        second.close()
    assert version(engine) == 2
