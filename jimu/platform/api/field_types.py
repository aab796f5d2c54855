"""``/api/field-types``: the entity designer's palette.

Every registered field type, built-in or plugin, with its labels, widget and the property
editors it declares (:mod:`jimu.engines.form.property_editors`). A plugin's type appears here
because it is registered; nothing in the designer names it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from jimu.engines.form.registry import default_registry
from jimu.platform.auth.dependencies import CurrentUser

router = APIRouter(tags=["metadata"])


class FieldTypeOut(BaseModel):
    name: str
    label: dict[str, str]
    widget: str
    computed: bool
    has_column: bool
    editors: list[dict[str, Any]]


@router.get("/api/field-types")
def list_field_types(user: CurrentUser) -> list[FieldTypeOut]:
    """The field types a field document may name, each with its property editors."""
    return [
        FieldTypeOut(
            name=t.name,
            label=dict(t.label),
            widget=t.widget,
            computed=t.computed,
            has_column=t.has_column,
            editors=t.property_editors(),
        )
        for t in default_registry()
    ]
