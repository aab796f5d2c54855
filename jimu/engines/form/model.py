"""Typed, read-only views of validated entity documents.

The metadata layer validates a document against its JSON Schema; these classes give the form
engine convenient access to it without copying or re-validating. ``Field.spec`` is the field's
document exactly as written (type-specific keys such as ``currency`` or ``target`` live there).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.errors import NotFound

#: Columns every entity table has besides its fields, in table order.
SYSTEM_COLUMNS = (
    "id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "owner_id",
    "version",
    "deleted_at",
)


@dataclass(frozen=True)
class Field:
    """One field of an entity (a view of its document)."""

    spec: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def type(self) -> str:
        return str(self.spec["type"])

    @property
    def label(self) -> Mapping[str, str]:
        label = self.spec.get("label")
        return label if isinstance(label, Mapping) else {"en": self.name}

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required", False))

    @property
    def unique(self) -> bool:
        return bool(self.spec.get("unique", False))

    @property
    def readonly(self) -> bool:
        return bool(self.spec.get("readonly", False))

    @property
    def indexed(self) -> bool:
        return bool(self.spec.get("index", False))

    def get(self, key: str, default: Any = None) -> Any:
        return self.spec.get(key, default)

    def has(self, key: str) -> bool:
        return key in self.spec and self.spec[key] is not None


@dataclass(frozen=True)
class Entity:
    """An entity document: its name, label and fields."""

    spec: Mapping[str, Any]
    fields: tuple[Field, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(Field(f) for f in self.spec.get("fields", [])))

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def label(self) -> Mapping[str, str]:
        label = self.spec.get("label")
        return label if isinstance(label, Mapping) else {"en": self.name}

    @property
    def title_field(self) -> str | None:
        value = self.spec.get("title_field")
        return str(value) if value else None

    @property
    def indexes(self) -> list[Mapping[str, Any]]:
        return list(self.spec.get("indexes", []))

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)


@dataclass(frozen=True)
class AppModel:
    """The published documents of one app: its own document and its entities by name."""

    name: str
    entities: Mapping[str, Entity]
    spec: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_documents(
        cls, name: str, entities: list[Mapping[str, Any]], app: Mapping[str, Any] | None = None
    ) -> AppModel:
        return cls(
            name=name,
            entities={str(e["name"]): Entity(e) for e in entities},
            spec=app or {"kind": "app", "name": name},
        )

    def entity(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            raise NotFound(f"The app {self.name!r} has no entity {name!r}.") from None

    def table_name(self, entity: str) -> str:
        return f"{self.name}_{entity}"
