"""The action types whose work is not a record write of the rule's own: ``notify`` (inbox,
email, group robots), ``webhook`` (a signed outgoing call), ``create_task`` (a follow-up
record with an assignee and a due time) and ``start_process`` (the process engine's hook).
Each checks its settings at publish and plans a ``PlannedEffect`` the platform carries out in
the run's transaction (see ``jimu.platform.rules.effect_handlers``); templates are rendered
there, on the record as the earlier actions left it, with option labels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from jimu.engines.rule.actions import ActionType, Planner, RuleScope, register_action
from jimu.engines.rule.plan import Planned, PlannedEffect, RecordView
from jimu.engines.rule.process_hook import PROCESS_CATALOGS
from jimu.engines.rule.templates import json_template_errors, template_errors
from jimu.errors import FieldError

#: Who a recipient entry names: a user, a department's members, a role's holders, the user in
#: a user field of the record, the record's owner, the owner's manager, the heads (leaders) of
#: the owner's main department, the members of the owner's main department (their team: the
#: region's sales group when owners are assigned by territory).
RECIPIENT_KINDS = (
    "user",
    "department",
    "role",
    "field",
    "owner",
    "manager",
    "department_head",
    "owner_department",
    "address",
)
#: The key each kind of recipient needs besides ``kind``.
RECIPIENT_KEYS = {
    "user": "id",
    "department": "id",
    "role": "role",
    "field": "field",
    "address": "field",
}
#: Field types a ``field`` recipient may name.
PEOPLE_FIELD_TYPES = ("user", "department")
#: Field types an ``address`` recipient (an email address on the record, someone outside the
#: organisation: a contact, a customer) may name: an email field, or a lookup of one.
ADDRESS_FIELD_TYPES = ("email", "lookup")
DATE_FIELD_TYPES = ("date", "datetime")
DURATION_UNITS = ("minute", "hour", "day")

RECIPIENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"enum": list(RECIPIENT_KINDS)},
        "id": {"type": "integer", "minimum": 1},
        "role": {"type": "string", "minLength": 1},
        "field": {"type": "string", "minLength": 1},
    },
    "required": ["kind"],
    "additionalProperties": False,
}
RECIPIENTS_SCHEMA: dict[str, Any] = {"type": "array", "items": RECIPIENT_SCHEMA}
DURATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "minimum": 0, "maximum": 36500},
        "unit": {"enum": list(DURATION_UNITS)},
    },
    "required": ["amount", "unit"],
    "additionalProperties": False,
}
_NAME = {"type": "string", "minLength": 1}


def recipient_errors(
    recipient: Mapping[str, Any], at: str, entity: str, scope: RuleScope
) -> list[FieldError]:
    """One recipient entry (schema-valid): the key its kind needs, and no other; a ``field``
    recipient names a user or department field of ``entity``."""
    kind = str(recipient["kind"])
    needed = RECIPIENT_KEYS.get(kind)
    errors = [
        FieldError(f"{at}/{key}", f"a {kind!r} recipient has no {key!r}", "unknown_key")
        for key in recipient
        if key not in ("kind", needed)
    ]
    if needed is not None and needed not in recipient:
        errors.append(FieldError(f"{at}/{needed}", f"a {kind!r} recipient needs it", "required"))
    if kind == "field" and "field" in recipient:
        name = str(recipient["field"])
        field_type = scope.kinds.get(entity, {}).get(name)
        if field_type is None:
            errors.append(
                FieldError(f"{at}/field", f"{entity!r} has no field {name!r}", "reference")
            )
        elif field_type not in PEOPLE_FIELD_TYPES:
            errors.append(
                FieldError(f"{at}/field", f"{name!r} is no user or department field", "type")
            )
    if kind == "address" and "field" in recipient:
        name = str(recipient["field"])
        field_type = scope.kinds.get(entity, {}).get(name)
        if field_type is None:
            errors.append(
                FieldError(f"{at}/field", f"{entity!r} has no field {name!r}", "reference")
            )
        elif field_type not in ADDRESS_FIELD_TYPES:
            errors.append(
                FieldError(
                    f"{at}/field", f"{name!r} is no email field (nor a lookup of one)", "type"
                )
            )
    return errors


def recipients_errors(
    recipients: Sequence[Mapping[str, Any]], at: str, entity: str, scope: RuleScope
) -> list[FieldError]:
    return [
        e for i, r in enumerate(recipients) for e in recipient_errors(r, f"{at}/{i}", entity, scope)
    ]


def _effect_planner(kind: str, spec: Mapping[str, Any]) -> Planner:
    """A planner of one ``kind`` effect carrying the action's settings (templates unrendered:
    the handler renders them on the record as it is when the effect is carried out)."""
    payload = {key: value for key, value in spec.items() if key != "type"}

    def plan(record: RecordView, index: int) -> Sequence[Planned]:
        return [PlannedEffect(index, kind, record.entity, record.record_id, dict(payload))]

    return plan


class Notify(ActionType):
    """``{"type": "notify", "recipients": [{"kind": "owner"}], "inbox": true, "email": true,
    "robot": "sales-group", "title": "MQL: {{ name }}", "body": "..."}``: tell people about the
    record in their inbox (with its link), by email, and/or in a group robot's chat."""

    name: ClassVar[str] = "notify"
    label: ClassVar[dict[str, str]] = {"en": "Notify", "zh": "发送通知"}
    properties: ClassVar[dict[str, Any]] = {
        "recipients": RECIPIENTS_SCHEMA,
        "inbox": {"type": "boolean"},
        "email": {"type": "boolean"},
        "robot": {"type": "string", "minLength": 1, "maxLength": 63},
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "body": {"type": "string", "maxLength": 20000},
        "lang": {"enum": ["en", "zh"]},
    }
    required: ClassVar[tuple[str, ...]] = ("title",)
    editors: ClassVar[dict[str, str]] = {
        "recipients": "recipients",
        "inbox": "boolean",
        "email": "boolean",
        "robot": "text",
        "title": "template",
        "body": "template",
        "lang": "choice",
    }

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        known = scope.types.get(entity, {})
        errors = template_errors(str(spec["title"]), f"{at}/title", known)
        errors += template_errors(str(spec.get("body", "")), f"{at}/body", known)
        people = bool(spec.get("inbox")) or bool(spec.get("email"))
        if not people and not spec.get("robot"):
            errors.append(
                FieldError(f"{at}/inbox", "sends nowhere: choose the inbox, email or a robot")
            )
        recipients = spec.get("recipients") or []
        if people and not recipients:
            errors.append(FieldError(f"{at}/recipients", "the inbox and email need recipients"))
        if spec.get("inbox") and recipients and all(r.get("kind") == "address" for r in recipients):
            errors.append(
                FieldError(
                    f"{at}/inbox", "email addresses have no inbox: add people, or email only"
                )
            )
        errors += recipients_errors(recipients, f"{at}/recipients", entity, scope)
        return errors

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        return _effect_planner("notify", spec)


