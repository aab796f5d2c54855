"""Rules the generated OpenAPI document cannot learn from the routes' types, added after.

- Bounds come out of FastAPI's document models as floats, so the id bound ``2**63 - 1`` was
  written 9.223372036854776e+18 (2^63, one past it): whole bounds are put back as integers.
- ``filter`` (JsonLogic as JSON in the query string) is content-encoded on every route that
  takes it, with the shape of a condition (see ``openapi_lists``).
- A new password follows the password policy: at least ``password_min_length`` characters,
  letters and digits. (Not containing the username and not being a common password depend
  on the user and a list, so they are in words only.)
"""

from __future__ import annotations

from typing import Any

from jimu.engines.form.sqltypes import MAX_ID
from jimu.platform.openapi_lists import FILTER_SCHEMA

_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
#: A letter and a digit, in either order (what ``password_problems`` asks for).
LETTERS_AND_DIGITS = r"[A-Za-z][\s\S]*[0-9]|[0-9][\s\S]*[A-Za-z]"
#: Request bodies with a new password: component schema → property.
NEW_PASSWORDS = {
    "UserCreate": "password",
    "UserUpdate": "password",
    "PasswordChange": "new_password",
}


def exact_integer_bounds(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            exact_integer_bounds(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _BOUNDS and isinstance(value, float) and value.is_integer():
            node[key] = MAX_ID if value == float(MAX_ID) else int(value)
        else:
            exact_integer_bounds(value)


def describe_filters(document: dict[str, Any]) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "filter" and parameter.get("in") == "query":
                    parameter.pop("schema", None)
                    parameter["content"] = {"application/json": {"schema": FILTER_SCHEMA}}
                    parameter["description"] = (
                        'A JsonLogic condition as JSON, e.g. {"==": [{"var": "status"}, "new"]}'
                    )


def password_rules(document: dict[str, Any], min_length: int) -> None:
    rule = {"type": "string", "minLength": min_length, "pattern": LETTERS_AND_DIGITS}
    schemas = document.get("components", {}).get("schemas", {})
    for model, name in NEW_PASSWORDS.items():
        schema = schemas.get(model, {}).get("properties", {}).get(name)
        if schema is None:
            continue
        options = schema.get("anyOf")
        if isinstance(options, list):
            schema["anyOf"] = [rule if o.get("type") == "string" else o for o in options]
        else:
            schema.update(rule)
