"""The approval actions as the pages take them: the same services and the same rights as the
API (``jimu.platform.api.processes``), each in one transaction; a refusal is raised as the
``JimuError`` the API would answer with, for the page to show readably."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jimu.builder_ui.pages.shell.viewer import Viewer
from jimu.errors import FieldError, JimuError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform.api.processes import _initiator_or_designer, _task_for, _title
from jimu.platform.db import begin_write
from jimu.platform.models import User, utcnow
from jimu.platform.process import actions, instances
from jimu.platform.process.comment_files import (
    MAX_FILES,
    claim_comment_files,
    save_comment_file,
)
from jimu.platform.process.task_fields import write_task_edits
from jimu.platform.state import Platform

#: A file posted with a comment or decision: its name, content and declared type.
Upload = tuple[str, bytes, str]


def _app_of_task(conn: sa.Connection, task_id: int) -> str:
    app = conn.execute(
        sa.select(instances.INSTANCES.c.app)
        .join(instances.TASKS, instances.TASKS.c.instance_id == instances.INSTANCES.c.id)
        .where(instances.TASKS.c.id == task_id)
    ).scalar_one_or_none()
    if app is None:
        raise NotFound(f"No process task {task_id}.")
    return str(app)


def app_of_instance(conn: sa.Connection, instance_id: int) -> str:
    app = conn.execute(
        sa.select(instances.INSTANCES.c.app).where(instances.INSTANCES.c.id == instance_id)
    ).scalar_one_or_none()
    if app is None:
        raise NotFound(f"No process instance {instance_id}.")
    return str(app)


def complete(
    platform: Platform,
    user: User,
    task_id: int,
    outcome: str,
    comment: str | None,
    mentions: list[int],
    changes: Mapping[str, Any] | None = None,
    version: int | None = None,
    files: Sequence[Upload] = (),
) -> None:
    """Approve or reject (the node's outcome) with a comment and ``files`` attached, writing
    ``changes`` to the record first (the node's field permissions decide which fields may
    change and which must have a value); mentioned users notified."""
    with begin_write(platform.engine) as conn:
        app = _app_of_task(conn, task_id)
        task = _task_for(platform, conn, app, task_id, user)
        attached = _attach(platform, conn, app, int(task.instance_id), user, files)
        edited = write_task_edits(
            platform,
            conn,
            task,
            user,
            changes or {},
            outcome=outcome,
            expected_version=version,
            prefix="",
        )
        instances.complete_task(
            conn,
            platform.apps.records(conn, app),
            task_id,
            utcnow(),
            outcome=outcome,
            values={},
            user_id=user.id,
            comment=comment,
            platform=platform,
            edited=edited,
            attachments=attached,
        )
        if comment and (mentions or "@" in comment):
            actions.notify_mentions(
                conn,
                int(task.instance_id),
                comment,
                mentions,
                user_id=user.id,
                title=_title(conn, int(task.instance_id), "@ 提及 Mentioned"),
            )


def approve_task(platform: Platform, user: User, task_id: int, comment: str | None) -> None:
    """One task of a bulk approval: only approval tasks are approved this way."""
    with platform.engine.connect() as conn:
        kind = conn.execute(
            sa.select(instances.TASKS.c.kind).where(instances.TASKS.c.id == task_id)
        ).scalar_one_or_none()
    if kind is not None and kind != "approval":
        raise ValidationFailed(
            f"Task {task_id} is not an approval.",
            [FieldError("/task_id", "only approval tasks are approved in bulk", "kind")],
        )
    complete(platform, user, task_id, "approve", comment, [])


def return_to(platform: Platform, user: User, task_id: int, to: str, comment: str | None) -> None:
    with begin_write(platform.engine) as conn:
        app = _app_of_task(conn, task_id)
        _task_for(platform, conn, app, task_id, user)
        actions.return_task(
            conn,
            platform.apps.records(conn, app),
            task_id,
            to,
            utcnow(),
            user_id=user.id,
            comment=comment,
            platform=platform,
        )


def transfer(
    platform: Platform, user: User, task_id: int, to_user: int, comment: str | None
) -> None:
    with begin_write(platform.engine) as conn:
        app = _app_of_task(conn, task_id)
        _task_for(platform, conn, app, task_id, user)
        actions.transfer_task(conn, task_id, to_user, utcnow(), user_id=user.id, comment=comment)


def add_signer(
    platform: Platform, user: User, task_id: int, mode: str, signer: int, comment: str | None
) -> None:
    with begin_write(platform.engine) as conn:
        app = _app_of_task(conn, task_id)
        _task_for(platform, conn, app, task_id, user)
        actions.add_signer(
            conn,
            platform.apps.records(conn, app),
            task_id,
            mode,
            signer,
            utcnow(),
            user_id=user.id,
            comment=comment,
            platform=platform,
        )


def withdraw(platform: Platform, user: User, instance_id: int, comment: str | None) -> None:
    with begin_write(platform.engine) as conn:
        app = app_of_instance(conn, instance_id)
        _initiator_or_designer(platform, conn, app, instance_id, user, "withdraws a request")
        actions.withdraw(
            conn,
            platform.apps.records(conn, app),
            instance_id,
            utcnow(),
            user_id=user.id,
            comment=comment,
            platform=platform,
        )


def urge(platform: Platform, user: User, instance_id: int) -> None:
    with begin_write(platform.engine) as conn:
        app = app_of_instance(conn, instance_id)
        _initiator_or_designer(platform, conn, app, instance_id, user, "urges a request")
        actions.urge(
            conn,
            instance_id,
            utcnow(),
            user_id=user.id,
            title=_title(conn, instance_id, "催办 Reminder"),
        )


def comment(
    platform: Platform,
    user: User,
    instance_id: int,
    text: str,
    mentions: list[int],
    files: Sequence[Upload] = (),
) -> None:
    with begin_write(platform.engine) as conn:
        app = app_of_instance(conn, instance_id)
        attached = _attach(platform, conn, app, instance_id, user, files)
        actions.comment(
            conn,
            instance_id,
            text,
            utcnow(),
            user_id=user.id,
            mentions=mentions,
            title=_title(conn, instance_id, "@ 提及 Mentioned"),
            attachments=attached,
        )


def _attach(
    platform: Platform,
    conn: sa.Connection,
    app: str,
    instance_id: int,
    user: User,
    files: Sequence[Upload],
) -> list[dict[str, Any]]:
    """Store the files posted with a comment or decision and claim them for it, in its
    transaction (a refused action keeps none of them: the written files are collected)."""
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            "Too many files.", [FieldError("/files", f"at most {MAX_FILES} files", "max_items")]
        )
    data_dir = platform.settings.data_dir
    values = [
        save_comment_file(conn, data_dir, app, instance_id, name, content, media_type,
                          uploaded_by=user.id)
        for name, content, media_type in files
    ]  # fmt: skip
    return claim_comment_files(conn, app, instance_id, values, user_id=user.id)


def problem_text(viewer: Viewer, problem: JimuError) -> str:
    """A refusal as the page shows it: what kind of problem (in the viewer's language), the
    message, and each field's problem with its JSON pointer."""
    kinds = {409: "tasks.problem.conflict", 429: "tasks.problem.too_often"}
    kind = kinds.get(problem.status)
    if isinstance(problem, PermissionDenied):
        kind = "tasks.problem.forbidden"
    text = problem.message
    if problem.errors:
        text += " (" + "; ".join(f"{e.pointer or '/'}: {e.message}" for e in problem.errors) + ")"
    return f"{viewer.t(kind)} {text}" if kind else text


def user_choices(conn: sa.Connection) -> list[dict[str, Any]]:
    """Active users for the pickers (transfer, add signer, mentions)."""
    users = User.__table__
    rows = conn.execute(
        sa.select(users.c.id, users.c.username, users.c.display_name)
        .where(users.c.is_active.is_(True))
        .order_by(users.c.username)
        .limit(1000)
    ).all()
    return [
        {"id": r.id, "username": r.username, "name": r.display_name or r.username} for r in rows
    ]
