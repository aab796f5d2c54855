"""Users, departments and roles for the assignment tests (written straight to the tables)."""

from __future__ import annotations

from datetime import datetime

from jimu.platform.models import Department, RoleAssignment, User, UserDepartment
from jimu.platform.state import Platform


def add_users(platform: Platform, *names: str) -> list[int]:
    """Users named ``names`` (display name the same, capitalised), their ids in order."""
    with platform.sessions() as db:
        users = [User(username=n, display_name=n.capitalize(), password_hash="-") for n in names]
        db.add_all(users)
        db.commit()
        return [u.id for u in users]


def add_department(
    platform: Platform,
    name: str,
    members: list[int],
    parent: int | None = None,
    external_id: str | None = None,
) -> int:
    with platform.sessions() as db:
        department = Department(name=name, parent_id=parent, external_id=external_id)
        db.add(department)
        db.flush()
        db.add_all(UserDepartment(user_id=u, department_id=department.id) for u in members)
        db.commit()
        return department.id


def give_role(
    platform: Platform, app: str, role: str, user: int | None = None, department: int | None = None
) -> None:
    with platform.sessions() as db:
        db.add(RoleAssignment(app=app, role=role, user_id=user, department_id=department))
        db.commit()


def set_user(platform: Platform, user_id: int, **values: bool | datetime | None) -> None:
    """Change a user's ``is_active`` or away dates."""
    with platform.sessions() as db:
        user = db.get(User, user_id)
        assert user is not None
        for name, value in values.items():
            setattr(user, name, value)
        db.commit()
