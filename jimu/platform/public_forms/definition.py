"""A public form as the routes use it: the published form document with a ``public`` section.

Only **published** form documents count: a draft with a ``public`` section publishes nothing
until it is published. A form whose ``enabled`` is false, or a slug no form has, is ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.platform.metadata_store.documents import DOCS, PUBLISHED


@dataclass(frozen=True)
class PublicForm:
    app: str
    entity: str
    #: The form document's own name (``contact_us``); its store name is ``entity.name``.
    name: str
    slug: str
    enabled: bool
    #: Field names in the order the sections place them.
    fields: tuple[str, ...]
    sections: tuple[Mapping[str, Any], ...]
    defaults: Mapping[str, Any]
    #: URL query parameter → field.
    capture: Mapping[str, str]
    labels: Mapping[str, Any]
    texts: Mapping[str, Any]
    body: Mapping[str, Any]

    @property
    def document_name(self) -> str:
        return f"{self.entity}.{self.name}"

    @property
    def path(self) -> str:
        return f"/f/{self.app}/{self.slug}"

    def text(self, key: str) -> Any:
        """``title``, ``intro``, ``success_message`` or ``submit_label`` (a bilingual label)."""
        return self.texts.get(key)

    @classmethod
    def from_document(cls, app: str, body: Mapping[str, Any]) -> PublicForm:
        public = body["public"]
        sections = tuple(s for s in body.get("sections") or [] if isinstance(s, Mapping))
        fields = tuple(dict.fromkeys(str(n) for s in sections for n in s.get("fields") or []))
        return cls(
            app=app,
            entity=str(body["entity"]),
            name=str(body.get("name", "default")),
            slug=str(public["slug"]),
            enabled=bool(public.get("enabled", True)),
            fields=fields,
            sections=sections,
            defaults=dict(public.get("defaults") or {}),
            capture={str(k): str(v) for k, v in (public.get("capture") or {}).items()},
            labels=dict(public.get("labels") or {}),
            texts={k: public.get(k) for k in ("title", "intro", "success_message", "submit_label")},
            body=body,
        )


def public_forms(conn: sa.Connection, app: str) -> list[PublicForm]:
    """Every published form of ``app`` with a ``public`` section (enabled or not), by slug."""
    stmt = sa.select(DOCS.c.body).where(
        DOCS.c.app == app, DOCS.c.kind == "form", DOCS.c.status == PUBLISHED
    )
    found = [
        PublicForm.from_document(app, body)
        for body in conn.execute(stmt).scalars()
        if isinstance(body, Mapping) and isinstance(body.get("public"), Mapping)
    ]
    return sorted(found, key=lambda form: form.slug)


def find_public_form(conn: sa.Connection, app: str, slug: str) -> PublicForm:
    """The enabled public form ``slug`` of ``app``; ``NotFound`` otherwise (disabled included)."""
    for form in public_forms(conn, app):
        if form.slug == slug and form.enabled:
            return form
    raise NotFound(f"There is no public form {slug!r}.")
