"""Rule buttons on the record page and the list (docs/rules.md, "Button"): the buttons a
viewer sees, pressing one (a plain form post: the press is queued, the page comes back saying
so), and the notice telling whether the presses have run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from jimu.builder_ui.pages.auth.sign_in import safe_next
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Notice
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.rules import buttons

router = APIRouter()
#: The query parameters of a press's notice (dropped from the page gone back to).
PRESS_NOTICE = ("pressed", "skipped")


@dataclass(frozen=True)
class ShownButton:
    """A rule's button as a page shows it."""

    rule: str
    text: str
    confirm: str
    enabled: bool
    reason: str


def shown_buttons(
    conn: sa.Connection, scope: EntityScope, record_ids: Sequence[int], place: str
) -> dict[int, list[ShownButton]]:
    """The buttons of each record for ``place`` (``record`` or ``list``)."""
    viewer = scope.viewer
    found = buttons.record_buttons(
        conn, scope.platform, scope.records, scope.name, record_ids, viewer.language
    )
    return {
        record_id: [
            ShownButton(
                b.rule,
                viewer.label(b.label, b.rule),
                viewer.label(b.confirm, "") if b.confirm else "",
                b.enabled,
                b.reason or "",
            )
            for b in record_buttons
            if b.where in (place, "both")
        ]
        for record_id, record_buttons in found.items()
    }


def list_buttons(shown: dict[int, list[ShownButton]]) -> list[ShownButton]:
    """One button per rule for the list's toolbar (pressable: it acts on the selected
    records whose condition holds)."""
    seen: dict[str, ShownButton] = {}
    for record_buttons in shown.values():
        for button in record_buttons:
            seen.setdefault(button.rule, ShownButton(button.rule, button.text, button.confirm,
                                                     True, ""))  # fmt: skip
    return list(seen.values())


def press_notice(conn: sa.Connection, request: Request, viewer: Viewer, app: str) -> Notice | None:
    """After a press: whether its runs are queued, done or failed (``?pressed=1,2&skipped=n``)."""
    raw = request.query_params.get("pressed")
    skipped = request.query_params.get("skipped", "0")
    ids = [int(part) for part in (raw or "").split(",") if part.isdigit()][:200]
    if raw is None:
        return None
    parts: list[str] = []
    kind = "success"
    if ids:
        presses = buttons.press_status(conn, app, viewer.signed_in_user, ids)["presses"]
        states = [p["status"] for p in presses]
        failed = [p["error"] for p in presses if p["status"] == "failed"]
        if failed:
            kind = "error"
            parts.append(viewer.t("buttons.failed", count=len(failed), error=failed[0] or ""))
        elif "queued" in states:
            kind = "info"
            parts.append(viewer.t("buttons.queued", count=states.count("queued")))
        else:
            parts.append(viewer.t("buttons.done", count=states.count("done")))
    if skipped.isdigit() and int(skipped):
        kind = "warning" if kind == "success" and not ids else kind
        parts.append(viewer.t("buttons.skipped", count=int(skipped)))
    return Notice(kind, " ".join(parts)) if parts else None


@router.post("/apps/{app}/{entity}/press")
def press_button(
    app: str, entity: str, viewer: SignedIn, platform: PlatformDep, form: PostedForm
) -> Response:
    """Press a rule's button on the records ticked (the list) or shown (the record page)."""
    rule = str(form.get("rule") or "")
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    back = form.get("next")
    with begin_write(platform.engine) as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        scope.require("read")  # a caller who may not read the entity is refused first
        if not ids:
            raise ValidationFailed(
                viewer.t("buttons.none_selected"),
                [FieldError("/ids", viewer.t("buttons.none_selected"), "required")],
            )
        answer = buttons.press(
            conn, platform, scope.records, viewer.signed_in_user, rule, ids, viewer.language
        )
    target = safe_next(back) if isinstance(back, str) and back else scope.url
    # The list posts its own address (filter, sort, page): keep it, without an older notice.
    path, _, kept = target.partition("?")
    query = [(k, v) for k, v in parse_qsl(kept) if k not in PRESS_NOTICE]
    query += [
        ("pressed", ",".join(str(q["event_id"]) for q in answer["queued"])),
        ("skipped", str(len(answer["skipped"]))),
    ]
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)
