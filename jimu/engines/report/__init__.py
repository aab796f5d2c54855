"""The report engine: a chart spec (the ``report`` document) compiled to one SQL statement.

``compile_report(spec, Target(model, tables, dialect, time_zone, now, Access(scopes, hidden)))``
returns the SELECT (aggregated in the database) and its column metadata; ``shape_rows`` turns
its rows into JSON; ``drill_filter`` gives the JsonLogic that selects a cell's records;
``report_properties``/``report_errors`` are the document's schema and checks. Pure: no
session, no I/O. See docs/reports.md.
"""

from jimu.engines.report.compiler import Target, compile_report, time_zone_of
from jimu.engines.report.dataset import Access, entities_of
from jimu.engines.report.document import report_errors
from jimu.engines.report.drill import DrillDown, drill_filter, drill_ids, reads_links
from jimu.engines.report.result import CompiledReport, shape_rows
from jimu.engines.report.schema import REQUIRED, report_properties

__all__ = [
    "REQUIRED",
    "Access",
    "CompiledReport",
    "DrillDown",
    "Target",
    "compile_report",
    "drill_filter",
    "drill_ids",
    "entities_of",
    "reads_links",
    "report_errors",
    "report_properties",
    "shape_rows",
    "time_zone_of",
]
