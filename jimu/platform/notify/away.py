"""Users' away dates: assignment and approvals skip a user while they are away."""

from __future__ import annotations

from datetime import UTC, datetime

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.models import User


def is_away(user: User, at: datetime) -> bool:
    """Whether ``user`` is away at ``at``: from ``away_from`` (inclusive, or always when unset)
    until ``away_until`` (exclusive, or for good when unset); never when neither is set."""
    start, end = user.away_from, user.away_until
    if start is None and end is None:
        return False
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    return (start is None or start <= moment) and (end is None or moment < end)


def check_away_dates(
    start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The period in UTC; refuses dates without a time zone, dates that fall outside the years
    1 to 9999 in UTC, and a period that ends before it begins (422 naming the field)."""
    moments: list[datetime | None] = []
    for pointer, value in (("/away_from", start), ("/away_until", end)):
        if value is None:
            moments.append(None)
            continue
        if value.tzinfo is None:
            raise ValidationFailed(
                "Away dates need a time zone.",
                [FieldError(pointer, "Give the offset, e.g. 2026-12-24T00:00:00+08:00.")],
            )
        try:
            moments.append(value.astimezone(UTC))
        except OverflowError:
            raise ValidationFailed(
                "An away date is out of range.",
                [FieldError(pointer, "Give a date between the years 1 and 9999.", code="range")],
            ) from None
    first, last = moments
    if first is not None and last is not None and last <= first:
        raise ValidationFailed(
            "The away period ends before it begins.",
            [FieldError("/away_until", "Must be later than away_from.", code="order")],
        )
    return first, last
