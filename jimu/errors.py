"""The one exception hierarchy of Jimu.

Engines raise these; the platform renders them as ``application/problem+json``. Nothing below
the API layer raises an HTTP exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one value: ``pointer`` is a JSON pointer to it (``/fields/2/type``)."""

    pointer: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message, "code": self.code}


@dataclass(eq=False)
class JimuError(Exception):
    """Base of every error Jimu raises on purpose.

    ``code`` is a stable machine-readable name, ``status`` the HTTP status the API answers with,
    ``errors`` the per-field problems (all of them at once, never only the first).
    """

    message: str
    errors: list[FieldError] = field(default_factory=list)
    code: str = "error"
    status: int = 400
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        if not self.errors:
            return self.message
        details = "; ".join(f"{e.pointer or '/'}: {e.message}" for e in self.errors)
        return f"{self.message} ({details})"


class ValidationFailed(JimuError):
    """Input that does not satisfy a schema or a field's rules."""

    def __init__(self, message: str, errors: list[FieldError] | None = None, **kw: Any) -> None:
        super().__init__(message, errors or [], code="validation_failed", status=422, **kw)


class NotFound(JimuError):
    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, [], code="not_found", status=404, **kw)


class Conflict(JimuError):
    """A write that lost a race (stale version) or would break a uniqueness rule."""

    def __init__(self, message: str, errors: list[FieldError] | None = None, **kw: Any) -> None:
        super().__init__(message, errors or [], code="conflict", status=409, **kw)


class PermissionDenied(JimuError):
    """An action the caller may not take; ``errors`` name the values that made it one."""

    def __init__(self, message: str, errors: list[FieldError] | None = None, **kw: Any) -> None:
        super().__init__(message, errors or [], code="permission_denied", status=403, **kw)


class NotAuthenticated(JimuError):
    def __init__(self, message: str = "Sign in first.", **kw: Any) -> None:
        super().__init__(message, [], code="not_authenticated", status=401, **kw)
