"""Schema changes of entity tables: a plan of Alembic operations, previewable as SQL."""

from jimu.engines.form.migrate.plan import Plan, plan_changes

__all__ = ["Plan", "plan_changes"]
