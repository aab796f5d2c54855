"""The write path put together: an app's runtime with the standard after-store steps.

``compile_app`` is how the write path's modules meet: ``create`` and ``update`` store rows and
hand each write to ``AppRuntime.pipeline`` (records/pipeline.py); the steps installed here
write again through them — sub-table rows (``children``) and the lookups and rollups of other
records (``dependents``) — then ``wake workers`` marks the transaction so its commit wakes the
rule worker (rules/wake.py). So the recursion of the write path is this list, not imports.
"""

from __future__ import annotations

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.platform.records.children import write_sub_table_rows
from jimu.platform.records.dependents import keep_dependents_current
from jimu.platform.records.pipeline import AfterStore
from jimu.platform.records.runtime import AppRuntime
from jimu.platform.rules.wake import signal_outbox

#: The after-store steps of every app, in order (see records/pipeline.py).
STANDARD_STEPS: tuple[tuple[str, AfterStore], ...] = (
    ("sub-table rows", write_sub_table_rows),
    ("dependents", keep_dependents_current),
    ("wake workers", signal_outbox),
)


def compile_app(model: AppModel, registry: FieldTypeRegistry | None = None) -> AppRuntime:
    """The compiled ``model`` whose writes run the standard steps."""
    app = AppRuntime(model, registry)
    for name, step in STANDARD_STEPS:
        app.pipeline.add(name, step)
    return app
