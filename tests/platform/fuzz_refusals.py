"""The 422s the fuzz suite lets a schema-valid request get, each with why the OpenAPI document
cannot rule it out (issue 10, point 3).

schemathesis' ``positive_data_acceptance`` fails every 422 to a request its schema allows. The
document describes what it can (patterns, bounds, enums, required and blank values, id
ranges, the filter's shape); what is left depends on stored data, secrets, the caller, or a
rule JSON Schema has no keyword for. ``unforeseeable_refusal`` accepts a 422 only when every
error in it is one of those, named by its code or pointer below.
"""

from __future__ import annotations

import json
from typing import Any

#: Error code → why no schema can foresee it.
REASONS: dict[str, str] = {
    "link": "a link names a record that does not exist",
    "unknown_user": "owner_id names a user that does not exist (or is inactive)",
    "not_found": "a body names a department or user that does not exist",
    "reference": "a role that is not published, a user or department that does not exist",
    "attachment": "an attachment's key is not the caller's upload for this field",
    "accept": "an attachment's name and type are its upload's, checked against accept",
    "cycle": "a department moved under itself, a manager chain looping (the stored tree)",
    "duplicate": "the same id twice in a list (uniqueItems compares whole items, not a key)",
    "one_main": "two main departments (maxContains, which the generators do not read)",
    "wrong": "the current password is a secret",
    "contains_username": "the new password contains the user's name (stored data)",
    "common": "the new password is on the common-passwords list",
    "yourself": "an administrator demoting or deactivating themselves (the caller)",
    "not_deletable": "only form layouts other than an entity's default are deleted; kind and "
    "name are the path parameters every document route shares",
    "inexact_number": "a decimal as a JSON number with more digits than a double keeps "
    "(multipleOf on floats can land one ulp off)",
}
#: Pointers whose errors no schema can foresee: a cursor the server did not issue; a filter's
#: operands (JsonLogic arity and operand types, checked by the expression engine).
UNFORESEEABLE_POINTERS = ("/cursor", "/filter/")
#: Codes of a ``/filter`` error about its shape, which the document does describe.
FILTER_SHAPE_CODES = frozenset({"json", "type", "too_deep", "invalid_text"})
#: Bounds of values written as strings (a percentage, a date): JSON Schema bounds numbers only.
STRING_BOUND_CODES = frozenset({"min", "max"})
#: An end before its start: a rule across two parameters (audit query, away period).
CROSS_PARAMETER = {("/until", "range"), ("/away_until", "order")}
#: Operations whose body is checked against more than the document inlines: any 422 at a body
#: pointer is expected of them.
CHECKED_BEYOND_SCHEMA = {
    # A document must satisfy its kind's JSON Schema (GET /api/schemas/{kind}, chosen by the
    # path) and agree with the app's other documents (references, formulas).
    "PUT /api/apps/{app}/documents/{kind}/{name}",
    # A spreadsheet's rows must name the entity's fields and hold valid values.
    "POST /api/apps/{app}/entities/{entity}/records/import",
    # The organisation's rows must name departments and users that exist or come with it.
    "POST /api/org/import",
    # An uploaded zip must be an app folder (a zip whose documents pass their schemas).
    "POST /api/apps/import",
    "POST /api/apps/import/preview",
    # A chart spec must name the app's published entities and fields, with aggregates that fit
    # their types, and a drill-down's cell the chart's dimensions (docs/reports.md).
    "POST /api/apps/{app}/reports/run",
    "POST /api/apps/{app}/reports/drill",
    # An unsaved rule or decision table tried on a record (the designers' test run and "try
    # it") must be a valid document of its kind (GET /api/schemas/rule, .../decision_table);
    # the body declares it as any object, its problems are answered at the document's pointers.
    "POST /api/apps/{app}/rules/{name}/test-run",
    "POST /api/apps/{app}/decision-tables/{name}/try",
    # A schedule's cron expression must parse (five fields, each in range); the preview exists
    # to tell the designer what is wrong with it.
    "POST /api/apps/{app}/rules/cron-preview",
    # A dashboard's filter values, cross-filter and drill cell name the stored dashboard's
    # filters and charts and the charts' dimensions (docs/reports.md, "Dashboards").
    "POST /api/apps/{app}/dashboards/{name}/run",
    "POST /api/apps/{app}/dashboards/{name}/drill",
    # The formula editor's draft entity is any object (the designer sends it half-edited); it
    # must have a name and fields with names and known types for a formula to be checked.
    "POST /api/apps/{app}/formulas/check",
    # A decision's record changes must name fields the task's node makes editable, fill its
    # required ones and pass the record's own validation (docs/process.md, "Field
    # permissions"): the flow version and the entity decide, not the document.
    "POST /api/apps/{app}/processes/tasks/{task_id}/complete",
    # A flow's cron preview, as the rules' one above.
    "POST /api/apps/{app}/processes/cron-preview",
    # A simulated flow document must be a valid flow (GET /api/schemas/flow) whose graph would
    # publish; the body declares it as any object, its problems are answered at /document/...
    # A migration's mapping must name nodes of both versions, of kinds that fit.
    "POST /api/apps/{app}/flows/{flow}/simulate",
    "POST /api/apps/{app}/flows/{flow}/migrations",
}
NOT_BODY = ("/path/", "/query/", "/headers/")


def unforeseeable_refusal(operation: str, body: Any, status: int, content: bytes) -> bool:
    """Whether a 422 answer to a schema-valid request of ``operation`` (``"POST /api/..."``)
    holds only errors no schema can foresee."""
    if status != 422:
        return False
    try:
        errors = json.loads(content)["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    beyond = operation in CHECKED_BEYOND_SCHEMA
    return (
        isinstance(errors, list)
        and bool(errors)
        and all(_unforeseeable(e, body, beyond) for e in errors)
    )


def _unforeseeable(error: dict[str, Any], body: Any, beyond_schema: bool) -> bool:
    pointer, code = str(error.get("pointer", "")), error.get("code")
    if code in REASONS or (pointer, code) in CROSS_PARAMETER:
        return True
    if code in STRING_BOUND_CODES and isinstance(value_at(body, pointer), str):
        return True
    if pointer.startswith(UNFORESEEABLE_POINTERS):
        return True
    if pointer == "/filter" and code not in FILTER_SHAPE_CODES:
        return True
    return beyond_schema and not pointer.startswith(NOT_BODY)


def value_at(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (None if there is none)."""
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            document = document.get(key)
        elif isinstance(document, list) and key.isdigit() and int(key) < len(document):
            document = document[int(key)]
        else:
            return None
    return document
