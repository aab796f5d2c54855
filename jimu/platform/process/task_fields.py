"""A task's record as its people see and change it: the node's field permissions (the pure
``jimu.engines.process.field_permissions``) over the person's own access.

The person must be able to read the record (their roles' read scope: otherwise NotFound /
PermissionDenied, as for the record itself); fields their roles hide stay hidden whatever the
node says. A field the node makes editable or required may be written with the task even when
their roles leave it read-only or the record is outside their write scope: the node grants the
edit for the task's duration, nothing more. The edit is written by the record service with the
person as the actor (source ``process``), in the caller's transaction, with the record's own
validation. See docs/process.md, "Field permissions"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.form.registry import default_registry
from jimu.engines.process import ProcessError
from jimu.engines.process.field_permissions import (
    TaskFields,
    edit_errors,
    missing_required,
    task_fields,
)
from jimu.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform.access.guarded import HIDDEN_PROBLEM
from jimu.platform.models import User
from jimu.platform.process.flows import flow_version
from jimu.platform.process.instances import INSTANCES
from jimu.platform.records import WriteContext

if TYPE_CHECKING:
    from jimu.platform.state import Platform

#: The outcome that never needs the required fields (rejecting a request asks nothing of it).
REJECT = "reject"


@dataclass(frozen=True)
class TaskRecord:
    """One task's record for one person: its fields' permissions and what they may see."""

    app: str
    entity: str
    record_id: int
    fields: TaskFields
    #: The record without the fields hidden at the task or by the person's roles.
    record: dict[str, Any]


def task_node(conn: sa.Connection, instance: Any, node: str) -> Mapping[str, Any]:
    """The task's node as the instance's flow version has it (empty if it is gone)."""
    doc, _ = flow_version(conn, instance.app, instance.flow, instance.flow_version)
    return next((n for n in doc.get("nodes", []) if n.get("id") == node), {})


def task_record(
    platform: Platform, conn: sa.Connection, task: Any, user: User
) -> TaskRecord | None:
    """The task's record as ``user`` sees it at the task (None: the instance has no record).
    Raises like reading the record would (NotFound outside their read scope)."""
    instance = conn.execute(sa.select(INSTANCES).where(INSTANCES.c.id == task.instance_id)).one()
    if instance.entity is None or instance.record_id is None:
        return None
    app, entity = str(instance.app), str(instance.entity)
    guarded = platform.apps.for_user(conn, app, user)
    readable = guarded.get(conn, entity, int(instance.record_id), include_deleted=True)
    registry = default_registry()
    model_fields = guarded.model.entity(entity).fields
    computed = {
        f.name
        for f in model_fields
        if f.readonly or (f.type in registry and registry.get(f.type).computed)
    }
    fields = task_fields(
        task_node(conn, instance, str(task.node)),
        [f.name for f in model_fields],
        role_hidden=guarded.access(entity).hidden,
        computed=computed,
    )
    return TaskRecord(app, entity, int(instance.record_id), fields, fields.visible(readable))


def _record_pointer(error: FieldError, fields: TaskFields, prefix: str) -> FieldError:
    """A record service error as the task's caller sees it: under ``prefix``, and neutral
    when it names a field hidden from them."""
    name = error.pointer.lstrip("/").split("/", 1)[0]
    if name and fields.of(name) == "hidden":
        return FieldError(prefix, HIDDEN_PROBLEM, "hidden_field")
    return FieldError(f"{prefix}{error.pointer}", error.message, error.code)


def _require_unread(
    platform: Platform, conn: sa.Connection, task: Any, outcome: str | None, prefix: str
) -> None:
    """The required fields of the task left empty, for a person who may not read its record."""
    if outcome == REJECT:
        return
    instance = conn.execute(sa.select(INSTANCES).where(INSTANCES.c.id == task.instance_id)).one()
    entity = str(instance.entity)
    records = platform.apps.records(conn, str(instance.app))
    record = records.get(conn, entity, int(instance.record_id), include_deleted=True)
    fields = task_fields(
        task_node(conn, instance, str(task.node)),
        [f.name for f in records.model.entity(entity).fields],
    )
    if errors := missing_required(fields, record, prefix):
        raise ValidationFailed("The record cannot be changed so at this step.", errors)


def write_task_edits(
    platform: Platform,
    conn: sa.Connection,
    task: Any,
    user: User,
    changes: Mapping[str, Any],
    *,
    outcome: str | None,
    expected_version: int | None = None,
    strict: bool = False,
    prefix: str = "/record",
) -> list[str]:
    """Check ``changes`` against the task's field permissions and write them to its record
    (in the caller's transaction, before the decision); the names of the fields it changed.

    Someone who may not read the record (a flow designer, say) decides without changes; the
    required fields are still checked. Every problem is a 422 naming the field under
    ``prefix``: a field hidden at the task is
    unknown, one not editable at it read-only, a required one left empty (unless the outcome
    is ``reject``) required; the record service's own errors come under ``prefix`` too."""
    if task.status != "open":
        raise ProcessError(f"task {task.id} is {task.status}", code="process_error", status=409)
    try:
        seen = task_record(platform, conn, task, user)
    except (NotFound, PermissionDenied):
        if changes:
            raise
        # Deciding without changes needs no reading: only the required fields are checked,
        # on the record as it is (docs/process.md, "Field permissions").
        _require_unread(platform, conn, task, outcome, prefix)
        return []
    if seen is None:
        if changes:
            raise ValidationFailed(
                "This task has no record to change.",
                [FieldError(prefix, "the instance runs on no record", "no_record")],
            )
        return []
    errors = edit_errors(seen.fields, changes, prefix)
    if outcome != REJECT:
        errors += missing_required(seen.fields, {**seen.record, **changes}, prefix)
    if errors:
        raise ValidationFailed("The record cannot be changed so at this step.", errors)
    if not changes:
        return []
    records = platform.apps.records(conn, seen.app)
    context = WriteContext(actor_id=user.id, source="process", strict=strict)
    try:
        updated = records.update(
            conn, seen.entity, seen.record_id, changes, context, expected_version
        )
    except ValidationFailed as refused:
        raise ValidationFailed(
            refused.message, [_record_pointer(e, seen.fields, prefix) for e in refused.errors]
        ) from None
    except Conflict as lost:
        current = lost.extra.get("current")
        if isinstance(current, dict):  # the winner's values, as this person may see them
            lost.extra["current"] = seen.fields.visible(
                {k: v for k, v in current.items() if k in seen.record}
            )
        raise
    return [name for name in changes if updated.get(name) != seen.record.get(name)]
