"""The tasks the rules would have created over the year: each assigned lead's first follow-up,
due 24 hours after it got its owner (rules/first_follow_up_task.json). Uses no randomness, so
it adds records without changing any other."""

from __future__ import annotations

from datetime import datetime, timedelta

from state import Record, WorldState

FIRST_FOLLOW_UP_DUE = timedelta(hours=24)
#: A lead that left the funnel this way closed its open task.
CLOSED = ("disqualified", "converted", "in_public_pool")


class TaskSteps(WorldState):
    def build_tasks(self) -> None:
        first: dict[int, datetime] = {}
        for fu in self.records["follow_up"]:
            lead = fu.get("lead")
            if lead is not None:
                key = id(lead)
                first[key] = min(first.get(key, fu["followed_at"]), fu["followed_at"])
        for lead in self.records["lead"]:
            owner = lead.get("owner_id") or lead.get("previous_owner")
            if owner is None:
                continue  # never assigned: no task yet
            created: datetime = lead["created_at"] + timedelta(minutes=1)
            done = first.get(id(lead))
            task: Record = {
                "title": f"首次跟进：{lead['name']}",
                "kind": "first_follow_up",
                "status": "open",
                "due_at": created + FIRST_FOLLOW_UP_DUE,
                "lead": lead,
                "created_at": created,
                "owner_id": owner,
            }
            if done is not None:
                task.update(status="done", done_at=done, updated_at=done)
            elif lead["status"] in CLOSED:
                closed = (
                    lead.get("pool_entered_at") or lead.get("converted_at") or lead["updated_at"]
                )
                task.update(status="cancelled", updated_at=max(closed, created))
            self.add("task", task)
