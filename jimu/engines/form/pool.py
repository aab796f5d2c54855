"""The public pool (公海) settings of an entity document, read-only and typed.

An entity whose document has ``"pool": {"enabled": true, ...}`` has a public pool: its records
whose owner field is empty are *in the pool*, where the users the settings name may claim them
(within their limits), and owners return them with a reason. The JSON Schema of the section is
``jimu.metadata.pool.POOL_SECTION``; this module only reads a valid one (docs/pool.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jimu.engines.form.model import Entity

DEFAULT_OWNER_FIELD = "owner_id"


@dataclass(frozen=True)
class ReturnReason:
    value: str
    label: Mapping[str, str]

    def text(self, lang: str) -> str:
        return str(self.label.get(lang) or self.label.get("en") or self.value)


@dataclass(frozen=True)
class PoolSettings:
    """The pool of one entity: see docs/pool.md for each setting."""

    owner_field: str = DEFAULT_OWNER_FIELD
    #: Roles (names) and departments (ids, with the departments below them) whose members may
    #: claim; both empty: everyone who may read the entity.
    claim_roles: tuple[str, ...] = ()
    claim_departments: tuple[int, ...] = ()
    #: Claims per user per day (UTC), None: no limit.
    daily_claims: int | None = None
    #: Records a user may hold at once (counted on the owner field), None: no limit.
    max_held: int | None = None
    #: Which held records count towards ``max_held`` (JsonLogic over the record); None: all.
    open_condition: Mapping[str, Any] | None = None
    return_reasons: tuple[ReturnReason, ...] = ()
    reason_required: bool = False
    #: Fields emptied when a record goes back to the pool.
    clear_on_return: tuple[str, ...] = ()
    #: Whether a user may claim a record they owned before.
    previous_owner_may_claim: bool = True

    @property
    def everyone_may_claim(self) -> bool:
        return not self.claim_roles and not self.claim_departments

    def reason(self, value: str) -> ReturnReason | None:
        return next((r for r in self.return_reasons if r.value == value), None)


def _limit(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def pool_settings(entity: Entity | Mapping[str, Any]) -> PoolSettings | None:
    """The entity's pool, or None when it has none (no ``pool`` or not ``enabled``)."""
    spec = entity.spec if isinstance(entity, Entity) else entity
    pool = spec.get("pool")
    if not isinstance(pool, Mapping) or not pool.get("enabled", False):
        return None
    claimers = pool.get("claimers") or {}
    limits = pool.get("limits") or {}
    returns = pool.get("returns") or {}
    condition = limits.get("open_condition")
    return PoolSettings(
        owner_field=str(pool.get("owner_field") or DEFAULT_OWNER_FIELD),
        claim_roles=tuple(str(r) for r in claimers.get("roles", [])),
        claim_departments=tuple(int(d) for d in claimers.get("departments", [])),
        daily_claims=_limit(limits.get("claims_per_day")),
        max_held=_limit(limits.get("max_held")),
        open_condition=condition if isinstance(condition, Mapping) else None,
        return_reasons=tuple(
            ReturnReason(str(r["value"]), dict(r.get("label") or {}))
            for r in returns.get("reasons", [])
        ),
        reason_required=bool(returns.get("reason_required", False)),
        clear_on_return=tuple(str(f) for f in returns.get("clear_fields", [])),
        previous_owner_may_claim=bool(pool.get("previous_owner_may_claim", True)),
    )
