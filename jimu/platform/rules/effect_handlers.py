"""The handlers of the ``notify``, ``webhook`` and ``create_task`` effects (the action types
of ``jimu.engines.rule.effect_actions``). Each reads the rule's record as the run's earlier
actions left it, on the run's connection: inbox entries and the task are written in the run's
transaction; emails, robot messages and webhook calls are enqueued as deliveries with the
effect's idempotency key (sent once the run commits, retried by the delivery worker)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from jimu.engines.form.model import Entity
from jimu.engines.rule import PlannedEffect
from jimu.errors import JimuError
from jimu.platform import notify
from jimu.platform.notify.templates import render_text
from jimu.platform.rules.effects import EffectContext, register_effect
from jimu.platform.rules.message_values import json_values, text_values
from jimu.platform.rules.recipients import (
    Person,
    recipient_addresses,
    recipient_ids,
    resolve_recipients,
)

UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
OWNER = [{"kind": "owner"}]


class Texts:
    """The record's text values per language, made once per language asked for."""

    def __init__(self, entity: Entity, record: Mapping[str, Any]) -> None:
        self.entity, self.record = entity, record
        self._made: dict[str, dict[str, Any]] = {}

    def __call__(self, lang: str) -> dict[str, Any]:
        if lang not in self._made:
            self._made[lang] = text_values(self.entity, self.record, lang)
        return self._made[lang]


