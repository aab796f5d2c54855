"""Files attached to process comments and decisions, kept in the platform's file storage.

An upload for an instance is stored like a record's attachment (``<data dir>/attachments/<key>``,
a ``jimu_attachment`` row with its name, size and type as uploaded and who uploaded it), but
with the instance's id instead of an entity, field and record: it waits *unclaimed* until its
uploader's next comment or decision on that instance names it (``"attachments": [values]``).
From then on the step that names it holds it: the timeline lists it, whoever may read the
instance downloads it, and ``jimu files gc`` keeps it (``held_comment_files``). An upload no
comment claims is collected after the grace period, like a record form's unsaved upload.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.types.misc import DEFAULT_MAX_SIZE
from jimu.errors import Conflict, FieldError, ValidationFailed
from jimu.platform.models import ProcessStep, utcnow
from jimu.platform.records.attachments import FOLDER, write_file
from jimu.platform.records.file_owners import FILES, clean_media_type, clean_name

STEPS: sa.Table = ProcessStep.__table__  # type: ignore[assignment]
#: The largest file a comment takes (the attachment field's default limit).
MAX_SIZE = DEFAULT_MAX_SIZE
#: How many files one comment or decision attaches.
MAX_FILES = 10


def save_comment_file(
    conn: sa.Connection,
    data_dir: Path,
    app: str,
    instance_id: int,
    filename: str,
    content: bytes,
    media_type: str,
    *,
    uploaded_by: int,
) -> dict[str, Any]:
    """Store an upload for a comment on ``instance_id``; returns the value to attach
    (``{key, name, size, type}``: the name without folders or control characters, the type's
    parameters dropped). A file over :data:`MAX_SIZE` is a 422 at ``/file``."""
    name = clean_name(filename)
    media_type = clean_media_type(media_type)
    if len(content) > MAX_SIZE:
        raise ValidationFailed(
            "The file cannot be attached.",
            [FieldError("/file", f"{name!r} is larger than {MAX_SIZE} bytes", "attachment")],
        )
    key = write_file(data_dir, name, content)
    try:
        conn.execute(
            sa.insert(FILES).values(
                key=key,
                app=app,
                entity="",
                field="",
                record_id=None,
                instance_id=instance_id,
                name=name,
                size=len(content),
                media_type=media_type,
                uploaded_by=uploaded_by,
                uploaded_at=utcnow(),
            )
        )
    except BaseException:
        (Path(data_dir) / FOLDER / key).unlink(missing_ok=True)
        raise
    return {"key": key, "name": name, "size": len(content), "type": media_type}


def _value(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "size": int(row.size), "type": row.media_type}


def claim_comment_files(
    conn: sa.Connection,
    app: str,
    instance_id: int,
    items: Sequence[Mapping[str, Any]],
    *,
    user_id: int,
) -> list[dict[str, Any]]:
    """Claim the files a comment or decision attaches: each must be ``user_id``'s own
    unclaimed upload for this instance. Returns their stored values (whatever name, size and
    type were sent); anything else is a 422 at ``/attachments/<i>`` and nothing is claimed.
    Call it in the transaction that writes the comment."""
    if not items:
        return []
    if len(items) > MAX_FILES:
        raise ValidationFailed(
            "Too many files.",
            [FieldError("/attachments", f"at most {MAX_FILES} files", "max_items")],
        )
    keys = [str(item.get("key") or "") for item in items]
    rows = {
        row.key: row for row in conn.execute(sa.select(FILES).where(FILES.c.key.in_(set(keys))))
    }
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, key in enumerate(keys):
        row = rows.get(key)
        problem = None
        if row is None or row.app != app or row.instance_id != instance_id:
            problem = "is not a file uploaded for this request"
        elif row.claimed_at is not None:
            problem = "is attached already"
        elif row.uploaded_by != user_id:
            problem = "was uploaded by someone else"
        elif key in seen:
            problem = "is attached twice"
        seen.add(key)
        if problem is not None:
            errors.append(FieldError(f"/attachments/{i}", problem, "attachment"))
    if errors:
        raise ValidationFailed("The files cannot be attached.", errors)
    now = utcnow()
    for i, key in enumerate(keys):
        done = conn.execute(
            sa.update(FILES)
            .where(FILES.c.key == key, FILES.c.claimed_at.is_(None))
            .values(claimed_at=now)
        )
        if done.rowcount != 1:
            raise Conflict(
                "A file was attached by another comment at the same time.",
                [FieldError(f"/attachments/{i}", "was attached by another comment", "attachment")],
            )
    return [_value(rows[key]) for key in keys]


def comment_file(
    conn: sa.Connection, app: str, instance_id: int, key: str
) -> dict[str, Any] | None:
    """The stored value of a file a comment or decision on the instance attached (else None)."""
    row = conn.execute(
        sa.select(FILES).where(
            FILES.c.key == key,
            FILES.c.app == app,
            FILES.c.instance_id == instance_id,
            FILES.c.claimed_at.is_not(None),
        )
    ).first()
    return None if row is None else _value(row)


def _step_keys(event: Any) -> list[str]:
    files = event.get("attachments") if isinstance(event, Mapping) else None
    if not isinstance(files, list):
        return []
    return [str(f["key"]) for f in files if isinstance(f, Mapping) and f.get("key")]


def held_comment_files(conn: sa.Connection) -> set[str]:
    """The keys of the claimed comment files whose instance's timeline still holds them."""
    claimed = {
        (int(row.instance_id), row.key)
        for row in conn.execute(
            sa.select(FILES.c.key, FILES.c.instance_id).where(
                FILES.c.instance_id.is_not(None), FILES.c.claimed_at.is_not(None)
            )
        )
    }
    if not claimed:
        return set()
    wanted = sorted({instance for instance, _ in claimed})
    held: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        steps = conn.execute(
            sa.select(STEPS.c.instance_id, STEPS.c.event).where(STEPS.c.instance_id.in_(chunk))
        )
        for instance_id, event in steps:
            for key in _step_keys(event):
                if (int(instance_id), key) in claimed:
                    held.add(key)
    return held
