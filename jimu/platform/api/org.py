"""``/api/org``: the department tree, memberships, managers, ``$user`` contexts and imports.

Anyone signed in may read the tree; only administrators change it or import. A user may read
their own context, administrators anyone's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from jimu.engines.form.patterns import NOT_SPACE
from jimu.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from jimu.platform import input_guard
from jimu.platform.api.params import BodyId, BodyInt32, DepartmentId, StrictBody, UserId
from jimu.platform.auth.dependencies import AdminUser, CurrentUser
from jimu.platform.dependencies import Db
from jimu.platform.models import Department
from jimu.platform.org.columns import (
    SourceTable,
    UnreadableCsv,
    decode_csv,
    read_csv,
    read_json,
)
from jimu.platform.org.context import user_context
from jimu.platform.org.members import (
    delete_department,
    department_tree,
    get_department,
    get_user,
    merge_departments,
    set_head,
    set_manager,
    set_memberships,
)
from jimu.platform.org.sync import sync_organisation
from jimu.platform.org.tree import check_new_parent
from jimu.platform.security.audit_log import log_event

router = APIRouter(prefix="/api/org", tags=["organisation"])
TABLES = ("departments", "users")
NULLABLE = frozenset({"parent_id", "external_id"})


class DepartmentIn(StrictBody):
    name: str = Field(min_length=1, max_length=200)
    parent_id: BodyId | None = None
    external_id: str | None = Field(default=None, max_length=64)
    sort_order: BodyInt32 = 0


class DepartmentChange(StrictBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: BodyId | None = None
    external_id: str | None = Field(default=None, max_length=64)
    sort_order: BodyInt32 | None = None


class DepartmentOut(BaseModel):
    id: int
    external_id: str | None
    name: str
    parent_id: int | None
    sort_order: int

    @classmethod
    def of(cls, d: Department) -> DepartmentOut:
        return cls(
            id=d.id,
            external_id=d.external_id,
            name=d.name,
            parent_id=d.parent_id,
            sort_order=d.sort_order,
        )


class MembershipIn(StrictBody):
    department_id: BodyId
    is_main: bool = False
    is_leader: bool = False


class MembershipsIn(StrictBody):
    departments: list[MembershipIn]


class ManagerIn(StrictBody):
    manager_id: BodyId | None


class MergeIn(StrictBody):
    into_id: BodyId = Field(description="The department that takes over")


class HeadIn(StrictBody):
    user_id: BodyId


@router.get("/departments")
def list_departments(_: CurrentUser, db: Db) -> list[dict[str, Any]]:
    """The tree: root departments with nested ``children`` and ``members``."""
    return department_tree(db)


@router.post("/departments", status_code=status.HTTP_201_CREATED)
def add_department(body: DepartmentIn, admin: AdminUser, db: Db) -> DepartmentOut:
    if body.parent_id is not None:
        _parent(db, body.parent_id)
    department = Department(
        name=body.name,
        parent_id=body.parent_id,
        external_id=body.external_id,
        sort_order=body.sort_order,
    )
    db.add(department)
    _flush_unique(db)
    detail = {"department_id": department.id, "name": body.name, "parent_id": body.parent_id}
    log_event(db, "department_created", actor_id=admin.id, detail=detail)
    db.commit()
    return DepartmentOut.of(department)


@router.patch("/departments/{department_id}")
def change_department(
    department_id: DepartmentId, body: DepartmentChange, admin: AdminUser, db: Db
) -> DepartmentOut:
    department = get_department(db, department_id)
    changes = body.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        if changes["parent_id"] is not None:
            _parent(db, changes["parent_id"])
        check_new_parent(db.connection(), department.id, changes["parent_id"])
    before = {key: getattr(department, key) for key in changes}
    for key, value in changes.items():
        if value is not None or key in NULLABLE:
            setattr(department, key, value)
    _flush_unique(db)
    changed = {
        key: {"from": before[key], "to": getattr(department, key)}
        for key in changes
        if before[key] != getattr(department, key)
    }
    if changed:
        detail = {"department_id": department.id, "name": department.name, "changes": changed}
        log_event(db, "department_changed", actor_id=admin.id, detail=detail)
    db.commit()
    return DepartmentOut.of(department)


@router.delete("/departments/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_department(department_id: DepartmentId, admin: AdminUser, db: Db) -> Response:
    department = get_department(db, department_id)
    detail = {"department_id": department.id, "name": department.name}
    delete_department(db, department)
    log_event(db, "department_deleted", actor_id=admin.id, detail=detail)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/departments/{department_id}/merge")
def merge_department(
    department_id: DepartmentId, body: MergeIn, admin: AdminUser, db: Db
) -> dict[str, Any]:
    """Merge the department into ``into_id``: sub-departments, members (heads stay heads),
    role assignments and shares move there, and the department is deleted."""
    source = get_department(db, department_id)
    target = db.get(Department, body.into_id)
    if target is None:
        raise ValidationFailed(
            "The department to merge into does not exist.",
            [FieldError("/into_id", f"There is no department {body.into_id}.", "not_found")],
        )
    detail: dict[str, Any] = {
        "department_id": source.id,
        "name": source.name,
        "into_id": target.id,
        "into_name": target.name,
    }
    moved = merge_departments(db, source, target)
    log_event(db, "department_merged", actor_id=admin.id, detail={**detail, "moved": moved})
    db.commit()
    return {"into": DepartmentOut.of(target).model_dump(), "moved": moved}


@router.post("/departments/{department_id}/heads", status_code=status.HTTP_204_NO_CONTENT)
def add_head(department_id: DepartmentId, body: HeadIn, admin: AdminUser, db: Db) -> Response:
    """Make a user a head of the department (a member of it if they were not)."""
    return _set_head(db, department_id, body.user_id, True, admin.id)


@router.delete(
    "/departments/{department_id}/heads/{user_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove_head(department_id: DepartmentId, user_id: UserId, admin: AdminUser, db: Db) -> Response:
    """The user stays a member, no longer a head."""
    return _set_head(db, department_id, user_id, False, admin.id)


def _set_head(db: Db, department_id: int, user_id: int, is_head: bool, actor_id: int) -> Response:
    department = get_department(db, department_id)
    # The body's user_id (POST) is a field; the path's (DELETE) a resource.
    user = get_user(db, user_id, "/user_id" if is_head else None)
    set_head(db, department, user, is_head)
    detail = {
        "department_id": department.id,
        "name": department.name,
        "changes": {"head": {"user_id": user.id, "is_head": is_head}},
    }
    log_event(db, "department_changed", actor_id=actor_id, detail=detail)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/{user_id}/context")
def read_user_context(user_id: UserId, caller: CurrentUser, db: Db) -> dict[str, Any]:
    """What data scopes read as ``$user`` for this user."""
    if caller.id != user_id and not caller.is_admin:
        raise PermissionDenied("Only administrators may read other users' context.")
    return user_context(db.connection(), user_id)


@router.put("/users/{user_id}/departments")
def assign_departments(
    user_id: UserId, body: MembershipsIn, admin: AdminUser, db: Db
) -> dict[str, Any]:
    user = get_user(db, user_id)
    memberships = [(m.department_id, m.is_main, m.is_leader) for m in body.departments]
    set_memberships(db, user, memberships)
    detail = {"user_id": user.id, "changes": {"departments": body.model_dump()["departments"]}}
    log_event(db, "user_changed", actor_id=admin.id, username=user.username, detail=detail)
    db.commit()
    return user_context(db.connection(), user_id)


@router.put("/users/{user_id}/manager")
def assign_manager(user_id: UserId, body: ManagerIn, admin: AdminUser, db: Db) -> dict[str, Any]:
    user = get_user(db, user_id)
    before = user.manager_id
    set_manager(db, user, body.manager_id)
    if before != body.manager_id:
        changes = {"manager_id": {"from": before, "to": body.manager_id}}
        detail = {"user_id": user.id, "changes": changes}
        log_event(db, "user_changed", actor_id=admin.id, username=user.username, detail=detail)
    db.commit()
    return user_context(db.connection(), user_id)


#: The body ``_read_tables`` reads (it is not a model: CSV files or JSON lists of rows).
_ROWS = {"type": "array", "items": {"type": "object"}}
_CSV = {"type": "string", "description": "a CSV file (UTF-8, a header row); blank: left out"}


def _one_or_both(table: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """Both tables optional (null or blank: left out), but at least one of them ``sent``."""
    return {
        "type": "object",
        "properties": {name: {"anyOf": [table, {"type": "null"}]} for name in TABLES},
        "anyOf": [{"required": [name], "properties": {name: sent}} for name in TABLES],
    }


IMPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": _one_or_both(_ROWS, _ROWS)},
        "multipart/form-data": {"schema": _one_or_both(_CSV, {**_CSV, "pattern": NOT_SPACE})},
    },
}


@router.post("/import", openapi_extra={"requestBody": IMPORT_BODY})
async def import_organisation(
    request: Request,
    _: AdminUser,
    db: Db,
    dry_run: Annotated[bool, Query(description="Only check and report (the default).")] = True,
) -> dict[str, Any]:
    """Sync departments and users from CSV files (multipart fields ``departments`` and
    ``users``) or a JSON body ``{"departments": [...], "users": [...]}``.

    The report lists every bad row; nothing is applied unless every row is good. The body is
    read here; the sync runs in the server's thread pool, never on its event loop."""
    tables = await _read_tables(request)
    return await run_in_threadpool(_import_tables, db, tables, dry_run)


