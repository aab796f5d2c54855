"""Owner assignment by rules, on SQLite and PostgreSQL: round robin in turn by user id, fewest
open records, the territory table's first matching row and its fallback, away, inactive and
previous owners skipped, a pool with nobody left failing the run with the pool named, the
explanation stored with each assignment and served by the API and the record page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from assign_testing import add_department, add_users, give_role, set_user
from fastapi.testclient import TestClient
from rules_testing import APP, create, get, publish, records, rule, update, worker

from jimu.platform.assign.store import record_assignments
from jimu.platform.models import AssignmentPointer
from jimu.platform.pool.owners import previous_owners
from jimu.platform.rules import runs
from jimu.platform.state import Platform

POINTERS: sa.Table = AssignmentPointer.__table__  # type: ignore[assignment]
OPEN = {"!=": [{"var": "status"}, "won"]}


def assigning(**action: Any) -> dict[str, Any]:
    return rule("assign", trigger={"on": "created"}, actions=[{"type": "assign_owner", **action}])


def new_leads(platform: Platform, n: int, **values: Any) -> list[int]:
    ids = [create(platform, "lead", name=f"L{i}", **values)["id"] for i in range(n)]
    worker(platform).drain()
    return ids


def owners(platform: Platform, ids: list[int]) -> list[int | None]:
    return [get(platform, "lead", i)["owner_id"] for i in ids]


def why(platform: Platform, lead: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return record_assignments(conn, APP, "lead", lead)[0]


@pytest.fixture
def team(platform: Platform) -> dict[str, int]:
    """East (ann, bob, cat, dan) with a sub-department East-1 (eve); West (wes). User 1, who
    creates the records (and so owns them at first), is in no pool."""
    add_users(platform, "creator")
    ann, bob, cat, dan, eve, wes = add_users(platform, "ann", "bob", "cat", "dan", "eve", "wes")
    east = add_department(platform, "East", [dan, bob, ann, cat])
    east1 = add_department(platform, "East-1", [eve], parent=east)
    west = add_department(platform, "West", [wes])
    return {"ann": ann, "bob": bob, "cat": cat, "dan": dan, "eve": eve, "wes": wes,
            "east": east, "east1": east1, "west": west}  # fmt: skip


def test_round_robin_goes_round_the_department_by_user_id(
    platform: Platform, team: dict[str, int]
) -> None:
    publish(platform, [assigning(method="round_robin", department=team["east"])])
    leads = new_leads(platform, 6)
    t = team
    assert owners(platform, leads) == [t["ann"], t["bob"], t["cat"], t["dan"], t["ann"], t["bob"]]
    last = why(platform, leads[-1])
    assert last["user_id"] == t["bob"] and last["method"] == "round_robin"
    assert last["pool"] == f"department:{t['east']}" and last["rule"] == "assign"
    (attempt,) = last["details"]["attempts"]
    assert attempt["pointer"] == {"before": t["ann"], "after": t["bob"]}
    assert attempt["candidates"] == sorted([t["ann"], t["bob"], t["cat"], t["dan"]])
    assert last["explanation"]["en"] == "Round robin in department East: Bob was next (after Ann)."
    assert last["explanation"]["zh"] == "在部门「East」中轮流分配：上一位是 Ann，轮到 Bob。"
    first = why(platform, leads[0])
    assert first["explanation"]["en"].endswith("Ann was next (first in turn).")
    with platform.engine.connect() as conn:
        pointer = conn.execute(sa.select(POINTERS)).mappings().one()
        history = [h for h in conn.execute(sa.text(
            "select field, new_value, source from jimu_record_history where record_id = :r "
            "and entity = 'lead' and field = 'owner_id'"), {"r": leads[0]})]  # fmt: skip
    assert pointer["last_user_id"] == t["bob"] and pointer["assigned"] == 6
    assert [(h.new_value, h.source) for h in history] == [(t["ann"], "rule")]
    assert first["version"] == get(platform, "lead", leads[0])["version"] == 2


def test_sub_departments_and_role_holders_are_pools(
    platform: Platform, team: dict[str, int]
) -> None:
    give_role(platform, APP, "closer", user=team["bob"])
    give_role(platform, APP, "closer", department=team["west"])
    rules = [
        assigning(method="round_robin", department=team["east"], include_sub_departments=True),
        rule("closer", trigger={"on": "updated", "fields": ["status"]},
             actions=[{"type": "assign_owner", "method": "round_robin", "role": "closer"}]),
    ]  # fmt: skip
    publish(platform, rules)
    leads = new_leads(platform, 5)
    t = team
    assert owners(platform, leads) == [t["ann"], t["bob"], t["cat"], t["dan"], t["eve"]]
    for lead in leads[:3]:
        update(platform, "lead", lead, status="mql")
    worker(platform).drain()
    assert owners(platform, leads[:3]) == [t["bob"], t["wes"], t["bob"]]
    assert why(platform, leads[1])["pool"] == "role:closer"


def test_departments_by_hr_id_and_users_by_username_make_portable_pools(
    platform: Platform, team: dict[str, int]
) -> None:
    north = add_department(platform, "North", [team["dan"], team["cat"]], external_id="N-7")
    territory = [
        {"when": {"==": [{"var": "status"}, "mql"]}, "department": "N-7"},
        {"when": True, "users": ["eve", "bob"]},
    ]
    publish(platform, [assigning(method="territory", territory=territory)])
    mql = [create(platform, "lead", name=f"M{i}", status="mql")["id"] for i in range(3)]
    new = [create(platform, "lead", name=f"N{i}", status="new")["id"] for i in range(3)]
    worker(platform).drain()
    t = team
    assert owners(platform, mql) == [t["cat"], t["dan"], t["cat"]]
    assert owners(platform, new) == [t["bob"], t["eve"], t["bob"]]
    assert why(platform, mql[0])["pool"] == "department:@N-7"
    assert why(platform, new[0])["pool"] == "users:@bob,@eve"
    assert "Round robin in users Bob, Eve" in why(platform, new[0])["explanation"]["en"]
    assert north not in (t["east"], t["west"])


def test_away_and_inactive_users_are_skipped_with_the_reason(
    platform: Platform, team: dict[str, int]
) -> None:
    now = datetime.now(UTC)
    back = now + timedelta(days=3)
    set_user(platform, team["bob"], away_from=now - timedelta(days=1), away_until=back)
    set_user(platform, team["cat"], is_active=False)
    set_user(platform, team["dan"], away_from=now + timedelta(days=1))  # not yet away
    publish(platform, [assigning(method="round_robin", department=team["east"])])
    leads = new_leads(platform, 4)
    t = team
    assert owners(platform, leads) == [t["ann"], t["dan"], t["ann"], t["dan"]]
    skipped = why(platform, leads[0])["details"]["attempts"][0]["skipped"]
    assert [(s["user_id"], s["reason"]) for s in skipped] == [
        (t["bob"], "away"),
        (t["cat"], "inactive"),
    ]
    assert skipped[0]["away_until"] is not None
    text = why(platform, leads[0])["explanation"]
    assert "Bob (away until " in text["en"] and "Cat (inactive)" in text["en"]
    assert "Bob（休假至 " in text["zh"] and "Cat（已停用）" in text["zh"]


def test_away_users_take_their_turn_when_skip_away_is_off(
    platform: Platform, team: dict[str, int]
) -> None:
    set_user(platform, team["bob"], away_from=datetime.now(UTC) - timedelta(days=1))
    action = {"method": "round_robin", "users": [team["ann"], team["bob"]], "skip_away": False}
    publish(platform, [assigning(**action)])
    assert owners(platform, new_leads(platform, 2)) == [team["ann"], team["bob"]]


def test_fewest_open_counts_only_open_records(platform: Platform, team: dict[str, int]) -> None:
    ann, bob, cat = team["ann"], team["bob"], team["cat"]
    publish(platform)
    for owner, status in [(ann, "new"), (ann, "mql"), (bob, "new"), (cat, "won"), (cat, "won"),
                          (cat, "won"), (cat, "new")]:  # fmt: skip
        create(platform, "lead", name="old", owner_id=owner, status=status)
    action = {"method": "fewest_open", "users": [ann, bob, cat], "open": OPEN}
    publish(platform, [assigning(**action)], first=False)
    # open: ann 2, bob 1, cat 1 (three won leads do not count); a tie goes to the lower id
    leads = new_leads(platform, 3, status="new")
    assert owners(platform, leads) == [bob, cat, ann]
    first = why(platform, leads[0])
    counts = first["details"]["attempts"][0]["open_counts"]
    assert counts == {str(ann): 2, str(bob): 1, str(cat): 1}
    assert first["explanation"]["en"] == (
        "Fewest open records in users Ann, Bob, Cat: Bob has 1 (Ann 2, Cat 1)."
    )
    assert first["explanation"]["zh"] == (
        "在用户 Ann、Bob、Cat中按未完成记录最少分配：Bob 有 1 条（Ann 2 条、Cat 1 条）。"
    )


def test_territory_first_matching_row_then_fallback(
    platform: Platform, team: dict[str, int]
) -> None:
    territory = [
        {"when": {">=": [{"var": "score"}, 80]}, "user": team["wes"]},
        {"when": {"==": [{"var": "status"}, "mql"]}, "department": team["east"]},
        {"when": {"==": [{"var": "status"}, "new"]}, "users": [team["ann"], team["bob"]],
         "method": "fewest_open"},
    ]  # fmt: skip
    action = {"method": "territory", "territory": territory, "fallback": {"user": team["eve"]}}
    publish(platform, [assigning(**action)])
    hot = create(platform, "lead", name="hot", score=90, status="mql")["id"]
    mql = create(platform, "lead", name="mql", score=10, status="mql")["id"]
    new = create(platform, "lead", name="new", status="new")["id"]
    other = create(platform, "lead", name="other", status="won")["id"]
    worker(platform).drain()
    t = team
    # ann owns the mql lead by now, so the fewest-open row gives the new lead to bob
    assert owners(platform, [hot, mql, new, other]) == [t["wes"], t["ann"], t["bob"], t["eve"]]
    assert why(platform, hot)["details"]["territory_row"] == 0
    assert why(platform, hot)["explanation"]["en"].startswith(
        "Territory row 1 matched (Score is at least 80). Round robin in users"
    )
    assert why(platform, mql)["details"]["territory_row"] == 1
    assert why(platform, new)["method"] == "fewest_open"
    fallback = why(platform, other)
    assert fallback["details"]["territory_row"] is None
    assert fallback["details"]["attempts"][0]["fallback"] is True
    assert fallback["explanation"]["en"].startswith("No territory row matched. Fallback: ")
    assert fallback["explanation"]["zh"].startswith("没有匹配的区域规则。改用后备分配：")


def test_a_pool_with_nobody_left_uses_the_fallback(
    platform: Platform, team: dict[str, int]
) -> None:
    set_user(platform, team["wes"], is_active=False)
    fallback = {"user": team["eve"]}
    action = {"method": "round_robin", "department": team["west"], "fallback": fallback}
    publish(platform, [assigning(**action)])
    (lead,) = new_leads(platform, 1)
    assert owners(platform, [lead]) == [team["eve"]]
    attempts = why(platform, lead)["details"]["attempts"]
    assert [(a["pool_key"], a["user_id"], a["fallback"]) for a in attempts] == [
        (f"department:{team['west']}", None, False),
        (f"user:{team['eve']}", team["eve"], True),
    ]
    assert why(platform, lead)["explanation"]["en"] == (
        "Nobody in department West could take it (round robin). Skipped: Wes (inactive). "
        "Fallback: Round robin in users Eve: Eve was next (first in turn)."
    )


def test_no_candidate_fails_the_run_naming_the_pool(
    platform: Platform, team: dict[str, int]
) -> None:
    set_user(platform, team["wes"], away_until=datetime.now(UTC) + timedelta(days=1))
    actions = [
        {"type": "set_fields", "values": {"status": "mql"}},
        {"type": "assign_owner", "method": "round_robin", "department": team["west"]},
    ]
    publish(platform, [rule("assign", trigger={"on": "created"}, actions=actions)])
    lead = create(platform, "lead", name="Nobody", status="new")
    worker(platform, max_attempts=1).drain()
    assert get(platform, "lead", lead["id"])["status"] == "new"  # the whole run undone
    assert get(platform, "lead", lead["id"])["owner_id"] == 1
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="assign")
        assert record_assignments(conn, APP, "lead", lead["id"]) == []
        assert conn.execute(sa.select(sa.func.count()).select_from(POINTERS)).scalar_one() == 0
    assert run["status"] == "dead"
    assert (
        f"assign_owner found nobody to assign in department West (department:{team['west']}): "
        "1 member, 1 away"
    ) in run["error"]


def test_previous_owners_are_read_from_the_history_and_excluded(
    platform: Platform, team: dict[str, int]
) -> None:
    ann, bob, cat = team["ann"], team["bob"], team["cat"]
    action = {"method": "round_robin", "users": [ann, bob, cat], "exclude_previous_owners": True}
    publish(platform, [rule("reassign", trigger={"on": "updated", "fields": ["status"]},
                            actions=[{"type": "assign_owner", **action}])])  # fmt: skip
    lead = create(platform, "lead", name="Back", status="new")["id"]
    update(platform, "lead", lead, owner_id=ann)
    update(platform, "lead", lead, owner_id=None)  # returned to the pool
    update(platform, "lead", lead, owner_id=bob)
    update(platform, "lead", lead, owner_id=None)
    with platform.engine.connect() as conn:
        assert previous_owners(conn, APP, "lead", lead) == [bob, ann, 1]
    worker(platform).drain()
    update(platform, "lead", lead, status="mql")
    worker(platform).drain()
    assert owners(platform, [lead]) == [cat]
    skipped = why(platform, lead)["details"]["attempts"][0]["skipped"]
    assert [(s["user_id"], s["reason"]) for s in skipped] == [
        (ann, "previous_owner"),
        (bob, "previous_owner"),
    ]
    assert "Ann (owned it before)" in why(platform, lead)["explanation"]["en"]


def test_the_test_run_shows_the_planned_assignment_without_assigning(
    platform: Platform, team: dict[str, int]
) -> None:
    territory = [{"when": {"==": [{"var": "status"}, "mql"]}, "user": team["wes"]}]
    body = assigning(method="territory", territory=territory)
    publish(platform)
    lead = create(platform, "lead", name="Dry", status="mql")
    with platform.engine.connect() as conn:
        answer = runs.test_run(conn, records(platform), body, lead["id"])
        assert record_assignments(conn, APP, "lead", lead["id"]) == []
    (effect,) = answer["actions"]
    assert effect["kind"] == "assign" and effect["payload"]["choice"]["territory_row"] == 0
    assert effect["payload"]["choice"]["pool"] == {"user": team["wes"]}
    assert get(platform, "lead", lead["id"])["owner_id"] == 1


def test_assignments_api_and_the_record_page_say_why(
    platform: Platform, team: dict[str, int], admin_client: TestClient
) -> None:
    publish(platform, [assigning(method="round_robin", department=team["east"])])
    (lead,) = new_leads(platform, 1)
    answer = admin_client.get(f"/api/apps/{APP}/records/lead/{lead}/assignments")
    assert answer.status_code == 200, answer.text
    (assignment,) = answer.json()
    assert assignment["user_id"] == team["ann"]
    assert assignment["explanation"]["en"].startswith("Round robin in department East")
    assert assignment["details"]["attempts"][0]["pointer"]["after"] == team["ann"]
    missing = admin_client.get(f"/api/apps/{APP}/records/lead/{lead + 100}/assignments")
    assert missing.status_code == 404
    page = admin_client.get(f"/apps/{APP}/lead/{lead}")
    assert page.status_code == 200
    assert 'id="assignments"' in page.text
    assert "Round robin in department East: Ann was next (first in turn)." in page.text
    # the history's owner change says why, beside it
    assert f'data-assignment="{assignment["id"]}"><span class="muted">' in page.text
    zh = admin_client.get(f"/apps/{APP}/lead/{lead}?lang=zh")
    assert "在部门「East」中轮流分配：第一次分配，轮到 Ann。" in zh.text
