from __future__ import annotations

from pathlib import Path

import pytest
from access_testing import Secured, secure_crm

from jimu.platform.state import Platform


@pytest.fixture
def secured(platform: Platform, tmp_path: Path) -> Secured:
    return secure_crm(platform, tmp_path)
