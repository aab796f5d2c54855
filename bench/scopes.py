"""Benchmark: a page of leads as an admin (no scope), a rep (own) and managers (department tree).

    .venv/bin/python bench/scopes.py [--rows 1000000] [--repeat 20] [--url postgresql://...]

Publishes an app with a lead entity and two roles — ``rep`` (reads own leads) and ``manager``
(reads the leads of its department tree) — through the metadata store, makes 200 reps in a
department tree (4 regions x 5 teams x 10 reps; ``rep`` is given to each team), a manager per
region and a head of sales over every region (``manager`` given to them), and loads the leads
with random owners through a bare Core insert (bench/benchkit.py).

It then times, for each user, through ``platform.apps.for_user(...).list`` (``GuardedRecords``,
what pages and the API use): the first page (status is "new", newest first, 50 rows) and the
same page with the total count; and the hand-written SQL of the page and of the count with the
user's scope written in. It prints the medians, the ratio of each to the admin's unscoped
figure (target: scoped within 1.5x) and the database's plan of the scoped statements, so a
reader sees which index each one uses.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from benchkit import LEAD, captured_statements, explain, fill_leads, median_ms

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.migrate import upgrade
from jimu.platform.models import Department, User, UserDepartment
from jimu.platform.org.context import user_context
from jimu.platform.records import ListQuery
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

APP = "benchscope"
REGIONS, TEAMS, REPS = 4, 5, 10
ROLES: dict[str, dict[str, Any]] = {
    "rep": {
        "kind": "role",
        "name": "rep",
        "label": {"en": "Sales rep", "zh": "销售代表"},
        "entities": {"lead": {"actions": ["read"], "scope": "own"}},
    },
    "manager": {
        "kind": "role",
        "name": "manager",
        "label": {"en": "Sales manager", "zh": "销售经理"},
        "entities": {"lead": {"actions": ["read"], "scope": "department_tree"}},
    },
}
COLUMNS = (
    "id, created_at, created_by, updated_at, updated_by, owner_id, version, deleted_at, "
    "name, company, status, amount, score"
)


@dataclass(frozen=True)
class Page:
    """One list page: its filter and sort, and the same as hand-written SQL."""

    name: str
    filter: dict[str, Any] | None
    sort: list[str]
    where: str
    order: str

    def hand_page(self, table: str, scope: str) -> sa.TextClause:
        return sa.text(
            f"SELECT {COLUMNS} FROM {table} WHERE deleted_at IS NULL{self.where}{scope} "
            f"ORDER BY {self.order} LIMIT 50"
        )

    def hand_count(self, table: str, scope: str) -> sa.TextClause:
        return sa.text(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL{self.where}{scope}")


PAGES = [
    # what the list page shows first: every lead in scope, newest id first, with the total
    Page("list page (all, -id)", None, ["-id"], "", "id DESC"),
    # a filtered view sorted on another column
    Page(
        "new leads, -created_at",
        {"==": [{"var": "status"}, "new"]},
        ["-created_at"],
        " AND status = 'new'",
        "created_at DESC, id DESC",
    ),
]


@dataclass
class Org:
    admin: int
    reps: list[int]
    #: (label, user id) of the users timed besides the admin.
    people: list[tuple[str, int]]


def publish(platform: Platform, indexes: Sequence[list[str]] = ()) -> None:
    lead = {**LEAD, "indexes": [*LEAD["indexes"], *({"fields": i} for i in indexes)]}
    app_doc = {"kind": "app", "name": APP, "label": {"en": APP, "zh": APP}, "menu": ["lead"]}
    with begin_write(platform.engine) as conn:
        store.save_draft(conn, APP, "app", APP, app_doc)
        store.save_draft(conn, APP, "entity", "lead", lead)
        for name, body in ROLES.items():
            store.save_draft(conn, APP, "role", name, body)
        store.publish(conn, APP)


def make_org(platform: Platform) -> Org:
    """Departments Sales > Region r > Team r.t, ten reps per team, a manager per region and a
    head of sales; ``rep`` given to every team, ``manager`` to the managers and the head."""

    def user(db: Any, name: str, admin: bool = False) -> int:
        found = User(username=name, display_name=name, password_hash="!", is_admin=admin)
        db.add(found)
        db.flush()
        return int(found.id)

    with platform.sessions() as db:
        admin = user(db, "bench-admin", admin=True)
        head = user(db, "head")
        sales = Department(name="Sales")
        db.add(sales)
        db.flush()
        db.add(UserDepartment(user_id=head, department_id=sales.id, is_main=True, is_leader=True))
        reps: list[int] = []
        teams: list[int] = []
        managers: list[int] = []
        for r in range(REGIONS):
            region = Department(name=f"Region {r + 1}", parent_id=sales.id)
            db.add(region)
            db.flush()
            manager = user(db, f"manager{r + 1}")
            managers.append(manager)
            db.add(UserDepartment(user_id=manager, department_id=region.id, is_main=True))
            for t in range(TEAMS):
                team = Department(name=f"Team {r + 1}.{t + 1}", parent_id=region.id)
                db.add(team)
                db.flush()
                teams.append(team.id)
                for n in range(REPS):
                    rep = user(db, f"rep{r + 1}.{t + 1}.{n + 1}")
                    reps.append(rep)
                    db.add(UserDepartment(user_id=rep, department_id=team.id, is_main=True))
        db.commit()
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, APP)
        for team in teams:
            assign_role(conn, APP, roles, "rep", department_id=team)
        for manager in [*managers, head]:
            assign_role(conn, APP, roles, "manager", user_id=manager)
    people = [("rep", reps[0]), ("region manager", managers[0]), ("head of sales", head)]
    return Org(admin, reps, people)


def scope_sql(conn: sa.Connection, label: str, user_id: int) -> str:
    """The user's scope as hand-written SQL (to add to the WHERE)."""
    if label == "admin":
        return ""
    if label == "rep":
        return f" AND owner_id = {user_id}"
    members = user_context(conn, user_id)["department_tree_member_ids"]
    return f" AND owner_id IN ({', '.join(str(m) for m in members)})"


