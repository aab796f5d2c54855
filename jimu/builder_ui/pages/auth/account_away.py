"""``/account/away``: the signed-in user sets the dates they are away (wall times in their
time zone, from the form on the account's security page); assignment skips them then."""

from __future__ import annotations

from datetime import datetime, tzinfo

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.auth.account_security import PAGE, security_page
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import ValidationFailed
from jimu.platform.dependencies import PlatformDep, SettingsDep
from jimu.platform.models import User
from jimu.platform.notify.away import check_away_dates

router = APIRouter()


def _moment(text: object, zone: tzinfo) -> datetime | None:
    """A datetime-local input's value as an aware datetime; ValueError for a non-date."""
    if not isinstance(text, str) or not text.strip():
        return None
    return datetime.fromisoformat(text.strip()).replace(tzinfo=zone)


def _checked(
    viewer: Viewer, posted: PostedForm
) -> tuple[dict[str, list[str]], tuple[datetime | None, datetime | None]]:
    """The problems per input, or none and the period in UTC."""
    values: list[datetime | None] = []
    problems: dict[str, list[str]] = {}
    for name in ("away_from", "away_until"):
        try:
            values.append(_moment(posted.get(name), viewer.time_zone))
        except ValueError:
            values.append(None)
            problems[name] = [viewer.t("away.bad_date")]
    if problems:
        return problems, (None, None)
    try:
        return {}, check_away_dates(values[0], values[1])
    except ValidationFailed as failed:
        for error in failed.errors:
            key = "away.ends_before" if error.code == "order" else "away.bad_date"
            problems[error.pointer.lstrip("/")] = [viewer.t(key)]
        return problems, (None, None)


@router.post("/account/away", response_class=HTMLResponse)
def save_away(
    request: Request,
    viewer: SignedIn,
    posted: PostedForm,
    platform: PlatformDep,
    settings: SettingsDep,
) -> Response:
    problems, (start, end) = _checked(viewer, posted)
    if problems:
        return security_page(request, viewer, settings, problems=problems, status=422)
    with platform.write_sessions() as db:
        user = db.get(User, viewer.signed_in_user.id)
        if user is not None:
            user.away_from, user.away_until = start, end
        db.commit()
    return RedirectResponse(f"{PAGE}?notice=saved", status_code=303)
