"""Checking message templates at publish: ``{{ field }}`` text (Jinja2 syntax, as the platform
renders it in a sandbox) must parse and name only fields of the record it is rendered on."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from jimu.errors import FieldError

_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def template_errors(text: str, at: str, known: Collection[str]) -> list[FieldError]:
    """Problems of the template ``text`` (at JSON pointer ``at``): syntax, unknown variables."""
    try:
        parsed = _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [FieldError(at, f"template error: {exc.message} (line {exc.lineno})", "template")]
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(known))
    return [
        FieldError(at, f"the template names {name!r}, which is no field of the record", "reference")
        for name in unknown
    ]


def json_template_errors(value: Any, at: str, known: Collection[str]) -> list[FieldError]:
    """Problems of every string inside the JSON value ``value`` (a webhook's body)."""
    if isinstance(value, str):
        return template_errors(value, at, known)
    if isinstance(value, list):
        return [
            e
            for i, item in enumerate(value)
            for e in json_template_errors(item, f"{at}/{i}", known)
        ]
    if isinstance(value, dict):
        errors: list[FieldError] = []
        for key, item in value.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            errors += json_template_errors(item, f"{at}/{escaped}", known)
        return errors
    return []
