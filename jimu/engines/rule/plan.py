"""What a rule's actions decide: the record they read and the writes they plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordView:
    """The record a rule runs on: its entity, values now (``id`` included) and, for an
    update, the changed fields' values before it (``$old`` in conditions and formulas)."""

    entity: str
    values: Mapping[str, Any]
    old: Mapping[str, Any] = field(default_factory=dict)
    #: An inbound webhook's JSON body (``$payload``); None for record triggers.
    payload: Any = None
    #: Fields holding exact decimals, which JSON records give as text (``"8.00"``): numbers
    #: to conditions and formulas, so two of them compare as numbers, not as text.
    decimals: frozenset[str] = frozenset()

    @property
    def record_id(self) -> int:
        return int(self.values["id"])

    @property
    def exists(self) -> bool:
        """False for a webhook run that found no record: its ``set_fields`` creates one."""
        return self.values.get("id") is not None

    #: :meth:`data` and :meth:`context`, made once: a hundred rules test one view.
    _data: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _context: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def data(self) -> dict[str, Any]:
        """The values as the expression engine takes them (exact decimals as numbers).
        Shared between callers: read it, do not change it."""
        if self._data is None:
            data = {k: self._number(k, v) for k, v in self.values.items()}
            object.__setattr__(self, "_data", data)
            return data
        return self._data

    def context(self) -> dict[str, Any]:
        """The ``$`` values: ``$old`` is the record before the update (unchanged fields too).
        Shared between callers: read it, do not change it."""
        if self._context is None:
            before = dict(self.data())
            old = self.old.items()
            before.update({k: self._number(k, v) for k, v in old})
            context: dict[str, Any] = {"old": before}
            if self.payload is not None:
                context["payload"] = self.payload
            object.__setattr__(self, "_context", context)
            return context
        return self._context

    def _number(self, name: str, value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, str) and name in self.decimals:
            try:
                return float(value)
            except ValueError:
                return value
        return value

    def with_values(self, changes: Mapping[str, Any]) -> RecordView:
        return replace(self, values={**self.values, **changes})


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """One write an action plans: an update of ``record_id`` or the creation of a record of
    ``entity`` (``record_id`` None), with the values by field name (JSON input)."""

    action: int
    op: str  # "update" / "create"
    entity: str
    values: dict[str, Any]
    record_id: int | None = None
    #: Which actions' values this write carries (updates of one record are merged).
    actions: tuple[int, ...] = ()
    #: A created record's name for later writes (``create_record``'s ``as``).
    name: str | None = None
    #: Link fields set, when the write is carried out, to the id of the record created earlier
    #: in the run under the name given (``created_links``).
    refs: Mapping[str, str] = field(default_factory=dict)
    #: Amounts added to the stored values of number fields when the write is carried out (an
    #: update of a record whose current value the plan does not read: ``update_linked``'s
    #: ``add``).
    increments: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = {
            "op": self.op,
            "entity": self.entity,
            "record_id": self.record_id,
            "values": self.values,
            "actions": list(self.actions or (self.action,)),
        }
        if self.name is not None:
            out["as"] = self.name
        if self.refs:
            out["created_links"] = dict(self.refs)
        if self.increments:
            out["add"] = dict(self.increments)
        return out


@dataclass(frozen=True, slots=True)
class PlannedEffect:
    """A side effect an action plans besides record writes — a notification, a webhook call, an
    owner assignment: ``kind`` names the platform handler that carries it out (see
    ``jimu.platform.rules.effects``), ``payload`` holds its settings resolved on the record
    (JSON values). ``entity``/``record_id`` name the rule's record."""

    action: int
    kind: str
    entity: str
    record_id: int | None
    payload: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "op": "effect",
            "kind": self.kind,
            "entity": self.entity,
            "record_id": self.record_id,
            "payload": self.payload,
            "actions": [self.action],
        }


#: What an action plans: record writes and effects, carried out in order.
Planned = PlannedWrite | PlannedEffect


def merge_updates(writes: list[Planned]) -> list[Planned]:
    """Updates of the same record become one write at the first one's place (one event, one
    version), later values winning; creates and effects stay as they are, in order."""
    merged: list[Planned] = []
    at: dict[tuple[str, int], int] = {}
    for write in writes:
        if isinstance(write, PlannedEffect):
            merged.append(write)
            continue
        if write.op != "update" or write.record_id is None:
            merged.append(replace(write, actions=(write.action,)))
            continue
        key = (write.entity, write.record_id)
        if key in at:
            first = merged[at[key]]
            assert isinstance(first, PlannedWrite)
            increments = dict(first.increments)
            for name, amount in write.increments.items():
                increments[name] = increments.get(name, 0) + amount
            merged[at[key]] = replace(
                first,
                values={**first.values, **write.values},
                actions=(*first.actions, write.action),
                refs={**first.refs, **write.refs},
                increments=increments,
            )
        else:
            at[key] = len(merged)
            merged.append(replace(write, actions=(write.action,)))
    return merged
