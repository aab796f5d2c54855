"""What a chart shows for a dimension holding ids: the linked record's title, a user's name.

A dimension on a link field (``account``) groups by the linked record's id — drill-downs and
cross-filters keep filtering by it — and shows the title of that record: the target entity's
``title_field`` (else its first text field), joined through the dataset's own LEFT JOIN of the
link (the reader's scope on that entity applies: a record outside it has no title). A
dimension on a user (``owner_id``, ``created_by``, ``updated_by`` or a user field) shows the
user's display name (else the username), read from the platform's users table by a subquery
on the grouped id: once per group, not joined to every row before grouping (on a million
leads of eight owners the join cost as much as the rest of the chart; bench/reports_marketing.py).
Either is one more column of the same statement, labelled ``d<i>_title``: a link's title as
``max(title)`` per group (the title is the same for every row of an id), and on the "others"
row of a top N, whose group mixes ids, none.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.report.dataset import Dataset, PathProblem, Resolved, alias_of

Expr = sa.ColumnElement[Any]

#: System columns holding a user's id.
USER_COLUMNS = ("owner_id", "created_by", "updated_by")


def title_field_of(dataset: Dataset, entity: str) -> str | None:
    """The field that names a record of ``entity``: its title field, else its first text
    field (as the record pages and imports read it)."""
    spec = dataset.model.entity(entity)
    if spec.title_field:
        return spec.title_field
    return next((f.name for f in spec.fields if f.type == "text"), None)


def is_user(resolved: Resolved) -> bool:
    if resolved.field is None:
        return resolved.path.rsplit(".", 1)[-1] in USER_COLUMNS
    return resolved.field.type == "user"


def link_title(dataset: Dataset, resolved: Resolved, link: Field) -> Expr | None:
    """The title column of the record a link dimension points at, or None when the target
    has no title (or the reader may not see it: the chart then shows the ids)."""
    if link.get("many", False):
        return None
    target = str(link.get("target"))
    title = title_field_of(dataset, target) if target in dataset.model.entities else None
    if title is None:
        return None
    try:
        found = dataset.resolve(f"{resolved.path}.{title}")
    except PathProblem:
        return None
    return found.column if found.kind == "text" else None


def user_title(users: sa.Table, index: int, column: Expr) -> Expr:
    """The display name (else the username) of the user whose id is ``column``: a scalar
    subquery, valid beside ``GROUP BY column`` (it reads nothing else of the row)."""
    alias = alias_of(users, f"u{index}")
    name = sa.func.coalesce(sa.func.nullif(alias.c.display_name, ""), alias.c.username)
    return sa.select(name).where(alias.c.id == column).scalar_subquery()


def title_meta(name: str) -> dict[str, Any]:
    """The result column of a dimension's titles: ``<name>:title`` (no dimension or measure
    name has a colon), role ``title``, ``of`` the dimension."""
    return {"name": f"{name}:title", "role": "title", "of": name, "type": "text"}