@dataclass
class Timing:
    label: str
    visible: int
    policy: float
    page: float
    page_count: float
    hand_page: float
    hand_count: float


FIGURES = ("policy", "page", "page_count", "hand_page", "hand_count")


def measure(
    platform: Platform,
    conn: sa.Connection,
    label: str,
    user: User,
    table: str,
    spec: Page,
    repeat: int,
) -> tuple[Timing, list[tuple[str, Any]]]:
    guarded = platform.apps.for_user(conn, APP, user)
    page = ListQuery(filter=spec.filter, sort=spec.sort, limit=50)
    counted = ListQuery(filter=spec.filter, sort=spec.sort, limit=50, count=True)
    scope = scope_sql(conn, label, int(user.id))
    hand_page = spec.hand_page(table, scope)
    hand_count = spec.hand_count(table, scope)
    ours = guarded.list(conn, "lead", counted)
    theirs = [r[0] for r in conn.execute(hand_page)]
    assert [r["id"] for r in ours.items] == theirs, f"{label}: guarded and hand SQL disagree"
    total = conn.execute(hand_count).scalar_one()
    assert ours.total == total, f"{label}: counts disagree ({ours.total} != {total})"
    statements = captured_statements(platform.engine, lambda: guarded.list(conn, "lead", counted))

    def timed(run: Callable[[], object]) -> float:
        return median_ms(run, repeat)

    timing = Timing(
        label,
        total,
        policy=timed(lambda: platform.apps.for_user(conn, APP, user)),
        page=timed(lambda: guarded.list(conn, "lead", page)),
        page_count=timed(lambda: guarded.list(conn, "lead", counted)),
        hand_page=timed(lambda: conn.execute(hand_page).fetchall()),
        hand_count=timed(lambda: conn.execute(hand_count).scalar_one()),
    )
    # the count and the page, the last two statements (before them: the user's shares)
    return timing, statements[-2:]


