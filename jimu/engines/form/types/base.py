"""The base class of every field type, built-in or plugin.

A field type declares its ``name``, ``label``, ``widget``, the JSON Schema of its own document
keys (``params``), its SQL storage (``column_type``), how a JSON input value becomes a stored
value (``parser``, raising :class:`InvalidValue`), how a stored value becomes JSON (``dumper``),
the JSON Schema of its values (``value_schema``) and which JSON values the JSON API accepts
before the parser sees them (``json_check``, by default the ``type`` of ``value_schema``).
Converters are built once per field and reused for every record, so they should do their
set-up work outside the returned closure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.engines.form.model import AppModel, Entity, Field

Converter = Callable[[Any], Any]


class InvalidValue(ValueError):
    """A value a field cannot accept; ``message`` says why in words a user understands."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class FieldContext:
    """Where a field lives: its app (for links and lookups) and its entity."""

    app: AppModel
    entity: Entity
    registry: Any  # FieldTypeRegistry; typed loosely to avoid an import cycle

    def column_type_of(self, entity: str, field: str) -> sa.types.TypeEngine[Any]:
        """The column type of ``entity.field`` (used by lookups and rollups)."""
        target = self.app.entity(entity)
        f = target.field(field)
        if f is None:
            raise InvalidValue(f"{entity!r} has no field {field!r}")
        ctx = FieldContext(self.app, target, self.registry)
        result: sa.types.TypeEngine[Any] = self.registry.get(f.type).column_type(f, ctx)
        return result


def _identity(value: Any) -> Any:
    return value


class FieldType:
    """A kind of field. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    label: ClassVar[Mapping[str, str]]
    widget: ClassVar[str] = "input"
    #: JSON Schema ``properties`` of the keys this type adds to a field document.
    params: ClassVar[Mapping[str, Any]] = {}
    #: Keys of ``params`` a field of this type must have.
    required_params: ClassVar[tuple[str, ...]] = ()
    #: False for types without a column of their own (many-links, sub-tables).
    has_column: ClassVar[bool] = True
    #: True for values the platform computes (formula, lookup, rollup, autonumber).
    computed: ClassVar[bool] = False
    #: Whether ``min``/``max`` apply (the bounds are parsed with the field's own parser).
    ordered: ClassVar[bool] = False
    #: Whether ``min_length``/``max_length``/``pattern`` apply.
    textual: ClassVar[bool] = False
    #: Property-panel editors that replace or refine those derived from ``params``
    #: (see :mod:`jimu.engines.form.property_editors`).
    editors: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    def property_editors(self) -> list[dict[str, Any]]:
        """The designer's editors for this type's params (derived, then overridden)."""
        from jimu.engines.form.property_editors import property_editors

        return property_editors(self.params, self.required_params, self.editors)

    def column_name(self, field: Field) -> str:
        return field.name

    def stores_column(self, field: Field) -> bool:
        """Whether the field has a column in its entity's table."""
        return self.has_column

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        raise NotImplementedError(f"the field type {self.name!r} has no column")

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        """A function turning a (non-null) JSON input value into the stored value."""
        return _identity

    def dumper(self, field: Field, ctx: FieldContext) -> Converter:
        """A function turning a (non-null) stored value into its JSON value."""
        return _identity

    def value_schema(self, field: Field) -> dict[str, Any]:
        """The JSON Schema of this field's values (null is added by the caller)."""
        return {}

    def json_check(self, field: Field) -> Callable[[Any], None] | None:
        """What the JSON API checks a (non-null) value with before ``parser`` converts it: a
        function raising :class:`InvalidValue` (code ``wrong_type``) for a value of a wrong
        JSON type, or None to let the parser take any JSON value.

        Imports and HTML forms (text by nature) skip it. The default accepts the JSON types of
        ``value_schema(field)["type"]``, so the API refuses what the OpenAPI schema does not
        declare; a type whose schema names no type accepts anything.
        """
        from jimu.engines.form.types.json_input import schema_types, type_check

        types = schema_types(self.value_schema(field))
        return None if types is None else type_check(types)

    def check_field(self, field: Field, ctx: FieldContext) -> list[tuple[str, str]]:
        """Problems with the field document itself that JSON Schema cannot see.

        Returns ``(pointer suffix, message)`` pairs, e.g. ``("/target", "no entity 'x'")``.
        """
        return []

    def describe(self) -> dict[str, Any]:
        """What the builder needs to know about this type."""
        return {
            "name": self.name,
            "label": dict(self.label),
            "widget": self.widget,
            "computed": self.computed,
            "params": dict(self.params),
        }
