"""Dependencies that refuse a caller before their request's body or query is read: a caller
with no access to the app gets 403, not a 422 about the shape of what they sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from jimu.platform.access.design import require_design
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import User
from jimu.platform.reports.service import require_reader


def app_reader(app: str, user: CurrentUser, platform: PlatformDep) -> User:
    """The caller, if they may read some entity of ``app``."""
    with platform.engine.connect() as conn:
        require_reader(platform.apps.for_user(conn, app, user))
    return user


def entity_designer(app: str, user: CurrentUser, platform: PlatformDep) -> User:
    """The caller, if they may design ``app``'s entities."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "entity")
    return user


AppReader = Annotated[User, Depends(app_reader)]
EntityDesigner = Annotated[User, Depends(entity_designer)]
