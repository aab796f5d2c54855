"""The access revision: one counter in the database that every change to what an access policy
is built from raises, in the transaction that makes the change.

A policy is built from the users (username, manager, admin flag), the department tree, who is
in which department, who holds which role and which records are shared
(:mod:`jimu.platform.access.loading`). :func:`watch` makes an engine raise the revision after
any SQLAlchemy ``INSERT``, ``UPDATE`` or ``DELETE`` of those tables, Core or ORM (an
``UPDATE`` of ``jimu_user`` only when it sets one of the columns policies read), once per
transaction. Because the counter lives in the database and changes in the same transaction,
every process sees the new revision exactly when it sees the change: a cache keyed by the
revision (:mod:`jimu.platform.access.cache`) never serves a policy older than the data.

Raw SQL (``exec_driver_sql``) against those tables is not seen: call :func:`bump` with it.

The counter is the row ``access`` of ``jimu_revision``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from jimu.platform.models import Revision
from jimu.platform.table_writes import table_write

#: The name of the counter row in ``jimu_revision``.
NAME = "access"
REVISIONS: sa.Table = Revision.__table__  # type: ignore[assignment]
#: Tables a policy is read from → the columns an UPDATE must set to matter (None: any).
WATCHED: Mapping[str, frozenset[str] | None] = {
    "jimu_user": frozenset({"id", "username", "manager_id", "is_admin"}),
    "jimu_department": None,
    "jimu_user_department": None,
    "jimu_role_assignment": None,
    "jimu_record_share": None,
}
#: ``Connection.info`` key: the (transaction, savepoint) that raised the revision last.
_RAISED = "jimu_access_revision_raised"


#: Built once (asked on every request of a scoped user; see ``metadata_store.app_revision``).
_CURRENT = sa.select(REVISIONS.c.value).where(REVISIONS.c.name == NAME)


def current(conn: sa.Connection) -> int:
    """The revision as ``conn`` sees it (0 before the first change)."""
    return int(conn.execute(_CURRENT).scalar_one_or_none() or 0)


def bump(conn: sa.Connection) -> None:
    """Raise the revision in ``conn``'s transaction (seen by others when it commits)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(REVISIONS).values(name=NAME, value=1)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[REVISIONS.c.name], set_={"value": REVISIONS.c.value + 1}
        )
    )
    conn.info[_RAISED] = (conn.get_transaction(), conn.get_nested_transaction())


def raised_here(conn: sa.Connection) -> bool:
    """Whether ``conn``'s current transaction raised the revision (then what it reads of the
    policy tables may never be committed, and must not be cached)."""
    raised = conn.info.get(_RAISED)
    transaction = conn.get_transaction()
    return raised is not None and transaction is not None and raised[0] is transaction


def watch(engine: sa.Engine) -> None:
    """Make every write to the policy tables through ``engine`` raise the revision."""
    if not event.contains(engine, "after_execute", _after_execute):
        event.listen(engine, "after_execute", _after_execute)


def _after_execute(
    conn: sa.Connection,
    statement: Any,
    multiparams: Sequence[Mapping[str, Any]] | None,
    params: Mapping[str, Any] | None,
    execution_options: Any,
    result: Any,
) -> None:
    write = table_write(statement, multiparams, params)
    if write is None or write.table not in WATCHED:
        return
    if not write.touches(WATCHED[write.table]):
        return  # e.g. a sign-in counting failures
    raised = conn.info.get(_RAISED)
    if (
        raised is not None
        and raised[0] is conn.get_transaction()
        and raised[1] is conn.get_nested_transaction()
    ):
        return  # once per transaction (and savepoint: a rolled-back one takes its raise along)
    bump(conn)
