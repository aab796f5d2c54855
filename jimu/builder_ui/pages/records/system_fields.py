"""The system fields (owner, created/updated at and by, id) as list columns and filters.

Every entity table has them (jimu/engines/form/model.py ``SYSTEM_COLUMNS``); the list offers
them like fields: as columns, in the filter panel and for sorting. Their labels are the ones
the condition builder shows (jimu/platform/conditions/fields.py).
"""

from __future__ import annotations

from jimu.builder_ui.pages.records.fields import FieldView, field_view
from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.model import Field
from jimu.platform.conditions.fields import SYSTEM_FIELDS

#: The field type each system field shows and filters as.
_TYPES = {"user": "user", "datetime": "datetime", "number": "number"}


def system_field_views(viewer: Viewer) -> list[FieldView]:
    """The system fields as read-only field views (the owner first, the id last)."""
    return [
        field_view(
            Field({"name": name, "type": _TYPES[kind], "label": label, "readonly": True}),
            viewer,
        )
        for name, (label, kind) in SYSTEM_FIELDS.items()
    ]


def with_system_fields(fields: list[FieldView], viewer: Viewer) -> list[FieldView]:
    """``fields`` then the system fields no field of the entity shadows."""
    taken = {f.name for f in fields}
    return fields + [f for f in system_field_views(viewer) if f.name not in taken]
