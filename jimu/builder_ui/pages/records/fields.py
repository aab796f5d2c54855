"""What a page needs to know about a field: its widget, label, options and columns.

The widget comes from the field's type (``FieldType.widget`` in the form engine's registry);
every widget name has an input macro in ``widgets/input.html`` and a display macro in
``widgets/display.html``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.formula_results import formula_returns
from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.engines.form.types.base import FieldContext

#: Widgets that take a whole row of a form.
WIDE_WIDGETS = frozenset({"textarea", "richtext", "subtable", "attachment"})
#: Widgets whose values are right-aligned numbers in tables.
NUMERIC_WIDGETS = frozenset({"number", "decimal", "money", "percent"})
#: Widgets that make poor list columns by default.
BULKY_WIDGETS = frozenset({"textarea", "richtext", "subtable", "attachment"})
DEFAULT_RATING_MAX = 5
#: How deep sub-tables and lookups of lookups are followed.
MAX_DEPTH = 3


def match_key(text: object) -> str:
    """Text as typed names are compared: case and runs of spaces do not count."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    color: str
    #: The value and the label in every language, as :func:`match_key` has them.
    names: frozenset[str] = frozenset()

    def is_called(self, text: str) -> bool:
        """Whether ``text`` is the option's value or its label in any language."""
        return match_key(text) in self.names


def option_names(option: Mapping[str, Any]) -> frozenset[str]:
    label = option.get("label")
    labels = label.values() if isinstance(label, Mapping) else [label] if label else []
    return frozenset(match_key(text) for text in [option.get("value"), *labels] if text)


@dataclass(frozen=True)
class FieldView:
    name: str
    type: str
    widget: str
    label: str
    help: str
    required: bool
    readonly: bool
    computed: bool
    spec: Mapping[str, Any]
    options: tuple[Option, ...] = ()
    columns: tuple[FieldView, ...] = field(default=())  # a sub-table's child fields
    #: The field a lookup or rollup shows (so a sum of money is shown as money), if known.
    source: FieldView | None = None

    @property
    def wide(self) -> bool:
        return self.widget in WIDE_WIDGETS

    @property
    def numeric(self) -> bool:
        if self.widget == "readonly" and self.source is not None:
            return self.source.numeric
        return self.widget in NUMERIC_WIDGETS or (
            self.widget == "readonly"
            and (
                self.spec.get("returns") in ("number", "decimal")
                or self.spec.get("function") == "count"
            )
        )

    @property
    def row_defaults(self) -> dict[str, Any]:
        """A new sub-table row's values: the child fields' defaults."""
        return {c.name: c.spec["default"] for c in self.columns if "default" in c.spec}

    @property
    def many(self) -> bool:
        return bool(self.spec.get("many", False))

    @property
    def target(self) -> str:
        return str(self.spec.get("target") or "")

    @property
    def rating_max(self) -> int:
        return int(self.spec.get("max") or DEFAULT_RATING_MAX)

    def option(self, value: object) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self.spec.get(key, default)


def source_field(f: Field, owner: Entity | None, app: AppModel) -> Field | None:
    """The field whose values a lookup or a (non-count) rollup of ``owner`` shows."""
    entity: Entity | None = None
    if f.type == "rollup" and f.get("function") != "count":
        entity = app.entities.get(str(f.get("entity")))
    elif f.type == "lookup" and owner is not None:
        link = owner.field(str(f.get("link")))
        entity = app.entities.get(str(link.get("target"))) if link is not None else None
    return entity.field(str(f.get("field"))) if entity is not None else None


def shown_spec(
    f: Field, owner: Entity | None, app: AppModel | None, registry: FieldTypeRegistry
) -> Mapping[str, Any]:
    """The field's document, a formula's ``returns`` filled in when it is inferred from the
    formula (so a number is formatted and filtered as one, a date as a date)."""
    if f.type != "formula" or f.get("returns") or app is None:
        return f.spec
    if owner is None:
        owner = next((e for e in app.entities.values() if any(x is f for x in e.fields)), None)
    if owner is None:
        return f.spec
    return {**f.spec, "returns": formula_returns(f, FieldContext(app, owner, registry))}


def field_view(
    f: Field,
    viewer: Viewer,
    app: AppModel | None = None,
    registry: FieldTypeRegistry | None = None,
    depth: int = 0,
    owner: Entity | None = None,
) -> FieldView:
    registry = registry or default_registry()
    kind = registry.get(f.type) if f.type in registry else None
    widget = kind.widget if kind is not None else "input"
    computed = bool(kind.computed) if kind is not None else False
    options = tuple(
        Option(
            value=str(o.get("value")),
            label=viewer.label(o.get("label"), str(o.get("value"))),
            color=str(o.get("color") or ""),
            names=option_names(o),
        )
        for o in f.get("options") or []
        if isinstance(o, Mapping)
    )
    columns: tuple[FieldView, ...] = ()
    source: FieldView | None = None
    if app is not None and depth < MAX_DEPTH:
        if widget == "subtable" and (child := app.entities.get(str(f.get("target")))):
            back = str(f.get("link") or "")
            columns = tuple(
                field_view(c, viewer, app, registry, depth + 1, child)
                for c in child.fields
                if c.name != back
            )
        if computed and (found := source_field(f, owner, app)) is not None:
            source = field_view(found, viewer, app, registry, depth + 1)
    return FieldView(
        name=f.name,
        type=f.type,
        widget=widget,
        label=viewer.label(f.label, f.name),
        help=viewer.label(f.get("description"), ""),
        required=f.required,
        readonly=computed or f.readonly,
        computed=computed,
        spec=shown_spec(f, owner, app, registry),
        options=options,
        columns=columns,
        source=source,
    )


def field_views(entity: Entity, viewer: Viewer, app: AppModel | None = None) -> list[FieldView]:
    registry = default_registry()
    return [field_view(f, viewer, app, registry, owner=entity) for f in entity.fields]


def title_of(entity: Entity, record: Mapping[str, Any]) -> str:
    """The text that names a record: its title field, else ``#id``."""
    name = entity.title_field
    value = record.get(name) if name else None
    if value is None or value == "" or isinstance(value, list | dict):
        return f"#{record.get('id')}"
    return str(value)
