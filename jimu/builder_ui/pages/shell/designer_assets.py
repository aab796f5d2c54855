"""The tags that load a designer's built files, read from Vite's ``manifest.json``.

The designers (Vue 3 islands, sources in ``jimu/builder_ui/designers/``) are built by Vite
into ``static/designers/`` with a manifest naming, per entry (``designers/<name>/main.ts``),
its file, the chunks it imports (the shared runtime) and its CSS. :func:`designer_tags` turns
one entry into a module ``<script>``, a ``<link rel="modulepreload">`` per imported chunk and a
``<link rel="stylesheet">`` per CSS file (its own and its chunks'), each carrying the page's CSP
nonce. The output is committed, so a ``pip install`` needs no Node (see docs/builder.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from jimu.builder_ui import STATIC_DIR
from jimu.errors import JimuError

DESIGNERS_DIR = STATIC_DIR / "designers"
MANIFEST = DESIGNERS_DIR / "manifest.json"
URL_PREFIX = "/static/designers/"


class DesignerBuildMissing(JimuError):
    """The designer has no built files (run scripts/build-designers)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, [], code="designer_build_missing", status=500)


@dataclass(frozen=True)
class DesignerAssets:
    """The URLs one designer page loads."""

    script: str
    preloads: tuple[str, ...]
    styles: tuple[str, ...]


def entry_key(designer: str) -> str:
    return f"designers/{designer}/main.ts"


def assets_of(manifest: Mapping[str, Any], designer: str) -> DesignerAssets:
    """The script, preloads and styles of ``designer`` in ``manifest`` (Vite's format)."""
    entry = manifest.get(entry_key(designer))
    if not isinstance(entry, Mapping) or not entry.get("isEntry"):
        raise DesignerBuildMissing(f"There is no built designer {designer!r}.")
    preloads: list[str] = []
    styles: list[str] = []
    seen: set[str] = set()

    def visit(chunk: Mapping[str, Any]) -> None:
        for imported in chunk.get("imports", []):
            if imported in seen:
                continue
            seen.add(imported)
            child = manifest[imported]
            visit(child)
            preloads.append(URL_PREFIX + str(child["file"]))
        for css in chunk.get("css", []):
            url = URL_PREFIX + str(css)
            if url not in styles:
                styles.append(url)

    visit(entry)
    return DesignerAssets(URL_PREFIX + str(entry["file"]), tuple(preloads), tuple(styles))


@cache
def load_manifest(path: Path = MANIFEST) -> Mapping[str, Any]:
    """The manifest of the committed build (read once per process)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DesignerBuildMissing("The designers are not built (no manifest.json).") from exc
    if not isinstance(data, dict):
        raise DesignerBuildMissing(f"{path} must hold one JSON object.")
    return data


def render_tags(assets: DesignerAssets, nonce: str) -> Markup:
    """CSS first, then the preloads, then the module script (all with ``nonce``)."""
    n = escape(nonce)
    lines = [f'<link rel="stylesheet" href="{escape(url)}" nonce="{n}">' for url in assets.styles]
    lines += [
        f'<link rel="modulepreload" href="{escape(url)}" nonce="{n}">' for url in assets.preloads
    ]
    lines.append(f'<script type="module" src="{escape(assets.script)}" nonce="{n}"></script>')
    return Markup("\n".join(lines))


def designer_tags(designer: str, nonce: str) -> Markup:
    """The tags that load ``designer`` (``"app"``, ...) on a page whose CSP nonce is ``nonce``."""
    return render_tags(assets_of(load_manifest(), designer), nonce)