class Webhook(ActionType):
    """``{"type": "webhook", "url": "https://erp.example.com/hooks/lead", "body": {"lead":
    "{{ id }}", "name": "{{ name }}"}, "secret": "erp", "timeout": 10}``: POST the body (a JSON
    template: ``"{{ score }}"`` alone keeps the value's type) signed with the named secret."""

    name: ClassVar[str] = "webhook"
    label: ClassVar[dict[str, str]] = {"en": "Call a webhook", "zh": "调用 Webhook"}
    properties: ClassVar[dict[str, Any]] = {
        "url": {"type": "string", "pattern": "^https?://[^/\\s]+", "maxLength": 2000},
        "body": {},
        "secret": {"type": "string", "minLength": 1, "maxLength": 63},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
    }
    required: ClassVar[tuple[str, ...]] = ("url", "body")
    editors: ClassVar[dict[str, str]] = {
        "url": "text",
        "body": "json",
        "secret": "text",
        "timeout": "number",
    }

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        return json_template_errors(spec["body"], f"{at}/body", scope.types.get(entity, {}))

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        return _effect_planner("webhook", spec)


class CreateTask(ActionType):
    """``{"type": "create_task", "entity": "activity", "title": "Call {{ name }}",
    "assignee": {"kind": "owner"}, "due": {"amount": 2, "unit": "day"}, "due_field": "due",
    "link": "lead"}``: a follow-up record of ``entity`` with a title rendered on the rule's
    record, an assignee (its owner, or ``assignee_field``), a due time ``due`` from now (or
    from the rule record's ``due_from`` date), linked back through ``link``."""

    name: ClassVar[str] = "create_task"
    label: ClassVar[dict[str, str]] = {"en": "Create a follow-up task", "zh": "创建跟进任务"}
    properties: ClassVar[dict[str, Any]] = {
        "entity": _NAME,
        "title": {"type": "string", "minLength": 1, "maxLength": 2000},
        "title_field": _NAME,
        "assignee": RECIPIENT_SCHEMA,
        "assignee_field": _NAME,
        "due": DURATION_SCHEMA,
        "due_from": _NAME,
        "due_field": _NAME,
        "link": _NAME,
        "values": {"type": "object"},
    }
    required: ClassVar[tuple[str, ...]] = ("entity", "title")
    editors: ClassVar[dict[str, str]] = {
        "entity": "entity",
        "title": "template",
        "title_field": "text",
        "assignee": "recipient",
        "assignee_field": "text",
        "due": "duration",
        "due_from": "field:date",
        "due_field": "text",
        "link": "text",
        "values": "values",
    }

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        target = str(spec["entity"])
        kinds = scope.kinds.get(target)
        if kinds is None or target not in scope.types:
            return [FieldError(f"{at}/entity", f"there is no entity {target!r}", "reference")]
        errors = template_errors(str(spec["title"]), f"{at}/title", scope.types.get(entity, {}))
        title_field = str(spec.get("title_field", "title"))
        if title_field not in kinds:
            errors.append(
                FieldError(
                    f"{at}/title_field", f"{target!r} has no field {title_field!r}", "reference"
                )
            )
        errors += self._assignee_errors(spec, at, entity, target, scope)
        errors += self._due_errors(spec, at, entity, target, scope)
        link = spec.get("link")
        if link is not None and scope.links.get(target, {}).get(str(link)) != entity:
            errors.append(
                FieldError(f"{at}/link", f"{target!r} has no link {link!r} to {entity!r}")
            )
        errors += [
            FieldError(f"{at}/values/{name}", f"{target!r} has no field {name!r}", "reference")
            for name in spec.get("values") or {}
            if name not in kinds
        ]
        return errors

    def _assignee_errors(
        self, spec: Mapping[str, Any], at: str, entity: str, target: str, scope: RuleScope
    ) -> list[FieldError]:
        errors: list[FieldError] = []
        assignee = spec.get("assignee")
        if assignee is not None:
            if assignee["kind"] not in ("user", "field", "owner", "manager"):
                errors.append(
                    FieldError(
                        f"{at}/assignee/kind",
                        "a task has one assignee: a user, a user field, the owner or the manager",
                    )
                )
            else:
                errors += recipient_errors(assignee, f"{at}/assignee", entity, scope)
                if assignee["kind"] == "field" and scope.kinds[entity].get(
                    str(assignee.get("field"))
                ) not in (None, "user"):
                    errors.append(FieldError(f"{at}/assignee/field", "is no user field", "type"))
        name = spec.get("assignee_field")
        if name is not None:
            if assignee is None:
                errors.append(FieldError(f"{at}/assignee", "assignee_field needs an assignee"))
            if scope.kinds[target].get(str(name)) != "user":
                errors.append(
                    FieldError(f"{at}/assignee_field", f"{target!r} has no user field {name!r}")
                )
        return errors

    def _due_errors(
        self, spec: Mapping[str, Any], at: str, entity: str, target: str, scope: RuleScope
    ) -> list[FieldError]:
        errors: list[FieldError] = []
        has_due = "due" in spec or "due_from" in spec
        due_field = spec.get("due_field")
        if has_due and due_field is None:
            errors.append(
                FieldError(f"{at}/due_field", "name the task's field for the due time", "required")
            )
        if due_field is not None:
            if scope.kinds[target].get(str(due_field)) not in DATE_FIELD_TYPES:
                errors.append(
                    FieldError(f"{at}/due_field", f"{target!r} has no date field {due_field!r}")
                )
            if not has_due:
                errors.append(FieldError(f"{at}/due", "give the due time", "required"))
        due_from = spec.get("due_from")
        if due_from is not None and scope.kinds[entity].get(str(due_from)) not in DATE_FIELD_TYPES:
            errors.append(
                FieldError(f"{at}/due_from", f"{entity!r} has no date field {due_from!r}")
            )
        return errors

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        return _effect_planner("create_task", spec)


