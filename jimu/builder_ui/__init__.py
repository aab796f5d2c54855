"""Everything a browser sees: the page routes (:mod:`.pages`, by area), their Jinja2
templates, static assets and the en/zh message catalogues.

It imports the platform's services; the platform never imports it. :mod:`jimu.app` composes
the platform's API app and these pages.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
