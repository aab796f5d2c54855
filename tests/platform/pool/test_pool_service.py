"""The public pool's service: who may claim, the limits per day and held, atomic claims,
returns with their reasons, transfers, previous owners and the history's reasons."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from pool_testing import APP, create, ctx, get, guarded, pool_lead, records, setup

from jimu.errors import Conflict, JimuError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform import pool
from jimu.platform.db import begin_write
from jimu.platform.models import OwnerChange, User, utcnow
from jimu.platform.state import Platform


def claim(platform: Platform, user: User, *ids: int) -> list[dict[str, Any]]:
    with begin_write(platform.engine) as conn:
        return pool.claim(conn, guarded(platform, conn, user), "lead", list(ids), ctx(user))


def give_back(
    platform: Platform, user: User, record_id: int, reason: str | None = "no_answer", **kw: Any
) -> list[dict[str, Any]]:
    with begin_write(platform.engine) as conn:
        mine = guarded(platform, conn, user)
        return pool.return_to_pool(conn, mine, "lead", [record_id], ctx(user), reason, **kw)


@pytest.fixture
def users(platform: Platform) -> dict[str, User]:
    return setup(platform)


def test_a_rep_claims_a_pool_lead_and_the_history_says_so(
    platform: Platform, users: dict[str, User]
) -> None:
    lead = pool_lead(platform, "Ann's lead")
    (claimed,) = claim(platform, users["ann"], lead["id"])
    assert claimed["owner_id"] == users["ann"].id
    with platform.engine.connect() as conn:
        history = guarded(platform, conn, users["ann"]).history(conn, "lead", lead["id"])
    (owner_row,) = [h for h in history if h["field"] == "owner_id"]
    assert owner_row["source"] == "ui" and owner_row["actor_id"] == users["ann"].id
    assert owner_row["owner_change"] == {"kind": "claim", "reason": None, "note": None}


def test_a_lead_with_an_owner_is_no_longer_in_the_pool(
    platform: Platform, users: dict[str, User]
) -> None:
    lead = pool_lead(platform, "Taken")
    claim(platform, users["ann"], lead["id"])
    with pytest.raises(Conflict, match="no longer in the public pool") as caught:
        claim(platform, users["bob"], lead["id"])
    assert caught.value.extra["problem"] == "not_in_pool"
    assert get(platform, lead["id"])["owner_id"] == users["ann"].id


def test_only_the_claimers_named_may_claim(platform: Platform, users: dict[str, User]) -> None:
    lead = pool_lead(platform, "Guarded")
    with pytest.raises(PermissionDenied, match="may not claim"):
        claim(platform, users["vic"], lead["id"])
    with platform.engine.connect() as conn:
        assert pool.may_claim(conn, guarded(platform, conn, users["ann"]), "lead")
        assert not pool.may_claim(conn, guarded(platform, conn, users["vic"]), "lead")


def test_the_pool_page_shows_pool_leads_to_claimers_whatever_their_scope(
    platform: Platform, users: dict[str, User]
) -> None:
    in_pool = pool_lead(platform, "Free")
    create(platform, name="Owned", owner_id=users["mia"].id)
    with platform.engine.connect() as conn:
        page = pool.pool_page(conn, guarded(platform, conn, users["ann"]), "lead", _query())
        assert [r["id"] for r in page.items] == [in_pool["id"]] and page.total == 1
        with pytest.raises(PermissionDenied):
            pool.pool_page(conn, guarded(platform, conn, users["vic"]), "lead", _query())


def _query() -> Any:
    from jimu.platform.records import ListQuery

    return ListQuery(limit=10)


def test_claims_per_day_are_limited_and_the_error_says_when_they_reset(
    platform: Platform, users: dict[str, User]
) -> None:
    leads = [pool_lead(platform, f"L{i}") for i in range(3)]
    claim(platform, users["ann"], leads[0]["id"], leads[1]["id"])
    with pytest.raises(Conflict, match="claimed 2 of 2") as caught:
        claim(platform, users["ann"], leads[2]["id"])
    extra = caught.value.extra
    assert extra["limit"] == "claims_per_day" and extra["claims_left"] == 0
    assert extra["resets_at"].endswith("T00:00:00Z")
    assert get(platform, leads[2]["id"])["owner_id"] is None
    # Yesterday's claims do not count today.
    with begin_write(platform.engine) as conn:
        yesterday = utcnow() - timedelta(days=1)
        conn.execute(sa.update(OwnerChange.__table__).values(changed_at=yesterday))
    claim(platform, users["ann"], leads[2]["id"])


def test_records_held_are_limited_counting_only_open_ones(
    platform: Platform, users: dict[str, User]
) -> None:
    ann = users["ann"]
    create(platform, name="Held 1", owner_id=ann.id)
    create(platform, name="Held 2", owner_id=ann.id)
    create(platform, name="Won", owner_id=ann.id, status="won")  # not open: not counted
    first, second = pool_lead(platform, "P1"), pool_lead(platform, "P2")
    claim(platform, ann, first["id"])
    with pytest.raises(Conflict, match="hold 3 lead records") as caught:
        claim(platform, ann, second["id"])
    assert caught.value.extra["limit"] == "max_held"
    with platform.engine.connect() as conn:
        found = pool.limits(conn, records(platform), "lead", ann.id)
    assert (found.held, found.holding_left, found.claims_left) == (3, 0, 1)


def test_two_claims_of_one_lead_at_once_one_wins(
    platform: Platform, users: dict[str, User]
) -> None:
    lead = pool_lead(platform, "Contested")
    barrier = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            claim(platform, users[name], lead["id"])
            outcome[name] = "won"
        except JimuError as error:
            outcome[name] = error

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("ann", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [n for n, o in outcome.items() if o == "won"]
    (loser,) = [o for o in outcome.values() if o != "won"]
    assert len(winners) == 1
    assert isinstance(loser, Conflict) and loser.status == 409
    assert get(platform, lead["id"])["owner_id"] == users[winners[0]].id
    with platform.engine.connect() as conn:
        assert len(pool.owner_changes(conn, APP, "lead", lead["id"])) == 1


def test_returning_needs_a_reason_of_the_pool(platform: Platform, users: dict[str, User]) -> None:
    ann = users["ann"]
    lead = create(platform, name="Mine", owner_id=ann.id, next_step="call")
    with pytest.raises(ValidationFailed) as missing:
        give_back(platform, ann, lead["id"], None)
    assert [(e.pointer, e.code) for e in missing.value.errors] == [("/reason", "required")]
    with pytest.raises(ValidationFailed) as unknown:
        give_back(platform, ann, lead["id"], "bored")
    assert unknown.value.errors[0].pointer == "/reason"
    assert "no_answer, not_interested" in unknown.value.errors[0].message
    (done,) = give_back(platform, ann, lead["id"], "no_answer", note="rang 3 times")
    assert done["owner_id"] is None and done["next_step"] is None
    with platform.engine.connect() as conn:
        history = records(platform).history(conn, "lead", lead["id"])
    (owner_row,) = [h for h in history if h["field"] == "owner_id"]
    assert owner_row["owner_change"] == {
        "kind": "return", "reason": "no_answer", "note": "rang 3 times"
    }  # fmt: skip
    with pytest.raises(Conflict, match="in the public pool already"):
        give_back(platform, ann, lead["id"])


def test_a_reason_may_be_left_out_when_the_pool_does_not_require_one(
    platform: Platform,
) -> None:
    settings = {"enabled": True, "returns": {"reasons": [], "reason_required": False}}
    users = setup(platform, settings)
    lead = create(platform, name="Mine", owner_id=users["ann"].id)
    (done,) = give_back(platform, users["ann"], lead["id"], None)
    assert done["owner_id"] is None


def test_others_return_only_what_they_may_change(
    platform: Platform, users: dict[str, User]
) -> None:
    lead = create(platform, name="Ann's", owner_id=users["ann"].id)
    with pytest.raises(NotFound):  # bob's scope is his own leads
        give_back(platform, users["bob"], lead["id"])
    (done,) = give_back(platform, users["mia"], lead["id"], "not_interested")
    assert done["owner_id"] is None


def test_previous_owners_are_remembered_and_may_not_reclaim(
    platform: Platform, users: dict[str, User]
) -> None:
    ann, bob = users["ann"], users["bob"]
    lead = pool_lead(platform, "Round trip")
    claim(platform, ann, lead["id"])
    give_back(platform, ann, lead["id"])
    with pytest.raises(PermissionDenied, match=r"owned the lead record \d+ before"):
        claim(platform, ann, lead["id"])
    claim(platform, bob, lead["id"])
    give_back(platform, bob, lead["id"])
    with platform.engine.connect() as conn:
        assert pool.previous_owners(conn, APP, "lead", lead["id"]) == [bob.id, ann.id]
        periods = pool.owner_periods(conn, APP, "lead", lead["id"])
    held = [(p["user"], p["started"], p["ended"], p["reason"]) for p in periods]
    assert held == [
        (ann.id, "claim", "return", "no_answer"), (bob.id, "claim", "return", "no_answer")
    ]  # fmt: skip
    assert all(p["since"] <= p["until"] for p in periods)


def test_previous_owners_include_owners_changed_by_a_plain_edit(
    platform: Platform, users: dict[str, User]
) -> None:
    lead = create(platform, name="Edited", owner_id=users["ann"].id)
    with begin_write(platform.engine) as conn:
        records(platform).update(conn, "lead", lead["id"], {"owner_id": None}, ctx(users["mia"]))
    with platform.engine.connect() as conn:
        assert pool.previous_owners(conn, APP, "lead", lead["id"]) == [users["ann"].id]


def test_transfer_needs_the_assignment_right_and_keeps_its_note(
    platform: Platform, users: dict[str, User]
) -> None:
    ann, bob, mia = users["ann"], users["bob"], users["mia"]
    lead = create(platform, name="Handed", owner_id=ann.id)
    with begin_write(platform.engine) as conn, pytest.raises(PermissionDenied) as refused:
        pool.transfer(conn, guarded(platform, conn, ann), "lead", [lead["id"]], bob.id, ctx(ann))
    assert refused.value.errors[0].pointer == "/to_user"
    with begin_write(platform.engine) as conn:
        mine = guarded(platform, conn, mia)
        pool.transfer(conn, mine, "lead", [lead["id"]], bob.id, ctx(mia), "Bob knows them")
    assert get(platform, lead["id"])["owner_id"] == bob.id
    with platform.engine.connect() as conn:
        (change,) = pool.owner_changes(conn, APP, "lead", lead["id"])
        assert (change["kind"], change["from_user"], change["to_user"]) == (
            "transfer",
            ann.id,
            bob.id,
        )
        assert change["note"] == "Bob knows them"
        assert pool.previous_owners(conn, APP, "lead", lead["id"]) == [ann.id]
    with begin_write(platform.engine) as conn, pytest.raises(ValidationFailed) as unknown:
        pool.transfer(conn, guarded(platform, conn, mia), "lead", [lead["id"]], 999, ctx(mia))
    assert unknown.value.errors[0].pointer == "/to_user"


def test_an_entity_without_a_pool_has_none(platform: Platform) -> None:
    users = setup(platform, {"enabled": False})
    lead = pool_lead(platform, "Nowhere")
    with pytest.raises(NotFound, match="has no public pool"):
        claim(platform, users["ann"], lead["id"])
