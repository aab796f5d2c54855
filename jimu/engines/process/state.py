"""Instance state (small, JSON) and the delta a step writes.

State: ``status``, ``seq`` (the last id handed out), ``tokens`` (id → where it is and what it
waits for), ``groups`` (the branch groups splits opened, with their join counters), ``joins``
(arrival counts of joins reached outside any group) and ``vars``. A step's :class:`Delta` holds
only what changed: tokens and groups written or deleted (``None``), vars set, status and seq.
``apply_delta(old, delta) == new`` always holds, so a store can keep rows, not the whole state.
"""

from __future__ import annotations

import copy
from typing import Any

State = dict[str, Any]
Delta = dict[str, Any]

_MAPS = ("tokens", "groups", "joins")


def new_state() -> State:
    return {"status": "running", "seq": 0, "tokens": {}, "groups": {}, "joins": {}, "vars": {}}


def diff_states(old: State, new: State) -> Delta:
    """What changed from ``old`` to ``new``."""
    delta: Delta = {}
    for key in ("status", "seq"):
        if old[key] != new[key]:
            delta[key] = new[key]
    for key in _MAPS:
        changed = {k: v for k, v in new[key].items() if old[key].get(k) != v}
        changed.update({k: None for k in old[key] if k not in new[key]})
        if changed:
            delta[key] = changed
    variables = {k: v for k, v in new["vars"].items() if old["vars"].get(k, _MISSING) != v}
    if variables:
        delta["vars"] = variables
    return delta


_MISSING = object()


def apply_delta(state: State, delta: Delta) -> State:
    """``state`` with ``delta`` applied (a new dict; ``state`` is not changed)."""
    result = copy.deepcopy(state)
    for key in ("status", "seq"):
        if key in delta:
            result[key] = delta[key]
    for key in _MAPS:
        for k, v in delta.get(key, {}).items():
            if v is None:
                result[key].pop(k, None)
            else:
                result[key][k] = copy.deepcopy(v)
    result["vars"].update(copy.deepcopy(delta.get("vars", {})))
    return result


def token_order(token_id: str) -> int:
    """Tokens are ``t<n>``: their creation order."""
    return int(token_id[1:])
