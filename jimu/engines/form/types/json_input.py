"""The JSON types a field accepts from the JSON API, checked before its parser converts a value.

A field type's parser is lenient: imports and HTML forms send text for every field, so ``"42"``
is a number and ``"a, b"`` a multi-select there. A client of the JSON API sends JSON, and a
value of the wrong JSON type (``42`` for a text, ``"a"`` for a multi-select) is a mistake to
report, not a value to convert: :meth:`FieldType.json_check` gives the check the API runs first.
JSON types are named as in JSON Schema (``string``, ``number``, ``integer``, ``boolean``,
``array``, ``object``); values arrive as Python's ``json`` module makes them, so a check looks
at the exact class (``True`` is not a number, ``1.0`` is an integer as JSON Schema says).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jimu.engines.form.types.base import InvalidValue

#: check(value) raises :class:`InvalidValue` (code ``wrong_type``) for a value of a wrong type.
JsonCheck = Callable[[Any], None]

WRONG_TYPE = "wrong_type"

#: The Python classes ``json.loads`` makes for each JSON Schema type.
CLASSES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "number": frozenset({int, float}),
    "integer": frozenset({int, float}),  # 1.0 is an integer; a parser refuses 1.5
    "boolean": frozenset({bool}),
    "array": frozenset({list}),
    "object": frozenset({dict}),
    "null": frozenset({type(None)}),
}
#: How a message names what a JSON type is.
EXPECTED: dict[str, str] = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_GOT: dict[type, str] = {
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def described(value: Any) -> str:
    """What a JSON value is, in words: ``text``, ``a number``, ``a list`` ..."""
    return _GOT.get(value.__class__, f"a {value.__class__.__name__}")


def wrong_type(expected: str, value: Any) -> InvalidValue:
    """The error of ``value`` where ``expected`` (words) was wanted."""
    return InvalidValue(f"expected {expected}, got {described(value)}", WRONG_TYPE)


def schema_types(schema: dict[str, Any]) -> list[str] | None:
    """The JSON types of a value schema's ``type`` (a name or a list), or None if it has none."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list) and declared and all(isinstance(t, str) for t in declared):
        return list(declared)
    return None


def type_check(json_types: Iterable[str]) -> JsonCheck:
    """A check accepting the values of ``json_types`` (JSON Schema names) and nothing else."""
    names = list(dict.fromkeys(json_types))
    unknown = [n for n in names if n not in CLASSES]
    if unknown or not names:
        raise ValueError(f"not JSON types: {unknown or names}")
    accepted = frozenset().union(*(CLASSES[n] for n in names))
    expected = " or ".join(EXPECTED[n] for n in names)
    if len(accepted) == 1:
        (only,) = accepted

        def check_one(value: Any) -> None:
            if value.__class__ is not only:
                raise wrong_type(expected, value)

        return check_one

    def check(value: Any) -> None:
        if value.__class__ not in accepted:
            raise wrong_type(expected, value)

    return check


def list_check(item_types: Iterable[str], expected: str) -> JsonCheck:
    """A check accepting a JSON array whose items all have one of ``item_types``."""
    names = list(item_types)
    accepted = frozenset().union(*(CLASSES[n] for n in names))

    def check(value: Any) -> None:
        if value.__class__ is not list:
            raise wrong_type(expected, value)
        for item in value:
            if item.__class__ not in accepted:
                raise InvalidValue(
                    f"expected {expected}, got {described(item)} in the list", WRONG_TYPE
                )

    return check
