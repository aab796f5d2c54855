"""Approver decisions (pure): the manager chain, delegation while away, separation of duties
and automatic approval. People come in as values; the platform looks them up
(jimu/platform/process/approvers.py) and stores the result on the task, so a later change in
the organisation does not move open tasks. See docs/process.md, "Approvers".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: The kinds of an ``assignees`` (or a cc node's ``recipients``) entry.
ASSIGNEE_KINDS = (
    "user",
    "role",
    "department",
    "department_head",
    "manager",
    "manager_chain",
    "field",
    "owner",
    "initiator",
    "round_robin",
)
AUTO_APPROVE = ("initiator", "repeat")
#: How far delegation is followed (A away → B away → C …) before it stops.
MAX_DELEGATION_HOPS = 5
#: The longest manager chain walked (逐级审批), whatever ``levels`` says.
MAX_CHAIN = 20


@dataclass(frozen=True)
class Person:
    """What the decisions need of a user: are they active, when are they away, and who acts
    for them then (``delegate_id``, else their manager)."""

    id: int
    active: bool = True
    manager_id: int | None = None
    away_from: datetime | None = None
    away_until: datetime | None = None
    delegate_id: int | None = None

    def away(self, now: datetime) -> bool:
        if self.away_from is None and self.away_until is None:
            return False
        if self.away_from is not None and now < self.away_from:
            return False
        return not (self.away_until is not None and now >= self.away_until)


@dataclass(frozen=True)
class Policy:
    """A task node's approver options: ``auto_approve`` (``initiator``, ``repeat``) and
    ``exclude_initiator`` (separation of duties: the preparer may not approve)."""

    auto_approve: tuple[str, ...] = ()
    exclude_initiator: bool = False

    @classmethod
    def of(cls, node: Mapping[str, Any]) -> Policy:
        return cls(tuple(node.get("auto_approve", ())), bool(node.get("exclude_initiator")))


@dataclass
class Assignment:
    """The decision for one task: ``users`` (in order), the ``delegated`` substitutions
    (``{"user": delegate, "for": away}``), who was ``excluded`` (separation of duties), the
    ``auto`` approval reason (None: a person decides) and the ``problem`` when nobody is left."""

    users: list[int] = field(default_factory=list)
    delegated: list[dict[str, int]] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    auto: str | None = None
    problem: str | None = None


def manager_chain(
    start: int | None,
    managers: Mapping[int, int | None],
    *,
    levels: int,
    stop_at: Iterable[int] = (),
) -> list[int]:
    """The managers above ``start``, nearest first: ``levels`` of them, or fewer when the
    chain ends or reaches someone in ``stop_at`` (included: 逐级审批 "up to the director").
    A chain that comes back to someone already in it stops there."""
    stops = set(stop_at)
    chain: list[int] = []
    current = start
    seen = {start}
    while len(chain) < min(levels, MAX_CHAIN):
        above = managers.get(current) if current is not None else None
        if above is None or above in seen:
            break
        chain.append(above)
        seen.add(above)
        if above in stops:
            break
        current = above
    return chain


def nth_manager(start: int | None, managers: Mapping[int, int | None], level: int) -> list[int]:
    """The manager ``level`` levels above ``start`` (1: the direct manager), or nobody."""
    chain = manager_chain(start, managers, levels=level)
    return [chain[level - 1]] if len(chain) >= level else []


def next_in_turn(holders: Sequence[int], last: int | None) -> list[int]:
    """Round robin: the holder after ``last`` in id order (the first when ``last`` is None or
    no longer a holder), or nobody when there are no holders."""
    ordered = sorted(set(holders))
    if not ordered:
        return []
    if last is None or last not in ordered:
        later = [h for h in ordered if last is not None and h > last]
        return [later[0] if later else ordered[0]]
    return [ordered[(ordered.index(last) + 1) % len(ordered)]]


def _stand_in(person_id: int, people: Mapping[int, Person], now: datetime) -> int:
    """Who acts for ``person_id`` now: themselves, or (away) their delegate or manager, and so
    on while that one is away too. Someone away with nobody to act for them keeps the task."""
    current = person_id
    seen = {person_id}
    for _ in range(MAX_DELEGATION_HOPS):
        person = people.get(current)
        if person is None or not person.away(now):
            return current
        substitute = person.delegate_id or person.manager_id
        if substitute is None or substitute in seen:
            return current
        seen.add(substitute)
        current = substitute
    return current


def _unique(ids: Iterable[int]) -> list[int]:
    out: list[int] = []
    for value in ids:
        if value not in out:
            out.append(value)
    return out


def assign(
    candidates: Sequence[int],
    people: Mapping[int, Person],
    now: datetime,
    *,
    initiator: int | None,
    approved: Iterable[int] = (),
    policy: Policy = Policy(),
    approval: bool = True,
) -> Assignment:
    """Decide a task's people from the ``candidates`` the node's entries named.

    Inactive users are dropped; an approver away now is replaced by their stand-in (both are
    recorded); with ``exclude_initiator`` the initiator is removed (after delegation, so a
    delegation cannot hand the initiator their own approval); an empty result is a
    ``problem``. An approval task is approved automatically when ``auto_approve`` names
    ``initiator`` and the initiator is among its approvers, or ``repeat`` and one of them
    approved earlier in this instance (``approved``)."""
    result = Assignment()
    active = [c for c in _unique(candidates) if people.get(c, Person(c)).active]
    final: list[int] = []
    for candidate in active:
        stand_in = _stand_in(candidate, people, now)
        if stand_in != candidate:
            result.delegated.append({"user": stand_in, "for": candidate})
        final.append(stand_in)
    final = _unique(final)
    if policy.exclude_initiator and initiator in final:
        final.remove(initiator)
        result.excluded.append(initiator)
    result.users = final
    if not final:
        if not candidates:
            result.problem = "nobody is named: the approver entries resolve to no user"
        elif result.excluded and len(final) == 0:
            result.problem = (
                "nobody is left: the initiator may not approve their own request "
                "(exclude_initiator) and no one else is named"
            )
        else:
            result.problem = "nobody is left: every user named is deactivated"
        return result
    if approval:
        if "initiator" in policy.auto_approve and initiator in final:
            result.auto = "initiator"
        elif "repeat" in policy.auto_approve and set(final) & set(approved):
            result.auto = "repeat"
    return result
