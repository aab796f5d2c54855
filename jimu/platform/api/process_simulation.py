"""``POST /api/apps/{app}/flows/{flow}/simulate``: walk a sample record through a flow (a draft
document, or the flow's newest version) and answer the path it would take, with the people
its tasks would go to. Nothing is written. Holders of the ``flows`` design right and
administrators, as for saving the flow (docs/process.md, "Simulation")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from jimu.platform.access.design import require_design
from jimu.platform.api.params import BodyId, StrictBody
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.dependencies import PlatformDep
from jimu.platform.models import utcnow
from jimu.platform.process.simulation import simulate_flow

router = APIRouter(tags=["processes"])
FlowName = Annotated[str, Path(max_length=63)]
Outcome = Annotated[str, Field(min_length=1, max_length=63)]


class SimulateRequest(StrictBody):
    document: dict[str, Any] | None = Field(
        default=None,
        description="the flow document to simulate (a draft); default: the newest version",
    )
    record: BodyId | None = Field(default=None, description="a record of the flow's entity")
    values: dict[str, Any] = Field(
        default_factory=dict, description="sample field values (over the record's, if any)"
    )
    decisions: dict[str, Outcome | list[Outcome]] = Field(
        default_factory=dict,
        description="per task node, its outcome, or a list of outcomes for its repeats (the "
        "last one repeats); default: the node's first outcome (approve, done)",
    )


@router.post("/api/apps/{app}/flows/{flow}/simulate")
def simulate(
    app: str, flow: FlowName, body: SimulateRequest, user: CurrentUser, platform: PlatformDep
) -> dict[str, Any]:
    """The path: ``steps`` (per event: the nodes entered, the tasks created with their
    people, the gateway choices with the condition that held, the effects), ``path`` (the
    nodes in order), ``status`` (completed, rejected, cancelled, waiting, capped, failed),
    ``result``, ``waiting``, ``error`` and ``users`` (id → name)."""
    with platform.engine.connect() as conn:
        require_design(platform, conn, app, user, "flow")
        records = platform.apps.records(conn, app)
        result = simulate_flow(
            conn,
            records,
            app,
            flow,
            utcnow(),
            document=body.document,
            record_id=body.record,
            values=body.values,
            decisions=body.decisions,
            user_id=user.id,
        )
        conn.rollback()  # read-only: nothing the simulation touched is kept
    return result