def _import_tables(db: Db, tables: dict[str, SourceTable], dry_run: bool) -> dict[str, Any]:
    report = sync_organisation(db, tables.get("departments"), tables.get("users"), dry_run=dry_run)
    if not dry_run and report.errors:
        db.rollback()
        raise ValidationFailed(
            f"{len(report.errors)} rows are not valid; nothing was imported.",
            [FieldError(e.pointer, e.message) for e in report.errors],
            extra={"report": report.as_dict()},
        )
    if report.applied:
        db.commit()
    return report.as_dict()


async def _read_tables(request: Request) -> dict[str, SourceTable]:
    content_type = request.headers.get("content-type", "")
    tables: dict[str, SourceTable] = {}
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        for name in TABLES:
            upload = form.get(name)
            try:
                if isinstance(upload, UploadFile):
                    tables[name] = read_csv(name, decode_csv(await upload.read()))
                elif isinstance(upload, str) and upload.strip():
                    tables[name] = read_csv(name, upload)
            except UnreadableCsv as error:
                raise ValidationFailed(
                    str(error), [FieldError(f"/{name}", str(error), "csv")]
                ) from None
    else:
        tables = _json_tables(await request.body())
    if not tables:
        raise ValidationFailed(
            "Send a departments table, a users table or both.",
            [FieldError("/departments", "Missing.", "required")],
        )
    return tables


def _json_tables(body: bytes) -> dict[str, SourceTable]:
    try:
        payload = input_guard.loads(body or b"{}")
    except ValueError as error:
        raise ValidationFailed("The body is not JSON.", [FieldError("", str(error))]) from None
    if not isinstance(payload, dict):
        raise ValidationFailed("The body must be an object.", [FieldError("", "Not an object.")])
    tables: dict[str, SourceTable] = {}
    errors: list[FieldError] = []
    for name in TABLES:
        items = payload.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            errors.append(FieldError(f"/{name}", "Use a list of objects.", "type"))
            continue
        tables[name] = read_json(name, items)
    if errors:
        raise ValidationFailed("The body is not valid.", errors)
    return tables


def _parent(db: Db, parent_id: int) -> None:
    if db.get(Department, parent_id) is None:
        raise ValidationFailed(
            "The parent department does not exist.",
            [FieldError("/parent_id", f"There is no department {parent_id}.", "not_found")],
        )


def _flush_unique(db: Db) -> None:
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise Conflict(
            "Another department has this external id.",
            [FieldError("/external_id", "This external id is taken.", "unique")],
        ) from None
