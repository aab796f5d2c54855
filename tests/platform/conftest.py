"""Fixtures for platform tests: a migrated database, the app, and signed-in clients.

Others' tests under tests/platform/ may use them too:

- ``settings``: Settings on the test's own database (``db_url``) and data directory.
- ``platform``: the migrated database (engine + session factory) of those settings.
- ``app`` / ``client``: the FastAPI app and an anonymous ``TestClient``.
- ``admin`` / ``admin_client``: an administrator, and a client signed in as them by cookie
  (its default headers carry the session's CSRF token).
- ``user`` / ``user_client``: the same for a non-admin user.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, add_user, sign_in

from jimu.app import create_app
from jimu.platform.migrate import upgrade
from jimu.platform.models import User
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, secret_key="test-secret")


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    plat = Platform.from_settings(settings)
    upgrade(plat.engine)
    try:
        yield plat
    finally:
        plat.engine.dispose()


@pytest.fixture
def app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def admin(platform: Platform) -> User:
    return add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)


@pytest.fixture
def user(platform: Platform) -> User:
    return add_user(platform, "alice", USER_PASSWORD)


@pytest.fixture
def admin_client(app: FastAPI, admin: User) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        sign_in(test_client, "admin", ADMIN_PASSWORD)
        yield test_client


@pytest.fixture
def user_client(app: FastAPI, user: User) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        sign_in(test_client, "alice", USER_PASSWORD)
        yield test_client


@pytest.fixture
def crm(platform: Platform, tmp_path: Path) -> str:
    """The small ``crm`` test app (see crm_app.py), imported and published. Returns its name."""
    from crm_app import write_app

    from jimu.platform import metadata_store as store
    from jimu.platform.db import begin_write

    with begin_write(platform.engine) as conn:
        store.import_folder(conn, write_app(tmp_path / "apps"), publish=True)
    return "crm"
