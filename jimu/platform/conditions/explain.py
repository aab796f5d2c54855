"""A condition checked against an entity and said in words, for the condition builder.

The words are ``describe``'s (field and option labels, ``$user`` values as "me", "my
departments" …); the problems are ``check``'s (unknown fields, type mismatches …, each with a
JSON pointer into the condition) and, when it has none, those of rendering it as the SQL of the
entity's table (``jimu.metadata.scope_sql``, the check roles get at publish), so a condition
the builder shows as fine can be a data scope or a list filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.engines.expr import check, describe
from jimu.engines.form.model import AppModel, Entity
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.errors import FieldError
from jimu.metadata.roles import USER_CONTEXT_TYPES
from jimu.metadata.scope_sql import scope_sql_errors, sql_columns
from jimu.platform.conditions.fields import field_labels, option_labels
from jimu.platform.conditions.user_values import user_value_labels


@dataclass(frozen=True)
class Explained:
    text: str
    errors: list[FieldError]


def explain(
    rule: Any,
    app: AppModel,
    entity: Entity,
    registry: FieldTypeRegistry,
    fields: list[dict[str, Any]],
    value_types: dict[str, str],
    lang: str,
) -> Explained:
    """``rule`` in words in ``lang`` and every problem it has as a condition of ``entity``."""
    labels = {**field_labels(fields, lang), **user_value_labels(lang)}
    try:
        text = describe(rule, lang, labels, option_labels(fields, lang))
    except (TypeError, ValueError, KeyError):
        text = ""
    errors = check(rule, value_types, USER_CONTEXT_TYPES, lang=lang, require_sql=True)
    if not errors:
        columns = sql_columns(app, entity, registry)
        errors = scope_sql_errors(rule, columns, USER_CONTEXT_TYPES)
    return Explained(text, errors)
