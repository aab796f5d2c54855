"""An app's time zone: the ``time_zone`` of its app document (an IANA name such as
``Asia/Shanghai``), else the platform's ``JIMU_TIME_ZONE`` (UTC by default). Schedules, date
fields taken as a day's 00:00 and day arithmetic of rules read it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jimu.errors import FieldError

KEY = "time_zone"


@lru_cache(maxsize=256)
def zone_named(name: str) -> ZoneInfo | None:
    """The zone of an IANA name, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def app_time_zone(app_doc: Mapping[str, Any], default: str = "UTC") -> ZoneInfo:
    """The zone ``app_doc`` sets, else ``default`` (else UTC, when a name is not a zone)."""
    for name in (app_doc.get(KEY), default):
        if isinstance(name, str) and name and (zone := zone_named(name)) is not None:
            return zone
    return ZoneInfo("UTC")


def time_zone_errors(app_doc: Mapping[str, Any]) -> list[FieldError]:
    name = app_doc.get(KEY)
    if name is None or (isinstance(name, str) and zone_named(name) is not None):
        return []
    return [
        FieldError(
            f"/{KEY}", f"{name!r} is not an IANA time zone (like Asia/Shanghai)", "time_zone"
        )
    ]
