"""``/api/apps/{app}/roles``, ``/api/apps/{app}/access`` and record shares.

Administrators give an app's roles (published role documents) to users and departments; anyone
signed in may ask what they may do in an app; whoever may change a record may share it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from jimu.platform.access import assignments
from jimu.platform.api.params import AssignmentId, BodyId, RecordId, ShareId, StrictBody
from jimu.platform.api.records import records_of
from jimu.platform.auth.dependencies import AdminUser, CurrentPrincipal
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep

router = APIRouter(prefix="/api/apps/{app}", tags=["access"])


#: Exactly one of the two ids, the other left out or null (``_holder_errors``).
ONE_HOLDER: dict[str, Any] = {
    "oneOf": [
        {"required": [name], "properties": {name: {"type": "integer"}}}
        for name in ("user_id", "department_id")
    ]
}


class Holder(StrictBody):
    model_config = ConfigDict(json_schema_extra=ONE_HOLDER)

    user_id: BodyId | None = None
    department_id: BodyId | None = None


class ShareIn(Holder):
    access: str = Field(description="read or write", json_schema_extra={"enum": ["read", "write"]})


class Created(BaseModel):
    id: int


@router.get("/roles")
def list_roles(app: str, _: AdminUser, platform: PlatformDep) -> list[dict[str, Any]]:
    """The app's published roles with their rules and holders."""
    with platform.engine.connect() as conn:
        roles = platform.apps.roles(conn, app)
        members = assignments.role_members(conn, app)
    return [
        {
            "name": role.name,
            "label": dict(role.label),
            "app_admin": sorted(role.app_admin),
            "entities": {
                name: {
                    "actions": sorted(rules.actions),
                    "scope": list(rules.scope),
                    "write_scope": list(rules.write_scope),
                    "assign_to": rules.assign_to,
                    "fields": dict(rules.fields),
                }
                for name, rules in role.entities.items()
            },
            "members": members.get(role.name, []),
        }
        for role in roles
    ]


@router.post("/roles/{role}/members", status_code=status.HTTP_201_CREATED)
def add_role_member(
    app: str, role: str, body: Holder, admin: AdminUser, platform: PlatformDep
) -> Created:
    """Give ``role`` to a user or a department (and so to its members and sub-departments)."""
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, app)
        new_id = assignments.assign_role(
            conn,
            app,
            roles,
            role,
            user_id=body.user_id,
            department_id=body.department_id,
            actor_id=admin.id,
        )
    return Created(id=new_id)


@router.delete("/roles/members/{assignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_role_member(
    app: str, assignment_id: AssignmentId, admin: AdminUser, platform: PlatformDep
) -> Response:
    with begin_write(platform.engine) as conn:
        platform.apps.roles(conn, app)
        assignments.unassign_role(conn, app, assignment_id, actor_id=admin.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/access")
def my_access(app: str, principal: CurrentPrincipal, platform: PlatformDep) -> dict[str, Any]:
    """What the caller may do with each entity of the app (actions, hidden and read-only
    fields, to whom they may assign records) and the roles they hold."""
    with platform.engine.connect() as conn:
        records = records_of(platform, conn, app, principal)
        entities = {}
        for name in records.model.entities:
            access = records.access(name)
            if not access.actions:
                continue
            entities[name] = {
                "actions": sorted(access.actions),
                "hidden": sorted(access.hidden),
                "read_only": sorted(access.read_only),
                "assign_to": access.assign_to,
            }
    policy = records.policy
    return {
        "unrestricted": policy.unrestricted,
        "roles": policy.role_names,
        "design": sorted(policy.design_kinds()),
        "entities": entities,
    }


SHARES = "/entities/{entity}/records/{record_id:int}/shares"


@router.get(SHARES)
def list_shares(
    app: str, entity: str, record_id: RecordId, principal: CurrentPrincipal, platform: PlatformDep
) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        records_of(platform, conn, app, principal).get(conn, entity, record_id, fields=[])
        return assignments.record_shares(conn, app, entity, record_id)


@router.post(SHARES, status_code=status.HTTP_201_CREATED)
def add_share(
    app: str,
    entity: str,
    record_id: RecordId,
    body: ShareIn,
    principal: CurrentPrincipal,
    platform: PlatformDep,
) -> Created:
    """Share the record for ``read`` or ``write``; only someone who may change it may."""
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        records.require_rows(conn, entity, [record_id], "update")
        new_id = assignments.share_record(
            conn,
            app,
            entity,
            record_id,
            body.access,
            user_id=body.user_id,
            department_id=body.department_id,
            actor_id=principal.user.id,
        )
    return Created(id=new_id)


@router.delete(SHARES + "/{share_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_share(
    app: str,
    entity: str,
    record_id: RecordId,
    share_id: ShareId,
    principal: CurrentPrincipal,
    platform: PlatformDep,
) -> Response:
    with begin_write(platform.engine) as conn:
        records = records_of(platform, conn, app, principal)
        records.require_rows(conn, entity, [record_id], "update")
        assignments.unshare_record(
            conn, app, entity, record_id, share_id, actor_id=principal.user.id
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
