"""The composition root: the platform's API app with the UI's pages on top.

``jimu serve`` and the tests run this app. :mod:`jimu.platform` builds the API and knows
nothing of pages; :mod:`jimu.builder_ui.pages` adds the page routes, static files and HTML
error pages. This is the one module that imports both.
"""

from __future__ import annotations

from fastapi import FastAPI

from jimu.builder_ui import pages
from jimu.platform.app import create_api_app
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """A Jimu web application (API and pages) on the database of ``settings`` or ``platform``."""
    app = create_api_app(settings, platform=platform)
    pages.install(app)
    return app
