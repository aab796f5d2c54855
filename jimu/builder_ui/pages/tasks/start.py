"""``POST /tasks/start``: a record page's "start" button for a flow started by hand — the
viewer starts the published flow on a record they can read (the API's rule) and goes to their
first task in it (a fill step), else to the instance's page."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse

from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.viewer import SignedIn
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import utcnow
from jimu.platform.process import instances
from jimu.platform.process.flows import published_flow

router = APIRouter()


@router.post("/tasks/start")
def start_flow(viewer: SignedIn, platform: PlatformDep, posted: PostedForm) -> RedirectResponse:
    app = str(posted.get("app") or "")[:63]
    flow = str(posted.get("flow") or "")[:63]
    record_text = str(posted.get("record_id") or "")
    if not record_text.isdigit() or not 0 < int(record_text) < 2**63:
        raise ValidationFailed(
            "Start a flow on a record.", [FieldError("/record_id", "a record id", "required")]
        )
    record_id = int(record_text)
    user = viewer.signed_in_user
    with begin_write(platform.engine) as conn:
        _, doc, _ = published_flow(conn, app, flow)
        entity = str(doc.get("entity") or "")
        platform.apps.for_user(conn, app, user).get(conn, entity, record_id)  # may read it
        result = instances.start_instance(
            conn,
            platform.apps.records(conn, app),
            app,
            flow,
            utcnow(),
            entity=entity,
            record_id=record_id,
            initiator_id=user.id,
            platform=platform,
        )
        tasks = [t for t in instances.open_tasks(conn, result.instance_id) if user.id in t["users"]]
    target = f"/tasks/{tasks[0]['id']}" if tasks else f"/tasks/instances/{result.instance_id}"
    return RedirectResponse(target + "?done=started", status_code=303)