def print_table(name: str, timings: Sequence[Timing]) -> None:
    admin = timings[0]
    print(f"\n{name}")
    print(
        f"{'user':<15} {'rows':>9} {'policy':>8} {'page':>8} {'×admin':>7}"
        f" {'page+count':>10} {'×admin':>7} {'hand page':>9} {'×admin':>7}"
        f" {'hand count':>10} {'×admin':>7}"
    )
    for t in timings:
        print(
            f"{t.label:<15} {t.visible:>9,} {t.policy:6.2f}ms {t.page:6.2f}ms"
            f" {t.page / admin.page:6.2f}x {t.page_count:8.2f}ms"
            f" {t.page_count / admin.page_count:6.2f}x {t.hand_page:7.2f}ms"
            f" {t.hand_page / admin.hand_page:6.2f}x {t.hand_count:8.2f}ms"
            f" {t.hand_count / admin.hand_count:6.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="measure every user this often")
    parser.add_argument("--url", default="", help="database URL (default: a new SQLite file)")
    parser.add_argument("--analyze", action="store_true", help="EXPLAIN ANALYZE (PostgreSQL)")
    parser.add_argument("--sql", action="store_true", help="print the statements too")
    parser.add_argument(
        "--index",
        action="append",
        default=[],
        metavar="COLUMNS",
        help="declare another lead index, e.g. owner_id,created_at (repeatable)",
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="jimu-bench-scopes-"))
    try:
        run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, scratch: Path) -> None:
    """The benchmark; a SQLite database (without ``--url``) and data files go in ``scratch``."""
    url = args.url or f"sqlite:///{scratch / 'bench.db'}"
    settings = Settings(data_dir=scratch, database_url=url, secret_key="bench")
    platform = Platform.from_settings(settings)
    engine = platform.engine
    upgrade(engine)
    with engine.connect() as conn:
        if APP in store.apps(conn):
            raise SystemExit(f"the database already has an app {APP!r}: use an empty database")
    publish(platform, [c.split(",") for c in args.index])
    org = make_org(platform)
    with engine.connect() as conn:
        table = platform.apps.records(conn, APP).table("lead")
    started = time.perf_counter()
    fill_leads(engine, table, args.rows, owners=org.reps)
    print(f"database       {engine.dialect.name}")
    print(f"rows           {args.rows:,} (filled in {time.perf_counter() - started:.1f} s)")
    print(f"users          {len(org.reps)} reps in {REGIONS * TEAMS} teams of {REGIONS} regions")
    with engine.connect() as conn:
        indexes = sa.inspect(conn).get_indexes(table.name)
        print(
            "indexes        " + "; ".join(", ".join(map(str, i["column_names"])) for i in indexes)
        )

    who = [("admin", org.admin), *org.people]
    results: dict[str, list[list[Timing]]] = {spec.name: [] for spec in PAGES}
    plans: dict[tuple[str, str], list[tuple[str, Any]]] = {}
    with platform.sessions() as db, engine.connect() as conn:
        users = {label: db.get(User, user_id) for label, user_id in who}
        for _ in range(args.rounds):
            for spec in PAGES:
                current = []
                for label, user in users.items():
                    assert user is not None
                    timing, statements = measure(
                        platform, conn, label, user, table.name, spec, args.repeat
                    )
                    current.append(timing)
                    plans[spec.name, label] = statements
                results[spec.name].append(current)
        for name, rounds in results.items():
            timings = [
                Timing(
                    first.label,
                    first.visible,
                    *(statistics.median(getattr(r[i], f) for r in rounds) for f in FIGURES),
                )
                for i, first in enumerate(rounds[0])
            ]
            print_table(name, timings)
        print("\ntarget: scoped page and page+count within 1.50x of the admin's")
        print("(rows: the rows in the user's scope; policy: platform.apps.for_user, loading the")
        print(" user's roles and departments, once per request; page: GuardedRecords.list, its")
        print(" shares query included; hand: the same SQL by hand, scope inlined, as tuples;")
        print(f" medians of {args.repeat} runs, then the median of {args.rounds} rounds)")
        for (name, label), statements in plans.items():
            if label == "admin" and not args.sql:
                continue
            for part, (statement, parameters) in zip(("count", "page"), statements, strict=True):
                print(f"\n-- {name}, {label}: {part} --")
                if args.sql:
                    print(statement, parameters)
                print(explain(conn, statement, parameters, analyze=args.analyze))
    engine.dispose()


if __name__ == "__main__":
    main()
