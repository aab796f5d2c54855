"""Fixtures of the designers' tests: a live server with the marketing app (see
designer_harness.py for the browser side)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from designer_harness import designer_server
from platform_testing import ADMIN_PASSWORD, add_user

from jimu.platform.state import Platform


@pytest.fixture
def live(platform: Platform) -> Iterator[str]:
    """The base URL of a live server with the marketing app and the admin."""
    add_user(platform, "admin", ADMIN_PASSWORD, is_admin=True)
    with designer_server(platform) as base:
        yield base
