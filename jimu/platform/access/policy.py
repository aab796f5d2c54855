"""What a user may do with each entity of an app, from the roles they hold (pure: no I/O).

A role document grants, per entity, actions with a data scope (``own``, ``department``,
``department_tree``, ``all`` or a JsonLogic condition over the record and ``$user``) and field
rules. A user's roles combine by union: an action is allowed if any role allows it, its scope
is the OR of the scopes of the roles that allow it, a field gets the most open rule any of
those roles gives it (a role that does not mention a field leaves it editable), and records may
be assigned as widely as the most open ``assign_to`` of the roles that create or change them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.errors import PermissionDenied
from jimu.metadata.roles import ACTIONS, ASSIGN_KINDS, DESIGN_RIGHTS, FIELD_RULES, scope_items

JsonLogic = Mapping[str, Any]
#: Actions whose rows are limited by the write scope; the others use the read scope.
WRITE_ACTIONS = frozenset({"update", "delete"})
#: Actions that set a record's owner, and so use the role's ``assign_to``.
OWNING_ACTIONS = frozenset({"create", "update"})
#: The ``$user`` context key of the users each ``assign_to`` reaches (None: only the user).
ASSIGNEES_KEY = {
    "department": "department_member_ids",
    "department_tree": "department_tree_member_ids",
}

_SCOPE_RULES: dict[str, JsonLogic] = {
    "own": {"==": [{"var": "owner_id"}, {"var": "$user.id"}]},
    "department": {"in": [{"var": "owner_id"}, {"var": "$user.department_member_ids"}]},
    "department_tree": {"in": [{"var": "owner_id"}, {"var": "$user.department_tree_member_ids"}]},
}


@dataclass(frozen=True)
class EntityRules:
    """One role's rules for one entity."""

    actions: frozenset[str]
    scope: tuple[Any, ...] = ("all",)
    write_scope: tuple[Any, ...] = ("all",)
    fields: Mapping[str, str] = field(default_factory=dict)
    #: To whom the role's holders may assign records (one of ``ASSIGN_KINDS``).
    assign_to: str = "self"


@dataclass(frozen=True)
class RoleSpec:
    name: str
    label: Mapping[str, str]
    app_admin: frozenset[str] = frozenset()
    entities: Mapping[str, EntityRules] = field(default_factory=dict)


def parse_role(document: Mapping[str, Any]) -> RoleSpec:
    """A validated role document as a ``RoleSpec``."""
    entities = {}
    for name, rules in dict(document.get("entities", {})).items():
        scope = tuple(scope_items(rules.get("scope")))
        write = tuple(scope_items(rules["write_scope"])) if "write_scope" in rules else scope
        entities[name] = EntityRules(
            frozenset(rules.get("actions", [])),
            scope,
            write,
            dict(rules.get("fields", {})),
            str(rules.get("assign_to", "self")),
        )
    return RoleSpec(
        str(document["name"]),
        dict(document.get("label", {})),
        frozenset(document.get("app_admin", [])),
        entities,
    )


def scope_logic(items: Iterable[Any]) -> JsonLogic | None:
    """The scope items ORed as one JsonLogic condition; None when one of them is ``all``."""
    parts: list[JsonLogic] = []
    for item in items:
        if item == "all":
            return None
        rule = _SCOPE_RULES.get(item) if isinstance(item, str) else item["condition"]
        if rule is not None and rule not in parts:
            parts.append(rule)
    if not parts:
        return {"==": [1, 0]}  # allowed by no item: matches nothing
    return parts[0] if len(parts) == 1 else {"or": parts}


