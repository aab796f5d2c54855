"""Names for the ids a page shows: titles of linked records and names of users.

Collected once per page for all its records (one query per target entity and one for users),
so a list of fifty rows does not run fifty lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from jimu.builder_ui.pages.records.fields import FieldView, title_of
from jimu.builder_ui.pages.shell.departments import (
    DepartmentChoice,
    department_choices,
    department_paths,
)
from jimu.engines.form.model import AppModel
from jimu.errors import JimuError
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.models import User
from jimu.platform.records import ListQuery

MAX_USER_CHOICES = 500


@dataclass(frozen=True)
class UserChoice:
    id: int
    name: str


@dataclass
class References:
    app: str
    titles: dict[tuple[str, int], str] = field(default_factory=dict)
    user_names: dict[int, str] = field(default_factory=dict)
    users: list[UserChoice] = field(default_factory=list)
    #: Department paths (``Sales / East``) by id, and every department for the form's picker.
    department_names: dict[int, str] = field(default_factory=dict)
    departments: list[DepartmentChoice] = field(default_factory=list)
    #: Where the files of the record on the page are downloaded ("" = no record yet).
    files_url: str = ""

    def url(self, target: str, record_id: object) -> str:
        return f"/apps/{self.app}/{target}/{record_id}"

    def title(self, target: str, record_id: object) -> str:
        if isinstance(record_id, int):
            return self.titles.get((target, record_id), f"#{record_id}")
        return str(record_id)

    def user_name(self, user_id: object) -> str:
        if isinstance(user_id, int):
            return self.user_names.get(user_id, f"#{user_id}")
        return str(user_id)

    def department_name(self, department_id: object) -> str:
        if isinstance(department_id, int):
            return self.department_names.get(department_id, f"#{department_id}")
        return str(department_id)

    def search_url(self, target: str) -> str:
        return f"/apps/{self.app}/{target}/lookup"

    def file_url(self, field_name: str, file: Mapping[str, Any]) -> str:
        if not self.files_url or not isinstance(file.get("key"), str):
            return ""
        return f"{self.files_url}/{field_name}/{quote(file['key'], safe='')}"


def _walk(
    fields: Iterable[FieldView], rows: Iterable[Mapping[str, Any]]
) -> Iterable[tuple[FieldView, Any]]:
    for row in rows:
        for f in fields:
            value = row.get(f.name)
            if value is None:
                continue
            if f.widget == "subtable" and isinstance(value, list):
                yield from _walk(f.columns, (v for v in value if isinstance(v, Mapping)))
            else:
                yield f, value


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def link_titles(
    conn: sa.Connection, records: GuardedRecords, model: AppModel, wanted: Mapping[str, set[int]]
) -> dict[tuple[str, int], str]:
    titles: dict[tuple[str, int], str] = {}
    for target, ids in wanted.items():
        entity = model.entities.get(target)
        if entity is None or not ids:
            continue
        fields = [entity.title_field] if entity.title_field else []
        query = ListQuery(
            filter={"in": [{"var": "id"}, sorted(ids)]}, fields=fields, limit=len(ids)
        )
        try:
            items = records.list(conn, target, query).items
        except JimuError:
            continue
        for item in items:
            titles[(target, int(item["id"]))] = title_of(entity, item)
    return titles


def user_names(conn: sa.Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(User.id, User.display_name, User.username).where(User.id.in_(sorted(ids)))
    )
    return {row.id: row.display_name or row.username for row in rows}


def user_choices(conn: sa.Connection) -> list[UserChoice]:
    query = (
        sa.select(User.id, User.display_name, User.username)
        .where(User.is_active.is_(True))
        .order_by(User.display_name, User.username)
        .limit(MAX_USER_CHOICES)
    )
    return [UserChoice(row.id, row.display_name or row.username) for row in conn.execute(query)]


SYSTEM_USER_KEYS = ("created_by", "updated_by", "owner_id")


def collect_references(
    conn: sa.Connection,
    records: GuardedRecords,
    model: AppModel,
    fields: Iterable[FieldView],
    rows: Iterable[Mapping[str, Any]],
    *,
    extra_user_ids: Iterable[int] = (),
    with_user_choices: bool = False,
) -> References:
    rows = list(rows)
    wanted: dict[str, set[int]] = {}
    users: set[int] = set(extra_user_ids)
    departments: set[int] = set()
    fields = list(fields)
    for f, value in _walk(fields, rows):
        if f.widget == "link":
            wanted.setdefault(f.target, set()).update(_ids(value))
        elif f.widget == "user":
            users.update(_ids(value))
        elif f.widget == "department":
            departments.update(_ids(value))
    department_picker = with_user_choices and _has_widget(fields, "department")
    for row in rows:
        for key in SYSTEM_USER_KEYS:
            users.update(_ids(row.get(key)))
    return References(
        app=model.name,
        titles=link_titles(conn, records, model, wanted),
        user_names=user_names(conn, users),
        users=user_choices(conn) if with_user_choices else [],
        department_names=department_paths(conn, departments),
        departments=department_choices(conn) if department_picker else [],
    )


def _has_widget(fields: Iterable[FieldView], widget: str) -> bool:
    return any(f.widget == widget or _has_widget(f.columns, widget) for f in fields)
