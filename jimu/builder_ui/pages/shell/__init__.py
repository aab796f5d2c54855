"""What every page uses: rendering, the viewer and their language, formatting, error pages."""

from __future__ import annotations
