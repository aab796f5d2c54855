"""The entity designer's helper API: the formula editor's function catalogue and check as you
type (errors with line and column, the formula's type, its value on a sample record), and the
auto-number pattern preview (the next numbers a pattern would give)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import Field

from jimu.engines.expr.formula_catalogue import function_catalogue
from jimu.engines.form.autonumber import AutonumberPattern
from jimu.errors import NotFound
from jimu.platform.access.design import require_design
from jimu.platform.api.app_access import EntityDesigner
from jimu.platform.api.params import BodyInt32, StrictBody
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.dependencies import PlatformDep
from jimu.platform.formula_check import check_formula
from jimu.platform.records.autonumbers import peek

router = APIRouter(tags=["formulas"])

#: The ``returns`` a formula field may name (jimu/engines/form/types/derived.py).
FormulaResult = Literal["number", "decimal", "text", "boolean", "date", "datetime"]


class FormulaCheckRequest(StrictBody):
    document: dict[str, Any] = Field(description="the entity document being designed (draft)")
    formula: str = Field(max_length=10_000)
    record_id: BodyInt32 | None = Field(default=None, ge=1, description="a sample record")
    lang: Literal["en", "zh"] = "en"
    returns: FormulaResult | None = Field(
        default=None, description="the field's returns; None: the formula's type decides"
    )


@router.get("/api/formula-functions")
def formula_functions(user: CurrentUser) -> list[dict[str, Any]]:
    """Every function a formula may call: name, arity, signature, description (en / zh)."""
    return function_catalogue()


@router.post("/api/apps/{app}/formulas/check")
def check(
    app: str, body: FormulaCheckRequest, user: EntityDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """The formula's problems (syntax with line and column, unknown fields, types), its type,
    and its value on ``record_id`` of the published entity."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "entity")
        try:
            records = platform.apps.records(conn, app)
        except NotFound:
            records = None  # nothing published yet: no sample record
        if records is not None and str(body.document.get("name")) not in records.model.entities:
            records = None
        result = check_formula(
            conn,
            records,
            app,
            body.document,
            body.formula,
            body.record_id,
            body.lang,
            returns=body.returns,
        )
    return dict(jsonable_encoder(result.as_dict()))


class AutonumberPreviewRequest(StrictBody):
    entity: str = Field(max_length=64)
    field: str = Field(max_length=64)
    pattern: str = Field(max_length=64)


@router.post("/api/apps/{app}/autonumber/preview")
def autonumber_preview(
    app: str, body: AutonumberPreviewRequest, user: EntityDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """The next three numbers ``pattern`` would give today (UTC), from the field's counter of
    this period (1 when it has none yet); a bad pattern answers its ``error``."""
    try:
        pattern = AutonumberPattern.parse(body.pattern)
    except ValueError as exc:
        return {"numbers": [], "error": str(exc)}
    today = datetime.now(UTC).date()
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "entity")
        first = peek(conn, app, body.entity, body.field, pattern.period(today))
    return {"numbers": [pattern.format(today, first + i) for i in range(3)], "error": None}
