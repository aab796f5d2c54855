"""Canonical JSON for documents: byte-stable, so app folders can live in git.

2-space indent, UTF-8 without escapes, a trailing newline, and keys in a stable order: the
well-known keys first in a fixed order, every other key after them alphabetically. The order
does not depend on how a document was typed or stored (PostgreSQL JSONB reorders keys).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

KEY_ORDER = (
    "kind",
    "name",
    "entity",
    "type",
    "value",
    "label",
    "title",
    "description",
    "title_field",
    "menu",
    "columns",
    "fields",
    "indexes",
    "sections",
)
_RANK = {key: i for i, key in enumerate(KEY_ORDER)}


def canonical(value: Any) -> Any:
    """``value`` with every object's keys in the canonical order (recursively)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_RANK.get(k, len(_RANK)), k))
        return {k: canonical(value[k]) for k in keys}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def dumps(document: Any) -> str:
    """The canonical text of a document (what export writes)."""
    return json.dumps(canonical(document), indent=2, ensure_ascii=False) + "\n"


def checksum(document: Any) -> str:
    """sha256 hex of the canonical text."""
    return hashlib.sha256(dumps(document).encode("utf-8")).hexdigest()
