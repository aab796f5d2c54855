"""``jimu demo``: the marketing app with sample data and an admin, safe to run again.

Each step checks what is already there first, so a second run reuses the database without
duplicating anything: the app is imported and published only if it has never been published,
a sample file is loaded only into an entity that has no rows yet, and the admin keeps the
password stored in ``<data_dir>/demo_admin_password``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import jimu
from jimu.engines.form.model import AppModel
from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.metadata.folder import read_samples
from jimu.platform import metadata_store as store
from jimu.platform.auth.passwords import verify_password
from jimu.platform.auth.users import create_user, find_user, set_password
from jimu.platform.db import begin_write
from jimu.platform.demo_flows import ensure_flow_instances
from jimu.platform.demo_org import RoleLogin, ensure_organisation
from jimu.platform.models import utcnow
from jimu.platform.records import Records, WriteContext
from jimu.platform.rules import history
from jimu.platform.state import Platform

DEMO_APP = "marketing"
ADMIN_USERNAME = "admin"
PASSWORD_FILE = "demo_admin_password"
BATCH_SIZE = 500
#: The sample data's users 2..8 (user 1 is the admin): sales reps by territory, inside sales
#: and service (see examples/marketing/sample/catalog.py). They share the admin's password.
DEMO_TEAM = (
    ("wang.fang", "王芳", "wang.fang@example.com"),
    ("li.qiang", "李强", "li.qiang@example.com"),
    ("zhao.min", "赵敏", "zhao.min@example.com"),
    ("chen.jie", "陈杰", "chen.jie@example.com"),
    ("liu.yang", "刘洋", "liu.yang@example.com"),
    ("sun.li", "孙丽", "sun.li@example.com"),
    ("zhou.ting", "周婷", "zhou.ting@example.com"),
    # Users 9..12: the region's manager, the director, finance and service (see org/).
    ("zhang.wei", "张伟", "zhang.wei@example.com"),
    ("ma.jun", "马骏", "ma.jun@example.com"),
    ("qian.hui", "钱慧", "qian.hui@example.com"),
    ("he.na", "何娜", "he.na@example.com"),
    # User 13: the second rep of East China (round robin within the group has two to share).
    ("wu.lei", "吴磊", "wu.lei@example.com"),
)


@dataclass
class DemoReport:
    admin_username: str
    admin_password: str
    app: str = DEMO_APP
    team: list[str] = field(default_factory=list)
    imported_app: bool = False
    loaded: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    logins: list[RoleLogin] = field(default_factory=list)
    #: Approval requests (contracts, discounts, stage gates) started in different states
    #: (jimu.platform.demo_flows).
    flow_instances: int = 0


def examples_dir(name: str = DEMO_APP) -> Path:
    """The example app folder, from a checkout or from inside an installed wheel."""
    package = Path(jimu.__file__).resolve().parent
    for candidate in (package / "_examples" / name, package.parent / "examples" / name):
        if (candidate / "app.json").is_file():
            return candidate
    raise NotFound(f"The example app {name!r} is not installed.")


@dataclass(frozen=True)
class DemoAdmin:
    id: int
    username: str
    password: str


def ensure_admin(platform: Platform) -> DemoAdmin:
    """The demo admin and their password, creating or resetting them as needed."""
    path = platform.settings.data_dir / PASSWORD_FILE
    stored = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    with platform.sessions() as db:
        user = find_user(db, ADMIN_USERNAME)
        if user is not None and stored and verify_password(user.password_hash, stored):
            return DemoAdmin(user.id, user.username, stored)
        password = secrets.token_urlsafe(12)
        if user is None:
            user = create_user(db, ADMIN_USERNAME, password, is_admin=True, display_name="Admin")
        else:
            set_password(user, password)
            user.is_admin = True
        _write_private(path, password)
        db.commit()
        return DemoAdmin(user.id, user.username, password)


def ensure_team(platform: Platform, password: str) -> list[str]:
    """The demo's other users (created in order after the admin), with the admin's password."""
    with platform.sessions() as db:
        for username, display_name, email in DEMO_TEAM:
            user = find_user(db, username)
            if user is None:
                create_user(
                    db, username, password, display_name=display_name, email=email, language="zh"
                )
            elif not verify_password(user.password_hash, password):
                set_password(user, password)
        db.commit()
    return [username for username, _, _ in DEMO_TEAM]


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


def ensure_app(platform: Platform, folder: Path, app: str = DEMO_APP) -> bool:
    """Import and publish the app folder unless the app is already published."""
    with platform.engine.connect() as conn:
        if store.published(conn, app, "app", app) is not None:
            return False
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)
    return True


def load_order(model: AppModel) -> list[str]:
    """Entities ordered so that link targets come before the entities linking to them."""
    graph: dict[str, set[str]] = {}
    for entity in model.entities.values():
        graph[entity.name] = {
            str(f.get("target"))
            for f in entity.fields
            if f.type == "link"
            and f.get("target") in model.entities
            and f.get("target") != entity.name
        }
    return list(TopologicalSorter(graph).static_order())


def _has_rows(conn: sa.Connection, records: Records, entity: str) -> bool:
    table = records.table(entity)
    return conn.execute(sa.select(table.c.id).limit(1)).first() is not None


def _check_ids(entity: str, rows: list[dict[str, Any]], created: list[dict[str, Any]]) -> None:
    """Sample rows link to each other by id; the ids given must be the ids assigned."""
    for row, record in zip(rows, created, strict=True):
        if "id" in row and row["id"] != record["id"]:
            raise ValidationFailed(
                f"The sample {entity} rows must be numbered 1, 2, 3, ... in file order.",
                [FieldError(f"sample/{entity}.jsonl#/id", f"{row['id']} became {record['id']}")],
            )


def _batches(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


def load_samples(
    platform: Platform, folder: Path, actor_id: int, app: str = DEMO_APP
) -> tuple[dict[str, int], list[str]]:
    """Load ``sample/<entity>.jsonl`` into each entity that has no rows yet (one transaction).

    The samples are history, as the app's rules left it: their events are marked processed
    and the quiet-time timers of the rules are planned from the samples' own dates
    (``jimu.platform.rules.history``), so the worker's first start has nothing to catch up."""
    samples = read_samples(folder)
    loaded: dict[str, int] = {}
    skipped: list[str] = []
    ctx = WriteContext(actor_id=actor_id, source="import")
    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, app)
        first_event = history.next_event_id(conn)
        for entity in load_order(store.load_app(conn, app)):
            rows = samples.get(entity)
            if not rows:
                continue
            if _has_rows(conn, records, entity):
                skipped.append(entity)
                continue
            for batch in _batches(rows):
                _check_ids(entity, batch, records.bulk_create(conn, entity, batch, ctx))
            loaded[entity] = len(rows)
        ended = history.history_end({entity: samples[entity] for entity in loaded})
        if ended is not None:
            now = utcnow()
            history.settle_events(conn, app, first_event, now)
            zone = platform.settings.time_zone
            history.plan_history_timers(conn, records, set(loaded), ended, now, zone)
    return loaded, skipped


def app_name(folder: Path) -> str:
    body = json.loads((folder / "app.json").read_text(encoding="utf-8"))
    return str(body["name"])


def run_demo(platform: Platform, folder: Path | None = None) -> DemoReport:
    """Set up the demo from the example app ``folder`` (default: examples/marketing)."""
    folder = folder or examples_dir()
    app = app_name(folder)
    admin = ensure_admin(platform)
    report = DemoReport(admin.username, admin.password, app)
    report.team = ensure_team(platform, admin.password)
    report.imported_app = ensure_app(platform, folder, app)
    report.loaded, report.skipped = load_samples(platform, folder, admin.id, app)
    report.logins = ensure_organisation(platform, folder, app)
    report.flow_instances = ensure_flow_instances(platform, app)
    return report
