"""The published rules of each app, compiled once per publish, and which are switched off."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import default_registry
from jimu.engines.rule import CompiledRule, compile_rule
from jimu.metadata.rules import rule_scope
from jimu.platform.metadata_store import PUBLISHED
from jimu.platform.models import Document, RuleState
from jimu.platform.rules.tables import published_tables

DOCS: sa.Table = Document.__table__  # type: ignore[assignment]
STATES: sa.Table = RuleState.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class PublishedRule:
    version: int
    rule: CompiledRule


def compile_published(conn: sa.Connection, app: str, model: AppModel) -> tuple[PublishedRule, ...]:
    """Every published rule of ``app``, compiled against its published ``model``."""
    rows = conn.execute(
        sa.select(DOCS.c.version, DOCS.c.body)
        .where(DOCS.c.app == app, DOCS.c.kind == "rule", DOCS.c.status == PUBLISHED)
        .order_by(DOCS.c.name)
    ).all()
    if not rows:
        return ()
    scope = rule_scope(model, default_registry(), published_tables(conn, app))
    return tuple(PublishedRule(version, compile_rule(body, scope)) for version, body in rows)


def disabled_rules(conn: sa.Connection, app: str) -> frozenset[str]:
    rows = conn.execute(
        sa.select(STATES.c.rule).where(STATES.c.app == app, STATES.c.enabled.is_(False))
    )
    return frozenset(rows.scalars())


class RuleCatalog:
    """Compiled published rules per app, rebuilt when the app's ``Records`` service is (a
    publish of any document of the app)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[AppModel, tuple[PublishedRule, ...]]] = {}

    def rules(self, conn: sa.Connection, app: str, model: AppModel) -> Sequence[PublishedRule]:
        with self._lock:
            cached = self._rules.get(app)
        if cached is not None and cached[0] is model:
            return cached[1]
        compiled = compile_published(conn, app, model)
        with self._lock:
            self._rules[app] = (model, compiled)
        return compiled
