"""What the admin page shows and does: each public form's link and counts, and the switch.

Switching a form on or off is an ordinary edit of its form document: a draft with
``public.enabled`` flipped, published at once (so it is versioned and can be rolled back).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from jimu.errors import Conflict, NotFound
from jimu.platform import metadata_store as store
from jimu.platform.public_forms import counters
from jimu.platform.public_forms.definition import PublicForm, public_forms
from jimu.platform.public_forms.submission import stats_key

RECENT_DAYS = 30


@dataclass(frozen=True)
class FormSummary:
    form: PublicForm
    url: str
    created: int
    created_recently: int
    spam: int


def summaries(conn: sa.Connection, app: str, base_url: str, now: datetime) -> list[FormSummary]:
    since = counters.window_start(now - timedelta(days=RECENT_DAYS), 24 * 3600)
    found = []
    for form in public_forms(conn, app):
        created = [stats_key("created", form)]
        found.append(
            FormSummary(
                form=form,
                url=base_url.rstrip("/") + form.path,
                created=counters.total(conn, created),
                created_recently=counters.total(conn, created, since),
                spam=counters.total(conn, [stats_key("spam", form)]),
            )
        )
    return found


def set_enabled(
    conn: sa.Connection, app: str, document_name: str, enabled: bool, actor_id: int | None
) -> store.DocumentVersion:
    """Publish the form ``document_name`` (``lead.contact_us``) with ``public.enabled`` set.

    ``Conflict`` when the form has an unpublished draft (switching would publish that draft
    too, or throw it away); ``NotFound`` when it is not a published public form.
    """
    newest = store.get(conn, app, "form", document_name)
    if newest.status == store.DRAFT:
        raise Conflict(
            f"The form {document_name!r} has an unpublished draft: publish or discard it first."
        )
    public = newest.body.get("public")
    if not isinstance(public, dict):
        raise NotFound(f"The form {document_name!r} is not a public form.")
    body = copy.deepcopy(newest.body)
    body["public"]["enabled"] = enabled
    state = "on" if enabled else "off"
    store.save_draft(
        conn, app, "form", document_name, body, actor_id, f"public form switched {state}"
    )
    return store.publish(conn, app, "form", document_name, actor_id).documents[0]
