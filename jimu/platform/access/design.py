"""Who may read and design an app's documents.

Administrators may do everything. In an app without roles every signed-in user may read the
documents (and only administrators change them). In an app with roles, reading the documents
needs a design right (``app_admin`` in a role) and changing one needs the right for its kind.
"""

from __future__ import annotations

import sqlalchemy as sa

from jimu.errors import JimuError, PermissionDenied
from jimu.platform.access.loading import load_policy
from jimu.platform.models import User
from jimu.platform.state import Platform


def design_kinds(platform: Platform, conn: sa.Connection, app: str, user: User) -> frozenset[str]:
    """The kinds ``user`` may design in ``app`` (none for an app that is not published)."""
    try:
        roles = platform.apps.roles(conn, app)
    except JimuError:
        return frozenset()
    return load_policy(conn, app, user, roles).design_kinds()


def require_read(platform: Platform, conn: sa.Connection, app: str, user: User) -> None:
    if user.is_admin:
        return
    try:
        roles = platform.apps.roles(conn, app)
    except JimuError:
        return  # nothing published: the store answers (an empty list or 404)
    if roles and not load_policy(conn, app, user, roles).design_kinds():
        raise PermissionDenied(f"Only the designers of {app} may read its documents.")


def require_design(
    platform: Platform, conn: sa.Connection, app: str, user: User, kind: str | None
) -> None:
    """Refuse unless ``user`` may change documents of ``kind`` (every kind when None)."""
    if user.is_admin:
        return
    allowed = design_kinds(platform, conn, app, user)
    if kind is None or kind not in allowed:
        what = f"{kind} documents" if kind else "every kind of document"
        raise PermissionDenied(
            f"Only administrators may change {what} of {app}"
            + (f"; you may design: {', '.join(sorted(allowed))}." if allowed else ".")
        )