@dataclass(frozen=True)
class EntityAccess:
    """What one user may do with one entity: actions, their row scopes, field rules."""

    entity: str
    actions: frozenset[str]
    #: Per allowed action, the JsonLogic condition rows must meet (None: every row).
    scopes: Mapping[str, JsonLogic | None]
    hidden: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()
    #: To whom the user may assign records (one of ``ASSIGN_KINDS``).
    assign_to: str = "anyone"

    def allows(self, action: str) -> bool:
        return action in self.actions

    def require(self, action: str, label: str) -> None:
        """Raise PermissionDenied unless ``action`` is allowed."""
        if action not in self.actions:
            raise PermissionDenied(
                f"You may not {ACTION_VERBS[action]} {label} records.",
                extra={"action": action, "entity": self.entity},
            )

    def scope(self, action: str) -> JsonLogic | None:
        return self.scopes.get(action)

    def assignees(self, context: Mapping[str, Any]) -> frozenset[int] | None:
        """The ids of the users the user may make owners of records (None: anyone)."""
        if self.assign_to == "anyone":
            return None
        own = {context["id"]}
        key = ASSIGNEES_KEY.get(self.assign_to)
        if key is not None:
            own.update(context.get(key) or [])
        return frozenset(own)

    @property
    def unrestricted(self) -> bool:
        return (
            self.actions == frozenset(ACTIONS)
            and all(s is None for s in self.scopes.values())
            and not self.hidden
            and not self.read_only
        )


ACTION_VERBS = {
    "create": "create",
    "read": "read",
    "update": "change",
    "delete": "delete",
    "export": "export",
    "import": "import",
}


def full_access(entity: str) -> EntityAccess:
    return EntityAccess(entity, frozenset(ACTIONS), dict.fromkeys(ACTIONS))


def combine(entity: str, roles: Iterable[RoleSpec]) -> EntityAccess:
    """The union of ``roles``' rules for ``entity``."""
    granting = [role.entities[entity] for role in roles if entity in role.entities]
    actions = frozenset().union(*(rules.actions for rules in granting))
    scopes: dict[str, JsonLogic | None] = {}
    for action in actions:
        items: list[Any] = []
        for rules in granting:
            if action in rules.actions:
                items += rules.write_scope if action in WRITE_ACTIONS else rules.scope
        scopes[action] = scope_logic(items)
    openness = {rule: i for i, rule in enumerate(FIELD_RULES)}
    levels: dict[str, int] = {}
    names = {name for rules in granting if rules.actions for name in rules.fields}
    for name in names:
        levels[name] = max(
            openness[rules.fields.get(name, "editable")] for rules in granting if rules.actions
        )
    owning = [rules.assign_to for rules in granting if rules.actions & OWNING_ACTIONS]
    return EntityAccess(
        entity,
        actions,
        scopes,
        frozenset(n for n, level in levels.items() if FIELD_RULES[level] == "hidden"),
        frozenset(n for n, level in levels.items() if FIELD_RULES[level] == "read_only"),
        max(owning, key=ASSIGN_KINDS.index, default="self"),
    )


@dataclass(frozen=True)
class AccessPolicy:
    """One user's access to one app. ``unrestricted`` for administrators and for apps that
    define no roles (then every signed-in user may do everything: see docs/access.md)."""

    app: str
    user_id: int | None
    context: Mapping[str, Any]
    roles: tuple[RoleSpec, ...] = ()
    unrestricted: bool = False
    #: Ids of the records shared with the user by (entity, write), when the caller keeps them
    #: (``jimu.platform.access.cache``); None: read them for every scoped statement.
    shares: dict[tuple[str, bool], list[int]] | None = field(
        default=None, compare=False, repr=False
    )
    _entities: dict[str, EntityAccess] = field(default_factory=dict, compare=False, repr=False)

    def entity(self, name: str) -> EntityAccess:
        found = self._entities.get(name)
        if found is None:
            found = full_access(name) if self.unrestricted else combine(name, self.roles)
            self._entities[name] = found
        return found

    def design_kinds(self) -> frozenset[str]:
        """The document kinds the user may design and publish in this app."""
        if self.unrestricted and self.context.get("is_admin"):
            return frozenset(
                {"entity", "form", "view", "flow", "rule", "decision_table", "report", "dashboard"}
            )
        rights = frozenset().union(*(role.app_admin for role in self.roles))
        return frozenset(kind for right in rights for kind in DESIGN_RIGHTS[right])

    @property
    def role_names(self) -> list[str]:
        return [role.name for role in self.roles]
