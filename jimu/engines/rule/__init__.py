"""The rule engine's pure part: rule documents in, decisions out (see docs/rules.md).

``compile_rule(body)`` builds a :class:`CompiledRule` once (its condition and formulas compiled
through the expression engine); ``CompiledRule.matches(event)`` says whether a record event
triggers it, ``CompiledRule.explain(record)`` evaluates its condition with each part's value and
words, and ``CompiledRule.plan(record)`` lists the writes its actions would make. Nothing here
opens a session or writes: the platform (``jimu.platform.rules``) carries the plans out.
"""

from jimu.engines.rule.actions import ACTIONS, ActionType, register_action
from jimu.engines.rule.compiled import CompiledRule, compile_rule
from jimu.engines.rule.condition import Explanation
from jimu.engines.rule.plan import Planned, PlannedEffect, PlannedWrite, RecordView
from jimu.engines.rule.triggers import TRIGGERS, RecordEvent

__all__ = [
    "ACTIONS",
    "TRIGGERS",
    "ActionType",
    "CompiledRule",
    "Explanation",
    "Planned",
    "PlannedEffect",
    "PlannedWrite",
    "RecordEvent",
    "RecordView",
    "compile_rule",
    "register_action",
]
