"""The public pool (公海) on the pages: ``.../pool`` lists the records in the pool with Claim
buttons and the viewer's claims left today; Claim, Return to pool (with a reason) and Transfer
post here from the pool, the record list (the records ticked) and the record page. Each goes
back to the page it came from, with a notice in the viewer's language: done, or why not (a
limit reached says how many and when it resets). See docs/pool.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.pages.auth.sign_in import safe_next
from jimu.builder_ui.pages.records.list_state import ListState, chosen_columns
from jimu.builder_ui.pages.records.record_form import ui_context
from jimu.builder_ui.pages.records.references import (
    UserChoice,
    collect_references,
    user_choices,
)
from jimu.builder_ui.pages.records.scope import EntityScope
from jimu.builder_ui.pages.shell.formatting import Formatter
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.pool import PoolSettings, pool_settings
from jimu.errors import JimuError, NotFound, PermissionDenied, ValidationFailed
from jimu.platform import pool
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.records import ListQuery
from jimu.platform.state import Platform

router = APIRouter()
POOL_COLUMNS = 6
#: ``?pool=`` after a pool action that was done, and the notice it shows.
DONE = {"claimed": "pool.done_claimed", "returned": "pool.done_returned",
        "transferred": "pool.done_transferred"}  # fmt: skip
#: ``?pool_error=`` after a refused one (with its numbers), and the notice it shows.
REFUSED = (
    "limit_day", "limit_held", "taken", "in_pool", "same_owner", "previous_owner",
    "may_not_claim", "reason_required", "reason_unknown", "to_user", "nothing_chosen", "forbidden",
    "other",
)  # fmt: skip


#: The query parameters of those notices (dropped from the page gone back to, then set anew).
NOTICE_PARAMS = frozenset({"pool", "pool_error", "pool_n", "pool_used", "pool_limit", "pool_resets",
                           "notice"})  # fmt: skip


@dataclass(frozen=True)
class PoolPanel:
    """What the pages show of an entity's pool to the viewer."""

    settings: PoolSettings
    url: str
    may_claim: bool
    #: (value, label in the viewer's language) of each return reason.
    reasons: list[tuple[str, str]]
    limits: pool.ClaimLimits
    users: list[UserChoice]

    @property
    def owner_field(self) -> str:
        return self.settings.owner_field

    @property
    def reason_required(self) -> bool:
        return self.settings.reason_required

    def reason_label(self, value: str | None) -> str:
        return next((label for v, label in self.reasons if v == value), value or "")


def pool_panel(conn: sa.Connection, scope: EntityScope, *, users: bool = True) -> PoolPanel | None:
    """The entity's pool as the viewer sees it (None when the entity has none)."""
    settings = pool_settings(scope.entity)
    if settings is None:
        return None
    viewer = scope.viewer
    return PoolPanel(
        settings=settings,
        url=f"{scope.url}/pool",
        may_claim=pool.may_claim(conn, scope.records, scope.name),
        reasons=[(r.value, r.text(viewer.language)) for r in settings.return_reasons],
        limits=pool.limits(conn, scope.records, scope.name, viewer.signed_in_user.id),
        users=user_choices(conn) if users else [],
    )


def pool_notice(request: Request, viewer: Viewer) -> Notice | None:
    """The notice of ``?pool=`` or ``?pool_error=`` after a pool action."""
    done = request.query_params.get("pool")
    if done in DONE:
        count = _number(request.query_params.get("pool_n"))
        return Notice("success", viewer.t(DONE[done], count=count))
    refused = request.query_params.get("pool_error")
    if refused not in REFUSED:
        return None
    numbers = {k: _number(request.query_params.get(f"pool_{k}")) for k in ("used", "limit")}
    resets = request.query_params.get("pool_resets") or ""
    try:
        when = Formatter(viewer.time_zone).datetime(datetime.fromisoformat(resets))
    except ValueError:
        when = ""
    return Notice("error", viewer.t(f"pool.error_{refused}", resets=when, **numbers))


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 10 else 0


def _refusal(error: JimuError) -> dict[str, Any]:
    """The ``pool_error`` query of a refused pool action."""
    extra = error.extra
    problem = extra.get("problem")
    if problem == "claim_limit":
        if extra.get("limit") == "claims_per_day":
            used, limit = extra["claimed_today"], extra["claims_per_day"]
            resets = extra["resets_at"].replace("Z", "+00:00")
            return {"pool_error": "limit_day", "pool_used": used, "pool_limit": limit,
                    "pool_resets": resets}  # fmt: skip
        held, most = extra["held"], extra["max_held"]
        return {"pool_error": "limit_held", "pool_used": held, "pool_limit": most}
    known = {"not_in_pool": "taken", "in_pool": "in_pool", "same_owner": "same_owner"}
    if problem in known:
        return {"pool_error": known[problem]}
    if isinstance(error, PermissionDenied) and extra.get("action") == "claim":
        return {"pool_error": "previous_owner" if "record_id" in extra else "may_not_claim"}
    if isinstance(error, PermissionDenied):
        return {"pool_error": "to_user" if _at(error, "/to_user") else "forbidden"}
    if isinstance(error, ValidationFailed) and error.errors:
        first = error.errors[0]
        if first.pointer == "/reason":
            return {
                "pool_error": "reason_required" if first.code == "required" else "reason_unknown"
            }
        if first.pointer == "/to_user":
            return {"pool_error": "to_user"}
    return {"pool_error": "other"}


