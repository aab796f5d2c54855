"""Chart results cached by data version, through the API (SQLite and PostgreSQL): a repeated
view is served from the cache, every kind of record write to a table the chart reads makes the
next view compute anew (with the new numbers), writes to other tables do not, readers share an
entry only when their scopes compile alike, and a write through one process's platform is seen
by another's cache."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from access_testing import PASSWORD, Secured
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import add_user

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.clock import clock
from jimu.platform.db import begin_write
from jimu.platform.models import User, UserDepartment
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

RUN = "/api/apps/crm/reports/run"
LEADS = "/api/apps/crm/entities/lead"
BY_STATUS = {
    "dataset": {"entity": "lead"},
    "dimensions": [{"field": "status"}],
    "measures": [{"name": "n", "agg": "count"}],
    "visual": {"type": "bar"},
}
WIN_BIG = {
    "kind": "rule",
    "name": "win_big",
    "entity": "lead",
    "trigger": {"on": "created"},
    "condition": {"==": [{"var": "name"}, "Big"]},
    "actions": [{"type": "set_fields", "values": {"status": "won"}}],
}

Viewer = Callable[[], tuple[dict[str, int], bool]]


def viewer(platform: Platform, client: TestClient, spec: dict[str, Any] = BY_STATUS) -> Viewer:
    """A view of ``spec`` by ``client``: its counts by status, and whether the cache served it."""

    def view() -> tuple[dict[str, int], bool]:
        hits = platform.chart_results.hits
        response = client.post(RUN, json=spec)
        assert response.status_code == 200, response.text
        counts = {str(row["status"]): int(row["n"]) for row in response.json()["rows"]}
        return counts, platform.chart_results.hits > hits

    return view


def truth(platform: Platform) -> dict[str, int]:
    """The leads by status, counted by hand."""
    sql = "SELECT status, count(*) FROM crm_lead WHERE deleted_at IS NULL GROUP BY status"
    with platform.engine.connect() as conn:
        return {str(status): int(n) for status, n in conn.exec_driver_sql(sql)}


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_view_is_kept_until_a_table_it_reads_is_written(
    app: FastAPI, platform: Platform, secured: Secured, db_url: str
) -> None:
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, "crm", "rule", "win_big", WIN_BIG)
        store.publish(conn, "crm")
    platform.apps.forget("crm")
    with secured.client(app, "fin") as fin, secured.client(app, "mia") as mia:
        view = viewer(platform, fin)
        counts, hit = view()
        assert (counts, hit) == ({"new": 3, "won": 2}, False)
        assert view() == (counts, True)

        # A write behind SQLAlchemy's back (no version raised) is not seen: the rows are kept.
        outside = sa.create_engine(db_url)
        with outside.begin() as conn:
            conn.exec_driver_sql(
                f"UPDATE crm_lead SET status = 'won' WHERE id = {secured.leads['pool']}"
            )
        outside.dispose()
        assert view() == (counts, True)

        # A table the chart does not read: still kept.
        ok(mia.post("/api/apps/crm/entities/account/records", json={"name": "Acme"}))
        assert view() == (counts, True)

        def after(write: Callable[[], Any]) -> Any:
            done = write()
            counts, hit = view()
            assert (counts, hit) == (truth(platform), False), write
            assert view() == (counts, True)
            return done

        created = after(lambda: ok(mia.post(f"{LEADS}/records", json={"name": "C1"})))
        lead = created["id"]
        after(lambda: ok(mia.patch(f"{LEADS}/records/{lead}", json={"status": "won"})))
        after(lambda: ok(mia.delete(f"{LEADS}/records/{lead}")))
        after(lambda: ok(mia.post(f"{LEADS}/records/{lead}/restore")))
        bulk = [{"id": lead, "status": "new"}, {"id": secured.leads["rex2"], "status": "new"}]
        after(lambda: ok(mia.patch(f"{LEADS}/records/bulk", json={"records": bulk})))
        after(lambda: ok(mia.post(f"{LEADS}/records/bulk", json={"records": [{"name": "B1"}]})))
        csv = b"Name,Status\nImported,won\nImported too,won\n"
        after(
            lambda: ok(
                mia.post(
                    f"{LEADS}/records/import",
                    files={"file": ("leads.csv", csv, "text/csv")},
                    data={
                        "dry_run": "false",
                        "mapping": json.dumps({"Name": "name", "Status": "status"}),
                    },
                )
            )
        )
        # A rule's write, made by the worker in a transaction of its own.
        big = after(lambda: ok(mia.post(f"{LEADS}/records", json={"name": "Big"})))
        assert truth(platform)["won"] == 4  # the rule has not run yet
        after(lambda: RuleWorker(platform, WorkerOptions()).drain())
        assert ok(mia.get(f"{LEADS}/records/{big['id']}"))["status"] == "won"
        assert truth(platform)["won"] == 5


def test_readers_share_an_entry_only_when_their_scopes_compile_alike(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    fay = add_user(platform, "fay", PASSWORD)
    with platform.sessions() as db:
        db.add(
            UserDepartment(
                user_id=fay.id, department_id=secured.departments["Finance"], is_main=True
            )
        )
        db.commit()
    seen = {}
    for user, shared in (("fin", False), ("fay", True), ("rex", False), ("wes", False)):
        with secured.client(app, user) as client:
            counts, hit = viewer(platform, client)()
            assert hit is shared, user
            seen[user] = counts
    assert seen["fin"] == seen["fay"] == {"new": 3, "won": 2}  # both see every lead
    assert seen["rex"] == {"new": 2, "won": 1}  # their own and the pool
    assert seen["wes"] == {"new": 2}
    assert len(platform.chart_results) == 3
    with secured.client(app, "rex") as rex:
        assert viewer(platform, rex)() == (seen["rex"], True)
        # Checks come before the cache: a field hidden from rex is refused, cached or not.
        spec = {**BY_STATUS, "measures": [{"name": "n", "agg": "sum", "field": "amount"}]}
        with secured.client(app, "fin") as fin:
            assert fin.post(RUN, json=spec).status_code == 200
        response = rex.post(RUN, json=spec)
        assert response.status_code == 403
        assert response.json()["errors"][0]["pointer"] == "/measures/0/field"


def test_a_write_through_one_platform_reaches_another_platforms_cache(
    app: FastAPI, platform: Platform, secured: Secured, settings: Settings
) -> None:
    other = Platform.from_settings(settings)
    try:
        with (
            secured.client(app, "fin") as fin_here,
            secured.client(create_app(platform=other), "mia") as mia_there,
        ):
            view = viewer(platform, fin_here)
            counts, _ = view()
            assert view() == (counts, True)
            ok(mia_there.post(f"{LEADS}/records", json={"name": "From there"}))
            assert view() == ({**counts, "new": counts["new"] + 1}, False)
            ok(mia_there.post("/api/apps/crm/entities/account/records", json={"name": "Zen"}))
            assert view() == ({**counts, "new": counts["new"] + 1}, True)
    finally:
        other.engine.dispose()


def test_published_reports_are_cached_too(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    with begin_write(platform.engine) as conn:
        body = {"kind": "report", "name": "by_status", **BY_STATUS}
        store.save_draft(conn, "crm", "report", "by_status", body)
        store.publish(conn, "crm", "report", "by_status")
    with secured.client(app, "rex") as rex:
        first = rex.get("/api/apps/crm/reports/by_status/data").json()
        hits = platform.chart_results.hits
        assert rex.get("/api/apps/crm/reports/by_status/data").json() == first
        assert platform.chart_results.hits == hits + 1


def test_charts_that_read_the_clock_follow_it(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    moments = [datetime.now(UTC)]
    app.dependency_overrides[clock] = lambda: lambda: moments[-1]
    this_month = {
        **BY_STATUS,
        "date_ranges": [{"field": "created_at", "range": "this_month"}],
    }
    until_now = {**BY_STATUS, "filter": {"<=": [{"var": "created_at"}, {"var": "$now"}]}}
    with secured.client(app, "fin") as fin:
        month = viewer(platform, fin, this_month)
        counts, _ = month()
        assert counts == {"new": 3, "won": 2}
        assert month() == (counts, True)  # the same month: compiled and rows kept
        moments.append(moments[0] + timedelta(days=62))  # two months on, nothing was written
        assert month() == ({}, False)
        # "$now" is bound at each compile: such a chart is compiled and keyed anew each time.
        now_view = viewer(platform, fin, until_now)
        assert now_view() == (counts, False)
        assert now_view() == (counts, False)


def test_a_spec_with_a_huge_integer_is_answered_every_time(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    huge = {**BY_STATUS, "filter": {"==": [{"var": "status"}, 10**30]}}
    with secured.client(app, "fin") as fin:
        first = fin.post(RUN, json=huge)
        assert first.status_code in (200, 422), first.text
        again = fin.post(RUN, json=huge)
        assert (again.status_code, again.json()) == (first.status_code, first.json())


def test_an_owner_chart_shows_a_new_display_name_on_the_next_view(
    app: FastAPI, platform: Platform, secured: Secured
) -> None:
    by_owner = {**BY_STATUS, "dimensions": [{"field": "owner_id"}]}
    with secured.client(app, "fin") as fin:

        def names() -> tuple[dict[int, str | None], bool]:
            hits = platform.chart_results.hits
            response = fin.post(RUN, json=by_owner)
            assert response.status_code == 200, response.text
            rows = response.json()["rows"]
            named = {r["owner_id"]: r["owner_id:title"] for r in rows if r["owner_id"]}
            return named, platform.chart_results.hits > hits

        before, hit = names()
        assert before and not hit
        assert names() == (before, True)
        owner = next(iter(before))
        with platform.sessions() as db:  # an ORM write to the users table raises its version
            user = db.get(User, owner)
            assert user is not None and before[owner] == (user.display_name or user.username)
            user.display_name = "Renamed Owner"
            db.commit()
        after, hit = names()
        assert not hit and after == {**before, owner: "Renamed Owner"}
