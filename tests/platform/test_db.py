from __future__ import annotations

import pytest
import sqlalchemy as sa

from jimu.platform.db import (
    PoolOptions,
    begin_write,
    create_engine,
    normalize_url,
    read_only,
    session_factory,
    will_write,
    write_after_read,
    write_session_factory,
)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h:5432/d", "postgresql+psycopg"),
        ("postgres://u@h/d", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_normalize_url(url: str, driver: str) -> None:
    assert normalize_url(url).drivername == driver


def test_ddl_rolls_back_with_the_transaction(db_url: str) -> None:
    engine = create_engine(db_url)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE doomed (x INTEGER)"))
        raise RuntimeError("fail after DDL")
    assert "doomed" not in sa.inspect(engine).get_table_names()
    with begin_write(engine) as conn:
        conn.execute(sa.text("CREATE TABLE kept (x INTEGER)"))
    assert "kept" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/fk.db")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE child (id INTEGER, p INTEGER REFERENCES parent(id))"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO child VALUES (1, 42)"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_json_keeps_non_ascii_text(db_url: str) -> None:
    engine = create_engine(db_url)
    table = sa.Table("j", sa.MetaData(), sa.Column("v", sa.JSON))
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), {"v": {"zh": "线索"}})
        assert conn.execute(sa.select(table.c.v)).scalar() == {"zh": "线索"}
    engine.dispose()


def test_postgresql_plans_each_statement_with_its_values(db_url: str) -> None:
    """No statement becomes a server-side prepared one (whose generic plan ignores the values
    of scopes and filters), however often it runs."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            for owner in range(12):
                conn.execute(sa.text("SELECT :owner + 1"), {"owner": owner}).scalar_one()
            prepared = conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared.scalar_one() == 0
    finally:
        engine.dispose()


def test_sqlite_busy_timeout_is_set(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/busy.db")
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 30_000
    engine.dispose()


def test_the_pool_is_bounded_by_its_options(db_url: str) -> None:
    engine = create_engine(db_url, pool=PoolOptions(size=1, max_overflow=0, timeout=0.2))
    try:
        with engine.connect(), pytest.raises(sa.exc.TimeoutError):
            engine.connect()
    finally:
        engine.dispose()


def begins_of(engine: sa.Engine) -> list[str]:
    """The BEGIN statements ``engine`` sends from now on (SQLite: BEGIN or BEGIN IMMEDIATE)."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    return seen


def test_write_sessions_begin_immediate_and_read_only_gives_the_connection_back(
    tmp_path: object,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/s.db")
    begins = begins_of(engine)
    with write_session_factory(engine)() as db:
        db.execute(sa.text("SELECT 1"))
        db.commit()
        with read_only(db):
            db.execute(sa.text("SELECT 2"))
        assert not db.in_transaction()
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with session_factory(engine)() as db:
        will_write(db)
        db.execute(sa.text("SELECT 3"))
        db.commit()
        db.execute(sa.text("SELECT 4"))
    assert begins == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE", "BEGIN"]
    engine.dispose()


def test_write_after_read_ends_the_read_before_writing(db_url: str) -> None:
    engine = create_engine(db_url, pool=PoolOptions(size=1, max_overflow=0, timeout=0.2))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(sa.text("INSERT INTO counter VALUES (0)"))
    with session_factory(engine)() as db:
        assert db.execute(sa.text("SELECT n FROM counter")).scalar() == 0
        with write_after_read(db) as conn:  # the pool's only connection: the read gave it back
            conn.execute(sa.text("UPDATE counter SET n = n + 1"))
        assert db.execute(sa.text("SELECT n FROM counter")).scalar() == 1
    engine.dispose()
