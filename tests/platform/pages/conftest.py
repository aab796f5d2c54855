"""Fixtures for the page tests: the marketing app published, and a browser-like client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_testing import import_marketing, page_login
from platform_testing import ADMIN_PASSWORD

from jimu.platform.models import User
from jimu.platform.state import Platform


@pytest.fixture
def marketing(platform: Platform) -> Platform:
    """The platform with the marketing app imported and published."""
    import_marketing(platform)
    return platform


@pytest.fixture
def pages(app: FastAPI, admin: User, marketing: Platform) -> Iterator[TestClient]:
    """A client signed in as the admin through the login page, marketing app published."""
    with TestClient(app) as client:
        response = page_login(client, "admin", ADMIN_PASSWORD)
        assert response.status_code == 303, response.text
        yield client
