"""``POST /api/public/{app}/{slug}``: a public form for pages of other sites (JSON in, JSON out).

The body is a JSON object of the form's field values (each of its field type's JSON type, as
in the records API: docs/records.md), optionally with ``"capture": {parameter:
value}`` (the URL parameters the embedding page saw) and the honeypot key; parameters in the
URL of the post itself are captured too. Answers ``201 {"ok": true}`` (also for a bot caught by
the honeypot), else problem+json: 404, 413, 422 (errors point at ``/<field>``), 429 with
``Retry-After``.

CORS: no cross-origin access unless ``JIMU_PUBLIC_FORM_ORIGINS`` lists the site (or is ``*``).
No credentials are ever allowed: the route does not read cookies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from jimu.errors import JimuError
from jimu.platform.dependencies import PlatformDep
from jimu.platform.problems import problem_response
from jimu.platform.public_forms.body import PublicBody, parse_json
from jimu.platform.public_forms.definition import find_public_form
from jimu.platform.public_forms.limits import ClockDep, TooManySubmissions, check_rate, client_ip
from jimu.platform.public_forms.submission import HONEYPOT, Submission, submit
from jimu.platform.settings import Settings

router = APIRouter(include_in_schema=False)
PATH = "/api/public/{app}/{slug}"
PREFLIGHT_MAX_AGE = "600"


def allowed_origin(settings: Settings, origin: str | None) -> str | None:
    """The ``Access-Control-Allow-Origin`` to send for ``origin``, if it may post at all."""
    listed = [o.strip().rstrip("/") for o in settings.public_form_origins.split(",") if o.strip()]
    if not origin or not listed:
        return None
    if "*" in listed:
        return "*"
    return origin if origin.rstrip("/") in listed else None


def with_cors(response: Response, settings: Settings, request: Request) -> Response:
    origin = allowed_origin(settings, request.headers.get("origin"))
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        if origin != "*":
            response.headers["Vary"] = "Origin"
    return response


def submission_of(payload: Mapping[str, Any], query: Mapping[str, str]) -> Submission:
    captured = {k: v for k, v in query.items() if isinstance(v, str)}
    extra = payload.get("capture")
    if isinstance(extra, Mapping):
        captured.update({str(k): v for k, v in extra.items() if isinstance(v, str)})
    honeypot = payload.get(HONEYPOT)
    values = {k: v for k, v in payload.items() if k not in ("capture", HONEYPOT)}
    return Submission(values, captured, bool(honeypot))


@router.options(PATH)
def preflight(request: Request, app: str, slug: str, platform: PlatformDep) -> Response:
    response = Response(status_code=204)
    if allowed_origin(platform.settings, request.headers.get("origin")) is not None:
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return with_cors(response, platform.settings, request)


@router.post(PATH)
def public_form_json(
    request: Request,
    app: str,
    slug: str,
    platform: PlatformDep,
    clock: ClockDep,
    raw_body: PublicBody,
) -> Response:
    settings = platform.settings
    try:
        with platform.engine.connect() as conn:
            records = platform.apps.records(conn, app)
            form = find_public_form(conn, app, slug)
        body = raw_body.read()
        check_rate(platform.engine, settings, app, slug, client_ip(request), clock())
        payload = parse_json(body)
        submission = submission_of(payload, request.query_params)
        submit(
            platform.engine,
            records,
            form,
            submission,
            clock(),
            settings.public_form_max_chars,
            strict=True,
        )
    except JimuError as error:
        headers = {}
        extra = {}
        if isinstance(error, TooManySubmissions):
            headers["Retry-After"] = str(error.retry_after)
            extra["retry_after"] = error.retry_after
        problem = problem_response(
            error.status, error.code, error.message, error.errors, extra, headers
        )
        return with_cors(problem, settings, request)
    return with_cors(JSONResponse({"ok": True}, status_code=201), settings, request)