def _record(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    assert effect.record_id is not None
    return context.records.get(context.conn, effect.entity, effect.record_id, include_deleted=True)


def _inbox(
    context: EffectContext, effect: PlannedEffect, people: list[Person], texts: Texts
) -> int:
    title, body = str(effect.payload["title"]), str(effect.payload.get("body", ""))
    for person in people:
        values = texts(person.language)
        notify.post_inbox(
            context.conn,
            person.id,
            title=render_text(title, values, pointer=f"/actions/{effect.action}/title")[:300],
            body=render_text(body, values, pointer=f"/actions/{effect.action}/body"),
            app=context.records.app,
            entity=effect.entity,
            record_id=effect.record_id,
            link=effect.payload.get("link"),
        )
    return len(people)


def _emails(
    context: EffectContext,
    effect: PlannedEffect,
    people: list[Person],
    texts: Texts,
    addresses: Sequence[str] = (),
) -> dict[str, list[int]]:
    """One email per person with an address, and one per ``address`` recipient (in the
    action's ``lang``, Chinese by default, as robot messages)."""
    sent: list[int] = []
    missing: list[int] = []
    lang = str(effect.payload.get("lang", "zh"))
    for address in addresses:
        sent.append(
            notify.enqueue_email(
                context.conn,
                to=[address],
                subject=str(effect.payload["title"]),
                body=str(effect.payload.get("body", "")),
                values=texts(lang),
                sender=context.platform.settings.smtp_from,
                key=context.idempotency_key(effect, f"email:{address.lower()}"),
            )
        )
    for person in people:
        if not person.email:
            missing.append(person.id)
            continue
        sent.append(
            notify.enqueue_email(
                context.conn,
                to=[person.email],
                subject=str(effect.payload["title"]),
                body=str(effect.payload.get("body", "")),
                values=texts(person.language),
                sender=context.platform.settings.smtp_from,
                key=context.idempotency_key(effect, f"email:{person.id}"),
            )
        )
    return {"deliveries": sent, "no_address": missing}


def _robot(context: EffectContext, effect: PlannedEffect, texts: Texts) -> int:
    name = str(effect.payload["robot"])
    channel = context.platform.settings.robots.get(name)
    if channel is None:
        raise JimuError(
            f"No group robot is named {name!r}: add it to JIMU_ROBOTS (docs/rules.md, "
            "'Channels and secrets')."
        )
    title, body = str(effect.payload["title"]), str(effect.payload.get("body", ""))
    return notify.enqueue_robot(
        context.conn,
        kind=channel.kind,
        url=channel.url,
        secret=channel.secret,
        text=body or title,
        title=title if body else None,
        values=texts(str(effect.payload.get("lang", "zh"))),
        key=context.idempotency_key(effect, "robot"),
    )


def carry_out_notify(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    payload = effect.payload
    record = _record(context, effect)
    entity = context.records.model.entity(effect.entity)
    texts = Texts(entity, record)
    people = resolve_recipients(
        context.conn, context.records.app, entity, record, payload.get("recipients") or []
    )
    done: dict[str, Any] = {"recipients": [person.id for person in people]}
    if payload.get("inbox"):
        done["inbox"] = _inbox(context, effect, people, texts)
    if payload.get("email"):
        addresses = recipient_addresses(record, payload.get("recipients") or [])
        done["email"] = _emails(context, effect, people, texts, addresses)
    if payload.get("robot"):
        done["robot"] = _robot(context, effect, texts)
    return done


def carry_out_webhook(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    payload = effect.payload
    secret = ""
    if payload.get("secret"):
        name = str(payload["secret"])
        if name not in context.platform.settings.webhook_secrets:
            raise JimuError(
                f"No webhook secret is named {name!r}: add it to JIMU_WEBHOOK_SECRETS "
                "(docs/rules.md, 'Channels and secrets')."
            )
        secret = context.platform.settings.webhook_secrets[name]
    delivery = notify.enqueue_webhook(
        context.conn,
        url=str(payload["url"]),
        body=payload["body"],
        values=json_values(_record(context, effect)),
        secret=secret,
        timeout=float(payload.get("timeout", 10)),
        key=context.idempotency_key(effect),
        typed=True,
    )
    return {"delivery": delivery}


def _due(payload: Mapping[str, Any], record: Mapping[str, Any], field_type: str) -> Any:
    """The task's due value: ``due_from`` (a date of the record) or now, plus ``due``."""
    start: datetime
    origin = record.get(str(payload["due_from"])) if payload.get("due_from") else None
    if payload.get("due_from"):
        if origin in (None, ""):
            return None
        text = origin.isoformat() if isinstance(origin, date) else str(origin)
        start = (
            datetime.fromisoformat(text)
            if "T" in text
            else datetime.fromisoformat(text + "T00:00:00")
        )
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
    else:
        start = datetime.now(UTC)
    due = payload.get("due") or {"amount": 0, "unit": "day"}
    moment = start + timedelta(seconds=float(due["amount"]) * UNIT_SECONDS[str(due["unit"])])
    return moment.date().isoformat() if field_type == "date" else moment.isoformat()


def carry_out_create_task(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    payload = effect.payload
    conn, records = context.conn, context.records
    record = _record(context, effect)
    source = records.model.entity(effect.entity)
    target_name = str(payload["entity"])
    target = records.model.entity(target_name)
    values: dict[str, Any] = dict(payload.get("values") or {})
    assignee = None
    if payload.get("assignee"):
        found = recipient_ids(conn, records.app, source, record, payload["assignee"])
        assignee = found[0] if found else None
        if assignee is not None:
            values[str(payload.get("assignee_field", "owner_id"))] = assignee
    # The title in the assignee's language (option labels), else in English.
    people = resolve_recipients(conn, records.app, source, {"owner_id": assignee}, OWNER)
    lang = people[0].language if people else "en"
    title = render_text(
        str(payload["title"]), text_values(source, record, lang),
        pointer=f"/actions/{effect.action}/title",
    )  # fmt: skip
    values[str(payload.get("title_field", "title"))] = title
    if payload.get("due_field"):
        spec = target.field(str(payload["due_field"]))
        values[str(payload["due_field"])] = _due(payload, record, spec.type if spec else "datetime")
    if payload.get("link"):
        values[str(payload["link"])] = effect.record_id
    created = records.create(conn, target_name, values, context.write)
    return {"entity": target_name, "record_id": created["id"], "assignee": assignee}


register_effect("notify", carry_out_notify)
register_effect("webhook", carry_out_webhook)
register_effect("create_task", carry_out_create_task)
