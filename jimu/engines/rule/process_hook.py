"""The hook by which a process engine lets rules start its processes (``start_process``).

Jimu has no process engine yet: until one registers here, publishing a rule with a
``start_process`` action is refused ("no process engine is installed"). A process engine
registers a :class:`ProcessCatalog` (pure: which processes exist for a rule's entity, checked
at publish) here and a starter in the platform
(``jimu.platform.rules.processes.register_process_starter``) that starts one in the run's
transaction.
"""

from __future__ import annotations

from typing import Protocol

from jimu.engines.rule.actions import RuleScope


class ProcessCatalog(Protocol):
    """What publishing a ``start_process`` action asks the process engine."""

    def process_problem(self, process: str, entity: str, scope: RuleScope) -> str | None:
        """Why ``process`` cannot be started on records of ``entity`` (None: it can)."""
        ...


PROCESS_CATALOGS: list[ProcessCatalog] = []


def register_process_catalog(catalog: ProcessCatalog) -> ProcessCatalog:
    """Install a process engine's catalog (one engine at a time)."""
    if PROCESS_CATALOGS:
        raise ValueError("a process engine is installed already")
    PROCESS_CATALOGS.append(catalog)
    return catalog
