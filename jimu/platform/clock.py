"""The current time as a FastAPI dependency, so tests move time instead of sleeping.

Routes whose answers depend on elapsed time (sign-in throttling) take ``ClockDep`` and call it;
a test overrides :func:`clock` in ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends

from jimu.platform.models import utcnow

Clock = Callable[[], datetime]


async def clock() -> Clock:
    """The current time (UTC). ``async``: it does no I/O, so it runs on the event loop."""
    return utcnow


ClockDep = Annotated[Clock, Depends(clock)]
