"""What a public form writes: one new record, from the chosen fields, defaults and captures.

The record's input is built here from three sources only, and nothing else of a submission
is looked at (``id``, ``version``, ``owner_id``, other fields, system columns are dropped):

1. the hidden ``defaults`` of the form (the admin's values);
2. captured URL parameters (``capture``: parameter → field), cleaned: trimmed, cut to the
   field's length, and dropped when the field's type refuses them, because the visitor cannot
   see or fix a hidden value;
3. the values typed into the fields the form's sections place. Posted as JSON (the JSON
   route), each must have its field type's JSON type, as in the records API (``strict``);
   posted as an HTML form they are text, converted by the field types.

It is written with ``Records.create`` (source ``public``, no actor), in one transaction with the
form's "created" counter. The result is never returned to the visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.codec import compile_field
from jimu.engines.form.model import AppModel, Entity
from jimu.engines.form.registry import default_registry
from jimu.engines.form.types.base import FieldContext, InvalidValue
from jimu.errors import Conflict, FieldError, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.public_forms import counters
from jimu.platform.public_forms.definition import PublicForm
from jimu.platform.public_forms.limits import too_long
from jimu.platform.records import Records, WriteContext

log = logging.getLogger(__name__)

#: The honeypot input: hidden from people (off-screen, no tab stop), so a value means a bot.
#: Its name has a hyphen, so it can never be a field's name.
HONEYPOT = "your-website"
#: Captured values arrive as ``capture.<parameter>`` from the page's hidden inputs.
CAPTURE_PREFIX = "capture."
STATS_PREFIX = "public-form-stats:"
DAY = 24 * 3600
PUBLIC = WriteContext(actor_id=None, source="public")


@dataclass
class Submission:
    """What a visitor sent: values of the form's fields, captured parameters, the honeypot."""

    values: dict[str, Any] = field(default_factory=dict)
    captured: dict[str, str] = field(default_factory=dict)
    honeypot: bool = False


def stats_key(kind: str, form: PublicForm) -> str:
    """The counter of ``created`` records or ``spam`` caught by the honeypot, per form."""
    return f"{STATS_PREFIX}{kind}:{form.app}/{form.document_name}"


def length_errors(form: PublicForm, values: Mapping[str, Any], limit: int) -> list[FieldError]:
    return [
        FieldError(f"/{name}", f"must be at most {limit} characters long", "max_length")
        for name in form.fields
        if too_long(values.get(name), limit)
    ]


def clean_captures(
    form: PublicForm, captured: Mapping[str, str], model: AppModel, entity: Entity
) -> dict[str, Any]:
    """The captured values the fields accept, by field (others are dropped and logged)."""
    registry = default_registry()
    ctx = FieldContext(model, entity, registry)
    found: dict[str, Any] = {}
    for param, name in form.capture.items():
        raw = captured.get(param)
        f = entity.field(name)
        if raw is None or f is None or not raw.strip():
            continue
        text = raw.strip()
        limit = f.get("max_length") or getattr(registry.get(f.type), "default_max", None)
        if isinstance(limit, int):
            text = text[:limit]
        try:
            compile_field(f, ctx, registry).parse(text)
        except (InvalidValue, TypeError, ValueError):
            log.info("public form %s: dropped %s=%r (not a valid %s)", form.path, param, raw, name)
            continue
        found[name] = text
    return found


def wrong_json_types(
    form: PublicForm, values: Mapping[str, Any], entity: Entity
) -> list[FieldError]:
    """Errors of the visitor's JSON values that have a wrong JSON type for their field."""
    registry = default_registry()
    errors: list[FieldError] = []
    for name in form.fields:
        value = values.get(name)
        f = entity.field(name)
        if value is None or f is None:
            continue
        check = registry.get(f.type).json_check(f)
        if check is None:
            continue
        try:
            check(value)
        except InvalidValue as problem:
            errors.append(FieldError(f"/{name}", problem.message, problem.code))
    return errors


def record_input(
    form: PublicForm, submission: Submission, model: AppModel, entity: Entity
) -> dict[str, Any]:
    """The input of ``Records.create``: defaults, then captures, then the typed fields."""
    data: dict[str, Any] = dict(form.defaults)
    data.update(clean_captures(form, submission.captured, model, entity))
    for name in form.fields:
        if name in submission.values:
            data[name] = submission.values[name]
    return data


def visible_errors(form: PublicForm, errors: list[FieldError]) -> list[FieldError]:
    """Errors of the fields on the form; any other means the form is set up wrongly."""
    on_form = {f"/{name}" for name in form.fields}
    shown = [e for e in errors if e.pointer in on_form]
    hidden = [e for e in errors if e.pointer not in on_form]
    if hidden:
        log.warning("public form %s refused its own defaults or captures: %s", form.path, hidden)
        shown.append(FieldError("", "The form cannot be submitted right now.", "form_setup"))
    return shown


def submit(
    engine: sa.Engine,
    records: Records,
    form: PublicForm,
    submission: Submission,
    now: datetime,
    max_chars: int,
    *,
    strict: bool = False,
) -> None:
    """Create the record (or, for a bot, only count it); ``ValidationFailed`` for bad values.

    ``strict``: the values are JSON and must have their fields' JSON types."""
    if submission.honeypot:
        log.warning("public form %s: honeypot filled, nothing stored", form.path)
        with begin_write(engine) as conn:
            counters.bump(conn, stats_key("spam", form), counters.window_start(now, DAY))
        return
    errors = length_errors(form, submission.values, max_chars)
    if errors:
        raise ValidationFailed("Some values are too long.", errors)
    entity = records.model.entity(form.entity)
    # values of a wrong JSON type are left out of the record, so its other errors come too
    wrong = wrong_json_types(form, submission.values, entity) if strict else []
    if wrong:
        bad = {e.pointer[1:] for e in wrong}
        values = {k: v for k, v in submission.values.items() if k not in bad}
        submission = Submission(values, submission.captured, submission.honeypot)
    data = record_input(form, submission, records.model, entity)
    try:
        with begin_write(engine) as conn:
            records.create(conn, form.entity, data, PUBLIC)
            if wrong:  # rolls the record back
                raise ValidationFailed("Some values have the wrong type.", [])
            counters.bump(conn, stats_key("created", form), counters.window_start(now, DAY))
    except ValidationFailed as error:
        taken = {e.pointer for e in wrong}
        others = [e for e in visible_errors(form, error.errors) if e.pointer not in taken]
        raise ValidationFailed(error.message, wrong + others) from None
    except Conflict as error:
        # Never say which value is taken: that would tell whether a record has it.
        log.info("public form %s: refused as a conflict: %s", form.path, error.errors)
        refused = [FieldError("", "The submission cannot be accepted.", "refused")]
        raise ValidationFailed("The submission cannot be accepted.", refused) from None
