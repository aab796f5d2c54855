"""A flow's simulation against the app's data, read-only: the document (a draft, or the newest
version), the sample record (a stored one, sample values over it, or only sample values), the
pure simulation (``jimu.engines.process.simulate``), then the people: each task's approvers and
each CC's recipients resolved as a real run would resolve them now (roles, managers,
delegation, automatic approval), without writing anything. docs/process.md, "Simulation"."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr.describe import describe
from jimu.engines.form.model import Entity
from jimu.engines.form.types.base import FieldContext, InvalidValue
from jimu.engines.process import flow_errors, load_flow
from jimu.engines.process.simulate import decision_errors, simulate
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform import metadata_store as store
from jimu.platform.models import User
from jimu.platform.process.approvers import Who, named_users, resolve_task
from jimu.platform.records import Records

USERS: sa.Table = User.__table__  # type: ignore[assignment]


def flow_document(conn: sa.Connection, app: str, flow: str, document: Any | None) -> dict[str, Any]:
    """The document to simulate: ``document`` when given (checked: its problems at
    ``/document/...``), else the flow's newest version (draft, else published)."""
    if document is None:
        return dict(store.get(conn, app, "flow", flow).body)
    if not isinstance(document, dict):
        raise ValidationFailed(
            "The document is not a flow.", [FieldError("/document", "must be an object", "type")]
        )
    problems = flow_errors(document)
    if problems:
        raise ValidationFailed(
            "The flow would not publish: fix these problems before simulating it.",
            [FieldError(f"/document{p.pointer}", p.message, p.code) for p in problems],
        )
    return document


def sample_values(records: Records, entity: Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` converted as the records API converts them, then as a stored record reads
    (what conditions see); a field the entity lacks or a value its type refuses is a 422 at
    ``/values/<field>``."""
    model = records.model
    registry = records.runtime.registry
    ctx = FieldContext(model, entity, registry)
    fields = {f.name: f for f in entity.fields}
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in values.items():
        at = f"/values/{name}"
        found = fields.get(name)
        if found is None:
            errors.append(FieldError(at, f"{entity.name!r} has no field {name!r}", "reference"))
            continue
        if value is None:
            out[name] = None
            continue
        kind = registry.get(found.type)
        try:
            check = kind.json_check(found)
            if check is not None:
                check(value)
            out[name] = kind.dumper(found, ctx)(kind.parser(found, ctx)(value))
        except InvalidValue as exc:
            errors.append(FieldError(at, exc.message, exc.code))
        except (TypeError, ValueError, ArithmeticError) as exc:
            errors.append(FieldError(at, f"not a {found.type} value: {exc}", "wrong_type"))
    if errors:
        raise ValidationFailed("Some sample values do not fit their fields.", errors)
    return out


def _record(
    conn: sa.Connection, records: Records, entity: Entity | None, record_id: int | None
) -> dict[str, Any]:
    if record_id is None:
        return {}
    if entity is None:
        raise ValidationFailed(
            "The flow runs on no entity.",
            [FieldError("/record", "the flow names no entity to take a record of", "reference")],
        )
    try:
        return dict(records.get(conn, entity.name, record_id))
    except NotFound:
        raise ValidationFailed(
            "There is no such record.",
            [FieldError("/record", f"there is no {entity.name} record {record_id}", "reference")],
        ) from None


def _labels(conn: sa.Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(USERS.c.id, USERS.c.username, USERS.c.display_name).where(
            USERS.c.id.in_(sorted(ids))
        )
    ).all()
    return {int(r.id): r.display_name or r.username for r in rows}


def _words(condition: Any, entity: Entity | None) -> dict[str, str]:
    labels: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
    for f in entity.fields if entity is not None else ():
        for lang in ("en", "zh"):
            labels[lang][f"record.{f.name}"] = f.label.get(lang) or f.label.get("en") or f.name
    return {lang: describe(condition, lang, labels[lang]) for lang in ("en", "zh")}


def simulate_flow(
    conn: sa.Connection,
    records: Records,
    app: str,
    flow: str,
    now: datetime,
    *,
    document: Any | None = None,
    record_id: int | None = None,
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
    user_id: int | None = None,
) -> dict[str, Any]:
    """The path of the sample record through the flow, with people resolved (read-only)."""
    doc = flow_document(conn, app, flow, document)
    compiled = load_flow(doc)
    problems = decision_errors(compiled, decisions or {})
    if problems:
        raise ValidationFailed("Some decisions do not fit the flow.", problems)
    entity_name = doc.get("entity")
    entity = records.model.entities.get(str(entity_name)) if entity_name else None
    if values and entity is None:
        raise ValidationFailed(
            "The flow runs on no entity.",
            [FieldError("/values", "the flow names no entity whose fields to set", "reference")],
        )
    record = _record(conn, records, entity, record_id)
    if values and entity is not None:
        record.update(sample_values(records, entity, values))
    owner = record.get("owner_id")
    initiator = owner if isinstance(owner, int) and not isinstance(owner, bool) else user_id
    path = simulate(compiled, doc, record, decisions=decisions, initiator=initiator)
    departments = frozenset(
        f.name for f in (entity.fields if entity else ()) if f.type == "department"
    )
    who = Who(app, initiator, record, departments, flow)
    seen: set[int] = set()
    for step in path["steps"]:
        for task in step["tasks"]:
            node = dict(compiled.node(task["node"]))
            multi = node.get("multi") or {}
            if multi.get("per_assignee") and task["index"] < len(node.get("assignees", [])):
                node["assignees"] = [node["assignees"][task["index"]]]  # as open_task does
            resolved = resolve_task(conn, node, dataclasses.replace(who, node=node["id"]), now)
            decided = resolved.assignment
            task["users"] = decided.users
            task["then"] = resolved.then
            task["auto"] = decided.auto
            task["problem"] = decided.problem
            task["delegated"] = decided.delegated
            seen.update([*decided.users, *resolved.then])
            seen.update(d["for"] for d in decided.delegated)
        for effect in step["effects"]:
            if effect["effect"] == "notify":
                effect["users"], _ = named_users(conn, effect["recipients"], who)
                seen.update(effect["users"])
        for choice in step["choices"]:
            for taken in choice["taken"]:
                if taken["condition"] is not None:
                    taken["words"] = _words(taken["condition"], entity)
    return {
        **path,
        "flow": flow,
        "initiator": initiator,
        "users": {str(k): v for k, v in _labels(conn, seen | {initiator or 0}).items()},
    }
