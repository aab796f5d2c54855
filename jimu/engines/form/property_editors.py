"""The property editors a field type declares for the entity designer.

Each field type describes, declaratively, the editors the designer's property panel shows for
the keys it adds to a field document (its ``params``). By default they are derived from the
JSON Schema of each param (an ``enum`` becomes a choice, a ``boolean`` a checkbox, an
``integer`` or ``number`` a number box with its bounds, a ``string`` a text box with its
pattern, anything else a JSON box); a type overrides or refines any of them with
``FieldType.editors`` (``{"formula": {"editor": "formula"}}``). The designer renders each
editor by its ``editor`` name and never needs to know the type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The editors the designer knows how to render.
EDITORS = (
    "text",
    "integer",
    "number",
    "boolean",
    "choice",
    "options",
    "entity",
    "field",
    "formula",
    "condition",
    "json",
)

_BOUND_KEYS = {"minimum": "min", "maximum": "max"}


def derive_editor(key: str, schema: Mapping[str, Any], required: bool) -> dict[str, Any]:
    """The editor of one param, read from its JSON Schema."""
    editor: dict[str, Any] = {"key": key, "required": required}
    kind = schema.get("type")
    if "enum" in schema:
        editor["editor"] = "choice"
        editor["choices"] = list(schema["enum"])
    elif kind == "boolean":
        editor["editor"] = "boolean"
    elif kind in ("integer", "number"):
        editor["editor"] = str(kind)
        for source, target in _BOUND_KEYS.items():
            if source in schema:
                editor[target] = schema[source]
    elif kind == "string":
        editor["editor"] = "text"
        if "pattern" in schema:
            editor["pattern"] = schema["pattern"]
    else:
        editor["editor"] = "json"
    return editor


def property_editors(
    params: Mapping[str, Any],
    required_params: tuple[str, ...],
    overrides: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The editors of a type's params, in declaration order, with the type's overrides."""
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        raise ValueError(f"editors given for keys that are not params: {', '.join(unknown)}")
    editors = []
    for key, schema in params.items():
        editor = derive_editor(key, schema, key in required_params)
        editor.update(overrides.get(key, {}))
        if editor["editor"] not in EDITORS:
            raise ValueError(f"the param {key!r} names an unknown editor {editor['editor']!r}")
        editors.append(editor)
    return editors
