"""``/api/apps/{app}/rules/...``: rules switched on and off, their test run, run log,
counters and dead letters. Rule documents themselves are saved, published and versioned
through the metadata API like every document (``/api/apps/{app}/documents/rule/{name}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BeforeValidator, Field, StrictInt

from jimu.engines.form.registry import default_registry
from jimu.engines.form.sqltypes import MAX_ID
from jimu.errors import NotFound
from jimu.metadata.rules import rule_document_errors
from jimu.metadata.validate import raise_if_errors, schema_errors
from jimu.platform import metadata_store as store
from jimu.platform.access.design import require_design, require_read
from jimu.platform.api.app_access import AppReader
from jimu.platform.api.params import BodyId, StrictBody, id_path
from jimu.platform.assign import store as assignments
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.db import begin_write
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import User
from jimu.platform.rules import buttons, designer, inbound, runs, timers
from jimu.platform.rules.tables import published_tables

router = APIRouter(tags=["rules"])
RULE = "/api/apps/{app}/rules/{name}"
RunId = Annotated[int, id_path("rule run")]
Limit = Annotated[int, Query(ge=1, le=500)]
Before = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Status = Annotated[Literal["done", "skipped", "stopped", "retry", "dead"] | None, Query()]


def rule_designer(app: str, user: CurrentUser, platform: PlatformDep) -> User:
    """The caller, if they may design the app's rules: a dependency, so a caller without the
    right is refused (403) before their body is read (not told 422 about its shape)."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "rule")
    return user


RuleDesigner = Annotated[User, Depends(rule_designer)]


class TestRunRequest(StrictBody):
    record_id: BodyId
    #: Values before an update, as ``$old`` (the fields that changed).
    old: dict[str, Any] | None = None
    #: A rule document to try instead of the stored one (the designer's unsaved state).
    rule: dict[str, Any] | None = None
    lang: Literal["en", "zh"] = "en"


class ExplainRequest(StrictBody):
    condition: Any = Field(description="The JsonLogic condition.")
    lang: Literal["en", "zh"] = "en"


class PreviewRequest(StrictBody):
    entity: str = Field(min_length=1, max_length=64)
    record_id: BodyId
    template: str = Field(max_length=20000, description="a message template ({{ field }})")


