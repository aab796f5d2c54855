"""``start_process``: refused at publish while no process engine is installed; with one
installed (a test engine here), checked by its catalog and started in the run's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from effects_testing import APP, create, list_records, publish, rule
from rules_testing import worker

from jimu.engines.rule import PlannedEffect
from jimu.engines.rule.actions import RuleScope
from jimu.engines.rule.process_hook import PROCESS_CATALOGS, register_process_catalog
from jimu.errors import ValidationFailed
from jimu.platform.process import starter as process_starter
from jimu.platform.rules import runs
from jimu.platform.rules.effects import EffectContext
from jimu.platform.rules.processes import register_process_starter, unregister_process_starter
from jimu.platform.state import Platform

START = {"type": "start_process", "process": "approval"}


class Catalog:
    def process_problem(self, process: str, entity: str, scope: RuleScope) -> str | None:
        return None if process == "approval" else f"there is no process {process!r}"


def start(context: EffectContext, effect: PlannedEffect) -> dict[str, Any]:
    """The test engine's "process instance" is a task naming the process."""
    title = f"{effect.payload['process']} of lead {effect.record_id}"
    task = context.records.create(context.conn, "task", {"title": title}, context.write)
    return {"instance": task["id"]}


@pytest.fixture(autouse=True)
def without_the_shipped_engine() -> Iterator[None]:
    """These tests install an engine of their own: the shipped one steps aside meanwhile."""
    process_starter.uninstall()
    yield
    process_starter.install()


@pytest.fixture
def engine_installed() -> Iterator[None]:
    catalog = register_process_catalog(Catalog())
    register_process_starter(start)
    yield
    PROCESS_CATALOGS.remove(catalog)
    unregister_process_starter(start)


def test_without_a_process_engine_publishing_is_refused(platform: Platform) -> None:
    with pytest.raises(ValidationFailed) as refused:
        publish(platform, [rule("go", [START])])
    (error,) = refused.value.errors
    assert error.pointer.endswith("/actions/0/type")
    assert "no process engine is installed" in error.message


def test_an_installed_engine_checks_the_process_and_starts_it_in_the_run(
    platform: Platform, engine_installed: None
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        publish(platform, [rule("go", [{**START, "process": "nope"}])])
    assert "there is no process 'nope'" in refused.value.errors[0].message
    publish(platform, [rule("go", [START])])
    lead = create(platform, "lead", name="Wu")
    worker(platform).drain()
    (task,) = list_records(platform, "task")
    assert task["title"] == f"approval of lead {lead['id']}"
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="go")
    assert run["status"] == "done" and run["actions"][0]["result"] == {"instance": task["id"]}


def test_a_run_after_the_engine_went_fails_instead_of_pretending(
    platform: Platform, engine_installed: None
) -> None:
    publish(platform, [rule("go", [START])])
    unregister_process_starter(start)
    create(platform, "lead", name="Xu")
    worker(platform).drain()
    with platform.engine.connect() as conn:
        (run,) = runs.list_runs(conn, APP, rule="go")
    assert run["status"] == "retry" and "No process engine is installed" in run["error"]
    assert list_records(platform, "task") == []
