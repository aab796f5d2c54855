"""Carrying out the effects rule actions plan besides record writes (notify, webhooks, owner
assignment, …): each effect kind has one handler, registered by the platform module that owns
the side effect. A handler runs inside the rule run's savepoint, on the run's connection, so
whatever it writes (a delivery row, an owner change, a notification) commits together with the
run and its record writes, or not at all; external sends only ever go through the delivery
table (at least once, with an idempotency key), never straight out of a handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.rule import PlannedEffect, RecordView
from jimu.errors import JimuError
from jimu.platform.records import Records, WriteContext

if TYPE_CHECKING:
    from jimu.platform.state import Platform


@dataclass(frozen=True)
class EffectContext:
    """What a handler gets besides the effect: the run's connection (inside its savepoint), the
    app's records service, the platform (settings, registries), the write context of the run's
    writes (``caused_by``/``depth``), the rule's record as the actions saw it, and the keys
    that make the effect idempotent (``rule``, ``event_id`` and the action's index)."""

    conn: sa.Connection
    records: Records
    platform: Platform
    write: WriteContext
    view: RecordView
    rule: str
    event_id: int

    def idempotency_key(self, effect: PlannedEffect, part: str = "") -> str:
        """A key unique to this effect of this run of this event (a retry gets the same one)."""
        base = f"rule:{self.records.app}:{self.rule}:{self.event_id}:{effect.action}"
        return f"{base}:{part}" if part else base


#: Carries an effect out; returns what it did, for the run log (JSON values).
EffectHandler = Callable[[EffectContext, PlannedEffect], dict[str, Any]]

EFFECTS: dict[str, EffectHandler] = {}


def register_effect(kind: str, handler: EffectHandler) -> EffectHandler:
    """Register the handler of effects of ``kind`` (each kind once)."""
    if kind in EFFECTS:
        raise ValueError(f"effect kind {kind!r} already has a handler")
    EFFECTS[kind] = handler
    return handler


def carry_out(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    """Run ``effect``'s handler; the run log gets the effect with the handler's answer."""
    handler = EFFECTS.get(effect.kind)
    if handler is None:
        raise JimuError(f"No handler carries out effects of kind {effect.kind!r}.")
    return {**effect.as_dict(), "result": handler(context, effect)}
