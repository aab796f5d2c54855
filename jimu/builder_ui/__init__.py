"""Server-rendered pages: Jinja2 templates, static assets and the en/zh message catalogues.

This package holds no web framework code: :mod:`jimu.platform.pages` renders these templates.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
