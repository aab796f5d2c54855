"""Who is looking at a page, in which language and time zone: the ``Viewer`` dependency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Request

from jimu.builder_ui.i18n import Translator, pick_label, translator
from jimu.builder_ui.pages.shell.language import resolve_language
from jimu.errors import NotAuthenticated
from jimu.platform.auth.dependencies import OptionalPrincipal
from jimu.platform.models import User


def zone_of(name: str | None) -> tzinfo:
    """The time zone called ``name``, or UTC if it is empty or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Viewer:
    language: str
    user: User | None = None
    csrf_token: str = ""
    time_zone: tzinfo = UTC
    t: Translator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "t", translator(self.language))

    def label(self, label: object, fallback: str = "") -> str:
        return pick_label(label, self.language, fallback)

    @property
    def zone_name(self) -> str:
        return str(self.time_zone)

    @property
    def signed_in_user(self) -> User:
        """The user of a page that requires one (see :data:`SignedIn`)."""
        if self.user is None:
            raise NotAuthenticated()
        return self.user


def viewer_for(request: Request, user: User | None, csrf_token: str | None = None) -> Viewer:
    zone = zone_of(user.time_zone if user is not None else None)
    return Viewer(
        language=resolve_language(request, user),
        user=user,
        csrf_token=csrf_token or "",
        time_zone=zone,
    )


def page_viewer(request: Request, principal: OptionalPrincipal) -> Viewer:
    if principal is None:
        viewer = viewer_for(request, None)
    else:
        viewer = viewer_for(request, principal.user, principal.csrf_token)
    request.state.viewer = viewer  # an error page of this request speaks the same language
    return viewer


def request_viewer(request: Request) -> Viewer:
    """The viewer the request's page dependency found, else one from the request alone (an
    unknown path's 404: its ``?lang=``, language cookie or ``Accept-Language``)."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else viewer_for(request, None)


def signed_in_viewer(viewer: Annotated[Viewer, Depends(page_viewer)]) -> Viewer:
    """The viewer of a page that needs a signed-in user (anonymous → the login page)."""
    if viewer.user is None:
        raise NotAuthenticated()
    return viewer


AnyViewer = Annotated[Viewer, Depends(page_viewer)]
SignedIn = Annotated[Viewer, Depends(signed_in_viewer)]
