"""FastAPI dependencies for reading a posted HTML form."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

MAX_FORM_FIELDS = 5000


async def posted_form(request: Request) -> FormData:
    """The submitted form (the CSRF check has read it already; Starlette keeps it)."""
    return await request.form(max_fields=MAX_FORM_FIELDS)


PostedForm = Annotated[FormData, Depends(posted_form)]
