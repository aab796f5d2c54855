"""Fixtures: the small app of records_testing on a fresh database of each dialect."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from records_testing import make_model

from jimu.platform.db import create_engine
from jimu.platform.models import Base
from jimu.platform.records import Records


@pytest.fixture
def jimu_engine(db_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def records(jimu_engine: sa.Engine) -> Records:
    service = Records(make_model())
    service.runtime.metadata.create_all(jimu_engine)
    return service


@pytest.fixture
def conn(jimu_engine: sa.Engine, records: Records) -> Iterator[sa.Connection]:
    with jimu_engine.connect() as connection, connection.begin():
        yield connection
