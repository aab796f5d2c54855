"""Running charts for a reader: the report engine plus the access model (docs/reports.md)."""

from jimu.platform.reports.cache import ResultCache
from jimu.platform.reports.service import (
    DRILL_ID_LIMIT,
    cached_rows,
    drill_down,
    published_report,
    require_reader,
    run_cached,
    run_report,
)

__all__ = [
    "DRILL_ID_LIMIT",
    "ResultCache",
    "cached_rows",
    "drill_down",
    "published_report",
    "require_reader",
    "run_cached",
    "run_report",
]
