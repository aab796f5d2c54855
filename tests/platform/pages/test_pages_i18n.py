"""The en/zh message catalogues and label picking."""

from __future__ import annotations

import re

import pytest

from jimu.builder_ui.i18n import LANGUAGES, catalogue, pick_label, translate

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_both_catalogues_have_the_same_keys() -> None:
    assert set(catalogue("en")) == set(catalogue("zh"))


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_messages_use_the_same_placeholders_in_both_languages(key: str) -> None:
    names = {lang: set(PLACEHOLDER.findall(catalogue(lang)[key])) for lang in LANGUAGES}
    assert names["en"] == names["zh"], key
    assert all(catalogue(lang)[key].strip() for lang in LANGUAGES), key


def test_translate_fills_placeholders_in_each_language() -> None:
    assert translate("en", "list.new", entity="Lead") == "New Lead"
    assert translate("zh", "list.new", entity="线索") == "新建线索"


def test_an_unknown_key_shows_itself() -> None:
    assert translate("zh", "no.such.key") == "no.such.key"


def test_an_unknown_language_has_no_catalogue() -> None:
    with pytest.raises(ValueError, match="fr"):
        catalogue("fr")


def test_pick_label_prefers_the_language_then_english_then_any() -> None:
    label = {"en": "Lead", "zh": "线索"}
    assert pick_label(label, "zh") == "线索"
    assert pick_label(label, "en") == "Lead"
    assert pick_label({"zh": "线索"}, "en") == "线索"
    assert pick_label({"en": "Lead"}, "zh") == "Lead"
    assert pick_label("Plain", "zh") == "Plain"
    assert pick_label(None, "en", "fallback") == "fallback"
    assert pick_label({"en": ""}, "en", "name") == "name"


def test_every_key_the_pages_use_is_in_the_catalogues() -> None:
    from pathlib import Path

    import jimu.builder_ui
    import jimu.builder_ui.pages

    literal = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[a-z_.0-9]+)['"]""")
    sources = [
        *Path(jimu.builder_ui.__file__).parent.glob("templates/**/*.html"),
        *Path(jimu.builder_ui.pages.__file__).parent.glob("**/*.py"),
    ]
    used = {key for path in sources for key in literal.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 50
    assert used - set(catalogue("en")) == set()
