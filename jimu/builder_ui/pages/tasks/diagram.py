"""The flow picture's states for one instance: the nodes its steps entered are done, the nodes
its tokens wait at now are waiting (templates/tasks/_diagram.html draws them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from jimu.platform.process.instances import TOKENS


def instance_states(
    conn: sa.Connection, instance_id: int, trace: Sequence[dict[str, Any]]
) -> dict[str, str]:
    states = {str(node): "done" for step in trace for node in step.get("trace") or []}
    waiting = conn.execute(sa.select(TOKENS.c.node).where(TOKENS.c.instance_id == instance_id))
    states.update({str(node): "waiting" for node in waiting.scalars()})
    return states
