"""The field-type registry: every type contributed through the ``jimu`` plugin hook."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import pluggy

from jimu.engines.form import builtins, hookspecs
from jimu.engines.form.types.base import FieldType
from jimu.errors import JimuError

_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class FieldTypeRegistry:
    """Field types by name. Built once; read-only afterwards."""

    def __init__(self, types: list[type[FieldType]]) -> None:
        self._types: dict[str, FieldType] = {}
        for cls in types:
            name = getattr(cls, "name", "")
            if not _TYPE_NAME.match(name):
                raise JimuError(f"the field type {cls.__qualname__} has an invalid name {name!r}")
            if name in self._types:
                raise JimuError(f"two plugins register the field type {name!r}")
            self._types[name] = cls()

    def get(self, name: str) -> FieldType:
        try:
            return self._types[name]
        except KeyError:
            raise JimuError(f"unknown field type {name!r}", code="unknown_field_type") from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[FieldType]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return list(self._types)


def plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs.FieldTypeSpec)
    manager.register(builtins, name="jimu.builtins")
    if load_entry_points:
        manager.load_setuptools_entrypoints(hookspecs.PROJECT)
    return manager


def build_registry(manager: pluggy.PluginManager) -> FieldTypeRegistry:
    types: list[type[FieldType]] = []
    for contributed in reversed(manager.hook.jimu_field_types()):
        types.extend(contributed)
    return FieldTypeRegistry(types)


@lru_cache(maxsize=1)
def default_registry() -> FieldTypeRegistry:
    """The built-in types plus those of every installed plugin (loaded once per process)."""
    return build_registry(plugin_manager())