def _at(error: JimuError, pointer: str) -> bool:
    return any(e.pointer == pointer for e in error.errors)


def _back(form: FormData, fallback: str, query: dict[str, Any]) -> Response:
    target = form.get("next")
    back = safe_next(target) if isinstance(target, str) and target else fallback
    path, _, kept = back.partition("?")
    params = [(k, v) for k, v in parse_qsl(kept) if k not in NOTICE_PARAMS]
    params += [(k, str(v)) for k, v in query.items()]
    return RedirectResponse(f"{path}?{urlencode(params)}", status_code=303)


def _ids(form: FormData) -> list[int]:
    found = []
    for value in form.getlist("ids"):
        if isinstance(value, str) and value.isdigit() and len(value) < 19:
            found.append(int(value))
    return found


def _text(form: FormData, key: str) -> str | None:
    value = form.get(key)
    return value.strip() or None if isinstance(value, str) else None


# -- the pool page ---------------------------------------------------------------------------


@router.get("/apps/{app}/{entity}/pool", response_class=HTMLResponse)
def pool_page(
    request: Request, app: str, entity: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    state = ListState.from_params(request.query_params)
    with platform.engine.connect() as conn:
        scope = EntityScope.open(platform, conn, viewer, app, entity)
        panel = pool_panel(conn, scope, users=False)
        if panel is None:
            raise NotFound(f"The entity {entity!r} has no public pool.")
        columns = chosen_columns(ListState(), scope.fields, scope.entity.title_field)
        columns = columns[:POOL_COLUMNS]
        query = ListQuery(
            limit=state.limit,
            cursor=state.cursor or None,
            fields=[c.name for c in columns] + ["created_at"],
        )
        page = pool.pool_page(conn, scope.records, scope.name, query)
        refs = collect_references(conn, scope.records, scope.model, columns, page.items)
    return render(
        request,
        viewer,
        "records/pool.html",
        crumbs=scope.crumbs(Crumb(viewer.t("pool.title"))),
        nav=scope.nav(),
        notice=pool_notice(request, viewer),
        scope=scope,
        panel=panel,
        state=state,
        columns=columns,
        items=page.items,
        total=page.total,
        next_cursor=page.next_cursor,
        refs=refs,
    )


# -- the actions -----------------------------------------------------------------------------

#: Carries a pool action out on the ticked records, in the write's transaction.
Action = Callable[[sa.Connection, EntityScope, list[int]], object]
#: The refusals a page shows as a notice (others are error pages: 404, 401).
SHOWN = (403, 409, 422)


def _carry_out(
    platform: Platform, viewer: Viewer, app: str, entity: str, form: FormData,
    done: str, fallback: str, act: Action,
) -> Response:  # fmt: skip
    """Run ``act`` on the ids posted, then go back to the page posted from with its notice. A
    caller who may not read the entity is refused (403) before anything else."""
    with platform.engine.connect() as conn:
        EntityScope.open(platform, conn, viewer, app, entity).require("read")
    ids = _ids(form)
    if not ids:
        return _back(form, fallback, {"pool_error": "nothing_chosen"})
    try:
        with begin_write(platform.engine) as conn:
            act(conn, EntityScope.open(platform, conn, viewer, app, entity), ids)
    except JimuError as error:
        if error.status not in SHOWN:
            raise
        return _back(form, fallback, _refusal(error))
    return _back(form, fallback, {"pool": done, "pool_n": len(set(ids))})


@router.post("/apps/{app}/{entity}/pool/claim")
def claim(
    app: str, entity: str, viewer: SignedIn, platform: PlatformDep, form: PostedForm
) -> Response:
    def act(conn: sa.Connection, scope: EntityScope, ids: list[int]) -> object:
        return pool.claim(conn, scope.records, scope.name, ids, ui_context(viewer))

    fallback = f"/apps/{app}/{entity}/pool"
    return _carry_out(platform, viewer, app, entity, form, "claimed", fallback, act)


@router.post("/apps/{app}/{entity}/pool/return")
def give_back(
    app: str, entity: str, viewer: SignedIn, platform: PlatformDep, form: PostedForm
) -> Response:
    reason, note = _text(form, "reason"), _text(form, "note")

    def act(conn: sa.Connection, scope: EntityScope, ids: list[int]) -> object:
        return pool.return_to_pool(
            conn, scope.records, scope.name, ids, ui_context(viewer), reason, note
        )

    fallback = f"/apps/{app}/{entity}"
    return _carry_out(platform, viewer, app, entity, form, "returned", fallback, act)


@router.post("/apps/{app}/{entity}/pool/transfer")
def transfer(
    app: str, entity: str, viewer: SignedIn, platform: PlatformDep, form: PostedForm
) -> Response:
    to_user, note = _number(_text(form, "to_user")), _text(form, "note")
    fallback = f"/apps/{app}/{entity}"
    if not to_user and _ids(form):
        return _back(form, fallback, {"pool_error": "to_user"})

    def act(conn: sa.Connection, scope: EntityScope, ids: list[int]) -> object:
        return pool.transfer(
            conn, scope.records, scope.name, ids, to_user, ui_context(viewer), note
        )

    return _carry_out(platform, viewer, app, entity, form, "transferred", fallback, act)
