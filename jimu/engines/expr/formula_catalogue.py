"""The functions a formula may call, for the formula editor: each surface name with its
arity, signature and description in English and Chinese (from the operator table)."""

from __future__ import annotations

import re
from typing import Any

from jimu.engines.expr.formula_functions import FUNCTIONS
from jimu.engines.expr.operators import OPERATORS
from jimu.engines.expr.reference import FAMILY_ORDER, signature_text


def function_catalogue() -> list[dict[str, Any]]:
    """Every formula function, by family (the order of docs/expr.md) then name."""
    entries: list[dict[str, Any]] = []
    for function in FUNCTIONS.values():
        operator = OPERATORS[function.op]
        entries.append(
            {
                "name": function.name,
                "family": operator.family,
                "min_args": function.min_args,
                "max_args": function.max_args,
                "signature": signature_text(operator.signature),
                "description": {"en": _lettered(operator.en), "zh": _lettered(operator.zh)},
            }
        )
    order = {family: i for i, family in enumerate(FAMILY_ORDER)}
    entries.sort(key=lambda e: (order.get(e["family"], len(order)), e["name"]))
    return entries


def _lettered(template: str) -> str:
    """The operator's description with its ``{0}``, ``{1}`` … written as a, b … (``{*}``: all)."""
    lettered = re.sub(r"\{(\d+)\}", lambda m: "abcdefghij"[int(m.group(1)) % 10], template)
    return lettered.replace("{*}", "a, b, …")
