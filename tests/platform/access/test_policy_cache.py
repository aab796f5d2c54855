"""The policy cache never serves stale permissions (jimu/platform/access/cache.py).

Each test builds the secured crm app, warms the cache of one Platform by listing as a user,
changes a role, a department membership, a department, a share or a manager — through a
*second* Platform on the same database where it matters, as another process would — and
checks that the very next request of the first Platform sees the change.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from access_testing import Secured, sent_statements

from jimu.errors import PermissionDenied
from jimu.platform.access import revision
from jimu.platform.access.assignments import share_record, unassign_role, unshare_record
from jimu.platform.db import begin_write
from jimu.platform.models import Department, RoleAssignment, User
from jimu.platform.org.members import set_manager, set_memberships
from jimu.platform.records import ListQuery
from jimu.platform.state import Platform


def elsewhere(platform: Platform) -> int:
    """A new department outside Sales and Finance (it reaches no role)."""
    with platform.sessions() as db:
        department = Department(name="Elsewhere")
        db.add(department)
        db.commit()
        return department.id


def names(platform: Platform, username: str) -> list[str]:
    """The lead names ``username`` may list (one request's worth of work)."""
    with platform.sessions() as db:
        user = db.scalars(sa.select(User).where(User.username == username)).one()
        db.expunge(user)
    with platform.engine.connect() as conn:
        guarded = platform.apps.for_user(conn, "crm", user)
        page = guarded.list(conn, "lead", ListQuery(sort=["name"], limit=100))
        return [str(item["name"]) for item in page.items]


@pytest.fixture
def other(platform: Platform) -> Any:
    """A second Platform (another process) on the same database."""
    second = Platform.from_settings(platform.settings)
    yield second
    second.engine.dispose()


def test_a_cached_policy_costs_two_small_queries(platform: Platform, secured: Secured) -> None:
    """The second request of a user reads only the app's and the access revision (the
    cache is in use), and its list reads no shares again."""
    names(platform, "rex")
    with platform.sessions() as db:
        rex = db.get(User, secured.users["rex"])
        assert rex is not None
        db.expunge(rex)
    apps = platform.apps
    with platform.engine.connect() as conn:
        sent = [
            sql for sql, _ in sent_statements(platform, lambda: apps.for_user(conn, "crm", rex))
        ]
        assert len([s for s in sent if s != "BEGIN"]) == 2, sent
        guarded = platform.apps.for_user(conn, "crm", rex)
        listed = sent_statements(platform, lambda: guarded.list(conn, "lead", ListQuery()))
        assert not [sql for sql, _ in listed if "jimu_record_share" in sql], listed


def test_a_removed_role_is_seen_by_the_next_request_of_another_process(
    platform: Platform, other: Platform, secured: Secured
) -> None:
    assert names(platform, "fin") == ["fin1", "pool", "rex1", "rex2", "wes1"]
    with begin_write(other.engine) as conn:
        assignment = conn.execute(
            sa.select(RoleAssignment.id).where(RoleAssignment.role == "finance")
        ).scalar_one()
        unassign_role(conn, "crm", assignment)
    with pytest.raises(PermissionDenied):
        names(platform, "fin")


def test_a_membership_change_is_seen_by_the_next_request_of_another_process(
    platform: Platform, other: Platform, secured: Secured
) -> None:
    before = names(platform, "mia")
    target = elsewhere(other)
    with other.sessions() as db:
        wes = db.get(User, secured.users["wes"])
        assert wes is not None
        set_memberships(db, wes, [(target, True, False)])
        db.commit()
    after = names(platform, "mia")
    assert "wes1" in before and "wes1" not in after
    # and wes, who now reaches no role (rep came through Field), may not read at all
    with pytest.raises(PermissionDenied):
        names(platform, "wes")


def test_moving_a_department_is_seen_by_the_next_request(
    platform: Platform, other: Platform, secured: Secured
) -> None:
    assert "wes1" in names(platform, "mia")
    assert names(platform, "wes") == ["pool", "wes1"]
    target = elsewhere(other)
    with other.sessions() as db:
        west = db.get(Department, secured.departments["West"])
        assert west is not None
        west.parent_id = target
        db.commit()
    assert "wes1" not in names(platform, "mia")
    with pytest.raises(PermissionDenied):  # rep no longer reaches West through Field
        names(platform, "wes")


def test_shares_are_seen_by_the_next_request(
    platform: Platform, other: Platform, secured: Secured
) -> None:
    assert "fin1" not in names(platform, "rex")
    with begin_write(other.engine) as conn:
        share = share_record(
            conn, "crm", "lead", secured.leads["fin1"], "read", user_id=secured.users["rex"]
        )
    assert "fin1" in names(platform, "rex")
    with begin_write(other.engine) as conn:
        unshare_record(conn, "crm", "lead", secured.leads["fin1"], share)
    assert "fin1" not in names(platform, "rex")


def test_a_change_rolled_back_is_never_cached(platform: Platform, secured: Secured) -> None:
    """A transaction that changed a membership sees its own change, but what it read must
    not outlive its rollback (its revision is given back and taken again by the next change)."""
    assert "wes1" in names(platform, "mia")
    with platform.sessions() as db:
        mia = db.get(User, secured.users["mia"])
        assert mia is not None
        db.expunge(mia)
    with platform.engine.connect() as conn, conn.begin() as transaction:
        conn.execute(
            sa.update(Department)
            .where(Department.id == secured.departments["West"])
            .values(parent_id=secured.departments["Finance"])
        )
        guarded = platform.apps.for_user(conn, "crm", mia)
        inside = [str(r["name"]) for r in guarded.list(conn, "lead", ListQuery()).items]
        assert "wes1" not in inside
        transaction.rollback()
    # the next committed change takes the revision the rolled-back one had (no request in
    # between, which would replace a wrongly kept entry)
    with begin_write(platform.engine) as conn:
        conn.execute(
            sa.update(Department)
            .where(Department.id == secured.departments["East"])
            .values(parent_id=secured.departments["Finance"])
        )
    after = names(platform, "mia")
    assert "rex1" not in after and "wes1" in after, after


def test_only_writes_that_policies_read_raise_the_revision(
    platform: Platform, secured: Secured
) -> None:
    def now() -> int:
        with platform.engine.connect() as conn:
            return revision.current(conn)

    start = now()
    with begin_write(platform.engine) as conn:  # a new password: not about access
        changed = sa.update(User).where(User.id == secured.users["rex"])
        conn.execute(changed.values(password_changed_at=sa.func.current_timestamp()))
    assert now() == start
    with platform.sessions() as db:  # reports of a manager are in the $user context
        rex = db.get(User, secured.users["rex"])
        assert rex is not None
        set_manager(db, rex, secured.users["mia"])
        db.commit()
    assert now() == start + 1
    with platform.sessions() as db:  # several changes in one transaction: one raise
        for name in ("A", "B", "C"):
            db.add(Department(name=name))
        db.flush()
        db.add(Department(name="D"))
        db.commit()
    assert now() == start + 2


def test_shares_read_after_a_change_in_the_same_transaction_are_not_kept(
    platform: Platform, secured: Secured
) -> None:
    """A policy taken from the cache, then a share in the same transaction, then a list: the
    list sees the share, but the shares it read must not be kept for other requests."""
    assert "fin1" not in names(platform, "rex")
    with platform.sessions() as db:
        rex = db.get(User, secured.users["rex"])
        assert rex is not None
        db.expunge(rex)
    with platform.engine.connect() as conn, conn.begin() as transaction:
        guarded = platform.apps.for_user(conn, "crm", rex)
        share_record(conn, "crm", "lead", secured.leads["fin1"], "read", user_id=rex.id)
        inside = [str(r["name"]) for r in guarded.list(conn, "lead", ListQuery()).items]
        assert "fin1" in inside
        transaction.rollback()
    assert "fin1" not in names(platform, "rex")
