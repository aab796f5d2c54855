"""What the rule designer asks the server besides the rule routes: the vocabulary (triggers,
action types with their editors, the app's entities, roles, users and departments for the
pickers), a rule's condition in words with its problems (``$old`` values known), and a message
template rendered on a record (the preview)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import check, describe
from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import default_registry
from jimu.engines.form.types.base import FieldContext
from jimu.engines.rule.cron import CronError, parse_cron
from jimu.engines.rule.document import rule_properties
from jimu.engines.rule.vocabulary import action_vocabulary, trigger_vocabulary
from jimu.errors import FieldError, ValidationFailed
from jimu.metadata.validate import value_types
from jimu.platform.conditions.fields import condition_fields, field_labels, option_labels
from jimu.platform.models import Department, User
from jimu.platform.notify.templates import render_text
from jimu.platform.records import Records
from jimu.platform.state import Platform

#: "previous value of" a field, as ``$old.<field>`` is said in words.
OLD_WORDS = {"en": "previous {label}", "zh": "{label}原值"}


def vocabulary(platform: Platform, conn: sa.Connection, app: str) -> dict[str, Any]:
    """Everything the designer's palette and pickers list, read from the registries and the
    app (a trigger or action type added by a module or plugin appears without designer code)."""
    model = platform.apps.records(conn, app).model
    roles = platform.apps.roles(conn, app)
    users = conn.execute(
        sa.select(User.id, User.username, User.display_name)
        .where(User.is_active.is_(True))
        .order_by(User.id)
    )
    departments = conn.execute(
        sa.select(Department.id, Department.name, Department.parent_id).order_by(
            Department.sort_order, Department.id
        )
    )
    return {
        "triggers": trigger_vocabulary(rule_properties()["trigger"]),
        "actions": action_vocabulary(),
        "entities": [
            {"name": name, "label": dict(entity.label)} for name, entity in model.entities.items()
        ],
        "roles": [{"name": role.name, "label": dict(role.label)} for role in roles],
        "users": [
            {"id": row.id, "label": row.display_name or row.username, "username": row.username}
            for row in users
        ],
        "departments": [
            {"id": row.id, "label": row.name, "parent_id": row.parent_id} for row in departments
        ],
    }


def explain_condition(
    model: AppModel, entity_name: str, condition: Any, lang: str
) -> tuple[str, list[FieldError]]:
    """``condition`` of a rule on ``entity_name`` in words, and its problems as the rule's
    condition: the record's fields, ``$old.<field>``, ``$now`` and ``$today``."""
    registry = default_registry()
    entity = model.entity(entity_name)
    fields = condition_fields(model, entity, registry)
    types = value_types(entity, FieldContext(model, entity, registry), registry)
    labels = field_labels(fields, lang)
    words = OLD_WORDS["zh" if lang == "zh" else "en"]
    old_labels = {f"$old.{name}": words.format(label=label) for name, label in labels.items()}
    options = option_labels(fields, lang)
    options.update({f"$old.{name}": values for name, values in options.items()})
    try:
        text = describe(condition, lang, {**labels, **old_labels}, options)
    except (TypeError, ValueError, KeyError):
        text = ""
    context = {f"old.{name}": kind for name, kind in types.items()}
    context.update({"now": "datetime", "today": "date"})
    return text, check(condition, types, context, lang=lang)


def preview_template(
    conn: sa.Connection, records: Records, entity: str, record_id: int, template: str
) -> str:
    """``template`` rendered on a record's values, as a message of a rule would be (an error
    of the template is a 422 at ``/template``)."""
    values: Mapping[str, Any] = records.get(conn, entity, record_id, include_deleted=True)
    return render_text(template, values, pointer="/template")


def cron_preview(
    records: Records, cron: str, default_zone: str, after: datetime, count: int = 3
) -> dict[str, Any]:
    """The next ``count`` times of ``cron`` after ``after`` in the app's time zone (a bad
    expression is a 422 at ``/cron`` saying which field is wrong)."""
    from jimu.platform.rules.timers import zone_of

    try:
        schedule = parse_cron(cron)
    except CronError as exc:
        raise ValidationFailed(
            "The cron expression is invalid.", [FieldError("/cron", str(exc), "cron")]
        ) from exc
    zone = zone_of(records, default_zone)
    times: list[str] = []
    moment = after
    for _ in range(count):
        moment = schedule.next_after(moment, zone)
        times.append(moment.astimezone(zone).isoformat())
    return {"time_zone": str(zone), "times": times}
