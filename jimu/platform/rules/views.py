"""The record a rule sees, with its entity's exact-decimal fields named so conditions read
them as numbers (a JSON record gives ``"8.00"``; two such fields compared as text would put
``"8.00"`` after ``"10.00"``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.rule import RecordView
from jimu.errors import NotFound
from jimu.platform.records import Records


def record_view(
    records: Records,
    entity: str,
    values: Mapping[str, Any],
    old: Mapping[str, Any] | None = None,
    payload: Any = None,
) -> RecordView:
    try:
        decimals = records.runtime.entity(entity).decimal_fields
    except NotFound:  # an entity the published app no longer has
        decimals = frozenset()
    return RecordView(entity, values, dict(old or {}), payload, decimals)
