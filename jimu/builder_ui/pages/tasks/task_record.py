"""The record on a task's approval page, as the node's field permissions show it: fields hidden
at the task (or by the viewer's roles) are left out of the page, read-only ones displayed, and
— for the people who may act on the task — editable and required ones as the record form's
inputs, posted with the decision (``/tasks/{id}/complete``). The server checks the changes
again (``jimu.platform.process.task_fields``); the page only reads the writable inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from jimu.builder_ui.pages.records.attachments import attachment_values, saver
from jimu.builder_ui.pages.records.fields import FieldView
from jimu.builder_ui.pages.records.form_errors import place_errors
from jimu.builder_ui.pages.records.form_input import FormLike, record_values
from jimu.builder_ui.pages.records.layout import form_layout
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.process.field_permissions import WRITABLE, TaskFields
from jimu.errors import FieldError, JimuError
from jimu.platform.process.instances import INSTANCES
from jimu.platform.process.task_fields import TaskRecord, task_record
from jimu.platform.state import Platform


def task_views(
    fields: Sequence[FieldView], permissions: TaskFields, can_act: bool
) -> list[FieldView]:
    """The viewer's field views at the task: hidden ones dropped, the rest read-only unless the
    node lets the viewer (who may act on the task) write them; required ones marked so."""
    views = []
    for view in fields:
        permission = permissions.of(view.name)
        if permission == "hidden":
            continue
        fixed = view.computed or bool(view.spec.get("readonly"))
        if can_act and permission in WRITABLE and not fixed:
            required = view.required or permission == "required"
            view = replace(view, readonly=False, required=required)
        else:
            view = replace(view, readonly=True)
        views.append(view)
    return views


@dataclass(frozen=True)
class TaskForm:
    """What the page needs to show the task's record and read its inputs back."""

    scope: EntityScope
    seen: TaskRecord
    views: list[FieldView]

    @property
    def editable(self) -> bool:
        return any(not v.readonly for v in self.views)


def task_form(
    platform: Platform, conn: sa.Connection, viewer: Viewer, task: Any, can_act: bool
) -> TaskForm | None:
    """The task's record for the viewer (None: no record); raises when they cannot read it."""
    instance_app, entity = _entity_of(conn, task)
    if entity is None:
        return None
    seen = task_record(platform, conn, task, viewer.signed_in_user)
    if seen is None:
        return None
    scope = EntityScope.open(platform, conn, viewer, instance_app, entity)
    return TaskForm(scope, seen, task_views(scope.fields, seen.fields, can_act))


def _entity_of(conn: sa.Connection, task: Any) -> tuple[str, str | None]:
    row = conn.execute(
        sa.select(INSTANCES.c.app, INSTANCES.c.entity, INSTANCES.c.record_id).where(
            INSTANCES.c.id == task.instance_id
        )
    ).one()
    entity = str(row.entity) if row.entity is not None and row.record_id is not None else None
    return str(row.app), entity


def record_section(
    platform: Platform,
    conn: sa.Connection,
    viewer: Viewer,
    task: Any,
    can_act: bool,
    posted: dict[str, Any] | None = None,
    errors: Sequence[FieldError] = (),
) -> dict[str, Any] | None:
    """The record part of a task's page (the template's ``record``), with the values the
    viewer posted and the problems pinned on their fields after a refused decision."""
    try:
        form = task_form(platform, conn, viewer, task, can_act)
    except JimuError:
        return {"readable": False}
    if form is None:
        return None
    scope, views = form.scope, form.views
    record = {**form.seen.record, **(posted or {})}
    refs = collect_references(
        conn, scope.records, scope.model, views, [record], with_user_choices=form.editable
    )
    refs.files_url = f"{scope.record_url(form.seen.record_id)}/files"
    return {
        "readable": True,
        "record": record,
        "refs": refs,
        "layout": form_layout(scope.form_document(conn), views, viewer),
        "title": scope.title(form.seen.record),
        "url": scope.record_url(form.seen.record_id),
        "entity_label": scope.label,
        "editable": form.editable,
        "version": form.seen.record.get("version"),
        "errors": place_errors(list(errors), views, "", viewer),
        "permissions": {v.name: form.seen.fields.of(v.name) for v in views},
        "labels": {v.name: v.label for v in views},
    }


def posted_changes(
    platform: Platform, viewer: Viewer, task: Any, posted: FormLike
) -> dict[str, Any]:
    """The record's values the decision form carried, for the fields writable at the task."""
    with platform.engine.connect() as conn:
        form = task_form(platform, conn, viewer, task, can_act=True)
    if form is None:
        return {}
    writable = [v for v in form.views if not v.readonly]
    values = record_values(posted, writable, viewer.time_zone)
    values.update(attachment_values(posted, writable, saver(form.scope)))
    return values
