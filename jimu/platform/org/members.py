"""Reading and changing the tree and memberships through an ORM session (used by the API and
the admin pages)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.errors import Conflict, FieldError, NotFound, ValidationFailed
from jimu.platform.models import Department, RecordShare, RoleAssignment, User, UserDepartment
from jimu.platform.org.tree import descendant_ids


def department_tree(db: Session) -> list[dict[str, Any]]:
    """The departments as nested dicts (``children``, ``members`` with leaders marked)."""
    departments = list(
        db.scalars(sa.select(Department).order_by(Department.sort_order, Department.id))
    )
    members: dict[int, list[dict[str, Any]]] = {}
    rows = db.execute(
        sa.select(UserDepartment, User)
        .join(User, User.id == UserDepartment.user_id)
        .order_by(UserDepartment.is_leader.desc(), User.display_name, User.id)
    ).all()
    for membership, user in rows:
        members.setdefault(membership.department_id, []).append(
            {
                "user_id": user.id,
                "username": user.username,
                "display_name": user.display_name,
                "is_main": membership.is_main,
                "is_leader": membership.is_leader,
            }
        )
    nodes: dict[int, dict[str, Any]] = {
        d.id: {
            "id": d.id,
            "external_id": d.external_id,
            "name": d.name,
            "parent_id": d.parent_id,
            "sort_order": d.sort_order,
            "members": members.get(d.id, []),
            "children": [],
        }
        for d in departments
    }
    roots: list[dict[str, Any]] = []
    for d in departments:
        parent = nodes.get(d.parent_id) if d.parent_id is not None else None
        (parent["children"] if parent is not None else roots).append(nodes[d.id])
    return roots


def get_department(db: Session, department_id: int) -> Department:
    department = db.get(Department, department_id)
    if department is None:
        raise NotFound(f"There is no department {department_id}.")
    return department


def get_user(db: Session, user_id: int, pointer: str | None = None) -> User:
    user = db.get(User, user_id)
    if user is None:
        if pointer is not None:
            raise ValidationFailed(
                "The user does not exist.",
                [FieldError(pointer, f"There is no user {user_id}.", "not_found")],
            )
        raise NotFound(f"There is no user {user_id}.")
    return user


def delete_department(db: Session, department: Department) -> None:
    """Delete an empty-of-children department (its memberships go with it)."""
    has_children = db.scalar(
        sa.select(sa.func.count()).where(Department.parent_id == department.id)
    )
    if has_children:
        raise Conflict(
            f"The department {department.name!r} has sub-departments: move or delete them first."
        )
    db.execute(sa.delete(UserDepartment).where(UserDepartment.department_id == department.id))
    db.delete(department)


def set_memberships(db: Session, user: User, memberships: list[tuple[int, bool, bool]]) -> None:
    """Make ``(department_id, is_main, is_leader)`` the user's memberships (one main at most;
    without one the first becomes main)."""
    errors: list[FieldError] = []
    seen: set[int] = set()
    for index, (department_id, _, _) in enumerate(memberships):
        if department_id in seen:
            errors.append(
                FieldError(f"/departments/{index}/department_id", "Listed twice.", "duplicate")
            )
        elif db.get(Department, department_id) is None:
            errors.append(
                FieldError(
                    f"/departments/{index}/department_id",
                    f"There is no department {department_id}.",
                    "not_found",
                )
            )
        seen.add(department_id)
    mains = [i for i, (_, is_main, _) in enumerate(memberships) if is_main]
    for index in mains[1:]:
        errors.append(
            FieldError(f"/departments/{index}/is_main", "Only one main department.", "one_main")
        )
    if errors:
        raise ValidationFailed("The departments are not valid.", errors)
    main_index = mains[0] if mains else 0
    db.execute(sa.delete(UserDepartment).where(UserDepartment.user_id == user.id))
    db.add_all(
        UserDepartment(
            user_id=user.id,
            department_id=department_id,
            is_main=index == main_index,
            is_leader=is_leader,
        )
        for index, (department_id, _, is_leader) in enumerate(memberships)
    )


def set_manager(db: Session, user: User, manager_id: int | None) -> None:
    """Set the user's manager, refusing themselves and chains that come back to them."""
    if manager_id is not None:
        get_user(db, manager_id, "/manager_id")
        chain: set[int] = set()
        current: int | None = manager_id
        while current is not None and current not in chain:
            if current == user.id:
                raise ValidationFailed(
                    "A user cannot be managed by themselves, directly or through others.",
                    [FieldError("/manager_id", "This would make a cycle of managers.", "cycle")],
                )
            chain.add(current)
            current = db.scalar(sa.select(User.manager_id).where(User.id == current))
    user.manager_id = manager_id


