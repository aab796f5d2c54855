"""``/api/apps/{app}/flows/{flow}/monitor``: a flow's instances by state, the time its tasks
take per node, the tasks open now and the open incidents; ``/api/apps/{app}/processes/
incidents/{id}/resume``: take an incident's step again. Flow designers and administrators
only (docs/process.md, "Monitoring")."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path

from jimu.errors import Conflict, NotFound, PermissionDenied
from jimu.platform import metadata_store as store
from jimu.platform.api.params import id_path
from jimu.platform.api.processes import may_monitor
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import User, utcnow
from jimu.platform.process import monitor
from jimu.platform.process.instances import INSTANCES
from jimu.platform.state import Platform

router = APIRouter(tags=["processes"])
IncidentId = Annotated[int, id_path("process incident")]
FlowName = Annotated[str, Path(max_length=63)]


def require_monitor(platform: Platform, conn: sa.Connection, app: str, user: User) -> None:
    if not may_monitor(platform, conn, app, user):
        raise PermissionDenied(f"Only the flow designers of {app!r} may monitor its flows.")


def require_flow(conn: sa.Connection, app: str, flow: str) -> None:
    if not any(d.name == flow for d in store.list_documents(conn, app, "flow")):
        raise NotFound(f"There is no flow {flow!r} in the app {app!r}.")


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
