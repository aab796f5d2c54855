"""Helpers of the designers' server tests: a role with a design right, given to a user."""

from __future__ import annotations

from typing import Any

from platform_testing import add_user

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

PASSWORD = "designer-password-1"


def give_design_right(platform: Platform, app: str, username: str, rights: list[str]) -> int:
    """A new user holding a role of ``app`` whose ``app_admin`` is ``rights``; their id."""
    role: dict[str, Any] = {
        "kind": "role",
        "name": "keeper",
        "label": {"en": "Keeper"},
        "app_admin": rights,
    }
    user = add_user(platform, username, PASSWORD)
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, app, "role", "keeper", role)
        store.publish(conn, app, "role", "keeper")
    platform.apps.forget(app)
    with begin_write(platform.engine) as conn:
        assign_role(conn, app, platform.apps.roles(conn, app), "keeper", user_id=user.id)
    return user.id
