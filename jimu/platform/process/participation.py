"""Who takes part in an instance, and where a task may be sent back to: read by the process
API and by the approval page alike."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.process import instances


def involved(conn: sa.Connection, instance_id: int, user_id: int) -> bool:
    """Whether ``user_id`` has or had a task in the instance."""
    for task in instances.all_tasks(conn, instance_id):
        if user_id in task["users"] or task["completed_by"] == user_id:
            return True
    return False


def return_targets(conn: sa.Connection, instance_id: int, token: str, node: str) -> list[str]:
    """The earlier nodes on the token's trail a task at ``node`` may return to (退回)."""
    data = conn.execute(
        sa.select(instances.TOKENS.c.data).where(
            instances.TOKENS.c.instance_id == instance_id, instances.TOKENS.c.token == token
        )
    ).scalar_one_or_none()
    trail = list((data or {}).get("trail", []))
    return [n for n in trail[:-1] if n != node]
