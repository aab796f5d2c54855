"""The error every part of the expression engine raises."""

from __future__ import annotations

from typing import Any

from jimu.errors import FieldError, JimuError


class ExprError(JimuError):
    """A rule that cannot be compiled, rendered or evaluated.

    ``pointer`` is a JSON pointer into the rule (``/if/0/==/1``). ``error_type`` is the JsonLogic
    error type (``"NaN"``, ``"Invalid Arguments"``, ``"Unknown Operator"``, ``"No SQL Form"`` or
    the type given to ``throw``); ``value`` is the payload a ``try`` handler sees.
    """

    def __init__(
        self,
        message: str,
        *,
        pointer: str = "",
        error_type: str = "Invalid Arguments",
        value: Any = None,
    ) -> None:
        super().__init__(
            message,
            [FieldError(pointer, message, "expr_error")],
            code="expr_error",
            status=422,
            extra={"error_type": error_type},
        )
        self.pointer = pointer
        self.error_type = error_type
        self.value = value if value is not None else {"type": error_type}


def nan_error(message: str = "not a number") -> ExprError:
    return ExprError(message, error_type="NaN")


def invalid(message: str, pointer: str = "") -> ExprError:
    return ExprError(message, pointer=pointer, error_type="Invalid Arguments")