class StartProcess(ActionType):
    """``{"type": "start_process", "process": "lead_approval"}``: start a process of the
    process engine on the record. Refused at publish while no process engine is installed
    (see ``jimu.engines.rule.process_hook``)."""

    name: ClassVar[str] = "start_process"
    label: ClassVar[dict[str, str]] = {"en": "Start a process", "zh": "发起流程"}
    properties: ClassVar[dict[str, Any]] = {"process": _NAME}
    required: ClassVar[tuple[str, ...]] = ("process",)
    editors: ClassVar[dict[str, str]] = {"process": "text"}

    def check(
        self, spec: Mapping[str, Any], at: str, entity: str, scope: RuleScope
    ) -> list[FieldError]:
        if not PROCESS_CATALOGS:
            return [
                FieldError(
                    f"{at}/type",
                    "no process engine is installed: a rule cannot start a process yet",
                    "unavailable",
                )
            ]
        problem = PROCESS_CATALOGS[0].process_problem(str(spec["process"]), entity, scope)
        return [FieldError(f"{at}/process", problem, "reference")] if problem else []

    def compile(self, spec: Mapping[str, Any], entity: str, scope: RuleScope) -> Planner:
        return _effect_planner("start_process", spec)


for _action in (Notify(), Webhook(), CreateTask(), StartProcess()):
    register_action(_action)
