"""Shared fixtures.

Every test that touches SQL asks for ``db_url`` (or ``engine``) and so runs once on SQLite and,
when ``JIMU_TEST_POSTGRES_URL`` is set, once more on PostgreSQL. Each test gets a database of its
own: a fresh SQLite file, or a PostgreSQL database created for it and dropped afterwards, so no
run depends on what an earlier one left.

A test that uses the ``platform`` fixture (or asks for ``migrated``) gets its database already
migrated: a copy of a template migrated once per test process (a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL), which is what running the migrations again
would give, without their seconds per test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

# Real argon2id with its cheapest parameters: tests create and sign in thousands of users
# (servers the tests start inherit it). docs/security.md, "Settings".
os.environ.setdefault("JIMU_PASSWORD_HASH_PROFILE", "cheapest")
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


def create_postgres_database(template: str | None = None) -> str:
    """Create a PostgreSQL database (empty, or a copy of ``template``) and return its URL."""
    admin = _postgres_admin_url()
    name = f"jimu_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = _postgres_admin_url()
    name = sa.make_url(url).database
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class MigratedTemplates:
    """Databases migrated to the head revision once per test process, copied by the tests that
    need a migrated database (see ``db_url``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    @staticmethod
    def _migrate(url: str) -> None:
        from jimu.platform.migrate import upgrade

        engine = sa.create_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()

    def sqlite(self) -> Path:
        if self._sqlite is None:
            path = self.folder / "migrated.db"
            self._migrate(f"sqlite:///{path}")
            self._sqlite = path
        return self._sqlite

    def postgres(self) -> str:
        if self._postgres is None:
            url = create_postgres_database()
            self._migrate(url)
            self._postgres = str(sa.make_url(url).database)
        return self._postgres

    def close(self) -> None:
        if self._postgres is not None:
            drop_postgres_database(
                _postgres_admin_url().set(database=self._postgres).render_as_string(False)
            )


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"))
    try:
        yield templates
    finally:
        templates.close()


@pytest.fixture
def migrated() -> None:
    """Asked for by a test (or fixture) that migrates ``db_url``'s database itself: the
    database then comes migrated already (the migrations see nothing to do)."""


#: Fixtures whose tests get ``db_url`` migrated already.
MIGRATING_FIXTURES = frozenset({"platform", "migrated"})


@pytest.fixture(params=DIALECTS)
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: MigratedTemplates
) -> Iterator[str]:
    """A URL of a database of its own, once per dialect under test: empty, or migrated when the
    test uses a fixture of ``MIGRATING_FIXTURES``."""
    is_migrated = not MIGRATING_FIXTURES.isdisjoint(request.fixturenames)
    if request.param == "sqlite":
        path = tmp_path / "jimu.db"
        if is_migrated:
            shutil.copyfile(migrated_templates.sqlite(), path)
        yield f"sqlite:///{path}"
        return
    url = create_postgres_database(migrated_templates.postgres() if is_migrated else None)
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run in both languages on SQLite and in Chinese on PostgreSQL: what a
    language changes is drawn by the browser the same whatever the database, and what the
    database changes is covered by the Chinese run (a browser test costs seconds, not ms).
    A browser test that fails is run once more (pytest-rerunfailures, when it is active)."""
    dropped: list[pytest.Item] = []
    kept: list[pytest.Item] = []
    # Only with the plugin active (``-p no:rerunfailures`` runs each test once, unmarked).
    reruns = config.pluginmanager.hasplugin("rerunfailures")
    for item in items:
        if reruns and item.get_closest_marker("browser"):
            # A real browser on two shared, loaded cores sometimes misses a timeout its test
            # has nothing to do with: such a test runs once more, and fails only if it fails
            # twice (a broken feature fails every time). The report lists the rerun.
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
        params = getattr(getattr(item, "callspec", None), "params", {})
        english = "en" in (params.get("lang"), params.get("language"))
        twice = params.get("db_url") == "postgresql" and english
        (dropped if twice and item.get_closest_marker("browser") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
