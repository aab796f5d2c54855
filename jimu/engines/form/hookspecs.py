"""The plugin hook through which field types are registered (pluggy, project name ``jimu``).

A plugin is any object or module with a ``@hookimpl``-decorated ``jimu_field_types`` function,
advertised under the ``jimu`` entry-point group::

    [project.entry-points.jimu]
    my_plugin = "my_package.plugin"

The built-in types register through the very same hook (``jimu.engines.form.builtins``).
"""

from __future__ import annotations

import pluggy

from jimu.engines.form.types.base import FieldType

PROJECT = "jimu"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class FieldTypeSpec:
    @hookspec
    def jimu_field_types(self) -> list[type[FieldType]]:  # type: ignore[empty-body]
        """Return the field type classes this plugin adds."""
