"""Public forms as pages: ``/f/{app}/{slug}`` for anyone, and the admin page that lists them.

The anonymous routes never look at a session: a signed-in visitor submits like anyone else
(no actor, source ``public``), and there is no CSRF token because nothing but "create one new
record from these fields" can happen (docs/public-forms.md).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from jimu.builder_ui.i18n import DEFAULT_LANGUAGE
from jimu.builder_ui.pages.records.fields import FieldView, field_view
from jimu.builder_ui.pages.records.form_errors import FormErrors, place_errors
from jimu.builder_ui.pages.records.form_input import record_values
from jimu.builder_ui.pages.records.layout import Section, arrange, layout_section
from jimu.builder_ui.pages.records.scope import app_label, app_nav
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, Notice, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer, viewer_for
from jimu.errors import FieldError, JimuError, PermissionDenied, ValidationFailed
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep, get_settings
from jimu.platform.public_forms import admin
from jimu.platform.public_forms.body import PublicBody, parse_form
from jimu.platform.public_forms.definition import PublicForm, find_public_form
from jimu.platform.public_forms.limits import (
    ClockDep,
    TooLarge,
    TooManySubmissions,
    check_rate,
    client_ip,
)
from jimu.platform.public_forms.submission import (
    CAPTURE_PREFIX,
    HONEYPOT,
    Submission,
    submit,
)
from jimu.platform.records import Records
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

router = APIRouter()


def _open(platform: Platform, app: str, slug: str) -> tuple[Records, PublicForm]:
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, app)
        return records, find_public_form(conn, app, slug)


def form_fields(form: PublicForm, records: Records, viewer: Viewer) -> dict[str, FieldView]:
    """The form's fields as the widgets want them, with the form's own labels."""
    entity = records.model.entity(form.entity)
    views = {}
    for name in form.fields:
        f = entity.field(name)
        if f is None:
            continue
        view = field_view(f, viewer, records.model)
        if name in form.labels:
            view = dataclasses.replace(view, label=viewer.label(form.labels[name], view.label))
        views[name] = view
    return views


def sections(form: PublicForm, views: Mapping[str, FieldView], viewer: Viewer) -> list[Section]:
    found = []
    for raw in form.sections:
        members = tuple(views[n] for n in raw.get("fields") or [] if n in views)
        if members:
            found.append(layout_section(raw, members, viewer, default_columns=1))
    return found


def captured_from(form: PublicForm, *sources: Mapping[str, Any]) -> dict[str, str]:
    """The captured parameters, from the URL's query or the page's ``capture.*`` inputs."""
    found: dict[str, str] = {}
    for source in sources:
        for param in form.capture:
            value = source.get(param)
            if value is None:
                value = source.get(CAPTURE_PREFIX + param)
            if isinstance(value, str) and value.strip():
                found[param] = value
    return found


def render_public(
    request: Request,
    records: Records,
    form: PublicForm,
    *,
    values: Mapping[str, Any] | None = None,
    captured: Mapping[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    viewer = viewer_for(request, None)
    views = form_fields(form, records, viewer)
    errors = errors or FormErrors()
    notice = Notice("error", viewer.t("public_form.errors")) if errors else None
    response = render(
        request,
        viewer,
        "public/form.html",
        status=status,
        notice=notice,
        form=form,
        title=viewer.label(form.text("title"), form.slug),
        intro=viewer.label(form.text("intro"), ""),
        submit_label=viewer.label(form.text("submit_label"), viewer.t("public_form.submit")),
        layout=arrange(sections(form, views, viewer)),
        values=dict(values or {}),
        captured=dict(captured or {}),
        errors=errors,
        honeypot=HONEYPOT,
        capture_prefix=CAPTURE_PREFIX,
        action=form.path,
    )
    frame_policy(response, get_settings(request))
    return response


def frame_policy(response: Response, settings: Settings) -> None:
    """Only Jimu's own pages and ``JIMU_PUBLIC_FORM_ORIGINS`` may show the form in a frame
    (the rest of the page's policy is added by jimu/platform/security/headers.py)."""
    origins = [o.strip().rstrip("/") for o in settings.public_form_origins.split(",") if o.strip()]
    ancestors = ["*"] if "*" in origins else ["'self'", *origins]
    response.headers["Content-Security-Policy"] = "frame-ancestors " + " ".join(ancestors)


def message_page(request: Request, heading: str, text: str, status: int) -> HTMLResponse:
    viewer = viewer_for(request, None)
    page = render(request, viewer, "public/message.html", status=status, heading=heading, text=text)
    frame_policy(page, get_settings(request))
    return page


@router.get("/f/{app}/{slug}", response_class=HTMLResponse)
def public_form_page(request: Request, app: str, slug: str, platform: PlatformDep) -> Response:
    records, form = _open(platform, app, slug)
    captured = captured_from(form, request.query_params)
    return render_public(request, records, form, captured=captured)


@router.post("/f/{app}/{slug}")
def public_form_post(
    request: Request,
    app: str,
    slug: str,
    platform: PlatformDep,
    clock: ClockDep,
    raw_body: PublicBody,
) -> Response:
    records, form = _open(platform, app, slug)
    settings = platform.settings
    viewer = viewer_for(request, None)
    try:
        body = raw_body.read()
        check_rate(platform.engine, settings, app, slug, client_ip(request), clock())
        posted = parse_form(request, body)
    except TooLarge as error:
        text = viewer.t("public_form.too_large", size=settings.public_form_max_bytes // 1024)
        return message_page(request, viewer.t("public_form.too_large_title"), text, error.status)
    except TooManySubmissions as error:
        text = viewer.t("public_form.rate_limited", seconds=error.retry_after)
        page = message_page(request, viewer.t("public_form.rate_limited_title"), text, 429)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    views = form_fields(form, records, viewer)
    values = record_values(posted, list(views.values()), UTC)
    captured = captured_from(form, request.query_params, posted)
    trap = posted.get(HONEYPOT)
    submission = Submission(values, captured, isinstance(trap, str) and bool(trap.strip()))
    try:
        submit(platform.engine, records, form, submission, clock(), settings.public_form_max_chars)
    except ValidationFailed as error:
        problems = [localized(e, viewer) for e in error.errors]
        errors = place_errors(problems, list(views.values()), error.message, viewer)
        return render_public(
            request, records, form, values=values, captured=captured, errors=errors, status=422
        )
    return RedirectResponse(f"{form.path}/thanks", status_code=303)


#: Codes of the public form's own problems, said in the visitor's language.
OWN_CODES = frozenset({"form_setup", "refused"})
#: The record service's messages a visitor is most likely to meet, said in their language
#: (``public_form.error.<key>``; ``{n}`` is the number in the message). Others stay as they are.
SERVICE_MESSAGES = (
    (re.compile(r"must be an email address like .*"), "email"),
    (re.compile(r"is not a valid Chinese phone number|must be a phone number like .*"), "phone"),
    (re.compile(r"must be a web address like .*"), "url"),
    (re.compile(r"must be a whole number"), "integer"),
    (re.compile(r"must be a number"), "number"),
    (re.compile(r"must be a date like .*"), "date"),
    (re.compile(r"must be at most (\d+) characters long"), "max_length"),
    (re.compile(r"must be at least (\d+) characters long"), "min_length"),
    (re.compile(r"must be one of: .*"), "option"),
    (re.compile(r"must be a single line"), "single_line"),
)


def localized(error: FieldError, viewer: Viewer) -> FieldError:
    if error.code in OWN_CODES:
        return FieldError(error.pointer, viewer.t(f"public_form.{error.code}"), error.code)
    if viewer.language == DEFAULT_LANGUAGE:
        return error
    for pattern, key in SERVICE_MESSAGES:
        found = pattern.fullmatch(error.message)
        if found:
            n = found.group(1) if found.groups() else ""
            return FieldError(error.pointer, viewer.t(f"public_form.error.{key}", n=n), error.code)
    return error


@router.get("/f/{app}/{slug}/thanks", response_class=HTMLResponse)
def public_form_thanks(request: Request, app: str, slug: str, platform: PlatformDep) -> Response:
    _, form = _open(platform, app, slug)
    viewer = viewer_for(request, None)
    heading = viewer.label(form.text("title"), form.slug)
    text = viewer.label(form.text("success_message"), viewer.t("public_form.thanks"))
    return message_page(request, heading, text, 200)


# -- the admin page ---------------------------------------------------------------------------


def _require_admin(viewer: Viewer) -> None:
    if not viewer.signed_in_user.is_admin:
        raise PermissionDenied("Only administrators may do this.")


def _admin_page(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    app: str,
    now: Any,
    notice: Notice | None = None,
    status: int = 200,
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        model = platform.apps.records(conn, app).model
        found = admin.summaries(conn, app, platform.settings.public_url(str(request.base_url)), now)
    label = app_label(model, viewer)
    title = viewer.t("public_form.admin_title")
    rows = [
        {
            "summary": s,
            "title": viewer.label(s.form.text("title"), s.form.slug),
            "entity": viewer.label(model.entities[s.form.entity].label, s.form.entity)
            if s.form.entity in model.entities
            else s.form.entity,
        }
        for s in found
    ]
    return render(
        request,
        viewer,
        "public/admin.html",
        status=status,
        crumbs=[Crumb(label, f"/apps/{app}"), Crumb(title)],
        nav=app_nav(model, viewer),
        notice=notice,
        title=title,
        app=app,
        rows=rows,
        recent_days=admin.RECENT_DAYS,
    )


@router.get("/admin/apps/{app}/public-forms", response_class=HTMLResponse)
def public_forms_admin(
    request: Request, app: str, viewer: SignedIn, platform: PlatformDep, clock: ClockDep
) -> HTMLResponse:
    _require_admin(viewer)
    return _admin_page(request, viewer, platform, app, clock())


@router.post("/admin/apps/{app}/public-forms/{document}/toggle", response_class=HTMLResponse)
def public_form_toggle(
    request: Request,
    app: str,
    document: str,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
    clock: ClockDep,
) -> Response:
    """Publish the form with ``enabled`` = the posted ``enabled`` (``true``/``false``)."""
    _require_admin(viewer)
    enabled = _posted_flag(posted)
    try:
        with begin_write(platform.engine) as conn:
            admin.set_enabled(conn, app, document, enabled, viewer.signed_in_user.id)
    except JimuError as error:
        notice = Notice("error", _problem_text(error))
        return _admin_page(request, viewer, platform, app, clock(), notice, error.status)
    key = "public_form.enabled_notice" if enabled else "public_form.disabled_notice"
    notice = Notice("success", viewer.t(key, form=document))
    return _admin_page(request, viewer, platform, app, clock(), notice)


def _posted_flag(posted: FormData) -> bool:
    value = posted.get("enabled")
    if value not in ("true", "false"):
        message = "must be true or false"
        raise ValidationFailed("Say whether to switch on.", [FieldError("/enabled", message)])
    return value == "true"


def _problem_text(error: JimuError) -> str:
    details = "; ".join(f"{e.pointer}: {e.message}" for e in error.errors)
    return f"{error.message} {details}".strip()
