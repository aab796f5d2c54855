"""What the audit log's query parameters take, for the OpenAPI document.

``GET /api/admin/audit-events`` reads its parameters as text (``parse_filter`` names every bad
one at once); these schemas only describe them, so the document says what is accepted.
"""

from __future__ import annotations

from typing import Any

from fastapi import Query

from jimu.engines.form.patterns import SPACE
from jimu.platform.security.audit_log import EVENT_KINDS

_EMPTY = {"type": "string", "maxLength": 0}
#: An ISO 8601 date or date-time (or nothing).
MOMENT = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        _EMPTY,
    ]
}
#: A whole number as ``int()`` reads it (blanks and a plus sign around it, leading zeros).
_WHOLE = "^(?:" + SPACE + r"*\+?0*(?:{})" + SPACE + "*)?$"
ID_TEXT = {"type": "string", "pattern": _WHOLE.format("[1-9][0-9]{0,17}")}
LIMIT_TEXT = {"type": "string", "pattern": _WHOLE.format("[1-9][0-9]?|[1-4][0-9]{2}|500")}
KINDS = {"type": "array", "items": {"enum": [*EVENT_KINDS, ""]}}


def described(text: str, schema: dict[str, Any]) -> Any:
    """A query parameter read as text whose document schema is ``schema``."""
    return Query(description=text, json_schema_extra={"anyOf": [schema]})
