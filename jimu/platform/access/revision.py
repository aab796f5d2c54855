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
from sqlalchemy.sql.dml import Update, UpdateBase

from jimu.platform.models import Revision

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


def current(conn: sa.Connection) -> int:
    """The revision as ``conn`` sees it (0 before the first change)."""
    query = sa.select(REVISIONS.c.value).where(REVISIONS.c.name == NAME)
    return int(conn.execute(query).scalar_one_or_none() or 0)


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
    if not isinstance(statement, UpdateBase):
        return
    name = str(getattr(statement.table, "name", ""))
    if name not in WATCHED:
        return
    columns = WATCHED[name]
    if (
        columns is not None
        and isinstance(statement, Update)
        and not columns & _set_columns(statement, multiparams, params)
    ):
        return  # e.g. a sign-in counting failures
    raised = conn.info.get(_RAISED)
    if (
        raised is not None
        and raised[0] is conn.get_transaction()
        and raised[1] is conn.get_nested_transaction()
    ):
        return  # once per transaction (and savepoint: a rolled-back one takes its raise along)
    bump(conn)


def _set_columns(
    statement: Update,
    multiparams: Sequence[Mapping[str, Any]] | None,
    params: Mapping[str, Any] | None,
) -> frozenset[str]:
    """The columns an UPDATE sets: its ``.values()`` and (ORM flushes) its parameters. When it
    cannot tell, every column (so the revision is raised)."""
    names = {str(getattr(k, "key", k)) for k in (statement._values or {})}
    for given in [*(multiparams or []), params or {}]:
        if isinstance(given, Mapping):
            names.update(str(k) for k in given)
    return frozenset(names) if names else frozenset({"id"})
