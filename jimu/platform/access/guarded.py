"""``GuardedRecords``: the records service as one user may use it — the one enforcement point.

It keeps to ``RecordService`` like ``Records`` (mypy checks both), wraps any record service,
and adds to each of its methods
the caller's access (``AccessPolicy``): the action must be allowed, rows are limited by the
data scope (compiled through the expression language into the SQL WHERE, shares included),
hidden fields are never selected, filtered, sorted, returned or named in an error, and
read-only fields cannot be written. A record outside the read scope is "not found".
"""

from __future__ import annotations

import builtins
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.errors import FieldError, JimuError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform.access import revision
from jimu.platform.access.binding import bind_user
from jimu.platform.access.loading import shared_ids
from jimu.platform.access.owners import (
    Owners,
    changed_owners,
    current_owners,
    given_owners,
    inactive_owner_errors,
    require_assignable,
    with_owner,
)
from jimu.platform.access.policy import WRITE_ACTIONS, AccessPolicy, EntityAccess
from jimu.platform.records import ImportReport, ListQuery, Page, WriteContext
from jimu.platform.records.filters import filter_clause
from jimu.platform.records.protocol import RecordService
from jimu.platform.records.runtime import AppRuntime
from jimu.platform.security.audit_log import log_event

#: What an error about a field the caller may not see says instead.
HIDDEN_PROBLEM = "a field you may not see has a problem; ask an administrator"


