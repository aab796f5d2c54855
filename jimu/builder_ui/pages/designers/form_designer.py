"""``/design/apps/{app}/entities/{entity}/forms/{form}``: the form designer, and its preview.

The designer edits one form layout of an entity (``<entity>.<form>``): its sections (titles,
columns, tabs) and where each field sits. The preview is this module's POST route: the draft
layout rendered by the same templates as the record form (or the public form), in the language
asked for, shown by the designer in a sandboxed frame. Holders of the ``forms`` design right
(and administrators) open both; the metadata API checks every save and publish again.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from jimu.builder_ui.i18n import LANGUAGES
from jimu.builder_ui.pages.designers.entity_designer import entity_document
from jimu.builder_ui.pages.designers.layouts import DEFAULT_FORM, entity_layouts
from jimu.builder_ui.pages.designers.rights import require_designer
from jimu.builder_ui.pages.designers.shell import designer_page, editable_document
from jimu.builder_ui.pages.records.form_errors import FormErrors
from jimu.builder_ui.pages.records.layout import arrange, form_sections, layout_section
from jimu.builder_ui.pages.records.references import collect_references
from jimu.builder_ui.pages.records.scope import EntityScope, load_app
from jimu.builder_ui.pages.shell.forms import PostedForm
from jimu.builder_ui.pages.shell.rendering import Crumb, render
from jimu.builder_ui.pages.shell.viewer import SignedIn, Viewer
from jimu.engines.form.model import Entity
from jimu.engines.form.registry import default_registry
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.schemas import NAME_PATTERN
from jimu.platform.dependencies import PlatformDep
from jimu.platform.state import Platform

router = APIRouter()
PAGE = "/design/apps/{app}/entities/{entity}/forms/{form}"


def new_default_layout(entity: str, fields: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The default layout of an entity that has none: one section with every field."""
    section = {
        "title": {"en": "General", "zh": "基本信息"},
        "columns": 2,
        "fields": [str(f["name"]) for f in fields],
    }
    return {"kind": "form", "entity": entity, "name": DEFAULT_FORM, "sections": [section]}


def form_document(
    conn: sa.Connection, app: str, entity: str, form: str, fields: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The layout's newest version (draft, else published), or a new default layout."""

    def blank() -> dict[str, Any]:
        if form != DEFAULT_FORM:
            raise NotFound(f"There is no form {form!r} of {entity!r}.")
        return new_default_layout(entity, fields)

    return editable_document(conn, app, "form", f"{entity}.{form}", blank)


def designer_fields(entity_doc: Mapping[str, Any], viewer: Viewer) -> list[dict[str, Any]]:
    """The entity's fields as the designer lists them: name, label, type and its label."""
    types = {t.name: t for t in default_registry()}
    fields = []
    for f in entity_doc.get("fields") or []:
        ftype = types.get(str(f.get("type")))
        fields.append(
            {
                "name": f["name"],
                "label": viewer.label(f.get("label"), str(f["name"])),
                "type": f.get("type"),
                "type_label": viewer.label(ftype.label if ftype else None, str(f.get("type"))),
            }
        )
    return fields


@router.get(PAGE, response_class=HTMLResponse)
def form_designer(
    request: Request, app: str, entity: str, form: str, viewer: SignedIn, platform: PlatformDep
) -> HTMLResponse:
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "form")
        if not (re.fullmatch(NAME_PATTERN, entity) and re.fullmatch(NAME_PATTERN, form)):
            raise NotFound(f"There is no form {form!r} of {entity!r}.")
        entity_doc = entity_document(conn, app, entity)
        if entity_doc["status"] == "new":
            raise NotFound(f"There is no entity {entity!r}.")
        fields = designer_fields(entity_doc["document"], viewer)
        data = {
            **form_document(conn, app, entity, form, fields),
            "app": app,
            "entity": entity,
            "form": form,
            "fields": fields,
            "layouts": [
                {k: v for k, v in f.items() if k != "document"}
                for f in entity_layouts(conn, app, entity, viewer)
            ],
            "api": f"/api/apps/{app}",
            "preview_url": f"/design/apps/{app}/entities/{entity}/forms/{form}/preview",
            "entity_url": f"/design/apps/{app}/entities/{entity}",
            "forms_url": f"/design/apps/{app}/entities/{entity}/forms",
        }
        data["app_url"] = app_url(data, app, entity, form)
    title = viewer.t("designer.form.title")
    label = viewer.label(entity_doc["document"].get("label"), entity)
    crumbs = [
        Crumb(app, f"/design/apps/{app}"),
        Crumb(label, data["entity_url"]),
        Crumb(viewer.t("designer.form.crumb", form=form)),
    ]
    return designer_page(
        request, viewer, "form", title=f"{label} · {form} · {title}", crumbs=crumbs, data=data
    )


