"""``/api/apps/{app}/flows/{flow}/monitor``: a flow's instances by state, the time its tasks
take per node, the tasks open now and the open incidents; ``/api/apps/{app}/processes/
incidents/{id}/resume``: take an incident's step again; ``/api/apps/{app}/flows/{flow}/
migrations``: move running instances to another version. Flow designers and administrators
only (docs/process.md, "Monitoring", "Migrating running instances")."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path
from pydantic import Field

from jimu.errors import Conflict, NotFound, PermissionDenied
from jimu.platform import metadata_store as store
from jimu.platform.access.design import require_design
from jimu.platform.api.params import MAX_VERSION, BodyId, StrictBody, id_path
from jimu.platform.api.processes import may_monitor
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import User, utcnow
from jimu.platform.process import migrate, monitor
from jimu.platform.process.instances import INSTANCES
from jimu.platform.state import Platform

router = APIRouter(tags=["processes"])
IncidentId = Annotated[int, id_path("process incident")]
FlowName = Annotated[str, Path(max_length=63)]
Version = Annotated[int, Field(ge=1, le=MAX_VERSION, strict=True)]
NodeId = Annotated[str, Field(min_length=1, max_length=63)]


class MigrationRequest(StrictBody):
    from_version: Version = Field(description="the version the instances are on")
    to_version: Version | None = Field(
        default=None, description="the version to move them to (default: the published one)"
    )
    mapping: dict[NodeId, NodeId] = Field(
        default_factory=dict,
        max_length=500,
        description="old node id → new node id; a node left out maps to the node of its id",
    )
    instances: list[BodyId] | None = Field(
        default=None, max_length=1000, description="only these instances"
    )
    nodes: list[NodeId] | None = Field(
        default=None, max_length=500, description="only instances with a token at these nodes"
    )
    dry_run: bool = Field(default=False, description="say what would happen, write nothing")


def require_monitor(platform: Platform, conn: sa.Connection, app: str, user: User) -> None:
    if not may_monitor(platform, conn, app, user):
        raise PermissionDenied(f"Only the flow designers of {app!r} may monitor its flows.")


def require_flow(conn: sa.Connection, app: str, flow: str) -> None:
    if not any(d.name == flow for d in store.list_documents(conn, app, "flow")):
        raise NotFound(f"There is no flow {flow!r} in the app {app!r}.")


def flow_monitor_user(app: str, user: CurrentUser, platform: PlatformDep) -> User:
    """The caller, if they may monitor the app's flows: a dependency, so a caller without the
    right is refused (403) before their body is read (not told 422 about its shape)."""
    with platform.engine.connect() as conn:
        require_monitor(platform, conn, app, user)
    return user


def flow_designer_user(app: str, user: CurrentUser, platform: PlatformDep) -> User:
    """The caller, if they may design the app's flows (a dependency, as above)."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "flow")
    return user


FlowMonitor = Annotated[User, Depends(flow_monitor_user)]
FlowDesigner = Annotated[User, Depends(flow_designer_user)]


@router.get("/api/apps/{app}/flows/{flow}/monitor")
def flow_monitor(
    app: str, flow: FlowName, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """The flow's instances by state, per task node the tasks done and open with their average
    and 90th-percentile time (seconds), the tasks open now (longest waiting first) and the open
    incidents."""
    with platform.engine.connect() as conn:
        require_monitor(platform, conn, app, user)
        require_flow(conn, app, flow)
        return monitor.flow_monitor(conn, app, flow, utcnow())


@router.post("/api/apps/{app}/processes/incidents/{incident_id}/resume")
def resume_incident(
    app: str, incident_id: IncidentId, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """Take the incident's step again: resolved when it goes through; a 409 with the new
    error when it fails again (the incident keeps it, with one attempt more)."""
    with begin_write(platform.engine) as conn:
        require_monitor(platform, conn, app, user)
        row = monitor.incident(conn, incident_id)
        owner = conn.execute(
            sa.select(INSTANCES.c.app).where(INSTANCES.c.id == row.instance_id)
        ).scalar_one_or_none()
        if owner != app:
            raise NotFound(f"No process incident {incident_id}.")
        records = platform.apps.records(conn, app)
        try:
            return monitor.resume_incident(conn, records, incident_id, utcnow(), platform=platform)
        except monitor.IncidentFailedAgain as failed:
            problem = str(failed)  # the transaction commits: the attempt and error are kept
    raise Conflict(problem)


@router.post("/api/apps/{app}/flows/{flow}/migrations")
def migrate_instances(
    app: str, flow: FlowName, body: MigrationRequest, user: FlowMonitor, platform: PlatformDep
) -> dict[str, Any]:
    """Move the running instances of ``from_version`` (only ``instances``; only those waiting at
    ``nodes``) to ``to_version``, each in a transaction of its own: per instance ``migrated``
    (the tokens moved, the tasks kept or made anew) or ``refused`` with the reasons. A mapping
    naming a node neither version has, or nodes of different kinds, is a 422 at
    ``/mapping/<node>`` and moves nothing."""
    with platform.engine.connect() as conn:
        require_monitor(platform, conn, app, user)
        require_flow(conn, app, flow)
    return migrate.migrate_instances(
        platform,
        app,
        flow,
        body.from_version,
        body.to_version,
        body.mapping,
        utcnow(),
        ids=body.instances,
        nodes=body.nodes,
        dry_run=body.dry_run,
        by=user.id,
    )


class CronRequest(StrictBody):
    cron: str = Field(min_length=1, max_length=200, description="a crontab line or @daily …")


@router.post("/api/apps/{app}/processes/cron-preview")
def cron_preview(
    app: str, body: CronRequest, user: FlowDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """The next three times of a scheduled start's ``cron`` in the app's time zone, for the
    flow designer (a bad expression is a 422 at ``/cron``)."""
    from jimu.platform.rules.designer import cron_preview as preview

    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "flow")
        records = platform.apps.records(conn, app)
    return preview(records, body.cron, platform.settings.time_zone, utcnow())
