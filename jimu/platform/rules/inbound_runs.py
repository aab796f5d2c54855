"""The record a webhook rule's run works on: the one its ``match`` keys find, or none yet."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.engines.rule import CompiledRule, RecordView
from jimu.engines.rule.webhook_trigger import compile_match
from jimu.platform.records import Records
from jimu.platform.records.context import ListQuery
from jimu.platform.rules.events import Event
from jimu.platform.rules.views import record_view


def webhook_view(
    conn: sa.Connection, records: Records, rule: CompiledRule, event: Event
) -> RecordView:
    """The live record of the rule's entity whose ``match`` fields equal the keys computed
    from ``$payload`` (the lowest id when several do), else an empty record (no ``id``): the
    run's ``set_fields`` then creates it. A key that comes out empty matches nothing."""
    payload = event.payload
    keys = compile_match(rule.trigger.get("match"))(payload)
    found: dict[str, Any] = {}
    if keys and all(value not in (None, "") for value in keys.values()):
        scope = {"and": [{"==": [{"var": name}, value]} for name, value in keys.items()]}
        page = records.list(conn, rule.entity, ListQuery(scope=scope, sort=("id",), limit=1))
        if page.items:
            found = records.get(conn, rule.entity, int(page.items[0]["id"]))
    return record_view(records, rule.entity, found, {}, payload)
