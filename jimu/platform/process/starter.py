"""The ``start_process`` hook of rules: a rule's action starts the published flow on the
rule's record, in the rule run's transaction (so it starts with the run or not at all)."""

from __future__ import annotations

from typing import Any

from jimu.engines.rule import PlannedEffect
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.process_hook import PROCESS_CATALOGS, register_process_catalog
from jimu.platform.models import utcnow
from jimu.platform.process.instances import start_instance
from jimu.platform.rules.effects import EffectContext
from jimu.platform.rules.processes import register_process_starter, unregister_process_starter


class FlowCatalog:
    """Publishing a rule does not see the app's flows (the rule scope has none), so any flow
    name is accepted here; starting one that is not published fails the run (retried, then
    dead, with "No published flow …")."""

    def process_problem(self, process: str, entity: str, scope: RuleScope) -> str | None:
        return None


def start_from_rule(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    result = start_instance(
        context.conn,
        context.records,
        context.records.app,
        str(effect.payload["process"]),
        utcnow(),
        entity=effect.entity,
        record_id=effect.record_id,
        platform=context.platform,
    )
    return {"instance": result.instance_id, "status": result.status}


_CATALOG = FlowCatalog()


def install() -> None:
    """Let rules start flows (idempotent)."""
    if _CATALOG not in PROCESS_CATALOGS:
        register_process_catalog(_CATALOG)
        register_process_starter(start_from_rule)


def uninstall() -> None:
    if _CATALOG in PROCESS_CATALOGS:
        PROCESS_CATALOGS.remove(_CATALOG)
    unregister_process_starter(start_from_rule)
