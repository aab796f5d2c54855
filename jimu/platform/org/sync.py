"""Sync the organisation from DingTalk/WeCom-shaped tables: check everything, then apply.

:func:`sync_organisation` checks every row (reporting each bad one with its row number and
column) and, unless it is a dry run or a row is bad, upserts departments and users by their
external id in the caller's transaction. Running it twice on the same tables changes nothing.
Users and departments missing from the tables are reported, never deleted. New users get an
unusable random password: an administrator sets one before they can sign in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.platform.auth.users import USERNAME_PATTERN, create_user
from jimu.platform.models import Department, User, UserDepartment
from jimu.platform.org.columns import SourceRow, SourceTable, parse_flag, split_ids
from jimu.platform.org.tree import find_cycle

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE_PATTERN = re.compile(r"^\+?[0-9][0-9 -]{4,19}[0-9]$")
ROOT_PARENTS = frozenset({"", "0"})


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    column: str
    message: str
    pointer: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "pointer": self.pointer,
        }


@dataclass
class SyncReport:
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    departments: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    users: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    departments_not_in_file: list[str] = field(default_factory=list)
    users_not_in_file: list[str] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "errors": [error.as_dict() for error in self.errors],
            "departments": self.departments,
            "users": self.users,
            "departments_not_in_file": self.departments_not_in_file,
            "users_not_in_file": self.users_not_in_file,
        }


@dataclass
class DepartmentRow:
    external_id: str
    parent: str | None
    name: str
    order: int


@dataclass
class Membership:
    department: str
    is_main: bool
    is_leader: bool


@dataclass
class UserRow:
    external_id: str
    name: str
    mobile: str | None
    email: str | None
    memberships: list[Membership]
    manager: str | None
    has_departments: bool = True
    has_manager: bool = True


class _Checker:
    def __init__(self, report: SyncReport) -> None:
        self.report = report

    def error(self, table: SourceTable, row: SourceRow, column: str, message: str) -> None:
        header = row.header(column)
        pointer = f"/{table.name}/{row.number}/{header}"
        self.report.errors.append(RowError(table.name, row.number, header, message, pointer))


def _existing_departments(db: Session) -> dict[str, Department]:
    rows = db.scalars(sa.select(Department).where(Department.external_id.is_not(None)))
    return {d.external_id: d for d in rows if d.external_id is not None}


def _existing_users(db: Session) -> dict[str, User]:
    rows = db.scalars(sa.select(User).where(User.external_id.is_not(None)))
    return {u.external_id: u for u in rows if u.external_id is not None}


def check_departments(
    table: SourceTable, existing: dict[str, Department], checker: _Checker
) -> list[DepartmentRow]:
    parsed: list[DepartmentRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        ext, name, parent = row.get("id"), row.get("name"), row.get("parent_id")
        if not name:
            checker.error(table, row, "name", "The department name is missing.")
        order_text = row.get("order") or "0"
        if not re.fullmatch(r"-?\d+", order_text):
            checker.error(table, row, "order", f"{order_text!r} is not a whole number.")
            order_text = "0"
        if not ext:
            checker.error(table, row, "id", "The department id is missing.")
        elif ext in seen:
            checker.error(table, row, "id", f"Department id {ext!r} is also on row {seen[ext]}.")
        else:
            # Rows with other errors still count as departments, so their children and
            # cycles are checked too (nothing is applied while any row is bad).
            seen[ext] = row.number
            parsed.append(
                DepartmentRow(
                    ext, None if parent in ROOT_PARENTS else parent, name, int(order_text)
                )
            )
    known = {d.external_id for d in parsed} | set(existing)
    rows_by_id = {row.get("id"): row for row in reversed(table.rows)}
    parents = _merged_parents(existing, parsed)
    for dept in parsed:
        row = rows_by_id[dept.external_id]
        if dept.parent is not None and dept.parent not in known:
            checker.error(table, row, "parent_id", f"There is no department {dept.parent!r}.")
        elif (cycle := find_cycle(parents, dept.external_id)) and dept.external_id in cycle:
            path = " → ".join([*cycle, cycle[0]])
            checker.error(table, row, "parent_id", f"The parents make a cycle: {path}.")
    return parsed


def _merged_parents(
    existing: dict[str, Department], parsed: list[DepartmentRow]
) -> dict[str, str | None]:
    ext_of = {d.id: ext for ext, d in existing.items()}
    parents: dict[str, str | None] = {
        ext: ext_of.get(d.parent_id) if d.parent_id is not None else None
        for ext, d in existing.items()
    }
    parents.update({d.external_id: d.parent for d in parsed})
    return parents


def _check_user_row(
    table: SourceTable, row: SourceRow, known_departments: set[str], checker: _Checker
) -> UserRow | None:
    before = len(checker.report.errors)
    ext, name = row.get("id"), row.get("name")
    if not ext:
        checker.error(table, row, "id", "The user id is missing.")
    elif not USERNAME_PATTERN.fullmatch(ext):
        checker.error(table, row, "id", "Use 1-150 letters, digits and the characters _ . @ -")
    if not name:
        checker.error(table, row, "name", "The name is missing.")
    mobile, email = row.get("mobile"), row.get("email")
    if mobile and not MOBILE_PATTERN.match(mobile):
        checker.error(table, row, "mobile", f"{mobile!r} is not a mobile number.")
    if email and not EMAIL_PATTERN.match(email):
        checker.error(table, row, "email", f"{email!r} is not an email address.")
    departments = split_ids(row.get("departments"))
    for dept in departments:
        if dept not in known_departments:
            checker.error(table, row, "departments", f"There is no department {dept!r}.")
    leaders = _leader_flags(table, row, departments, checker)
    main = row.get("main_department") or (departments[0] if departments else "")
    if main and main not in departments:
        checker.error(
            table, row, "main_department", f"{main!r} is not one of the user's departments."
        )
    manager = row.get("manager") or None
    if manager is not None and manager == ext:
        checker.error(table, row, "manager", "A user cannot be their own manager.")
    if len(checker.report.errors) > before:
        return None
    memberships = [
        Membership(d, d == main, leader) for d, leader in zip(departments, leaders, strict=True)
    ]
    return UserRow(
        ext,
        name,
        mobile or None,
        email or None,
        memberships,
        manager,
        has_departments="departments" in row.headers,
        has_manager="manager" in row.headers,
    )


def _leader_flags(
    table: SourceTable, row: SourceRow, departments: list[str], checker: _Checker
) -> list[bool]:
    cells = split_ids(row.get("leader")) or ["0"]
    flags = [parse_flag(cell) for cell in cells]
    if any(flag is None for flag in flags):
        checker.error(table, row, "leader", f"{row.get('leader')!r} is not yes/no (是/否, 1/0).")
        return [False] * len(departments)
    if len(flags) == 1:
        return [bool(flags[0])] * len(departments)
    if len(flags) != len(departments):
        checker.error(
            table,
            row,
            "leader",
            f"{len(flags)} leader flags for {len(departments)} departments.",
        )
        return [False] * len(departments)
    return [bool(flag) for flag in flags]


def check_users(
    table: SourceTable,
    known_departments: set[str],
    existing: dict[str, User],
    db: Session,
    checker: _Checker,
) -> list[UserRow]:
    parsed: list[UserRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        ext = row.get("id")
        if ext and ext in seen:
            checker.error(table, row, "id", f"User id {ext!r} is also on row {seen[ext]}.")
            continue
        if ext:
            seen[ext] = row.number
        user = _check_user_row(table, row, known_departments, checker)
        if user is not None:
            parsed.append(user)
    known_users = set(seen) | set(existing)
    taken = _usernames_taken_by_others(
        db, [u.external_id for u in parsed if u.external_id not in existing]
    )
    rows_by_id = {row.get("id"): row for row in reversed(table.rows)}
    for user in parsed:
        row = rows_by_id[user.external_id]
        if user.manager is not None and user.manager not in known_users:
            checker.error(table, row, "manager", f"There is no user {user.manager!r}.")
        if user.external_id in taken:
            checker.error(
                table, row, "id", f"The username {user.external_id!r} belongs to another user."
            )
    return parsed


def _usernames_taken_by_others(db: Session, usernames: list[str]) -> set[str]:
    if not usernames:
        return set()
    rows = db.scalars(
        sa.select(User.username).where(User.username.in_(usernames), User.external_id.is_not(None))
    )
    return set(rows)


def sync_organisation(
    db: Session,
    departments: SourceTable | None,
    users: SourceTable | None,
    *,
    dry_run: bool = True,
) -> SyncReport:
    """Check the tables and, if not a dry run and every row is good, apply them (no commit)."""
    report = SyncReport(dry_run=dry_run)
    checker = _Checker(report)
    existing_departments = _existing_departments(db)
    existing_users = _existing_users(db)
    dept_rows = check_departments(departments, existing_departments, checker) if departments else []
    known = {d.external_id for d in dept_rows} | set(existing_departments)
    user_rows = check_users(users, known, existing_users, db, checker) if users else []
    if departments is not None:
        in_file = {d.external_id for d in dept_rows}
        report.departments_not_in_file = sorted(set(existing_departments) - in_file)
    if users is not None:
        in_file = {u.external_id for u in user_rows}
        report.users_not_in_file = sorted(set(existing_users) - in_file)
    if report.errors:
        report.errors.sort(key=lambda e: (e.file != "departments", e.row))
        return report
    _apply_departments(db, dept_rows, existing_departments, report)
    _apply_users(db, user_rows, existing_users, report)
    if dry_run:
        db.rollback()
    else:
        db.flush()
    return report


def _apply_departments(
    db: Session, rows: list[DepartmentRow], existing: dict[str, Department], report: SyncReport
) -> None:
    """Upsert parents before children (the rows were checked: every parent is known, no cycle)."""
    by_ext = dict(existing)
    pending = {row.external_id: row for row in rows}
    while pending:
        ready = [row for row in pending.values() if row.parent is None or row.parent not in pending]
        for row in ready:
            _upsert_department(db, row, by_ext, report)
            del pending[row.external_id]
    db.flush()


def _upsert_department(
    db: Session, row: DepartmentRow, by_ext: dict[str, Department], report: SyncReport
) -> None:
    parent_id = by_ext[row.parent].id if row.parent is not None else None
    dept = by_ext.get(row.external_id)
    if dept is None:
        dept = Department(
            external_id=row.external_id, name=row.name, parent_id=parent_id, sort_order=row.order
        )
        db.add(dept)
        db.flush()
        by_ext[row.external_id] = dept
        report.departments["created"] += 1
    elif (dept.name, dept.parent_id, dept.sort_order) != (row.name, parent_id, row.order):
        dept.name, dept.parent_id, dept.sort_order = row.name, parent_id, row.order
        report.departments["updated"] += 1
    else:
        report.departments["unchanged"] += 1


def _apply_users(
    db: Session, rows: list[UserRow], existing: dict[str, User], report: SyncReport
) -> None:
    departments = _existing_departments(db)
    by_ext = dict(existing)
    created: set[str] = set()
    changed: set[str] = set()
    for row in rows:
        user = by_ext.get(row.external_id)
        if user is None:
            user = _adopt_or_create(db, row)
            by_ext[row.external_id] = user
            created.add(row.external_id)
        fields = {"display_name": row.name, "email": row.email, "mobile": row.mobile}
        for name, value in fields.items():
            if getattr(user, name) != value:
                setattr(user, name, value)
                changed.add(row.external_id)
        if row.has_departments and _set_memberships(db, user, row, departments):
            changed.add(row.external_id)
    db.flush()
    for row in rows:
        if not row.has_manager:
            continue
        manager_id = by_ext[row.manager].id if row.manager is not None else None
        user = by_ext[row.external_id]
        if user.manager_id != manager_id:
            user.manager_id = manager_id
            changed.add(row.external_id)
    db.flush()
    report.users["created"] = len(created)
    report.users["updated"] = len(changed - created)
    report.users["unchanged"] = len(rows) - len(created | changed)


def _adopt_or_create(db: Session, row: UserRow) -> User:
    """The platform user with this username and no external id yet, or a new one whose random
    password nobody knows (an administrator sets a password before they can sign in)."""
    user = db.scalars(
        sa.select(User).where(User.username == row.external_id, User.external_id.is_(None))
    ).one_or_none()
    if user is None:
        user = create_user(
            db,
            row.external_id,
            None,
            display_name=row.name,
            email=row.email,
        )
    user.external_id = row.external_id
    return user


def _set_memberships(
    db: Session, user: User, row: UserRow, departments: dict[str, Department]
) -> bool:
    """Make the user's memberships exactly the row's; True if anything changed."""
    wanted = {departments[m.department].id: (m.is_main, m.is_leader) for m in row.memberships}
    current = {
        m.department_id: (m.is_main, m.is_leader)
        for m in db.scalars(sa.select(UserDepartment).where(UserDepartment.user_id == user.id))
    }
    if wanted == current:
        return False
    db.execute(sa.delete(UserDepartment).where(UserDepartment.user_id == user.id))
    db.add_all(
        UserDepartment(user_id=user.id, department_id=dept, is_main=main, is_leader=leader)
        for dept, (main, leader) in wanted.items()
    )
    return True
