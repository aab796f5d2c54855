"""Browsing the audit log: the admin API with its filters and pages, and the /admin/audit
page (en/zh, filter form, table, older events)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi.testclient import TestClient
from platform_testing import ADMIN_PASSWORD, USER_PASSWORD, assert_problem
from security_testing import HTML, page_login, text_of

from jimu.platform.models import AuditEvent, User
from jimu.platform.security.audit_log import log_event
from jimu.platform.state import Platform

URL = "/api/admin/audit-events"


def seed(platform: Platform, admin: User, user: User) -> None:
    """Events of other kinds, as other parts of the platform log them."""
    with platform.sessions() as db:
        log_event(db, "role_assigned", actor_id=admin.id, app="crm", detail={"role": "sales"})
        log_event(db, "export", actor_id=user.id, app="crm", detail={"rows": 12})
        log_event(db, "token_created", actor_id=user.id, detail={"name": "ci"})
        db.commit()


def test_only_admins_browse(user_client: TestClient, client: TestClient) -> None:
    assert_problem(user_client.get(URL), 403, "permission_denied")
    assert_problem(client.get(URL), 401, "not_authenticated")


def test_filters(
    admin_client: TestClient, client: TestClient, admin: User, user: User, platform: Platform
) -> None:
    client.post("/api/auth/login", json={"username": "alice", "password": "wrong-pass-1"})
    client.post("/api/auth/login", json={"username": "ghost", "password": "wrong-pass-1"})
    seed(platform, admin, user)
    everything = admin_client.get(URL).json()["events"]
    assert [e["kind"] for e in everything] == [
        "token_created",
        "export",
        "role_assigned",
        "sign_in_failed",
        "sign_in_failed",
        "sign_in",  # the admin client's own sign-in
    ]
    assert everything[-1]["actor"] == "admin" and everything[-1]["ip"] == "testclient"

    def kinds(**params: object) -> list[str]:
        response = admin_client.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [e["kind"] for e in response.json()["events"]]

    assert kinds(kind="sign_in_failed") == ["sign_in_failed", "sign_in_failed"]
    assert kinds(kind=["export", "token_created"]) == ["token_created", "export"]
    assert kinds(actor="alice") == ["token_created", "export", "sign_in_failed"]
    assert kinds(actor=str(admin.id)) == ["role_assigned", "sign_in"]
    assert kinds(username="ghost") == ["sign_in_failed"]
    assert kinds(app="crm") == ["export", "role_assigned"]
    ghost = admin_client.get(URL, params={"username": "ghost"}).json()["events"][0]
    assert ghost["actor_id"] is None and ghost["detail"]["reason"] == "unknown_user"


def test_time_filters(admin_client: TestClient, platform: Platform, admin: User) -> None:
    with platform.sessions() as db:
        for day in (1, 2, 3):
            db.add(
                AuditEvent(
                    at=datetime(2026, 3, day, 12, tzinfo=UTC), kind="export", actor_id=admin.id
                )
            )
        db.commit()

    def days(**params: str) -> list[int]:
        response = admin_client.get(URL, params={"kind": "export", **params})
        assert response.status_code == 200, response.text
        return [datetime.fromisoformat(e["at"]).day for e in response.json()["events"]]

    assert days(since="2026-03-02") == [3, 2]
    assert days(until="2026-03-02") == [2, 1]  # a bare date includes its day
    assert days(since="2026-03-02T00:00", until="2026-03-02T12:00:00Z") == []
    assert days(since="2026-03-01T13:00+08:00", until="2026-03-03T12:00:00+00:00") == [2, 1]


def test_keyset_pages(admin_client: TestClient, platform: Platform, admin: User) -> None:
    with platform.sessions() as db:
        for n in range(7):
            log_event(db, "export", actor_id=admin.id, detail={"n": n})
        db.commit()
    seen: list[int] = []
    before: int | None = None
    while True:
        params: dict[str, object] = {"kind": "export", "limit": 3}
        if before is not None:
            params["before"] = before
        body = admin_client.get(URL, params=params).json()
        seen += [e["detail"]["n"] for e in body["events"]]
        before = body["next_before"]
        if before is None:
            break
    assert seen == [6, 5, 4, 3, 2, 1, 0]


def test_bad_filters_name_every_field(admin_client: TestClient) -> None:
    params = {"kind": "nope", "since": "yesterday", "limit": "0", "before": "x"}
    body = assert_problem(admin_client.get(URL, params=params), 422, "validation_failed")
    assert [e["pointer"] for e in body["errors"]] == ["/kind", "/since", "/before", "/limit"]
    assert "sign_in_failed" in body["errors"][0]["message"]
    reversed_range = {"since": "2026-03-02", "until": "2026-03-01"}
    body = assert_problem(admin_client.get(URL, params=reversed_range), 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/until"


def test_the_audit_page(client: TestClient, admin: User, user: User, platform: Platform) -> None:
    client.post("/api/auth/login", json={"username": "alice", "password": "wrong-pass-1"})
    seed(platform, admin, user)
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    page = client.get("/admin/audit", headers=HTML)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Audit log" in text and "Failed sign-in" in text and "API token created" in text
    assert 'id="audit-filter"' in page.text and page.text.count("<tr data-event=") == 5

    filtered = client.get("/admin/audit", params={"kind": "sign_in_failed"}, headers=HTML)
    rows = filtered.text.count("<tr data-event=")
    assert rows == 1 and 'data-kind="sign_in_failed"' in filtered.text
    assert '<option value="sign_in_failed" selected>' in filtered.text
    assert "wrong_password" in text_of(filtered.text)

    by_actor = client.get("/admin/audit", params={"actor": "alice"}, headers=HTML)
    assert by_actor.text.count("<tr data-event=") == 3

    client.cookies.set("jimu_lang", "zh")
    zh = client.get("/admin/audit", params={"app": "crm"}, headers=HTML)
    assert "审计日志" in text_of(zh.text) and "导出" in text_of(zh.text)
    assert zh.text.count("<tr data-event=") == 2

    bad = client.get("/admin/audit", params={"since": "soon"}, headers=HTML)
    assert bad.status_code == 422 and "请检查筛选条件" in text_of(bad.text)


def test_the_audit_page_pages_older_events(
    client: TestClient, admin: User, platform: Platform
) -> None:
    with platform.sessions() as db:
        for n in range(60):
            log_event(db, "export", actor_id=admin.id, app="crm", detail={"n": n})
        db.commit()
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    first = client.get("/admin/audit", params={"app": "crm"}, headers=HTML)
    assert first.text.count("<tr data-event=") == 50
    older = first.text.split('id="audit-older"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "app=crm" in older and "before=" in older
    second = client.get(older.replace("&amp;", "&"), headers=HTML)
    assert second.text.count("<tr data-event=") == 10
    assert 'id="audit-older"' not in second.text and 'id="audit-newest"' in second.text


def test_the_audit_page_is_for_admins(client: TestClient, user: User) -> None:
    assert page_login(client, "alice", USER_PASSWORD).status_code == 303
    assert client.get("/admin/audit", headers=HTML).status_code == 403


def test_times_show_in_the_viewers_zone(
    client: TestClient, admin: User, platform: Platform
) -> None:
    with platform.sessions() as db:
        db.add(AuditEvent(at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC), kind="export"))
        db.execute(sa.update(User).where(User.id == admin.id).values(time_zone="Asia/Shanghai"))
        db.commit()
    assert page_login(client, "admin", ADMIN_PASSWORD).status_code == 303
    page = client.get("/admin/audit", params={"kind": "export"}, headers=HTML)
    assert "2026-03-02 07:30:00" in page.text and "Asia/Shanghai" in page.text
    day = client.get("/admin/audit", params={"kind": "export", "since": "2026-03-02"}, headers=HTML)
    assert day.text.count("<tr data-event=") == 1  # the 2nd in Shanghai starts at 16:00 UTC
