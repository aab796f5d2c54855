"""Reading who a role or a share is given to from a posted form: a user or a department."""

from __future__ import annotations

from starlette.datastructures import FormData

from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.engines.form.sqltypes import MAX_ID
from jimu.errors import FieldError

#: Digits of the largest id (2^63 - 1): a longer text is no id (and ``int`` is not tried on it).
_MAX_ID_DIGITS = len(str(MAX_ID))


def is_id(text: str) -> bool:
    """Whether ``text`` is an id: ASCII digits naming 1 to 2^63 - 1 (``²``, ``0`` or a
    20-digit number are not; the database could not hold the last)."""
    return (
        0 < len(text) <= _MAX_ID_DIGITS
        and text.isascii()
        and text.isdigit()
        and 1 <= int(text) <= MAX_ID
    )


def posted_holder(
    form: FormData, viewer: Viewer
) -> tuple[int | None, int | None, list[FieldError]]:
    """The ``user_id`` or ``department_id`` a form names (exactly one), or the errors."""
    ids: dict[str, int | None] = {}
    errors: list[FieldError] = []
    for name in ("user_id", "department_id"):
        raw = form.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            ids[name] = None
        elif is_id(text):
            ids[name] = int(text)
        else:
            ids[name] = None
            errors.append(FieldError(f"/{name}", viewer.t("access.bad_id", value=text), "type"))
    if not errors and (ids["user_id"] is None) == (ids["department_id"] is None):
        errors.append(FieldError("/user_id", viewer.t("access.choose_one"), "one_of"))
    return ids["user_id"], ids["department_id"], errors
