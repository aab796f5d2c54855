"""Rule buttons (``{"on": "button"}`` triggers): which buttons a user sees on records, and
pressing one. A press is an outbox event of kind ``button`` naming the rule (in
``changed_fields``) with the presser as its actor, written in the caller's transaction: the
rule worker runs it durably like any record event, acting for the presser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.engines.rule import RecordView
from jimu.errors import Conflict, FieldError, NotFound, ValidationFailed
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.models import User, utcnow
from jimu.platform.records import ListQuery
from jimu.platform.rules.catalog import PublishedRule, RuleCatalog, disabled_rules
from jimu.platform.rules.events import OUTBOX
from jimu.platform.rules.execute import RUNS
from jimu.platform.rules.views import record_view
from jimu.platform.rules.wake import mark_written
from jimu.platform.state import Platform

#: Published rules compiled once per publish, for the pages and the API of this process.
CATALOG = RuleCatalog()
MAX_PRESSED = 200


@dataclass(frozen=True)
class RecordButton:
    """One rule's button on one record: whether it may be pressed, and why not."""

    rule: str
    label: dict[str, str]
    where: str
    confirm: dict[str, str] | None
    enabled: bool
    reason: str | None

    def text(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.rule

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "label": self.label,
            "where": self.where,
            "confirm": self.confirm,
            "enabled": self.enabled,
            "reason": self.reason,
        }


def button_rules(
    conn: sa.Connection, platform: Platform, app: str, entity: str
) -> list[PublishedRule]:
    """The published, switched-on button rules of ``entity``."""
    records = platform.apps.records(conn, app)
    off = disabled_rules(conn, app)
    return [
        published
        for published in CATALOG.rules(conn, app, records.model)
        if published.rule.entity == entity
        and published.rule.trigger.get("on") == "button"
        and published.rule.name not in off
    ]


def _labels(model: AppModel, entity: str, lang: str) -> dict[str, str]:
    return {f.name: f.label.get(lang) or f.name for f in model.entity(entity).fields}


def _why_not(
    published: PublishedRule, view: RecordView, lang: str, labels: dict[str, str]
) -> str | None:
    """None when the rule's condition holds on the record, else the condition in words."""
    explanation = published.rule.explain(view, lang, labels)
    if explanation.holds and explanation.error is None:
        return None
    prefix = "Only when: " if lang == "en" else "仅当："
    return prefix + explanation.words


def record_buttons(
    conn: sa.Connection,
    platform: Platform,
    guarded: GuardedRecords,
    entity: str,
    record_ids: Sequence[int],
    lang: str = "en",
) -> dict[int, list[RecordButton]]:
    """Each record's buttons, for a user who may read them: none on a record they may not
    update; greyed with the reason where the rule's condition does not hold."""
    rules = button_rules(conn, platform, guarded.app, entity)
    if not rules or not record_ids:
        return {}
    may_update = guarded.permitted(conn, entity, "update", list(record_ids))
    labels = _labels(guarded.model, entity, lang)
    out: dict[int, list[RecordButton]] = {}
    wanted = sorted(may_update)
    if not wanted:
        return {}
    # One query for the records (the condition reads every field, hidden or not).
    query = ListQuery(filter={"in_list": [{"var": "id"}, wanted]}, limit=len(wanted))
    rows = {int(row["id"]): row for row in guarded.records.list(conn, entity, query).items}
    records = platform.apps.records(conn, guarded.app)
    for record_id in record_ids:
        if record_id not in rows:
            continue
        view = record_view(records, entity, rows[record_id])
        out[record_id] = [
            RecordButton(
                p.rule.name,
                dict(p.rule.trigger.get("label") or {}),
                str(p.rule.trigger.get("where", "both")),
                p.rule.trigger.get("confirm"),
                (reason := _why_not(p, view, lang, labels)) is None,
                reason,
            )
            for p in rules
        ]
    return out


