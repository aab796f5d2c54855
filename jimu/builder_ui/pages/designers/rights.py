"""Who may open which designer (the API checks every save again, see
jimu/platform/access/design.py).

Platform administrators may design every app, create apps, import and export them. In an app
with roles, the holders of a role whose ``app_admin`` lists a right may open the designers of
the kinds that right covers (:data:`jimu.metadata.roles.DESIGN_RIGHTS`): ``app`` for the app
designer, ``forms`` for entities and forms, and so on. Anyone else gets a 403.
"""

from __future__ import annotations

import sqlalchemy as sa

from jimu.errors import PermissionDenied
from jimu.platform import metadata_store as store
from jimu.platform.access.design import design_kinds
from jimu.platform.models import User
from jimu.platform.state import Platform


def may_design(platform: Platform, conn: sa.Connection, app: str, user: User, kind: str) -> bool:
    return user.is_admin or kind in design_kinds(platform, conn, app, user)


def require_designer(
    platform: Platform, conn: sa.Connection, app: str, user: User, kind: str
) -> None:
    """Refuse (403) unless ``user`` may design documents of ``kind`` in ``app``."""
    if not may_design(platform, conn, app, user, kind):
        raise PermissionDenied(f"You may not design the {kind} documents of {app!r}.")


def designable_apps(platform: Platform, conn: sa.Connection, user: User, kind: str) -> list[str]:
    """The apps whose ``kind`` documents ``user`` may design."""
    return [app for app in store.apps(conn) if may_design(platform, conn, app, user, kind)]
