"""``$user`` values written into a JsonLogic rule as literals (pure).

Scopes and saved filters read ``{"var": "$user.id"}``; binding them before the rule reaches
the SQL compiler makes the rule plain data (cacheable, and compiled to ``owner_id = 7``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFIX = "$user."


def _user_value(name: str, context: Mapping[str, Any], default: Any) -> Any:
    value: Any = context
    for key in name[len(PREFIX) :].split("."):
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


def bind_user(rule: Any, context: Mapping[str, Any]) -> Any:
    """``rule`` with every ``{"var": "$user...."}`` replaced by the value in ``context``."""
    if isinstance(rule, list):
        return [bind_user(item, context) for item in rule]
    if not isinstance(rule, Mapping):
        return rule
    if len(rule) == 1 and "var" in rule:
        target = rule["var"]
        name, default = (
            (target[0], target[1] if len(target) > 1 else None)
            if isinstance(target, list) and target
            else (target, None)
        )
        if isinstance(name, str) and name.startswith(PREFIX):
            return _user_value(name, context, default)
        return dict(rule)
    return {op: bind_user(args, context) for op, args in rule.items()}