def press(
    conn: sa.Connection,
    platform: Platform,
    guarded: GuardedRecords,
    user: User,
    rule: str,
    record_ids: Sequence[int],
    lang: str = "en",
) -> dict[str, Any]:
    """Press ``rule``'s button on ``record_ids``: one event per record whose condition holds
    (the others are answered as skipped, with the reason). Every record must be one the user
    may update (else 404/403, nothing pressed)."""
    ids = list(dict.fromkeys(record_ids))
    if not ids or len(ids) > MAX_PRESSED:
        raise ValidationFailed(
            "Choose the records to press the button on.",
            [FieldError("/record_ids", f"Give 1 to {MAX_PRESSED} record ids.", "length")],
        )
    records = platform.apps.records(conn, guarded.app)
    published = next(
        (p for p in CATALOG.rules(conn, guarded.app, records.model) if p.rule.name == rule), None
    )
    if published is None or published.rule.trigger.get("on") != "button":
        raise NotFound(f"The app {guarded.app!r} has no published button rule {rule!r}.")
    if rule in disabled_rules(conn, guarded.app):
        raise Conflict(f"The rule {rule!r} is switched off.")
    entity = published.rule.entity
    guarded.access(entity).require("update", entity)
    for record_id in ids:  # each one readable (else 404), before the update right (403)
        guarded.get(conn, entity, record_id)
    # The condition reads every field, hidden from the presser or not (as the run will).
    views = [
        record_view(records, entity, records.get(conn, entity, record_id)) for record_id in ids
    ]
    guarded.require_rows(conn, entity, ids, "update")
    labels = _labels(records.model, entity, lang)
    queued: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for view in views:
        record_id = view.record_id
        reason = _why_not(published, view, lang, labels)
        if reason is not None:
            skipped.append({"record_id": record_id, "reason": reason})
            continue
        event = conn.execute(
            OUTBOX.insert()
            .values(
                app=guarded.app,
                entity=entity,
                record_id=record_id,
                kind="button",
                changed_fields=[rule],
                actor_id=user.id,
                source="ui",
                caused_by=None,
                depth=0,
                created_at=utcnow(),
            )
            .returning(OUTBOX.c.id)
        ).scalar_one()
        queued.append({"record_id": record_id, "event_id": int(event)})
    if queued:
        mark_written(conn)
    return {"rule": rule, "queued": queued, "skipped": skipped}


def press_status(
    conn: sa.Connection, app: str, user: User, event_ids: Sequence[int]
) -> dict[str, Any]:
    """Whether the presses ``event_ids`` (the user's own) have run: ``queued`` (not yet),
    ``done``, ``skipped`` (the condition no longer held when it ran) or ``failed`` (the run
    waits for a retry or is dead), with each run's error."""
    rows = conn.execute(
        sa.select(OUTBOX.c.id, OUTBOX.c.processed_at).where(
            OUTBOX.c.id.in_(list(event_ids)),
            OUTBOX.c.app == app,
            OUTBOX.c.kind == "button",
            OUTBOX.c.actor_id == user.id,
        )
    ).all()
    runs = {
        row.event_id: row
        for row in conn.execute(
            sa.select(RUNS.c.event_id, RUNS.c.status, RUNS.c.error, RUNS.c.warning).where(
                RUNS.c.app == app, RUNS.c.event_id.in_([r.id for r in rows])
            )
        )
    }
    out = []
    for row in rows:
        run = runs.get(row.id)
        if row.processed_at is None:
            state, error = "queued", None
        elif run is not None and run.status == "done":
            state, error = "done", None
        elif run is None or run.status in ("skipped", "stopped"):
            # The condition no longer held when the worker came to it (or loop safety).
            state, error = "skipped", run.warning if run is not None else None
        else:
            state, error = "failed", run.error
        out.append({"event_id": row.id, "status": state, "error": error})
    return {"presses": out}
