"""Charts read from the read replica when one is set (``JIMU_READ_REPLICA_URL``), on SQLite
and PostgreSQL: their statements run there and nowhere else, a replica that lags shows (and
caches) the numbers it has, and once it has caught up the next view computes anew. Access
checks keep using the primary."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import pytest
import sqlalchemy as sa
from access_testing import Secured
from test_report_cache import BY_STATUS, LEADS, RUN, ok, truth

from jimu.app import create_app
from jimu.platform.settings import Settings
from jimu.platform.state import Platform
from tests.conftest import _postgres_admin_url, drop_postgres_database

DASHBOARD = {
    "kind": "dashboard",
    "name": "status_board",
    "label": {"en": "Status"},
    "items": [{"id": "a", "report": "by_status", "x": 0, "y": 0, "w": 6, "h": 4}],
}

Replicate = Callable[[], None]


def _replicas(primary: Platform, first: Platform, replica_url: str) -> Replicate:
    """Copy the primary's database over the replica's now (a replica catching up); ``first``
    is the test's other platform on the same primary (its connections are closed too)."""
    url = sa.make_url(replica_url)

    def replicate() -> None:
        first.engine.dispose()
        primary.engine.dispose()
        if primary.replica is not None:
            primary.replica.dispose()
        if url.get_backend_name() == "sqlite":  # the backup API: the WAL's pages too
            with (
                closing(sqlite3.connect(str(primary.engine.url.database))) as source,
                closing(sqlite3.connect(str(url.database))) as target,
            ):
                source.backup(target)
            return
        drop_postgres_database(replica_url)
        admin = sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            source = primary.engine.url.database
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}" TEMPLATE "{source}"'))
        admin.dispose()

    return replicate


@pytest.fixture
def replicated(
    platform: Platform, settings: Settings, secured: Secured
) -> Iterator[tuple[Platform, Replicate]]:
    """A second platform on the same primary, with a replica made a copy of it."""
    del secured  # the crm app, its users and leads: on the primary before the copy
    if platform.engine.dialect.name == "sqlite":
        replica_url = f"sqlite:///{settings.data_dir.parent / 'replica.db'}"
    else:
        name = f"{platform.engine.url.database}_replica"
        replica_url = (
            sa.make_url(settings.database_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    with_replica = Platform.from_settings(
        settings.model_copy(update={"read_replica_url": replica_url})
    )
    replicate = _replicas(with_replica, platform, replica_url)
    replicate()
    try:
        yield with_replica, replicate
    finally:
        with_replica.engine.dispose()
        if with_replica.replica is not None:
            with_replica.replica.dispose()
        if not replica_url.startswith("sqlite"):
            drop_postgres_database(replica_url)


def _counting(engine: sa.Engine, needle: str) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(*args: Any) -> None:
        statement = str(args[2])
        if needle in statement:
            seen.append(statement)

    return seen


def test_charts_read_the_replica_and_follow_it_when_it_catches_up(
    replicated: tuple[Platform, Replicate], secured: Secured
) -> None:
    platform, replicate = replicated
    app = create_app(platform=platform)
    assert platform.replica is not None
    on_replica = _counting(platform.replica, "crm_lead")
    on_primary = _counting(platform.engine, "AS d0")
    with secured.client(app, "fin") as fin, secured.client(app, "mia") as mia:

        def view() -> dict[str, int]:
            rows = ok(fin.post(RUN, json=BY_STATUS))["rows"]
            return {str(row["status"]): int(row["n"]) for row in rows}

        before = view()
        assert before == truth(platform) == {"new": 3, "won": 2}
        assert on_replica and not on_primary
        ok(mia.post(f"{LEADS}/records", json={"name": "Fresh"}))
        # The replica has not caught up: the chart shows what it has, and keeps it.
        assert view() == before
        hits = platform.chart_results.hits
        assert view() == before
        assert platform.chart_results.hits == hits + 1
        replicate()
        assert view() == truth(platform) == {"new": 4, "won": 2}
        assert not on_primary


def test_dashboards_read_the_replica_too(
    replicated: tuple[Platform, Replicate], secured: Secured
) -> None:
    from jimu.platform import metadata_store as store
    from jimu.platform.db import begin_write

    platform, replicate = replicated
    with begin_write(platform.engine) as conn:
        report = {"kind": "report", "name": "by_status", **BY_STATUS}
        store.save_draft(conn, "crm", "report", "by_status", report)
        store.save_draft(conn, "crm", "dashboard", "status_board", DASHBOARD)
        store.publish(conn, "crm")
    replicate()
    app = create_app(platform=platform)
    assert platform.replica is not None
    on_replica = _counting(platform.replica, "crm_lead")
    with secured.client(app, "fin") as fin:
        answer = ok(fin.post("/api/apps/crm/dashboards/status_board/run", json={}))
    rows = answer["items"][0]["result"]["rows"]
    assert {str(r["status"]): int(r["n"]) for r in rows} == {"new": 3, "won": 2}
    assert on_replica
