"""The public pool (公海): claim, return, transfer, and the owners a record had (docs/pool.md).

``previous_owners(conn, app, entity, record_id)`` is what assignment helpers read to leave out
the users a record was taken from or who gave it up."""

from jimu.platform.pool.owners import (
    OwnerMove,
    owner_changes,
    owner_periods,
    previous_owners,
    record_owner_change,
)
from jimu.platform.pool.service import (
    ClaimLimits,
    claim,
    in_pool_filter,
    limits,
    may_claim,
    move_to_pool,
    pool_page,
    return_to_pool,
    settings_of,
    transfer,
)

__all__ = [
    "ClaimLimits",
    "OwnerMove",
    "claim",
    "in_pool_filter",
    "limits",
    "may_claim",
    "move_to_pool",
    "owner_changes",
    "owner_periods",
    "pool_page",
    "previous_owners",
    "record_owner_change",
    "return_to_pool",
    "settings_of",
    "transfer",
]