class GuardedRecords:
    """The records of one app as one user may read and change them."""

    def __init__(
        self, records: RecordService, policy: AccessPolicy, published: str | None = None
    ) -> None:
        self.records = records
        self.policy = policy
        #: The app's published version the records were compiled at, when known (a key of
        #: cached chart results; ``metadata_store.app_revision``).
        self.published = published

    @property
    def model(self) -> AppModel:
        return self.records.model

    @property
    def runtime(self) -> AppRuntime:
        return self.records.runtime

    @property
    def app(self) -> str:
        return self.records.app

    def table(self, entity: str) -> sa.Table:
        return self.records.table(entity)

    def access(self, entity: str) -> EntityAccess:
        """What the user may do with ``entity`` (NotFound if the app has no such entity)."""
        self.runtime.entity(entity)
        return self.policy.entity(entity)

    def _label(self, entity: str) -> str:
        label = self.model.entity(entity).label
        return str(label.get("en") or entity) if isinstance(label, Mapping) else entity

    # -- scopes ---------------------------------------------------------------------------

    def scope(self, conn: sa.Connection, entity: str, action: str) -> dict[str, Any] | None:
        """The JsonLogic condition rows must meet for ``action`` (None: every row), with the
        records shared with the user; PermissionDenied if the action is not allowed."""
        access = self.access(entity)
        access.require(action, self._label(entity))
        rule = access.scope(action)
        if rule is None:
            return None
        bound: dict[str, Any] = bind_user(rule, self.policy.context)
        shared = self._shared(conn, entity, write=action in WRITE_ACTIONS)
        if shared:
            bound = {"or": [bound, {"in": [{"var": "id"}, shared]}]}
        return bound

    def _shared(self, conn: sa.Connection, entity: str, *, write: bool) -> list[int]:
        """Ids of the records of ``entity`` shared with the user: kept with the policy's
        cached inputs, except in a transaction that changed what policies are read from (it
        reads its own changes, and keeps nothing it may roll back)."""
        kept = None if revision.raised_here(conn) else self.policy.shares
        if kept is not None and (entity, write) in kept:
            return kept[entity, write]
        ids = shared_ids(conn, self.app, entity, self.policy.context, write=write)
        if kept is not None:
            kept[entity, write] = ids
        return ids

    def _in_scope(
        self, conn: sa.Connection, entity: str, ids: Sequence[int], rule: Mapping[str, Any] | None
    ) -> set[int]:
        if rule is None or not ids:
            return set(ids)
        rt = self.runtime.entity(entity)
        query = sa.select(rt.table.c.id).where(
            rt.table.c.id.in_(sorted(set(ids))), filter_clause(rt, rule)
        )
        return set(conn.scalars(query))

    def permitted(
        self, conn: sa.Connection, entity: str, action: str, ids: Sequence[int]
    ) -> set[int]:
        """The ids among ``ids`` the user may ``action`` (for showing buttons)."""
        if not self.access(entity).allows(action):
            return set()
        return self._in_scope(conn, entity, ids, self.scope(conn, entity, action))

    def require_rows(
        self, conn: sa.Connection, entity: str, ids: Sequence[int], action: str
    ) -> None:
        """Every id must be in the scope of ``action``: out of the read scope is NotFound,
        readable but not ``action``-able is PermissionDenied."""
        rule = self.scope(conn, entity, action)
        allowed = self._in_scope(conn, entity, ids, rule)
        missing = [i for i in ids if i not in allowed]
        if not missing:
            return
        access = self.access(entity)
        readable = (
            self._in_scope(conn, entity, missing, self.scope(conn, entity, "read"))
            if access.allows("read")
            else set()
        )
        for record_id in missing:
            if record_id not in readable:
                raise NotFound(f"There is no {entity} record {record_id}.")
        verb = {"update": "change", "delete": "delete"}.get(action, action)
        raise PermissionDenied(
            f"You may not {verb} the {entity} record {missing[0]}.",
            extra={"action": action, "entity": entity},
        )

    # -- field rules ----------------------------------------------------------------------

    def _strip_all(
        self, entity: str, records: builtins.list[dict[str, Any]]
    ) -> builtins.list[dict[str, Any]]:
        """:meth:`_strip` of each record (the records as they are when nothing is hidden)."""
        if not self.access(entity).hidden and not self.runtime.entity(entity).subtables:
            return records
        return [self._strip(entity, r) for r in records]

    def _strip(self, entity: str, record: dict[str, Any]) -> dict[str, Any]:
        """The record without hidden fields, its sub-table rows without theirs."""
        hidden = self.access(entity).hidden
        result = {k: v for k, v in record.items() if k not in hidden} if hidden else record
        for name, spec in self.runtime.entity(entity).subtables.items():
            rows = result.get(name)
            if isinstance(rows, list):
                child = str(spec.get("target"))
                result[name] = [self._strip(child, r) if isinstance(r, dict) else r for r in rows]
        return result

    def _check_input(
        self, entity: str, data: Mapping[str, Any], prefix: str = ""
    ) -> builtins.list[FieldError]:
        access = self.access(entity)
        if not access.hidden and not access.read_only:
            return []
        errors = []
        for name in data:
            if name in access.hidden:
                errors.append(
                    FieldError(
                        f"{prefix}/{name}", f"{name!r} is not a field of {entity}", "unknown_field"
                    )
                )
            elif name in access.read_only:
                errors.append(FieldError(f"{prefix}/{name}", "is read-only for you", "read_only"))
        return errors

    def _link_errors(
        self,
        conn: sa.Connection,
        entity: str,
        rows: Sequence[Mapping[str, Any]],
        prefixes: Sequence[str],
    ) -> builtins.list[FieldError]:
        """A link may only point at records the user may read (else: "there is no ...")."""
        rt = self.runtime.entity(entity)
        targets = {**rt.links, **rt.many_links}
        if self.policy.unrestricted or not targets:
            return []
        errors = []
        for name, target in targets.items():
            wanted: dict[int, builtins.list[str]] = {}
            for row, prefix in zip(rows, prefixes, strict=True):
                value = row.get(name)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, int) and not isinstance(item, bool):
                        wanted.setdefault(item, []).append(prefix)
            if not wanted:
                continue
            readable = self.permitted(conn, target, "read", sorted(wanted))
            for record_id, where in wanted.items():
                if record_id not in readable:
                    errors += [
                        FieldError(
                            f"{p}/{name}", f"there is no {target} record {record_id}", "link"
                        )
                        for p in where
                    ]
        return errors

    @contextmanager
    def _concealing(self, entity: str) -> Iterator[None]:
        """Errors never name a hidden field, nor carry its value."""
        try:
            yield
        except JimuError as exc:
            hidden = self.access(entity).hidden
            if hidden:
                exc.errors = [_conceal(e, hidden) for e in exc.errors]
                current = exc.extra.get("current")
                if isinstance(current, dict):
                    exc.extra["current"] = {k: v for k, v in current.items() if k not in hidden}
            raise

    # -- owners ---------------------------------------------------------------------------

    def _require_assignable(self, entity: str, owners: Owners) -> None:
        """403 unless the user may make every one of ``owners`` an owner of ``entity``."""
        access = self.access(entity)
        assignees = access.assignees(self.policy.context)
        require_assignable(owners, assignees, access.assign_to, self._label(entity))

    def _new_owners(
        self,
        conn: sa.Connection,
        entity: str,
        changes: Sequence[Mapping[str, Any]],
        prefixes: Sequence[str],
        ids: Sequence[int],
    ) -> tuple[Owners, dict[int, int | None]]:
        """The owners ``changes`` give (new sub-table rows included), checked against the
        user's right to assign, and the previous owner of each record whose owner changes to
        a user."""
        rt = self.runtime.entity(entity)
        giving = [i for i, change in zip(ids, changes, strict=True) if "owner_id" in change]
        current = current_owners(conn, rt.table, giving) if giving else {}
        owners = changed_owners(changes, prefixes, ids, current)
        moved = {
            record_id: current[record_id]
            for record_id, change in zip(ids, changes, strict=True)
            if record_id in current and change.get("owner_id") not in (None, current[record_id])
        }
        if rt.subtables:
            for owner, where in given_owners(changes, prefixes, rt.subtables, top=False).items():
                owners.setdefault(owner, []).extend(where)
        self._require_assignable(entity, owners)
        return owners, moved

    def _require_writable_after(
        self,
        conn: sa.Connection,
        entity: str,
        ids: Sequence[int],
        moved: Mapping[int, int | None],
    ) -> None:
        """After a change (in its transaction), every record must still be in the write
        scope. A record whose owner changed is judged with its previous owner: who may own
        it is the assignment right's to say (checked before), the rest the write scope's."""
        rule = self.scope(conn, entity, "update")
        if rule is None or not ids:
            return
        allowed = self._in_scope(conn, entity, [i for i in ids if i not in moved], rule)
        by_owner: dict[int | None, builtins.list[int]] = defaultdict(list)
        for record_id, owner in moved.items():
            by_owner[owner].append(record_id)
        for owner, group in by_owner.items():
            allowed |= self._in_scope(conn, entity, group, with_owner(rule, owner))
        outside = [i for i in ids if i not in allowed]
        if outside:
            raise PermissionDenied(
                f"The change would take the {entity} record {outside[0]} out of the records "
                "you may change.",
                extra={"action": "update", "entity": entity},
            )

    # -- reads ----------------------------------------------------------------------------

    def list(self, conn: sa.Connection, entity: str, q: ListQuery | None = None) -> Page:
        q = q or ListQuery()
        rule = self.scope(conn, entity, "delete" if q.deleted else "read")
        scope = _both(rule, bind_user(q.scope, self.policy.context) if q.scope else None)
        access = self.access(entity)
        filter_ = bind_user(q.filter, self.policy.context) if q.filter else q.filter
        page = self.records.list(
            conn,
            entity,
            replace(q, filter=filter_, scope=scope, hidden=access.hidden | q.hidden),
        )
        if self.runtime.entity(entity).subtables:
            page.items = self._strip_all(entity, page.items)
        return page

    def recycle_bin(self, conn: sa.Connection, entity: str, q: ListQuery | None = None) -> Page:
        return self.list(conn, entity, replace(q or ListQuery(), deleted=True))

    def get(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        fields: Sequence[str] | None = None,
        include_deleted: bool = False,
        hidden: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        rule = self.scope(conn, entity, "read")
        if record_id not in self._in_scope(conn, entity, [record_id], rule):
            raise NotFound(f"There is no {entity} record {record_id}.")
        hidden = self.access(entity).hidden | hidden
        record = self.records.get(conn, entity, record_id, fields, include_deleted, hidden)
        return self._strip(entity, record)

    def history(
        self, conn: sa.Connection, entity: str, record_id: int
    ) -> builtins.list[dict[str, Any]]:
        self.get(conn, entity, record_id, fields=[], include_deleted=True)
        hidden = self.access(entity).hidden
        return [
            _without(change, hidden)
            for change in self.records.history(conn, entity, record_id)
            if change.get("field") not in hidden
        ]

    # -- writes ---------------------------------------------------------------------------

    def create(
        self, conn: sa.Connection, entity: str, data: Mapping[str, Any], ctx: WriteContext
    ) -> dict[str, Any]:
        return self.bulk_create(conn, entity, [data], ctx, single=True)[0]

    def bulk_create(
        self,
        conn: sa.Connection,
        entity: str,
        rows: Sequence[Mapping[str, Any]],
        ctx: WriteContext,
        *,
        single: bool = False,
    ) -> builtins.list[dict[str, Any]]:
        self.access(entity).require("create", self._label(entity))
        prefixes = [""] if single else [f"/{i}" for i in range(len(rows))]
        owners = given_owners(rows, prefixes, self.runtime.entity(entity).subtables)
        self._require_assignable(entity, owners)
        errors = [
            e
            for row, p in zip(rows, prefixes, strict=True)
            for e in self._check_input(entity, row, p)
        ]
        errors += self._link_errors(conn, entity, rows, prefixes)
        errors += inactive_owner_errors(conn, owners)
        if errors:
            raise ValidationFailed(f"The {entity} record is not valid.", errors)
        with self._concealing(entity):
            if single:
                created = [self.records.create(conn, entity, rows[0], ctx)]
            else:
                created = self.records.bulk_create(conn, entity, rows, ctx)
        return self._strip_all(entity, created)

    def update(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        changes: Mapping[str, Any],
        ctx: WriteContext,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        self.require_rows(conn, entity, [record_id], "update")
        owners, moved = self._new_owners(conn, entity, [changes], [""], [record_id])
        errors = self._check_input(entity, changes)
        errors += self._link_errors(conn, entity, [changes], [""])
        errors += inactive_owner_errors(conn, owners)
        if errors:
            raise ValidationFailed(f"The {entity} record is not valid.", errors)
        with self._concealing(entity):
            record = self.records.update(conn, entity, record_id, changes, ctx, expected_version)
        self._require_writable_after(conn, entity, [record_id], moved)
        return self._strip(entity, record)

    def bulk_update(
        self,
        conn: sa.Connection,
        entity: str,
        changes: Sequence[Mapping[str, Any]],
        ctx: WriteContext,
    ) -> builtins.list[dict[str, Any]]:
        ids = [item["id"] for item in changes if isinstance(item.get("id"), int)]
        self.require_rows(conn, entity, ids, "update")
        identified = [(i, item) for i, item in enumerate(changes) if item.get("id") in ids]
        owners, moved = self._new_owners(
            conn,
            entity,
            [item for _, item in identified],
            [f"/{i}" for i, _ in identified],
            [item["id"] for _, item in identified],
        )
        errors = [
            e
            for i, item in enumerate(changes)
            for e in self._check_input(
                entity, {k: v for k, v in item.items() if k not in ("id", "version")}, f"/{i}"
            )
        ]
        errors += self._link_errors(conn, entity, changes, [f"/{i}" for i in range(len(changes))])
        errors += inactive_owner_errors(conn, owners)
        if errors:
            raise ValidationFailed(f"The {entity} records are not valid.", errors)
        with self._concealing(entity):
            updated = self.records.bulk_update(conn, entity, changes, ctx)
        self._require_writable_after(conn, entity, ids, moved)
        return self._strip_all(entity, updated)

    def delete(
        self,
        conn: sa.Connection,
        entity: str,
        record_id: int,
        ctx: WriteContext,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        self.require_rows(conn, entity, [record_id], "delete")
        with self._concealing(entity):
            record = self.records.delete(conn, entity, record_id, ctx, expected_version)
        return self._strip(entity, record)

    def restore(
        self, conn: sa.Connection, entity: str, record_id: int, ctx: WriteContext
    ) -> dict[str, Any]:
        self.require_rows(conn, entity, [record_id], "delete")
        with self._concealing(entity):
            record = self.records.restore(conn, entity, record_id, ctx)
        return self._strip(entity, record)

    def purge(self, conn: sa.Connection, entity: str, record_id: int, ctx: WriteContext) -> None:
        self.require_rows(conn, entity, [record_id], "delete")
        self.records.purge(conn, entity, record_id, ctx)

    # -- files ----------------------------------------------------------------------------

    def import_file(
        self,
        conn: sa.Connection,
        entity: str,
        data: bytes,
        format: str,
        ctx: WriteContext,
        mapping: Mapping[str, str] | None = None,
        dry_run: bool = True,
        skip: frozenset[str] = frozenset(),
    ) -> ImportReport:
        """Check or import a file; columns of ``skip`` fields, and of fields the user may not
        write, are not mapped automatically."""
        access = self.access(entity)
        access.require("import", self._label(entity))
        access.require("create", self._label(entity))
        if mapping:
            errors = self._check_input(entity, {f: None for f in mapping.values()})
            if errors:
                raise ValidationFailed("The column mapping is not valid.", errors)
        with self._concealing(entity):
            report = self.records.import_file(
                conn,
                entity,
                data,
                format,
                ctx,
                mapping,
                dry_run,
                skip=access.hidden | access.read_only | skip,
            )
        if not dry_run:
            log_event(
                conn,
                "import",
                actor_id=self.policy.user_id,
                app=self.app,
                detail={"entity": entity, "format": format, "created": len(report.created)},
            )
        return report

    def export(
        self,
        conn: sa.Connection,
        entity: str,
        q: ListQuery | None = None,
        format: str = "csv",
    ) -> bytes:
        """The matching records as a file; logged in the security audit log."""
        q = q or ListQuery()
        self.access(entity).require("export", self._label(entity))
        rule = self.scope(conn, entity, "read")
        access = self.access(entity)
        filter_ = bind_user(q.filter, self.policy.context) if q.filter else q.filter
        # A file has no room for per-row rules: sub-tables whose rows hide fields stay out.
        concealed = frozenset(
            name
            for name, spec in self.runtime.entity(entity).subtables.items()
            if self.access(str(spec.get("target"))).hidden
        )
        scoped = replace(
            q,
            filter=filter_,
            scope=_both(rule, q.scope),
            hidden=access.hidden | concealed | q.hidden,
        )
        blob = self.records.export(conn, entity, scoped, format)
        log_event(
            conn,
            "export",
            actor_id=self.policy.user_id,
            app=self.app,
            detail={"entity": entity, "format": format, "filter": q.filter},
        )
        return blob


def _both(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if a is None or b is None:
        found = a if b is None else b
        return dict(found) if found is not None else None
    return {"and": [dict(a), dict(b)]}


def _without(change: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    """A history entry without hidden fields inside whole-record values (``field == "*"``)."""
    if not hidden:
        return change
    result = dict(change)
    for side in ("old_value", "new_value"):
        value = result.get(side)
        if isinstance(value, dict):
            result[side] = {k: v for k, v in value.items() if k not in hidden}
    return result


def _conceal(error: FieldError, hidden: frozenset[str]) -> FieldError:
    """The error, or a neutral one when it is about (or names) a hidden field."""
    segments = set(error.pointer.split("/"))
    named = any(re.search(rf"\b{re.escape(name)}\b", error.message) for name in hidden)
    if segments & hidden or named:
        return FieldError("", HIDDEN_PROBLEM, "hidden_field")
    return error
