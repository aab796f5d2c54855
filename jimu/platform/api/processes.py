"""``/api/apps/{app}/processes/...``: start a flow's instance (on a record the caller can
read), list instances (flow designers) and read one with its tasks and timeline (designers, the
initiator, anyone with a task in it), and the approval actions: complete (approve / reject
with a comment), return, transfer, add a signer (a task's people, or a flow designer),
withdraw and urge (the initiator, or a flow designer), comment with @mentions and attached
files (uploaded first: ``.../instances/{id}/files``). Flow documents themselves go through the
metadata API like every document. See docs/process.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, BeforeValidator, Field
from starlette.responses import FileResponse

from jimu.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform.access.design import design_kinds, require_design
from jimu.platform.api.params import BodyId, BodyInt32, StrictBody, id_path
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import User, utcnow
from jimu.platform.process import actions, instances, task_inbox
from jimu.platform.process.comment_files import (
    MAX_FILES,
    MAX_SIZE,
    claim_comment_files,
    comment_file,
    save_comment_file,
)
from jimu.platform.process.flows import flow_version, published_flow
from jimu.platform.process.participation import involved, return_targets
from jimu.platform.process.task_fields import task_record, write_task_edits
from jimu.platform.records.attachments import attachment_path
from jimu.platform.state import Platform

router = APIRouter(tags=["processes"])
InstanceId = Annotated[int, id_path("process instance")]
TaskId = Annotated[int, id_path("process task")]
Status = Annotated[Literal["running", "completed", "rejected", "cancelled"] | None, Query()]


class StartRequest(StrictBody):
    record_id: BodyId | None = None
    vars: dict[str, Any] = Field(default_factory=dict, description="the instance's variables")


Comment = Annotated[str | None, Field(default=None, max_length=2000)]


def _whole(value: Any) -> Any:
    """A JSON number that is a whole number (``7.0`` too, as JSON Schema's ``integer``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: A mentioned user's id in a list (a whole JSON number; ``"7"`` and ``true`` are not ids).
MentionId = Annotated[BodyId, BeforeValidator(_whole)]


class AttachedFile(StrictBody):
    """A file to attach, as its upload answered (only ``key`` counts: the stored name, size
    and type are kept whatever is sent)."""

    key: str = Field(min_length=1, max_length=48)
    name: str | None = Field(default=None, max_length=255)
    size: int | None = None
    type: str | None = Field(default=None, max_length=127)


class StoredFileValue(BaseModel):
    key: str
    name: str
    size: int
    type: str


Attachments = Annotated[
    list[AttachedFile],
    Field(
        default_factory=list,
        max_length=MAX_FILES,
        description="files uploaded to .../instances/{id}/files by the caller, attached now",
    ),
]


class CompleteRequest(StrictBody):
    outcome: str | None = Field(default=None, min_length=1, max_length=63)
    values: dict[str, Any] = Field(default_factory=dict, description="variables the task sets")
    record: dict[str, Any] = Field(
        default_factory=dict,
        description="changes to the record's fields the node makes editable, written with the "
        "decision",
    )
    record_version: BodyInt32 | None = Field(
        default=None, ge=1, description="the record's version the changes were made on"
    )
    comment: Comment = None
    mentions: list[MentionId] = Field(default_factory=list, max_length=50)
    attachments: Attachments


class ReturnRequest(StrictBody):
    to: str = Field(min_length=1, max_length=63, description="an earlier task node")
    comment: Comment = None


class TransferRequest(StrictBody):
    user_id: BodyId
    comment: Comment = None


class AddSignerRequest(StrictBody):
    mode: Literal["before", "after", "parallel"]
    user_id: BodyId
    comment: Comment = None


class WithdrawRequest(StrictBody):
    comment: Comment = None


class CommentRequest(StrictBody):
    text: str = Field(default="", max_length=2000, description="required unless files are attached")
    mentions: list[MentionId] = Field(default_factory=list, max_length=50)
    attachments: Attachments


def may_monitor(platform: Platform, conn: sa.Connection, app: str, user: User) -> bool:
    return user.is_admin or "flow" in design_kinds(platform, conn, app, user)


@router.post("/api/apps/{app}/processes/{flow}/instances", status_code=201)
def start(
    app: str, flow: str, body: StartRequest, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """Start the published flow, on ``record_id`` of the flow's entity when given."""
    with begin_write(platform.engine) as conn:
        _, doc, _ = published_flow(conn, app, flow)
        entity = doc.get("entity")
        if body.record_id is not None:
            if entity is None:
                raise NotFound(f"Flow {flow!r} does not run on records.")
            platform.apps.for_user(conn, app, user).get(conn, str(entity), body.record_id)
        elif not may_monitor(platform, conn, app, user):
            raise PermissionDenied(
                f"Only the flow designers of {app} start flows without a record."
            )
        result = instances.start_instance(
            conn,
            platform.apps.records(conn, app),
            app,
            flow,
            utcnow(),
            entity=str(entity) if body.record_id is not None else None,
            record_id=body.record_id,
            variables=body.vars,
            initiator_id=user.id,
            platform=platform,
        )
        tasks = instances.open_tasks(conn, result.instance_id)
    return {
        "id": result.instance_id,
        "status": result.status,
        "trace": result.trace,
        "tasks": tasks,
    }


@router.get("/api/apps/{app}/processes/instances")
def list_instances(
    app: str,
    user: CurrentUser,
    platform: PlatformDep,
    flow: Annotated[str | None, Query(max_length=63)] = None,
    status: Status = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "flow")
        return instances.list_instances(conn, app, flow=flow, status=status, limit=limit)


def _instance_row(conn: sa.Connection, app: str, instance_id: int) -> Any:
    row = conn.execute(
        sa.select(instances.INSTANCES).where(
            instances.INSTANCES.c.id == instance_id, instances.INSTANCES.c.app == app
        )
    ).first()
    if row is None:
        raise NotFound(f"No process instance {instance_id} in {app}.")
    return row


@router.get("/api/apps/{app}/processes/instances/{instance_id}")
def read_instance(
    app: str, instance_id: InstanceId, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """The instance, its tasks (open ones with the nodes they may return to), its timeline
    (every step: event, nodes entered, effects) and its open incidents."""
    with platform.engine.connect() as conn:
        row = _instance_row(conn, app, instance_id)
        if not (
            may_monitor(platform, conn, app, user)
            or row.initiator_id == user.id
            or involved(conn, instance_id, user.id)
        ):
            raise PermissionDenied(
                "Only flow designers, the initiator and the instance's approvers read it."
            )
        row = _require_reader(platform, conn, app, instance_id, user)
        tasks = instances.open_tasks(conn, instance_id)
        for task in tasks:
            task["return_to"] = return_targets(
                conn, instance_id, _token_of(conn, task), task["node"]
            )
        return {
            "id": row.id,
            "flow": row.flow,
            "flow_version": row.flow_version,
            "entity": row.entity,
            "record_id": row.record_id,
            "status": row.status,
            "initiator_id": row.initiator_id,
            "parent_id": row.parent_id,
            "variables": row.variables,
            "tasks": tasks,
            "all_tasks": instances.all_tasks(conn, instance_id),
            "trace": instances.instance_trace(conn, instance_id),
            "incidents": instances.open_incidents(conn, instance_id),
        }


def _require_reader(
    platform: Platform, conn: sa.Connection, app: str, instance_id: int, user: User
) -> Any:
    """The instance's row, if the caller may read it."""
    row = _instance_row(conn, app, instance_id)
    if not (
        may_monitor(platform, conn, app, user)
        or row.initiator_id == user.id
        or involved(conn, instance_id, user.id)
    ):
        raise PermissionDenied(
            "Only flow designers, the initiator and the instance's approvers read it."
        )
    return row


def _token_of(conn: sa.Connection, task: dict[str, Any]) -> str:
    return str(
        conn.execute(
            sa.select(instances.TASKS.c.token).where(instances.TASKS.c.id == task["id"])
        ).scalar_one()
    )


def _task_for(platform: Platform, conn: sa.Connection, app: str, task_id: int, user: User) -> Any:
    """The task, if the caller may act on it: one of its people, or a flow designer."""
    task = conn.execute(
        sa.select(instances.TASKS)
        .join(instances.INSTANCES, instances.INSTANCES.c.id == instances.TASKS.c.instance_id)
        .where(instances.TASKS.c.id == task_id, instances.INSTANCES.c.app == app)
    ).first()
    if task is None:
        raise NotFound(f"No process task {task_id} in {app}.")
    named = {"kind": "user", "id": user.id} in list(task.assignees)
    if not named and not may_monitor(platform, conn, app, user):
        raise PermissionDenied("Only the task's assignee or a flow designer acts on it.")
    return task


@router.get("/api/apps/{app}/processes/tasks/{task_id}")
def read_task(
    app: str, task_id: TaskId, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """The task with its record as the node's field permissions show it to the caller:
    ``fields`` (each field's permission: editable, read_only, required; hidden fields are
    left out) and ``record`` (without them; null when the instance runs on no record)."""
    with platform.engine.connect() as conn:
        task = conn.execute(
            sa.select(instances.TASKS)
            .join(instances.INSTANCES, instances.INSTANCES.c.id == instances.TASKS.c.instance_id)
            .where(instances.TASKS.c.id == task_id, instances.INSTANCES.c.app == app)
        ).first()
        if task is None:
            raise NotFound(f"No process task {task_id} in {app}.")
        named = {"kind": "user", "id": user.id} in list(task.assignees)
        if not (named or task.completed_by == user.id or may_monitor(platform, conn, app, user)):
            raise PermissionDenied("Only the task's people and flow designers read it.")
        seen = task_record(platform, conn, task, user)
        answer = instances.task_view(task)
        if seen is None:
            return {**answer, "fields": {}, "record": None}
        shown = {n: p for n, p in seen.fields.permissions.items() if p != "hidden"}
        return {**answer, "fields": shown, "record": seen.record}


def _answer(conn: sa.Connection, instance_id: int, **extra: Any) -> dict[str, Any]:
    status = conn.execute(
        sa.select(instances.INSTANCES.c.status).where(instances.INSTANCES.c.id == instance_id)
    ).scalar_one()
    return {
        "id": instance_id,
        "status": status,
        "tasks": instances.open_tasks(conn, instance_id),
        **extra,
    }


def _title(conn: sa.Connection, instance_id: int, what: str) -> str:
    """A notification's title: what happened and the flow's label (the instance's version)."""
    row = conn.execute(
        sa.select(
            instances.INSTANCES.c.flow,
            instances.INSTANCES.c.app,
            instances.INSTANCES.c.flow_version,
        ).where(instances.INSTANCES.c.id == instance_id)
    ).one()
    doc, _ = flow_version(conn, row.app, row.flow, row.flow_version)
    label = doc.get("label") or {}
    return f"{what}: {label.get('zh') or label.get('en') or row.flow}"


@router.post("/api/apps/{app}/processes/tasks/{task_id}/complete")
def complete(
    app: str, task_id: TaskId, body: CompleteRequest, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """Approve, reject (or another outcome of the node) with a comment; mentioned users are
    notified."""
    with begin_write(platform.engine) as conn:
        task = _task_for(platform, conn, app, task_id, user)
        files = claim_comment_files(
            conn,
            app,
            int(task.instance_id),
            [f.model_dump() for f in body.attachments],
            user_id=user.id,
        )
        edited = write_task_edits(
            platform,
            conn,
            task,
            user,
            body.record,
            outcome=body.outcome,
            expected_version=body.record_version,
            strict=True,
        )
        result = instances.complete_task(
            conn,
            platform.apps.records(conn, app),
            task_id,
            utcnow(),
            outcome=body.outcome,
            values=body.values,
            user_id=user.id,
            comment=body.comment,
            platform=platform,
            edited=edited,
            attachments=files,
        )
        mentioned: list[int] = []
        if body.comment and (body.mentions or "@" in body.comment):
            mentioned = actions.notify_mentions(
                conn,
                int(task.instance_id),
                body.comment,
                body.mentions,
                user_id=user.id,
                title=_title(conn, int(task.instance_id), "@ 提及 Mentioned"),
            )
        return _answer(conn, result.instance_id, trace=result.trace, mentions=mentioned)


@router.post("/api/apps/{app}/processes/tasks/{task_id}/return")
def return_task(
    app: str, task_id: TaskId, body: ReturnRequest, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """退回 to an earlier task node of the token (``return_to`` of the task)."""
    with begin_write(platform.engine) as conn:
        _task_for(platform, conn, app, task_id, user)
        result = actions.return_task(
            conn,
            platform.apps.records(conn, app),
            task_id,
            body.to,
            utcnow(),
            user_id=user.id,
            comment=body.comment,
            platform=platform,
        )
        return _answer(conn, result.instance_id, trace=result.trace)


@router.post("/api/apps/{app}/processes/tasks/{task_id}/transfer")
def transfer(
    app: str, task_id: TaskId, body: TransferRequest, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """转交 the task to another user."""
    with begin_write(platform.engine) as conn:
        task = _task_for(platform, conn, app, task_id, user)
        done = actions.transfer_task(
            conn, task_id, body.user_id, utcnow(), user_id=user.id, comment=body.comment
        )
        return _answer(conn, int(task.instance_id), transfer=done)


@router.post("/api/apps/{app}/processes/tasks/{task_id}/add-signer")
def add_signer(
    app: str, task_id: TaskId, body: AddSignerRequest, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """加签 before, after or in parallel."""
    with begin_write(platform.engine) as conn:
        task = _task_for(platform, conn, app, task_id, user)
        done = actions.add_signer(
            conn,
            platform.apps.records(conn, app),
            task_id,
            body.mode,
            body.user_id,
            utcnow(),
            user_id=user.id,
            comment=body.comment,
            platform=platform,
        )
        return _answer(conn, int(task.instance_id), signer=done)


def _initiator_or_designer(
    platform: Platform, conn: sa.Connection, app: str, instance_id: int, user: User, what: str
) -> None:
    row = _instance_row(conn, app, instance_id)
    if row.initiator_id != user.id and not may_monitor(platform, conn, app, user):
        raise PermissionDenied(f"Only the initiator or a flow designer {what}.")


@router.post("/api/apps/{app}/processes/instances/{instance_id}/withdraw")
def withdraw(
    app: str,
    instance_id: InstanceId,
    body: WithdrawRequest,
    user: CurrentUser,
    platform: PlatformDep,
) -> dict[str, Any]:
    """撤回: until someone has acted on the request."""
    with begin_write(platform.engine) as conn:
        _initiator_or_designer(platform, conn, app, instance_id, user, "withdraws a request")
        actions.withdraw(
            conn,
            platform.apps.records(conn, app),
            instance_id,
            utcnow(),
            user_id=user.id,
            comment=body.comment,
            platform=platform,
        )
        return _answer(conn, instance_id)


@router.post("/api/apps/{app}/processes/instances/{instance_id}/urge")
def urge(
    app: str, instance_id: InstanceId, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """催办: the open tasks' people get a notification (once per 10 minutes)."""
    with begin_write(platform.engine) as conn:
        _initiator_or_designer(platform, conn, app, instance_id, user, "urges a request")
        done = actions.urge(
            conn,
            instance_id,
            utcnow(),
            user_id=user.id,
            title=_title(conn, instance_id, "催办 Reminder"),
        )
        return _answer(conn, instance_id, **done)


@router.post("/api/apps/{app}/processes/instances/{instance_id}/comments", status_code=201)
def comment(
    app: str,
    instance_id: InstanceId,
    body: CommentRequest,
    user: CurrentUser,
    platform: PlatformDep,
) -> dict[str, Any]:
    """A comment on the timeline (a text, files, or both); ``mentions`` (user ids) and
    ``@username`` are notified."""
    with begin_write(platform.engine) as conn:
        _require_commenter(platform, conn, app, instance_id, user)
        if not body.text.strip() and not body.attachments:
            raise ValidationFailed(
                "Write a comment or attach a file.",
                [FieldError("/text", "is required unless files are attached", "required")],
            )
        files = claim_comment_files(
            conn,
            app,
            instance_id,
            [f.model_dump() for f in body.attachments],
            user_id=user.id,
        )
        done = actions.comment(
            conn,
            instance_id,
            body.text,
            utcnow(),
            user_id=user.id,
            mentions=body.mentions,
            title=_title(conn, instance_id, "@ 提及 Mentioned"),
            attachments=files,
        )
        return _answer(conn, instance_id, **done)


def _require_commenter(
    platform: Platform, conn: sa.Connection, app: str, instance_id: int, user: User
) -> None:
    row = _instance_row(conn, app, instance_id)
    if not (
        row.initiator_id == user.id
        or involved(conn, instance_id, user.id)
        or may_monitor(platform, conn, app, user)
    ):
        raise PermissionDenied(
            "Only the initiator, the instance's approvers and flow designers comment."
        )


def _may_upload(
    app: str, instance_id: InstanceId, user: CurrentUser, platform: PlatformDep
) -> None:
    """A dependency, so a caller who may not comment gets 403/404 before the file part is
    validated."""
    with platform.engine.connect() as conn:
        _require_commenter(platform, conn, app, instance_id, user)


@router.post(
    "/api/apps/{app}/processes/instances/{instance_id}/files",
    status_code=201,
    dependencies=[Depends(_may_upload)],
)
def upload_comment_file(
    app: str,
    instance_id: InstanceId,
    user: CurrentUser,
    platform: PlatformDep,
    file: Annotated[UploadFile, File(description="the file")],
) -> StoredFileValue:
    """Store a file for a comment or decision on the instance (whoever may comment); put the
    answer in ``attachments`` of the caller's next comment or ``complete`` to attach it. Plain
    ``def``: reading the spooled file and the database work run in the thread pool."""
    content = file.file.read(MAX_SIZE + 1)  # one byte more tells "too large"
    with begin_write(platform.engine) as conn:
        _require_commenter(platform, conn, app, instance_id, user)
        value = save_comment_file(
            conn,
            platform.settings.data_dir,
            app,
            instance_id,
            file.filename or "file",
            content,
            file.content_type or "application/octet-stream",
            uploaded_by=user.id,
        )
    return StoredFileValue.model_validate(value)


#: File types shown in the browser; everything else is downloaded (as record files).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


def comment_file_response(
    conn: sa.Connection, data_dir: Path, app: str, instance_id: int, key: str
) -> FileResponse:
    """The download of a file a comment or decision on the instance attached (404 else)."""
    stored = comment_file(conn, app, instance_id, key)
    if stored is None:
        raise NotFound("There is no such attachment.")
    return FileResponse(
        attachment_path(data_dir, key),
        media_type=stored["type"],
        filename=stored["name"],
        content_disposition_type="inline" if stored["type"] in INLINE_TYPES else "attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/api/apps/{app}/processes/instances/{instance_id}/files/{key}",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file, with its stored type",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def download_comment_file(
    app: str, instance_id: InstanceId, key: str, user: CurrentUser, platform: PlatformDep
) -> FileResponse:
    """A file a comment or decision on the instance attached, for whoever may read it."""
    with platform.engine.connect() as conn:
        _require_reader(platform, conn, app, instance_id, user)
        return comment_file_response(conn, platform.settings.data_dir, app, instance_id, key)


@router.get("/api/tasks/counts")
def task_counts(user: CurrentUser, platform: PlatformDep) -> dict[str, int]:
    """The caller's task inbox counts: open to-dos (``todo``), tasks they completed
    (``done``), instances they started (``initiated``) and those copied to them (``cc``)."""
    with platform.engine.connect() as conn:
        return task_inbox.counts(conn, user.id)
