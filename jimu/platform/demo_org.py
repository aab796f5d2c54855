"""The demo's organisation and roles: ``org/`` of the example app folder.

``org/departments.csv`` and ``org/users.csv`` are DingTalk-shaped exports, synced with the same
code as an administrator's import; ``org/role_members.json`` gives each role to departments
and users and names the user a newcomer signs in as to try the role (``demo_login``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.models import Department, User
from jimu.platform.org.columns import read_csv
from jimu.platform.org.sync import sync_organisation
from jimu.platform.state import Platform


@dataclass(frozen=True)
class RoleLogin:
    role: str
    label: str
    username: str


def sync_demo_organisation(platform: Platform, folder: Path) -> None:
    """Departments, memberships and managers from ``org/*.csv`` (idempotent)."""
    org = folder / "org"
    departments = read_csv("departments", (org / "departments.csv").read_text(encoding="utf-8"))
    users = read_csv("users", (org / "users.csv").read_text(encoding="utf-8"))
    with platform.sessions() as db:
        report = sync_organisation(db, departments, users, dry_run=False)
        if report.errors:
            raise ValidationFailed(
                "The demo organisation is not valid.",
                [FieldError(e.pointer, e.message) for e in report.errors],
            )
        db.commit()


def assign_demo_roles(platform: Platform, folder: Path, app: str) -> list[RoleLogin]:
    """Give the roles of ``org/role_members.json`` (idempotent); who to sign in as per role."""
    members: dict[str, dict[str, Any]] = json.loads(
        (folder / "org" / "role_members.json").read_text(encoding="utf-8")
    )
    logins = []
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, app)
        labels = {role.name: role.label for role in roles}
        for role, holders in members.items():
            for external in holders.get("departments", []):
                department = conn.scalar(
                    sa.select(Department.id).where(Department.external_id == str(external))
                )
                assign_role(conn, app, roles, role, department_id=department)
            for username in holders.get("users", []):
                user = conn.scalar(sa.select(User.id).where(User.username == username))
                assign_role(conn, app, roles, role, user_id=user)
            if "demo_login" in holders:
                label = labels.get(role, {})
                text = f"{label.get('zh', '')} / {label.get('en', role)}".strip(" /")
                logins.append(RoleLogin(role, text, str(holders["demo_login"])))
    return logins


def ensure_organisation(platform: Platform, folder: Path, app: str) -> list[RoleLogin]:
    """The demo's organisation and role holders, if the app folder has an ``org/`` folder."""
    if not (folder / "org" / "users.csv").is_file():
        return []
    sync_demo_organisation(platform, folder)
    return assign_demo_roles(platform, folder, app)
