"""``/tasks/{id}``: the approval page of a task — the record as the viewer may read it, the
path so far as a timeline, what comes next, and the actions the viewer may take (approve /
reject with a comment and @mentions, return, transfer, add a signer; withdraw and urge for the
initiator). ``/tasks/instances/{id}``: the same page for the instance (its initiator, the
people it was copied to, its approvers, flow designers). Every action posts here and calls the
API's services; a refusal is shown on the page with its status (409 done already, 429 urged
too soon, 422 naming the field)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.records.layout import form_layout
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.builder_ui.pages.tasks import actions
from jimu.builder_ui.pages.tasks.diagram import instance_states
from jimu.builder_ui.pages.tasks.task_record import posted_changes, record_section
from jimu.builder_ui.pages.tasks.timeline import next_nodes, people_in, timeline, user_names
from jimu.engines.process.layout import layout
from jimu.errors import FieldError, JimuError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform.api.params import id_path
from jimu.platform.api.processes import comment_file_response, may_monitor
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import utcnow
from jimu.platform.process import instances
from jimu.platform.process.comment_files import MAX_SIZE
from jimu.platform.process.flows import flow_version
from jimu.platform.process.participation import involved, return_targets
from jimu.platform.process.task_inbox import copied_instances
from jimu.platform.state import Platform

router = APIRouter()
TaskId = Annotated[int, id_path("process task")]
InstanceId = Annotated[int, id_path("process instance")]
DONE_NOTICES = {
    "approve": "tasks.done.approve",
    "reject": "tasks.done.reject",
    "return": "tasks.done.return",
    "transfer": "tasks.done.transfer",
    "add_signer": "tasks.done.add_signer",
    "withdraw": "tasks.done.withdraw",
    "urge": "tasks.done.urge",
    "comment": "tasks.done.comment",
    "started": "tasks.done.started",
}


def _task_row(conn: sa.Connection, task_id: int) -> Any:
    row = conn.execute(sa.select(instances.TASKS).where(instances.TASKS.c.id == task_id)).first()
    if row is None:
        raise NotFound(f"No process task {task_id}.")
    return row


def _instance(conn: sa.Connection, instance_id: int) -> Any:
    row = conn.execute(
        sa.select(instances.INSTANCES).where(instances.INSTANCES.c.id == instance_id)
    ).first()
    if row is None:
        raise NotFound(f"No process instance {instance_id}.")
    return row


def _overdue(task: Any) -> bool:
    """An open task past its due time (its node's deadline)."""
    return task.status == "open" and task.due_at is not None and task.due_at <= utcnow()


def _may_see(platform: Platform, conn: sa.Connection, row: Any, viewer: Viewer) -> None:
    """Flow designers, the initiator, whoever has or had a task in it, and those a cc node
    copied it to read an instance; others get a 403."""
    user = viewer.signed_in_user
    if (
        row.initiator_id == user.id
        or involved(conn, int(row.id), user.id)
        or may_monitor(platform, conn, row.app, user)
        or int(row.id) in copied_instances(conn, user.id)
    ):
        return
    raise PermissionDenied("Only the initiator, the approvers, cc'd people and flow designers.")


def _record_section(
    platform: Platform, conn: sa.Connection, viewer: Viewer, row: Any
) -> dict[str, Any] | None:
    """The record as the viewer may read it (read-only, the entity's form layout), or None."""
    if row.entity is None or row.record_id is None:
        return None
    try:
        scope = EntityScope.open(platform, conn, viewer, row.app, row.entity)
        record = scope.records.get(conn, scope.name, int(row.record_id), include_deleted=True)
    except JimuError:
        return {"readable": False}
    refs = collect_references(conn, scope.records, scope.model, scope.fields, [record])
    refs.files_url = f"{scope.record_url(row.record_id)}/files"
    return {
        "readable": True,
        "record": record,
        "refs": refs,
        "layout": form_layout(scope.form_document(conn), scope.fields, viewer),
        "title": scope.title(record),
        "url": scope.record_url(row.record_id),
        "entity_label": scope.label,
        "labels": {f.name: f.label for f in scope.fields},
    }


def _page(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    instance_id: int,
    task_id: int | None,
    *,
    problem: str | None = None,
    status: int = 200,
    posted: dict[str, Any] | None = None,
    field_errors: Sequence[FieldError] = (),
) -> HTMLResponse:
    user = viewer.signed_in_user
    with platform.engine.connect() as conn:
        task_row = _task_row(conn, task_id) if task_id is not None else None
        if task_row is not None:
            instance_id = int(task_row.instance_id)
        row = _instance(conn, instance_id)
        _may_see(platform, conn, row, viewer)
        doc, _ = flow_version(conn, row.app, row.flow, row.flow_version)
        nodes = {str(n.get("id")): n for n in doc.get("nodes", [])}

        def node_label(node: str) -> str:
            return viewer.label(nodes.get(node, {}).get("label"), node)

        trace = instances.instance_trace(conn, instance_id)
        states = instance_states(conn, instance_id, trace)
        tasks = instances.all_tasks(conn, instance_id)
        names = user_names(conn, people_in(trace, tasks))
        monitor = may_monitor(platform, conn, row.app, user)
        task = None
        can_act = False
        return_choices: list[dict[str, str]] = []
        if task_row is not None:
            task = {**instances.task_view(task_row), "overdue": _overdue(task_row)}
            named = {"kind": "user", "id": user.id} in list(task_row.assignees)
            can_act = task_row.status == "open" and (named or monitor)
            if can_act:
                return_choices = [
                    {"id": n, "label": node_label(n)}
                    for n in return_targets(conn, instance_id, task_row.token, task_row.node)
                ]
        waiting = [t["node"] for t in tasks if t["status"] in ("open", "waiting")]
        initiator = row.initiator_id == user.id or monitor
        running = row.status == "running"
        if task_row is not None:  # the record as the task's node shows it
            record = record_section(platform, conn, viewer, task_row, can_act, posted, field_errors)
        else:
            record = _record_section(platform, conn, viewer, row)
        choices = actions.user_choices(conn) if (can_act or running) else []
        initiator_name = user_names(conn, {row.initiator_id}) if row.initiator_id else {}
    flow_label = viewer.label(doc.get("label"), row.flow)
    now = utcnow()
    title = f"{node_label(task['node'])} · {flow_label}" if task is not None else flow_label
    done = DONE_NOTICES.get(request.query_params.get("done", ""))
    notice = None
    if problem:
        notice = Notice("error", problem)
    elif done:
        notice = Notice("success", viewer.t(done))
    outcomes = list(nodes.get(task["node"], {}).get("outcomes") or []) if task else []
    if task is not None and not outcomes:
        outcomes = ["approve", "reject"] if task["kind"] == "approval" else ["done"]
    return render(
        request,
        viewer,
        "tasks/task.html",
        status=status,
        crumbs=[Crumb(viewer.t("tasks.title"), "/tasks"), Crumb(title)],
        notice=notice,
        title=title,
        flow_label=flow_label,
        instance=row,
        initiator_name=initiator_name.get(row.initiator_id or 0, ""),
        task=task,
        task_node=node_label(task["node"]) if task else "",
        outcomes=outcomes,
        can_act=can_act,
        return_choices=return_choices,
        open_tasks=[
            {
                **t,
                "overdue": t["status"] == "open"
                and bool(t["due_at"])
                and datetime.fromisoformat(t["due_at"]) <= now,
                "node_label": node_label(t["node"]),
                "people": [names.get(u, f"#{u}") for u in t["users"]],
            }
            for t in tasks
            if t["status"] in ("open", "waiting")
        ],
        timeline=timeline(trace, node_label, names),
        picture=layout(doc),
        states=states,
        next_nodes=[node_label(n) for n in next_nodes(doc, waiting)] if running else [],
        can_withdraw=initiator and running,
        can_urge=initiator and running and bool(waiting),
        record=record,
        users=choices,
        instance_url=f"/tasks/instances/{instance_id}",
        self_url=f"/tasks/{task_id}" if task_id is not None else f"/tasks/instances/{instance_id}",
    )


@router.get("/tasks/{task_id:int}", response_class=HTMLResponse)
def task_page(
    request: Request, task_id: TaskId, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        instance_id = int(_task_row(conn, task_id).instance_id)
    return _page(request, viewer, platform, instance_id, task_id)


@router.get("/tasks/instances/{instance_id:int}", response_class=HTMLResponse)
def instance_page(
    request: Request, instance_id: InstanceId, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    return _page(request, viewer, platform, instance_id, None)


def _text(posted: Any, name: str) -> str | None:
    return str(posted.get(name) or "").strip()[:2000] or None


def _user_id(posted: Any, name: str) -> int:
    text = str(posted.get(name) or "")
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise ValidationFailed(
            "Choose a user.", [FieldError(f"/{name}", "choose a user from the list", "required")]
        )
    return int(text)


def _mentions(posted: Any) -> list[int]:
    return [int(v) for v in posted.getlist("mentions") if str(v).isdigit()][:50]


def _files(posted: Any) -> list[actions.Upload]:
    """The files posted in ``files`` (a file input with ``multiple``; empty ones skipped), each
    read to one byte over the limit, so a larger one is refused by its size."""
    return [
        (item.filename, item.file.read(MAX_SIZE + 1), item.content_type or "")
        for item in posted.getlist("files")
        if isinstance(item, UploadFile) and item.filename
    ]


def _after(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    instance_id: int,
    task_id: int | None,
    done: str,
    act: Any,
    posted: dict[str, Any] | None = None,
) -> Response:
    """Take ``act``; back to the page with a notice, or the page with the problem and the
    status the API would answer with."""
    try:
        act()
    except JimuError as problem:
        if isinstance(problem, NotFound) and problem.message.startswith("No process"):
            raise
        text = actions.problem_text(viewer, problem)
        return _page(
            request,
            viewer,
            platform,
            instance_id,
            task_id,
            problem=text,
            status=problem.status,
            posted=posted,
            field_errors=problem.errors,
        )
    target = f"/tasks/{task_id}" if task_id is not None else f"/tasks/instances/{instance_id}"
    return RedirectResponse(f"{target}?done={done}", status_code=303)


def _instance_of_task(platform: Platform, task_id: int) -> int:
    with platform.engine.connect() as conn:
        return int(_task_row(conn, task_id).instance_id)


@router.post("/tasks/{task_id:int}/complete", response_class=HTMLResponse)
def complete(
    request: Request, task_id: TaskId, viewer: SignedIn, platform: PlatformDep, posted: PostedForm
) -> Response:
    outcome = str(posted.get("outcome") or "approve")[:63]
    user = viewer.signed_in_user
    with platform.engine.connect() as conn:
        task_row = _task_row(conn, task_id)
    changes: dict[str, Any] = {}
    version = str(posted.get("record_version") or "")

    def act() -> None:
        changes.update(posted_changes(platform, viewer, task_row, posted))
        actions.complete(
            platform,
            user,
            task_id,
            outcome,
            _text(posted, "comment"),
            _mentions(posted),
            changes,
            int(version) if version.isdigit() and len(version) < 18 else None,
            _files(posted),
        )

    return _after(
        request,
        viewer,
        platform,
        int(task_row.instance_id),
        task_id,
        "reject" if outcome == "reject" else "approve",
        act,
        changes,
    )


@router.post("/tasks/{task_id:int}/return", response_class=HTMLResponse)
def return_task(
    request: Request, task_id: TaskId, viewer: SignedIn, platform: PlatformDep, posted: PostedForm
) -> Response:
    to = str(posted.get("to") or "")[:63]
    user = viewer.signed_in_user

    def act() -> None:
        if not to:
            raise ValidationFailed(
                "Choose where to return.", [FieldError("/to", "choose a node", "required")]
            )
        actions.return_to(platform, user, task_id, to, _text(posted, "comment"))

    instance_id = _instance_of_task(platform, task_id)
    return _after(request, viewer, platform, instance_id, task_id, "return", act)


@router.post("/tasks/{task_id:int}/transfer", response_class=HTMLResponse)
def transfer(
    request: Request, task_id: TaskId, viewer: SignedIn, platform: PlatformDep, posted: PostedForm
) -> Response:
    user = viewer.signed_in_user
    instance_id = _instance_of_task(platform, task_id)
    return _after(
        request,
        viewer,
        platform,
        instance_id,
        task_id,
        "transfer",
        lambda: actions.transfer(
            platform, user, task_id, _user_id(posted, "user_id"), _text(posted, "comment")
        ),
    )


@router.post("/tasks/{task_id:int}/add-signer", response_class=HTMLResponse)
def add_signer(
    request: Request, task_id: TaskId, viewer: SignedIn, platform: PlatformDep, posted: PostedForm
) -> Response:
    user = viewer.signed_in_user
    mode = str(posted.get("mode") or "")[:16]
    instance_id = _instance_of_task(platform, task_id)
    return _after(
        request,
        viewer,
        platform,
        instance_id,
        task_id,
        "add_signer",
        lambda: actions.add_signer(
            platform, user, task_id, mode, _user_id(posted, "user_id"), _text(posted, "comment")
        ),
    )


@router.post("/tasks/instances/{instance_id:int}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    instance_id: InstanceId,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> Response:
    user = viewer.signed_in_user
    return _after(
        request,
        viewer,
        platform,
        instance_id,
        None,
        "withdraw",
        lambda: actions.withdraw(platform, user, instance_id, _text(posted, "comment")),
    )


@router.post("/tasks/instances/{instance_id:int}/urge", response_class=HTMLResponse)
def urge(
    request: Request, instance_id: InstanceId, viewer: SignedIn, platform: PlatformDep
) -> Response:
    user = viewer.signed_in_user
    return _after(
        request,
        viewer,
        platform,
        instance_id,
        None,
        "urge",
        lambda: actions.urge(platform, user, instance_id),
    )


@router.post("/tasks/instances/{instance_id:int}/comment", response_class=HTMLResponse)
def comment(
    request: Request,
    instance_id: InstanceId,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> Response:
    user = viewer.signed_in_user
    back = posted.get("task_id")
    task_id = int(str(back)) if str(back or "").isdigit() else None

    def act() -> None:
        text = _text(posted, "text")
        files = _files(posted)
        if text is None and not files:
            raise ValidationFailed(
                "Write a comment.", [FieldError("/text", "the comment is empty", "required")]
            )
        with platform.engine.connect() as conn:
            row = _instance(conn, instance_id)
            _may_see(platform, conn, row, viewer)
        actions.comment(platform, user, instance_id, text or "", _mentions(posted), files)

    return _after(request, viewer, platform, instance_id, task_id, "comment", act)


@router.get("/tasks/instances/{instance_id:int}/files/{key}")
def comment_file(
    instance_id: InstanceId, key: str, viewer: SignedIn, platform: PlatformDep
) -> Response:
    """A file a comment or decision on the instance attached, for whoever sees the page."""
    with platform.engine.connect() as conn:
        row = _instance(conn, instance_id)
        _may_see(platform, conn, row, viewer)
        return comment_file_response(conn, platform.settings.data_dir, row.app, instance_id, key)
