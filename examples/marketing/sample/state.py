"""What every generation step shares: the random source, the records made so far."""

from __future__ import annotations

from typing import Any

from catalog import SEED, TERRITORY
from people import Companies, People
from timeline import Calendar, Rand

Record = dict[str, Any]


class WorldState:
    """The seeded random source, the helpers and the records (by entity) made so far."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = Rand(seed)
        self.cal = Calendar()
        self.people = People(self.rng)
        self.companies = Companies(self.rng)
        self.records: dict[str, list[Record]] = {
            e: []
            for e in (
                "campaign",
                "content_asset",
                "account",
                "contact",
                "opportunity",
                "lead",
                "activity",
                "follow_up",
                "contract",
                "contract_line",
                "service_ticket",
                "task",
            )
        }

    def add(self, entity: str, record: Record) -> Record:
        record["_entity"] = entity
        self.records[entity].append(record)
        return record

    def owner_for(self, region: str) -> int:
        """A rep of the region's sales group (never anyone outside it)."""
        return self.rng.choice(TERRITORY[region])
