"""The system values an import may carry: ``created_at`` and ``updated_at`` of its records.

Sample data and migrated records keep their history: a create with source ``import`` that
gives ``created_at`` / ``updated_at`` stores them instead of the time of the write (and the
record's auto-numbers take their period from that ``created_at``). Other sources cannot set
them: the keys are ignored there, like the other system keys a client sends back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jimu.engines.form.types.base import InvalidValue
from jimu.engines.form.types.temporal import format_datetime, parse_datetime
from jimu.errors import FieldError

#: The system columns an import may set on create (``owner_id`` any source may set).
IMPORTED_TIMES = ("created_at", "updated_at")
IMPORT_SOURCE = "import"


def imported_times(
    data: Mapping[str, Any], source: str, now: datetime, pointer: str
) -> tuple[dict[str, datetime], list[FieldError]]:
    """The given ``created_at`` / ``updated_at`` of an import row, and every problem with them.

    Both must be ISO date-times (naive = UTC) not after ``now``; ``updated_at`` must not be
    before ``created_at``. A given ``created_at`` without ``updated_at`` is used for both (the
    record has not changed since). Rows of other sources get ``{}`` (the keys are ignored).
    """
    if source != IMPORT_SOURCE:
        return {}, []
    times: dict[str, datetime] = {}
    errors: list[FieldError] = []
    for key in IMPORTED_TIMES:
        raw = data.get(key)
        if raw is None or raw == "":
            continue
        try:
            moment = parse_datetime(raw)
        except InvalidValue as exc:
            errors.append(FieldError(f"{pointer}/{key}", exc.message, exc.code))
            continue
        if moment > now:
            errors.append(
                FieldError(
                    f"{pointer}/{key}",
                    f"{format_datetime(moment)} is in the future (now is {format_datetime(now)})",
                    "future",
                )
            )
            continue
        times[key] = moment
    created = times.get("created_at", now)
    updated = times.get("updated_at")
    if updated is not None and updated < created:
        errors.append(
            FieldError(
                f"{pointer}/updated_at",
                f"{format_datetime(updated)} is before created_at {format_datetime(created)}",
                "before_created",
            )
        )
    if "created_at" in times and updated is None:
        times["updated_at"] = times["created_at"]
    return times, errors
