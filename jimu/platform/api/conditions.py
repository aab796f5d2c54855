"""``/api/apps/{app}/entities/{entity}/conditions/...``: what the condition builder asks the
server. ``vocabulary``: the entity's fields with the kind of comparison each takes, the builder
operators per kind (JsonLogic templates), the ``$user`` values and the date units; ``explain``:
a condition in words, with every problem it has (JSON pointers into it). Both need the right to
read the app's documents (administrators, and the designers of an app with roles)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from jimu.engines.expr.builder import KIND_OPERATORS, PERIOD_UNITS, RELATIVE_UNITS
from jimu.engines.expr.operators import UNIT_WORDS
from jimu.engines.form.registry import default_registry
from jimu.engines.form.types.base import FieldContext
from jimu.metadata.validate import value_types
from jimu.platform.access.design import require_read
from jimu.platform.api.params import StrictBody
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.conditions.explain import explain
from jimu.platform.conditions.fields import condition_fields
from jimu.platform.conditions.user_values import USER_VALUES
from jimu.platform.dependencies import PlatformDep

router = APIRouter(prefix="/api/apps/{app}/entities/{entity}/conditions", tags=["conditions"])


class ExplainRequest(StrictBody):
    condition: Any = Field(description="The JsonLogic condition.")
    lang: Literal["en", "zh"] = "en"


class ProblemOut(BaseModel):
    pointer: str
    message: str
    code: str


class ExplainOut(BaseModel):
    text: str = Field(description="The condition in words (the expression engine's describe).")
    errors: list[ProblemOut]


def _units(units: tuple[str, ...], counted: bool) -> list[dict[str, Any]]:
    return [
        {
            "value": unit,
            "label": {
                "en": UNIT_WORDS[unit].many if counted else UNIT_WORDS[unit].one,
                "zh": UNIT_WORDS[unit].counted if counted else UNIT_WORDS[unit].noun,
            },
        }
        for unit in units
    ]


@router.get("/vocabulary")
def vocabulary(app: str, entity: str, user: CurrentUser, platform: PlatformDep) -> dict[str, Any]:
    """Fields (document order, then the system fields), operators per field kind, ``$user``
    values and date units: everything the builder's menus show."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        model = platform.apps.records(conn, app).model
    found = model.entity(entity)
    return {
        "entity": entity,
        "label": dict(found.label),
        "fields": condition_fields(model, found, default_registry()),
        "operators": {kind: [op.as_json() for op in ops] for kind, ops in KIND_OPERATORS.items()},
        "user_values": [value.as_json() for value in USER_VALUES],
        "relative_units": _units(RELATIVE_UNITS, counted=True),
        "period_units": _units(PERIOD_UNITS, counted=False),
    }


@router.post("/explain")
def explain_condition(
    app: str, entity: str, body: ExplainRequest, user: CurrentUser, platform: PlatformDep
) -> ExplainOut:
    """``condition`` in words in ``lang``, and every problem it has as a condition of
    ``entity`` (a data scope or list filter: it must have a SQL form)."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        model = platform.apps.records(conn, app).model
    found = model.entity(entity)
    registry = default_registry()
    fields = condition_fields(model, found, registry)
    types = value_types(found, FieldContext(model, found, registry), registry)
    result = explain(body.condition, model, found, registry, fields, types, body.lang)
    return ExplainOut(
        text=result.text,
        errors=[
            ProblemOut(pointer=e.pointer, message=e.message, code=e.code) for e in result.errors
        ],
    )
