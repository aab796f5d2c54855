"""``/api/apps/{app}/decision-tables/...``: the app's decision tables, their check (errors and
warnings, such as unreachable rows) and trying one on a record. The documents themselves are
saved, published and versioned through the metadata API
(``/api/apps/{app}/documents/decision_table/{name}``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from jimu.platform import metadata_store as store
from jimu.platform.access.design import require_design, require_read
from jimu.platform.api.params import BodyId, StrictBody
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import User
from jimu.platform.rules import table_runs

router = APIRouter(tags=["rules"])
TABLE = "/api/apps/{app}/decision-tables/{name}"


def table_designer(app: str, user: CurrentUser, platform: PlatformDep) -> User:
    """The caller, if they may design the app's decision tables (refused before the body)."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "decision_table")
    return user


TableDesigner = Annotated[User, Depends(table_designer)]


class CheckRequest(StrictBody):
    #: A table document to check instead of the stored one (the designer's unsaved state).
    table: dict[str, Any] | None = None


class TryRequest(StrictBody):
    record_id: BodyId
    table: dict[str, Any] | None = None


@router.get("/api/apps/{app}/decision-tables")
def list_tables(app: str, user: CurrentUser, platform: PlatformDep) -> list[dict[str, Any]]:
    """Every decision table of the app: newest version, status, published version."""
    with platform.engine.connect() as conn:
        require_read(platform, conn, app, user)
        out = []
        for doc in store.list_documents(conn, app, "decision_table"):
            published = store.published(conn, app, "decision_table", doc.name)
            out.append(
                {
                    "name": doc.name,
                    "label": doc.body.get("label"),
                    "entity": doc.body.get("entity"),
                    "hit_policy": doc.body.get("hit_policy"),
                    "aggregate": doc.body.get("aggregate"),
                    "outputs": doc.body.get("outputs") or [],
                    "rows": len(doc.body.get("rows") or []),
                    "version": doc.version,
                    "status": doc.status,
                    "published_version": published.version if published else None,
                }
            )
        return out


@router.post(TABLE + "/check")
def check_table(
    app: str, name: str, body: CheckRequest, user: TableDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """The table's errors and warnings (``table``, else its newest version): what publishing
    would refuse, and rows a ``first`` table never reaches."""
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, app)
        document = table_runs.table_document(conn, app, name, body.table)
        return table_runs.report_dict(table_runs.check_table(document, records))


@router.post(TABLE + "/try")
def try_table(
    app: str, name: str, body: TryRequest, user: TableDesigner, platform: PlatformDep
) -> dict[str, Any]:
    """Run the table (``table``, else its newest version) on a record, writing nothing."""
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, app)
        document = table_runs.table_document(conn, app, name, body.table)
        return table_runs.try_table(conn, records, document, body.record_id)
