"""Message templates: Jinja2 (sandboxed) over a record's values.

A text template (an email's subject and body, a robot's text) renders to a string. A JSON
template (a webhook's body) is a JSON value whose strings are each rendered, so values never
break the JSON they go into. An unknown name or a template that does not parse is a 422 naming
the template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from jimu.errors import FieldError, ValidationFailed

_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
#: A string that is one placeholder and nothing else: ``"{{ score }}"``.
_WHOLE = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")


def render_text(template: str, values: Mapping[str, Any], *, pointer: str) -> str:
    """``template`` rendered with ``values``; ``pointer`` names it in an error."""
    try:
        return _ENV.from_string(template).render(dict(values))
    except jinja2.TemplateError as error:
        raise ValidationFailed(
            "A message template cannot be rendered.",
            [FieldError(pointer, f"Template error: {error}", code="template")],
        ) from error


def render_json(
    template: Any, values: Mapping[str, Any], *, pointer: str, typed: bool = False
) -> Any:
    """``template`` (a JSON value) with every string in it rendered with ``values``; with
    ``typed``, a string that is one placeholder alone (``"{{ score }}"``) becomes the value
    itself (a number stays a number, an empty value null) instead of its text."""
    if isinstance(template, str):
        whole = _WHOLE.match(template) if typed else None
        if whole is not None:
            name = whole.group(1)
            if name not in values:
                raise ValidationFailed(
                    "A message template cannot be rendered.",
                    [FieldError(pointer, f"Template error: {name!r} is undefined", "template")],
                )
            return values[name]
        return render_text(template, values, pointer=pointer)
    if isinstance(template, list):
        return [
            render_json(item, values, pointer=f"{pointer}/{index}", typed=typed)
            for index, item in enumerate(template)
        ]
    if isinstance(template, dict):
        return {
            key: render_json(item, values, pointer=f"{pointer}/{_escape(key)}", typed=typed)
            for key, item in template.items()
        }
    return template


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
