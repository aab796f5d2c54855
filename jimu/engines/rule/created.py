"""Records a run creates, named for the actions after them (docs/rules.md, "Linking the
records a run creates").

``create_record`` takes ``"as": "account"``; a later ``create_record`` or ``set_fields`` maps
link fields to such names with ``"created_links": {"account": "account"}``. The ids are not
known when the run is planned, so the planned write carries the names (``refs``) and the
platform puts the created ids in when it carries the write out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.rule.actions import RuleScope
from jimu.errors import FieldError

NAME_PATTERN = "^[a-z][a-z0-9_]*$"
AS_SCHEMA: dict[str, Any] = {"type": "string", "pattern": NAME_PATTERN}
CREATED_LINKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "string", "pattern": NAME_PATTERN},
    "minProperties": 1,
}


def _target(spec: Mapping[str, Any], entity: str) -> str:
    """The entity an action's ``created_links`` fields belong to."""
    return str(spec["entity"]) if spec.get("type") == "create_record" else entity


def created_link_errors(
    actions: list[Mapping[str, Any]], entity: str, scope: RuleScope
) -> list[FieldError]:
    """Each ``as`` names one record, and each ``created_links`` entry is a link field of the
    action's record to the entity of a record an earlier action created under that name."""
    errors: list[FieldError] = []
    named: dict[str, tuple[str, int]] = {}
    for i, spec in enumerate(actions):
        at = f"/actions/{i}"
        links = spec.get("created_links")
        if isinstance(links, Mapping):
            target = _target(spec, entity)
            for name, created in links.items():
                where = f"{at}/created_links/{name}"
                link_target = scope.links.get(target, {}).get(str(name))
                if link_target is None:
                    errors.append(
                        FieldError(where, f"{target!r} has no link field {name!r}", "reference")
                    )
                elif created not in named:
                    message = f"no earlier create_record action is named {created!r} (its 'as')"
                    errors.append(FieldError(where, message, "reference"))
                elif named[created][0] != link_target:
                    message = (
                        f"{name!r} links to {link_target!r}, but {created!r} is "
                        f"{named[created][0]!r} (action {named[created][1]})"
                    )
                    errors.append(FieldError(where, message, "type"))
        name = spec.get("as")
        if isinstance(name, str):
            if name in named:
                message = f"{name!r} already names the record of action {named[name][1]}"
                errors.append(FieldError(f"{at}/as", message, "unique"))
            else:
                named[name] = (str(spec.get("entity")), i)
    return errors


def resolve_refs(
    values: Mapping[str, Any], refs: Mapping[str, str], created: Mapping[str, int]
) -> dict[str, Any]:
    """``values`` with each ref's field set to the id of the record created under its name."""
    out = dict(values)
    for field_name, name in refs.items():
        if name not in created:
            raise LookupError(f"no record was created as {name!r} before this write")
        out[field_name] = created[name]
    return out
