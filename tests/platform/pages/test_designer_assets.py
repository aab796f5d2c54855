"""The manifest helper: Vite's manifest.json -> the tags that load one designer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jimu.builder_ui.pages.shell.designer_assets import (
    DESIGNERS_DIR,
    DesignerBuildMissing,
    assets_of,
    designer_tags,
    load_manifest,
    render_tags,
)

MANIFEST = {
    "_runtime-A.js": {"file": "runtime-A.js", "name": "runtime", "css": ["runtime-A.css"]},
    "_draggable-B.js": {"file": "draggable-B.js", "imports": ["_runtime-A.js"]},
    "designers/app/main.ts": {
        "file": "app-C.js",
        "src": "designers/app/main.ts",
        "isEntry": True,
        "imports": ["_runtime-A.js", "_draggable-B.js"],
        "css": ["app-C.css"],
    },
    "designers/shared/x.ts": {"file": "x.js"},
}


def test_an_entry_brings_its_chunks_once_in_dependency_order_and_all_their_css() -> None:
    assets = assets_of(MANIFEST, "app")
    assert assets.script == "/static/designers/app-C.js"
    assert assets.preloads == ("/static/designers/runtime-A.js", "/static/designers/draggable-B.js")
    assert assets.styles == ("/static/designers/runtime-A.css", "/static/designers/app-C.css")


@pytest.mark.parametrize("name", ["nope", "shared/x"])
def test_a_designer_that_is_not_a_built_entry_is_refused(name: str) -> None:
    with pytest.raises(DesignerBuildMissing, match="no built designer"):
        assets_of(MANIFEST, name)


def test_the_tags_carry_the_nonce_and_load_css_first_then_preloads_then_the_module() -> None:
    tags = str(render_tags(assets_of(MANIFEST, "app"), 'n"1'))
    lines = tags.splitlines()
    assert lines[0].startswith('<link rel="stylesheet" href="/static/designers/runtime-A.css"')
    assert lines[2].startswith('<link rel="modulepreload" href="/static/designers/runtime-A.js"')
    assert lines[-1] == (
        '<script type="module" src="/static/designers/app-C.js" nonce="n&#34;1"></script>'
    )
    assert all('nonce="n&#34;1"' in line for line in lines)


def test_a_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DesignerBuildMissing, match="not built"):
        load_manifest(tmp_path / "manifest.json")


def test_the_committed_build_has_every_designer_and_every_file_it_names() -> None:
    sources = Path(__file__).resolve().parents[3] / "jimu" / "builder_ui" / "designers"
    designers = sorted(
        p.parent.name for p in sources.glob("*/main.ts") if p.parent.name != "shared"
    )
    assert "app" in designers
    manifest = json.loads((DESIGNERS_DIR / "manifest.json").read_text(encoding="utf-8"))
    for name in designers:
        assets = assets_of(manifest, name)
        for url in (assets.script, *assets.preloads, *assets.styles):
            assert (DESIGNERS_DIR / url.removeprefix("/static/designers/")).is_file(), url
        assert "app-" in str(designer_tags("app", "x"))
