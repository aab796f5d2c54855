"""The differences between two versions of a document, as JSON-pointer changes.

Lists of objects that carry a ``name`` (fields, options by ``value``) are matched by that key,
so inserting a field reports one added field rather than every later field as changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.metadata.pointers import escape


@dataclass(frozen=True)
class Change:
    op: str  # "add" | "remove" | "replace"
    pointer: str  # in the new document for add/replace, in the old one for remove
    old: Any = None
    new: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "pointer": self.pointer, "old": self.old, "new": self.new}


def _key_of(items: list[Any]) -> str | None:
    for key in ("name", "value"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            keys = [i[key] for i in items]
            if len(set(map(str, keys))) == len(keys):
                return key
    return None


def _diff_lists(old: list[Any], new: list[Any], at: str, out: list[Change]) -> None:
    key = _key_of(old) if old else None
    if key is None or _key_of(new) != key:
        if old != new:
            out.append(Change("replace", at, old, new))
        return
    old_by = {str(item[key]): (i, item) for i, item in enumerate(old)}
    new_keys = {str(item[key]) for item in new}
    for name, (i, item) in old_by.items():
        if name not in new_keys:
            out.append(Change("remove", f"{at}/{i}", item, None))
    for j, item in enumerate(new):
        found = old_by.get(str(item[key]))
        if found is None:
            out.append(Change("add", f"{at}/{j}", None, item))
        else:
            _diff(found[1], item, f"{at}/{j}", out)
    order_old = [str(i[key]) for i in old if str(i[key]) in new_keys]
    order_new = [str(i[key]) for i in new if str(i[key]) in old_by]
    if order_old != order_new:
        out.append(Change("replace", f"{at}#order", order_old, order_new))


def _diff(old: Any, new: Any, at: str, out: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in old:
            if k not in new:
                out.append(Change("remove", f"{at}/{escape(k)}", old[k], None))
        for k in new:
            if k not in old:
                out.append(Change("add", f"{at}/{escape(k)}", None, new[k]))
            else:
                _diff(old[k], new[k], f"{at}/{escape(k)}", out)
    elif isinstance(old, list) and isinstance(new, list):
        _diff_lists(old, new, at, out)
    elif old != new or type(old) is not type(new):
        out.append(Change("replace", at, old, new))


def diff_documents(old: Any, new: Any) -> list[Change]:
    """Every change from ``old`` to ``new``."""
    out: list[Change] = []
    _diff(old, new, "", out)
    return out
