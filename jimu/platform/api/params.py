"""Parameter types shared by the API routes.

Ids are 64-bit in every table, so an id parameter is a whole number from 1 to 2^63 - 1; a larger
one (or 0) is a 422 naming the parameter instead of an overflow inside the database driver.
Body fields holding ids use :data:`BodyId` (strict: ``true`` or ``"7"`` is not an id).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from jimu.engines.form.sqltypes import MAX_ID


def id_path(what: str) -> Any:
    return Path(description=f"The id of the {what} (1 to 2^63 - 1)", ge=1, le=MAX_ID)


RecordId = Annotated[int, id_path("record")]
UserId = Annotated[int, id_path("user")]
DepartmentId = Annotated[int, id_path("department")]
TokenId = Annotated[int, id_path("API token")]
ShareId = Annotated[int, id_path("share")]
AssignmentId = Annotated[int, id_path("role assignment")]
#: An id in a JSON body.
BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
#: The largest document version (an ``INTEGER`` column).
MAX_VERSION = 2**31 - 1
#: A 32-bit whole number in a JSON body (``INTEGER`` columns such as a sort order or a version).
BodyInt32 = Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]


class StrictBody(BaseModel):
    """A JSON body whose values must have the declared JSON types: ``"7"`` is not a number,
    ``0`` is not ``false`` and ``5`` is not a text (timestamps stay ISO strings: a field
    declares ``Field(strict=False)`` to be parsed from one)."""

    model_config = ConfigDict(strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        """``7.0`` is the whole number 7, as JSON Schema reads it (``"integer"`` matches a
        number with no fraction); a strict int field would otherwise refuse it."""
        if type(value) is float and value.is_integer():
            return int(value)
        return value