def _whole_id(value: Any) -> Any:
    """``7.0`` is the id 7, as JSON Schema reads it; ``true`` and ``"7"`` are no ids."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: A record id in a list of a JSON body (strict like BodyId, whole floats read as JSON does).
ListedId = Annotated[StrictInt, Field(ge=1, le=MAX_ID), BeforeValidator(_whole_id)]


class PressRequest(StrictBody):
    record_ids: list[ListedId] = Field(min_length=1, max_length=buttons.MAX_PRESSED)
    #: The language of the reasons given for records the button does not act on.
    lang: Literal["en", "zh"] = "en"


EventIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_ID)]], Query(min_length=1, max_length=200)
]
RecordIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_ID)]], Query(min_length=1, max_length=200)
]


class EnabledRequest(StrictBody):
    enabled: bool = Field(description="false switches the published rule off")


@router.get("/api/apps/{app}/rules")
def list_rules(app: str, user: CurrentUser, platform: PlatformDep) -> list[dict[str, Any]]:
    """Every rule of the app: its newest version, whether published and on, its counters and
    its timers (how many wait, the next one's time; time triggers only)."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        counted = runs.counters(conn, app)
        timed = timers.waiting(conn, app)
        out = []
        for doc in store.list_documents(conn, app, "rule"):
            published = store.published(conn, app, "rule", doc.name)
            out.append(
                {
                    "name": doc.name,
                    "label": doc.body.get("label"),
                    "entity": doc.body.get("entity"),
                    "trigger": doc.body.get("trigger"),
                    "version": doc.version,
                    "status": doc.status,
                    "published_version": published.version if published else None,
                    "enabled": runs.enabled(conn, app, doc.name),
                    "counters": counted.get(doc.name, {"runs": {}, "last_run_at": None}),
                    "timers": timed.get(doc.name, {"waiting": 0, "next_due_at": None}),
                }
            )
        return out


@router.get("/api/apps/{app}/rules/vocabulary")
def rule_vocabulary(app: str, user: RuleDesigner, platform: PlatformDep) -> dict[str, Any]:
    """What the rule designer offers: triggers with their settings, every registered action
    type with its label, JSON Schema and editors, and the app's entities, roles, users and
    departments for the pickers."""
    with platform.engine.connect() as conn:
        return designer.vocabulary(platform, conn, app)


@router.post("/api/apps/{app}/rules/explain/{entity}")
def explain_rule_condition(
    app: str, entity: str, body: ExplainRequest, user: RuleDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """A rule's condition in words and its problems (``$old.<field>``, ``$now``, ``$today``
    known), JSON pointers into the condition."""
    with platform.engine.connect() as conn:
        model = platform.apps.records(conn, app).model
    text, errors = designer.explain_condition(model, entity, body.condition, body.lang)
    return {
        "text": text,
        "errors": [{"pointer": e.pointer, "message": e.message, "code": e.code} for e in errors],
    }


@router.post("/api/apps/{app}/rules/preview-template")
def preview_template(
    app: str, body: PreviewRequest, user: RuleDesigner, platform: PlatformDep
) -> dict[str, str]:
    """A message template rendered on a record (what a rule's message would say)."""
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, app)
        text = designer.preview_template(conn, records, body.entity, body.record_id, body.template)
    return {"text": text}


class CronRequest(StrictBody):
    cron: str = Field(min_length=1, max_length=200, description="a crontab line or @daily …")


@router.post("/api/apps/{app}/rules/cron-preview")
def cron_preview(
    app: str, body: CronRequest, user: RuleDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """The next three times of a schedule trigger's ``cron`` in the app's time zone."""
    from jimu.platform.models import utcnow

    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, app)
    return designer.cron_preview(records, body.cron, platform.settings.time_zone, utcnow())


@router.put(RULE + "/enabled")
def set_enabled(
    app: str, name: str, body: EnabledRequest, user: RuleDesigner, platform: PlatformDep
) -> dict[str, Any]:
    with begin_write(platform.engine) as conn:
        runs.set_enabled(conn, app, name, body.enabled, user.id)
    return {"name": name, "enabled": body.enabled}


@router.post(RULE + "/test-run")
def test_run(
    app: str, name: str, body: TestRunRequest, user: RuleDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """What the rule (its newest draft, else the published version, or ``rule``) would do on
    a record: nothing is written."""
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, app)
        document = body.rule
        if document is None:
            document = store.get(conn, app, "rule", name).body
        registry = default_registry()
        errors = schema_errors(document, registry)
        if not errors:
            tables = published_tables(conn, app)
            errors = rule_document_errors(document, records.model, registry, tables)
        raise_if_errors(errors, f"The rule {name!r} is not valid.")
        return runs.test_run(conn, records, document, body.record_id, body.old, body.lang)


@router.get(RULE + "/runs")
def rule_runs(
    app: str,
    name: str,
    user: CurrentUser,
    platform: PlatformDep,
    status: Status = None,
    before: Before = None,
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """The rule's run log, newest first (``before``: a run id, to page back)."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        return runs.list_runs(conn, app, rule=name, status=status, before=before, limit=limit)


@router.get("/api/apps/{app}/records/{entity}/{record_id}/rule-runs")
def record_rule_runs(
    app: str,
    entity: str,
    record_id: Annotated[int, id_path("record")],
    user: CurrentUser,
    platform: PlatformDep,
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """The runs of every rule on one record (its timeline), newest first."""
    with platform.engine.connect() as conn:
        platform.apps.for_user(conn, app, user).get(conn, entity, record_id)
        return runs.list_runs(conn, app, entity=entity, record_id=record_id, limit=limit)


@router.get("/api/apps/{app}/records/{entity}/{record_id}/assignments")
def record_assignments(
    app: str,
    entity: str,
    record_id: Annotated[int, id_path("record")],
    user: CurrentUser,
    platform: PlatformDep,
    limit: Limit = 50,
) -> list[dict[str, Any]]:
    """The owner assignments rules made on one record, newest first, each with its
    explanation ("why this rep") in English and Chinese and its details."""
    with platform.engine.connect() as conn:
        platform.apps.for_user(conn, app, user).get(conn, entity, record_id)
        return assignments.record_assignments(conn, app, entity, record_id, limit)


@router.get("/api/apps/{app}/rule-runs/dead")
def dead_letters(
    app: str, user: CurrentUser, platform: PlatformDep, before: Before = None, limit: Limit = 50
) -> list[dict[str, Any]]:
    """Runs that failed every attempt, newest first."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "rule")
        return runs.list_runs(conn, app, status="dead", before=before, limit=limit)


@router.post("/api/apps/{app}/rule-runs/{run_id}/replay")
def replay(app: str, run_id: RunId, user: CurrentUser, platform: PlatformDep) -> dict[str, Any]:
    """Attempt a dead run again (at once, with a fresh count of attempts)."""
    with begin_write(platform.engine) as conn:
        require_design(platform, conn, app, user, "rule")
        return runs.replay(conn, app, run_id)


@router.post(RULE + "/press")
def press_button(
    app: str, name: str, body: PressRequest, user: AppReader, platform: PlatformDep
) -> dict[str, Any]:
    """Press a button rule's button on records the caller may update: one queued event per
    record whose condition holds (the run acts for the caller), the others skipped with the
    reason. ``GET /api/apps/{app}/presses?ids=`` tells when they have run."""
    with begin_write(platform.engine) as conn:
        guarded = platform.apps.for_user(conn, app, user)
        return buttons.press(conn, platform, guarded, user, name, body.record_ids, body.lang)


@router.get("/api/apps/{app}/presses")
def press_status(app: str, ids: EventIds, user: AppReader, platform: PlatformDep) -> dict[str, Any]:
    """Whether the caller's presses (their event ids) are queued, done, skipped or failed."""
    with platform.engine.connect() as conn:
        platform.apps.for_user(conn, app, user)  # the app exists; the presses are the caller's
        return buttons.press_status(conn, app, user, ids)


@router.get("/api/apps/{app}/buttons/{entity}")
def record_buttons(
    app: str,
    entity: str,
    ids: RecordIds,
    user: AppReader,
    platform: PlatformDep,
    lang: Literal["en", "zh"] = "en",
) -> dict[str, list[dict[str, Any]]]:
    """The rule buttons on each of the records (the ones the caller may update): each with
    whether it may be pressed now, and why not."""
    with platform.engine.connect() as conn:
        guarded = platform.apps.for_user(conn, app, user)
        guarded.access(entity).require("read", entity)
        shown = buttons.record_buttons(conn, platform, guarded, entity, ids, lang)
        return {str(k): [b.as_dict() for b in v] for k, v in shown.items()}


def _hook_url(request: Request, app: str, name: str) -> str:
    return str(request.base_url).rstrip("/") + f"/api/hooks/{app}/{name}"


def _curl(url: str, secret: str) -> str:
    """A shell example that signs a request as the hook expects (for the admin to copy)."""
    return (
        'BODY=\'{"email":"ann@example.com","utm_source":"google"}\'\n'
        "TS=$(date +%s)\n"
        f"SIG=$(printf '%s.%s' \"$TS\" \"$BODY\" | openssl dgst -sha256 -hmac '{secret}' "
        "| sed 's/^.* //')\n"
        f"curl -X POST '{url}' -H 'Content-Type: application/json' \\\n"
        '  -H "X-Jimu-Timestamp: $TS" -H "X-Jimu-Signature: sha256=$SIG" \\\n'
        '  --data-binary "$BODY"'
    )


@router.get(RULE + "/webhook")
def webhook_settings(
    app: str, name: str, request: Request, user: RuleDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """A webhook rule's URL and whether it has a secret (the secret itself is never shown
    again after it was made)."""
    with platform.engine.connect() as conn:
        if inbound.webhook_rule(conn, app, name) is None:
            raise NotFound(f"There is no published webhook rule {name!r}.")
        made = inbound.secret_state(conn, app, name)
    return {
        "url": _hook_url(request, app, name),
        "has_secret": made is not None,
        "secret_created_at": made,
        "window_seconds": inbound.WINDOW_SECONDS,
        "max_body_bytes": inbound.MAX_BODY_BYTES,
    }


@router.post(RULE + "/webhook/secret")
def rotate_webhook_secret(
    app: str, name: str, request: Request, user: RuleDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """Make the rule's secret (its first, or a new one: the old one stops working at once);
    the answer is the only time it is shown, with the URL and a curl example."""
    with begin_write(platform.engine) as conn:
        secret = inbound.rotate(platform, conn, app, name, user.id)
    url = _hook_url(request, app, name)
    return {"url": url, "secret": secret, "curl": _curl(url, secret)}
