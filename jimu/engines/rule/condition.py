"""A rule's condition, evaluated with the value and the words of each of its parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expr import ExprError, compile, describe


@dataclass
class Explanation:
    """Whether (a part of) a condition holds, in words, with its parts for and/or groups."""

    holds: bool
    words: str
    parts: list[Explanation] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"holds": self.holds, "words": self.words}
        if self.parts:
            out["parts"] = [part.as_dict() for part in self.parts]
        if self.error is not None:
            out["error"] = self.error
        return out


def truthy(value: Any) -> bool:
    """JsonLogic truth: empty lists and strings, 0 and null are false."""
    if isinstance(value, list):
        return bool(value)
    return bool(value)


def explain(
    condition: Any,
    data: Mapping[str, Any],
    context: Mapping[str, Any],
    lang: str = "en",
    labels: Mapping[str, str] | None = None,
) -> Explanation:
    """Evaluate ``condition`` (None: always holds) and each sub-condition of its and/or groups."""
    if condition is None:
        return Explanation(True, "always" if lang == "en" else "总是")
    words = describe(condition, lang, labels)
    parts: list[Explanation] = []
    if isinstance(condition, dict) and len(condition) == 1:
        ((op, args),) = condition.items()
        if op in ("and", "or") and isinstance(args, list):
            parts = [explain(arg, data, context, lang, labels) for arg in args]
    try:
        holds = truthy(compile(condition)(dict(data), dict(context)))
    except ExprError as exc:
        return Explanation(False, words, parts, exc.message)
    return Explanation(holds, words, parts)
