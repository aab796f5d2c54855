"""The rule worker on both databases: every trigger and action end to end through the outbox,
the run log, retries and dead letters, loop safety."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from rules_testing import (
    APP,
    DOCUMENTS,
    create,
    get,
    publish,
    records,
    rule,
    update,
    worker,
)

from jimu.platform.db import begin_write
from jimu.platform.models import RuleRun
from jimu.platform.records import WriteContext
from jimu.platform.rules import runs
from jimu.platform.state import Platform

RUNS: sa.Table = RuleRun.__table__  # type: ignore[assignment]


def all_runs(platform: Platform, **filters: Any) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return runs.list_runs(conn, APP, limit=500, **filters)


def test_created_rule_sets_fields_scores_tags_and_creates_a_linked_task(
    platform: Platform,
) -> None:
    actions = [
        {"type": "set_fields", "values": {"status": "mql"}},
        {"type": "add_score", "field": "score", "amount": 20},
        {"type": "add_tags", "field": "tags", "tags": ["hot"]},
        {"type": "create_record", "entity": "task", "formulas": {"title": '"Call " & name'},
         "link": "lead"},
    ]  # fmt: skip
    condition = {">": [{"var": "score"}, 5]}
    publish(platform, [rule("welcome", trigger={"on": "created"}, condition=condition,
                            actions=actions)])  # fmt: skip
    hot = create(platform, "lead", name="Ann", score=10)
    cold = create(platform, "lead", name="Bob", score=1)
    assert worker(platform).drain() >= 2
    after = get(platform, "lead", hot["id"])
    assert (after["status"], after["score"], after["tags"]) == ("mql", 30, ["hot"])
    assert get(platform, "lead", cold["id"])["status"] is None
    with platform.engine.connect() as conn:
        tasks = records(platform).list(conn, "task").items
    assert [(t["title"], t["lead"]) for t in tasks] == [("Call Ann", hot["id"])]
    log = all_runs(platform, rule="welcome")
    by_record = {r["record_id"]: r for r in log}
    assert by_record[hot["id"]]["status"] == "done"
    assert by_record[hot["id"]]["condition"] is True
    assert [a["op"] for a in by_record[hot["id"]]["actions"]] == ["update", "create"]
    assert cold["id"] not in by_record  # a false condition stores no run
    # the rule's writes are events too, caused by the triggering event, source "rule"
    with platform.engine.connect() as conn:
        history = records(platform).history(conn, "lead", hot["id"])
    assert {h["source"] for h in history} == {"api", "rule"}


def test_updated_with_fields_and_old_values(platform: Platform) -> None:
    condition = {"and": [{"==": [{"var": "$old.status"}, "new"]},
                         {"==": [{"var": "status"}, "won"]}]}  # fmt: skip
    publish(
        platform,
        [
            rule("won_from_new", trigger={"on": "updated", "fields": ["status"]},
                 condition=condition,
                 actions=[{"type": "add_score", "field": "score", "amount": 100}]),
        ],
    )  # fmt: skip
    a = create(platform, "lead", name="A", status="new", score=0)
    b = create(platform, "lead", name="B", status="mql", score=0)
    update(platform, "lead", a["id"], name="A2")  # status unchanged: no run
    update(platform, "lead", a["id"], status="won")
    update(platform, "lead", b["id"], status="won")  # old status is mql: condition false
    worker(platform).drain()
    assert get(platform, "lead", a["id"])["score"] == 100
    assert get(platform, "lead", b["id"])["score"] == 0
    log = all_runs(platform, rule="won_from_new")
    assert [(r["record_id"], r["status"]) for r in log] == [(a["id"], "done")]


def test_deleted_and_restored_triggers_and_update_linked(platform: Platform) -> None:
    publish(
        platform,
        [
            rule("on_delete", trigger={"on": "deleted"},
                 actions=[{"type": "update_linked", "link": "account",
                           "values": {"hot": False}}]),
            rule("on_restore", trigger={"on": "restored"},
                 actions=[{"type": "update_linked", "link": "account",
                           "formulas": {"name": 'name & " is back"'}}]),
        ],
    )  # fmt: skip
    account = create(platform, "account", name="Acme", hot=True)
    lead = create(platform, "lead", name="Ann", account=account["id"])
    recs = records(platform)
    with begin_write(platform.engine) as conn:
        recs.delete(conn, "lead", lead["id"], WriteContext(1, "api"))
    worker(platform).drain()
    assert get(platform, "account", account["id"])["hot"] is False
    with begin_write(platform.engine) as conn:
        recs.restore(conn, "lead", lead["id"], WriteContext(1, "api"))
    worker(platform).drain()
    assert get(platform, "account", account["id"])["name"] == "Ann is back"
    assert [r["trigger"] for r in all_runs(platform, status="done")] == ["restored", "deleted"]


def test_bulk_writes_fire_rules_like_single_writes(platform: Platform) -> None:
    publish(
        platform,
        [
            rule(
                "score",
                trigger={"on": "created"},
                actions=[{"type": "add_score", "field": "score", "amount": 1}],
            )
        ],
    )
    with begin_write(platform.engine) as conn:
        made = records(platform).bulk_create(
            conn, "lead", [{"name": f"L{i}", "score": i} for i in range(30)],
            WriteContext(1, "import"),
        )  # fmt: skip
    worker(platform, batch=7).drain()
    assert [get(platform, "lead", m["id"])["score"] for m in made] == list(range(1, 31))
    assert len(all_runs(platform, rule="score", status="done")) == 30


def test_disabled_rules_do_not_run(platform: Platform) -> None:
    publish(
        platform,
        [
            rule(
                "score",
                trigger={"on": "created"},
                actions=[{"type": "add_score", "field": "score", "amount": 1}],
            )
        ],
    )
    with begin_write(platform.engine) as conn:
        runs.set_enabled(conn, APP, "score", False, None)
    off = create(platform, "lead", name="off", score=0)
    worker(platform).drain()
    with begin_write(platform.engine) as conn:
        runs.set_enabled(conn, APP, "score", True, None)
    on = create(platform, "lead", name="on", score=0)
    worker(platform).drain()
    assert get(platform, "lead", off["id"])["score"] == 0
    assert get(platform, "lead", on["id"])["score"] == 1


def test_a_failing_run_retries_with_backoff_then_is_dead_then_replayed(
    platform: Platform,
) -> None:
    # the status is set from the name: a name that is no status option fails at run time
    publish(platform, [rule("copy", trigger={"on": "updated", "fields": ["name"]},
                            actions=[{"type": "set_fields", "formulas": {"status": "name"},
                                      "values": {"score": 1}}])])  # fmt: skip
    lead = create(platform, "lead", name="new", score=0)
    update(platform, "lead", lead["id"], name="bogus")
    w = worker(platform, max_attempts=2, retry_seconds=0.3)
    assert w.process_events() == 2
    assert w.process_retries() == 0  # not due yet
    (run,) = all_runs(platform, rule="copy")
    assert run["status"] == "retry" and run["attempts"] == 1
    assert "status" in run["error"]
    assert run["next_attempt_at"] is not None
    assert get(platform, "lead", lead["id"])["score"] == 0  # nothing half-written
    time.sleep(0.4)
    assert w.process_retries() == 1
    (run,) = all_runs(platform, rule="copy")
    assert run["status"] == "dead" and run["attempts"] == 2
    assert w.process_retries() == 0
    # the admin fixes the data (not through the name: no new event) and replays the dead run
    with begin_write(platform.engine) as conn:
        table = records(platform).table("lead")
        conn.execute(sa.update(table).where(table.c.id == lead["id"]).values(name="won"))
    with begin_write(platform.engine) as conn:
        replayed = runs.replay(conn, APP, run["id"])
    assert replayed["status"] == "retry"
    w.drain()
    (run,) = all_runs(platform, rule="copy")
    assert (run["status"], run["attempts"], run["error"]) == ("done", 1, None)
    after = get(platform, "lead", lead["id"])
    assert (after["status"], after["score"]) == ("won", 1)


def test_a_failing_run_among_an_events_runs_leaves_the_others_done(platform: Platform) -> None:
    # The event's runs go in one savepoint; when one fails they are run again one savepoint
    # each: the failing one is a retry, the others commit once (no doubled score).
    bogus = {"type": "set_fields", "formulas": {"status": "name"}}
    publish(
        platform,
        [
            rule("first", trigger={"on": "created"},
                 actions=[{"type": "add_score", "field": "score", "amount": 1}]),
            rule("middle", trigger={"on": "created"}, actions=[bogus]),
            rule("last", trigger={"on": "created"},
                 actions=[{"type": "add_score", "field": "score", "amount": 10}]),
        ],
    )  # fmt: skip
    lead = create(platform, "lead", name="bogus", score=0)
    worker(platform, max_attempts=3, retry_seconds=60).process_events()
    by_rule = {r["rule"]: r for r in all_runs(platform)}
    assert {name: r["status"] for name, r in by_rule.items()} == {
        "first": "done",
        "middle": "retry",
        "last": "done",
    }
    assert "status" in by_rule["middle"]["error"]
    assert get(platform, "lead", lead["id"])["score"] == 11
    with platform.engine.connect() as conn:
        history = records(platform).history(conn, "lead", lead["id"])
    assert [h["source"] for h in history].count("rule") == 2


def test_two_decimal_fields_compare_as_numbers(platform: Platform) -> None:
    # A JSON record gives money as text ("8.00"): compared as text, "8.00" < "10.00" is false.
    lead = next(d for d in DOCUMENTS if d["kind"] == "entity" and d["name"] == "lead")
    priced = {**lead, "fields": [*lead["fields"], {"name": "price", "type": "money"},
                                 {"name": "floor", "type": "money"}]}  # fmt: skip
    below_floor = {"<": [{"var": "price"}, {"var": "floor"}]}
    publish(
        platform,
        [priced, rule("under", trigger={"on": "created"}, condition=below_floor,
                      actions=[{"type": "add_score", "field": "score", "amount": 1}])],
    )  # fmt: skip
    cheap = create(platform, "lead", name="A", score=0, price="8.00", floor="10.00")
    dear = create(platform, "lead", name="B", score=0, price="12.00", floor="10.00")
    worker(platform).drain()
    assert get(platform, "lead", cheap["id"])["score"] == 1
    assert get(platform, "lead", dear["id"])["score"] == 0


def test_loop_safety_stops_a_self_retriggering_rule_and_deep_chains(platform: Platform) -> None:
    # every update adds 1 to the score, which is an update again: stopped at the first repeat
    publish(
        platform,
        [
            rule(
                "again",
                trigger={"on": "updated"},
                actions=[{"type": "add_score", "field": "score", "amount": 1}],
            )
        ],
    )
    lead = create(platform, "lead", name="loop", score=0)
    update(platform, "lead", lead["id"], name="go")
    worker(platform).drain()
    assert get(platform, "lead", lead["id"])["score"] == 1
    stopped = all_runs(platform, rule="again", status="stopped")
    assert len(stopped) == 1
    assert "triggered it again" in stopped[0]["warning"]


def test_depth_limit_stops_a_ping_pong_of_two_rules(platform: Platform) -> None:
    # lead → task → lead …: no rule repeats on one record, the depth limit stops the chain
    publish(
        platform,
        [
            rule("make_task", trigger={"on": "updated"},
                 actions=[{"type": "create_record", "entity": "task", "link": "lead",
                           "values": {"title": "t"}}]),
            {"kind": "rule", "name": "touch_lead", "entity": "task",
             "trigger": {"on": "created"},
             "actions": [{"type": "update_linked", "link": "lead",
                          "formulas": {"score": "1"}}]},
        ],
    )  # fmt: skip
    lead = create(platform, "lead", name="x", score=0)
    update(platform, "lead", lead["id"], name="go")
    worker(platform, max_depth=3).drain()
    stopped = all_runs(platform, status="stopped")
    assert stopped, all_runs(platform)
    assert all("stopped" in r["warning"] for r in stopped)
    with platform.engine.connect() as conn:
        assert len(records(platform).list(conn, "task").items) <= 3