def app_url(data: Mapping[str, Any], app: str, entity: str, form: str) -> str | None:
    """Where users get this layout in the app (its new-record form), once it is published;
    None for a public form (an anonymous link, see the Forms area) or one never published."""
    document = data["document"]
    if data.get("published_version") is None or isinstance(document.get("public"), Mapping):
        return None
    query = "" if form == DEFAULT_FORM else f"?form={form}"
    return f"/apps/{app}/{entity}/new{query}"


def posted_layout(form: PostedForm) -> dict[str, Any]:
    """The draft layout the designer posted (as JSON in ``layout``)."""
    text = form.get("layout")
    try:
        layout = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        layout = None
    if not isinstance(layout, dict) or not isinstance(layout.get("sections", []), list):
        message = "must be a form layout as JSON"
        raise ValidationFailed(
            f"The layout to preview is not valid: /layout {message}.",
            [FieldError("/layout", message)],
        )
    return layout


def preview_viewer(viewer: Viewer, form: PostedForm) -> Viewer:
    """The viewer in the language the preview asks for (the page's own choice stays as it is)."""
    lang = form.get("lang")
    return dataclasses.replace(viewer, language=lang) if lang in LANGUAGES else viewer


@router.post(PAGE + "/preview", response_class=HTMLResponse)
def form_preview(
    request: Request,
    app: str,
    entity: str,
    form: str,
    viewer: SignedIn,
    platform: PlatformDep,
    posted: PostedForm,
) -> HTMLResponse:
    """The draft layout as the end user will see it, with the entity as drafted (a field added
    in the entity designer and not yet published shows): the record form of a new record, or
    the public form when the layout has a ``public`` section."""
    with platform.engine.connect() as conn:
        require_designer(platform, conn, app, viewer.signed_in_user, "form")
        layout = posted_layout(posted)  # the right first, then the request
        viewer = preview_viewer(viewer, posted)
        scope = draft_scope(platform, conn, viewer, app, entity)
        public = layout.get("public") if isinstance(layout.get("public"), Mapping) else None
        if public is None:
            # the default layout adds the fields it does not place; another shows only its own
            sections = form_sections(layout, scope.fields, viewer, form == DEFAULT_FORM)
            title = viewer.t("form.new_title", entity=scope.label)
        else:
            sections = public_sections(layout, public, scope, viewer)
            title = viewer.label(public.get("title"), scope.label)
        refs = collect_references(
            conn, scope.records, scope.model, scope.fields, [{}], with_user_choices=True
        )
    response = render(
        request,
        viewer,
        "designers/form_preview.html",
        title=title,
        public=public is not None,
        layout=arrange(sections),
        values={},
        errors=FormErrors(),
        refs=refs,
        submit_label=viewer.label((public or {}).get("submit_label"), viewer.t("form.save")),
        uses_richtext=any(f.widget == "richtext" for f in scope.fields),
    )
    # Only the designer's own page may frame the preview (the rest of the policy is the usual).
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


def draft_scope(
    platform: Platform, conn: sa.Connection, viewer: Viewer, app: str, entity: str
) -> EntityScope:
    """The entity's page scope with its newest version (draft, else published) in the published
    app: the preview shows the fields of the draft. NotFound when the app is not published or
    the entity was never saved."""
    model, records = load_app(platform, conn, app, viewer)
    found = entity_document(conn, app, entity)
    if found["status"] == "new":
        raise NotFound(f"There is no entity {entity!r}.")
    draft = Entity(found["document"])
    model = dataclasses.replace(model, entities={**model.entities, entity: draft})
    return EntityScope(platform, viewer, model, records, draft)


def public_sections(
    layout: Mapping[str, Any], public: Mapping[str, Any], scope: EntityScope, viewer: Viewer
) -> list[Any]:
    """The sections of a public form: only the fields it places, with its own labels."""
    labels = public.get("labels") if isinstance(public.get("labels"), Mapping) else {}
    views = {}
    for f in scope.fields:
        own = labels.get(f.name) if labels else None
        views[f.name] = dataclasses.replace(f, label=viewer.label(own, f.label)) if own else f
    found = []
    for raw in layout.get("sections") or []:
        if not isinstance(raw, Mapping):
            continue
        members = [views[n] for n in raw.get("fields") or [] if n in views]
        if members:
            found.append(layout_section(raw, members, viewer, default_columns=1))
    return found
