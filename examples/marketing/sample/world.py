"""The whole sample world, built step by step in a fixed order (the order is part of the seed)."""

from __future__ import annotations

from engagement import EngagementSteps
from marketing import MarketingSteps
from sales import SalesSteps
from state import Record
from tasks import TaskSteps


class World(MarketingSteps, SalesSteps, EngagementSteps, TaskSteps):
    """Every record of the sample data, with links still as references to other records."""

    def build(self) -> dict[str, list[Record]]:
        self.build_campaigns()
        self.build_content()
        self.build_leads()
        self.progress_leads()
        self.convert_leads()
        self.build_direct_accounts()
        self.build_more_opportunities()
        self.progress_opportunities()
        self.build_contracts()
        self.build_tickets()
        self.build_activities()
        self.build_follow_ups()
        self.finish_leads()
        self.finish_accounts()
        self.build_tasks()
        return self.records
