"""The ``to_pool`` effect of the ``move_to_pool`` rule action: the record goes back to its
entity's public pool in the rule run's transaction, the owner change kept with the reason
(kind ``pool``, source ``rule``)."""

from __future__ import annotations

from typing import Any

from jimu.engines.rule import PlannedEffect
from jimu.engines.rule.pool_action import TO_POOL
from jimu.errors import NotFound
from jimu.platform.pool.service import move_to_pool
from jimu.platform.rules.effects import EffectContext, register_effect


def to_pool(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    """Empty the owner (and the fields the pool clears); nothing when the record is in the pool
    already or was deleted since the event."""
    if effect.record_id is None:
        return {"moved": False}
    reason, note = effect.payload.get("reason"), effect.payload.get("note")
    try:
        done = move_to_pool(
            context.conn,
            context.records,
            effect.entity,
            effect.record_id,
            context.write,
            kind="pool",
            reason=str(reason) if reason else None,
            note=str(note) if note else None,
        )
    except NotFound:
        return {"moved": False, "why": "deleted"}
    if done is None:
        return {"moved": False, "why": "in_pool"}
    return {"moved": True, "version": done["version"]}


register_effect(TO_POOL, to_pool)
