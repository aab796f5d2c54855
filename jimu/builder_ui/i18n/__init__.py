"""The UI's message catalogues (``en.json``, ``zh.json``) and label picking.

A catalogue maps a dotted key (``list.new``) to a message with ``{name}`` placeholders. Both
catalogues carry the same keys (a test checks it); a key missing from one falls back to English,
and an unknown key renders as itself so a typo is visible instead of blank.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
CATALOGUE_DIR = Path(__file__).resolve().parent

Translator = Callable[..., str]


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """The messages of ``language`` (one of :data:`LANGUAGES`)."""
    if language not in LANGUAGES:
        raise ValueError(f"no message catalogue for language {language!r}")
    path = CATALOGUE_DIR / f"{language}.json"
    messages = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(messages, dict):
        raise ValueError(f"{path} must hold one JSON object")
    return {str(key): str(value) for key, value in messages.items()}


def translate(language: str, key: str, **params: Any) -> str:
    """The message ``key`` in ``language`` with ``params`` filled in."""
    message = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return message.format_map(params) if params else message


def translator(language: str) -> Translator:
    """``translate`` bound to one language, for templates: ``t("list.new", entity=...)``."""

    def bound(key: str, **params: Any) -> str:
        return translate(language, key, **params)

    return bound


def pick_label(label: object, language: str, fallback: str = "") -> str:
    """The text of a bilingual label ``{"en": ..., "zh": ...}`` in ``language``.

    Falls back to English, then to any language given, then to ``fallback``; a plain string
    label is used as it is.
    """
    if isinstance(label, str):
        return label or fallback
    if isinstance(label, Mapping):
        for key in (language, DEFAULT_LANGUAGE, *label.keys()):
            text = label.get(key)
            if isinstance(text, str) and text:
                return text
    return fallback