def merge_departments(db: Session, source: Department, target: Department) -> dict[str, int]:
    """Merge ``source`` into ``target``: its sub-departments, members (heads stay heads), role
    assignments and record shares move to ``target``, then ``source`` is deleted.

    Refused at ``/into_id`` when ``target`` is ``source`` or below it (a cycle). A member of
    both keeps one membership, main and head if either was. Answers what moved."""
    if target.id in descendant_ids(db.connection(), [source.id]):
        raise ValidationFailed(
            "A department cannot be merged into itself or one of its sub-departments.",
            [FieldError("/into_id", "This would make a cycle in the tree.", "cycle")],
        )
    children = list(db.scalars(sa.select(Department).where(Department.parent_id == source.id)))
    for child in children:
        child.parent_id = target.id
    kept = {
        m.user_id: m
        for m in db.scalars(
            sa.select(UserDepartment).where(UserDepartment.department_id == target.id)
        )
    }
    moving = list(
        db.scalars(sa.select(UserDepartment).where(UserDepartment.department_id == source.id))
    )
    for membership in moving:
        existing = kept.get(membership.user_id)
        if existing is not None:
            existing.is_main = existing.is_main or membership.is_main
            existing.is_leader = existing.is_leader or membership.is_leader
        else:
            db.add(
                UserDepartment(
                    user_id=membership.user_id,
                    department_id=target.id,
                    is_main=membership.is_main,
                    is_leader=membership.is_leader,
                )
            )
    db.execute(sa.delete(UserDepartment).where(UserDepartment.department_id == source.id))
    roles = _move_holder(db, RoleAssignment, ("app", "role"), source.id, target.id)
    shares = _move_holder(db, RecordShare, ("app", "entity", "record_id"), source.id, target.id)
    db.flush()
    db.delete(source)
    db.flush()
    return {"children": len(children), "members": len(moving), "roles": roles, "shares": shares}


def _move_holder(
    db: Session,
    model: type[RoleAssignment] | type[RecordShare],
    keys: tuple[str, ...],
    source_id: int,
    target_id: int,
) -> int:
    """Give ``source_id``'s rows of ``model`` to ``target_id``, dropping those it already has."""
    table: sa.Table = model.__table__  # type: ignore[assignment]
    columns = [table.c[k] for k in keys]
    held = {
        tuple(row)
        for row in db.execute(sa.select(*columns).where(table.c.department_id == target_id))
    }
    moved = 0
    rows = db.execute(sa.select(table.c.id, *columns).where(table.c.department_id == source_id))
    for row in rows.all():
        if tuple(row[1:]) in held:
            db.execute(sa.delete(table).where(table.c.id == row.id))
        else:
            db.execute(sa.update(table).where(table.c.id == row.id).values(department_id=target_id))
            held.add(tuple(row[1:]))
            moved += 1
    return moved


def set_head(db: Session, department: Department, user: User, is_head: bool) -> None:
    """Make ``user`` a head of ``department`` (adding the membership if they have none there,
    main when it is their only one) or no longer one (the membership stays; ``NotFound`` when
    there is none)."""
    membership = db.get(UserDepartment, (user.id, department.id))
    if membership is None:
        if not is_head:
            raise NotFound(f"{user.username} is not a member of {department.name}.")
        has_main = db.scalar(
            sa.select(sa.func.count()).where(
                UserDepartment.user_id == user.id, UserDepartment.is_main.is_(True)
            )
        )
        db.add(
            UserDepartment(
                user_id=user.id, department_id=department.id, is_main=not has_main, is_leader=True
            )
        )
    else:
        membership.is_leader = is_head
    db.flush()
