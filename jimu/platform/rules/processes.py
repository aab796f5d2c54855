"""Starting processes from rules: the platform half of the process engine's hook (the pure
half is ``jimu.engines.rule.process_hook``). The process engine registers one starter; the
``start_process`` effect calls it in the rule run's transaction, so the process starts with the
run or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.engines.rule import PlannedEffect
from jimu.errors import JimuError
from jimu.platform.rules.effects import EffectContext, register_effect

#: Starts the process named in ``effect.payload["process"]`` on the effect's record, on
#: ``context.conn``; returns what it did for the run log (the process instance's id, say).
ProcessStarter = Callable[[EffectContext, PlannedEffect], dict[str, Any]]

_STARTERS: list[ProcessStarter] = []


def register_process_starter(starter: ProcessStarter) -> ProcessStarter:
    """Install the process engine's starter (one at a time)."""
    if _STARTERS:
        raise ValueError("a process starter is registered already")
    _STARTERS.append(starter)
    return starter


def unregister_process_starter(starter: ProcessStarter) -> None:
    if starter in _STARTERS:
        _STARTERS.remove(starter)


def carry_out_start_process(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    if not _STARTERS:
        # Published while an engine was installed, run after it went: fail (retry, then dead)
        # rather than pretend.
        raise JimuError("No process engine is installed: the process cannot be started.")
    return _STARTERS[0](context, effect)


register_effect("start_process", carry_out_start_process)
