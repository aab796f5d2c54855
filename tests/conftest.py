"""Shared fixtures.

Every test that touches SQL asks for ``db_url`` (or ``engine``) and so runs once on SQLite and,
when ``JIMU_TEST_POSTGRES_URL`` is set, once more on PostgreSQL. Each test gets a database of its
own: a fresh SQLite file, or a PostgreSQL database created for it and dropped afterwards, so no
run depends on what an earlier one left.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get("JIMU_TEST_POSTGRES_URL", "")
DIALECTS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The team's shared folder (design, conformance suites, datasets), beside the checkout."""
    env = os.environ.get("JIMU_SHARED_DIR")
    return Path(env) if env else SHARED


def _postgres_admin_url() -> sa.URL:
    url = sa.make_url(POSTGRES_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def create_postgres_database() -> str:
    """Create an empty PostgreSQL database and return its URL."""
    admin = _postgres_admin_url()
    name = f"jimu_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = _postgres_admin_url()
    name = sa.make_url(url).database
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of its own, once per dialect under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jimu.db'}"
        return
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A SQLAlchemy engine on the empty database of ``db_url``."""
    eng = sa.create_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not path.is_dir():
        pytest.fail(f"the shared folder is missing at {path}; set JIMU_SHARED_DIR")
    return path
