"""Fixtures for the public-form tests: the marketing app published, a clock the tests move,
and an anonymous visitor's client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from public_forms_testing import FakeClock, import_marketing

from jimu.app import create_app
from jimu.platform.public_forms import limits
from jimu.platform.state import Platform


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    import_marketing(platform)
    return platform


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(platform: Platform, clock: FakeClock) -> FastAPI:
    """The app of tests/platform/conftest.py, with the public forms' clock under test control."""
    application = create_app(platform=platform)
    application.dependency_overrides[limits.clock] = lambda: clock
    return application


@pytest.fixture
def visitor(app: FastAPI, marketing: Platform) -> Iterator[TestClient]:
    """An anonymous browser on the marketing app's public forms."""
    with TestClient(app) as client:
        yield client
