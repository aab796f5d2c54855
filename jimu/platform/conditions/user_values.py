"""The ``$user`` values the condition builder offers ("me", "my department" …), per kind of
field they compare with, with their labels in both languages.

Each is one of the scope context values of roles (``USER_CONTEXT_TYPES`` of
jimu.metadata.roles); ``many`` marks a
list, compared with "is one of".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class UserValue:
    name: str  # the context path without "$": "user.id"
    kind: str  # the field kind it compares with: user / department
    many: bool
    en: str
    zh: str

    @property
    def var(self) -> str:
        return "$" + self.name

    def as_json(self) -> dict[str, Any]:
        return {
            "value": {"var": self.var},
            "kind": self.kind,
            "many": self.many,
            "label": {"en": self.en, "zh": self.zh},
        }


USER_VALUES = (
    UserValue("user.id", "user", False, "me", "我"),
    UserValue("user.manager_id", "user", False, "my manager", "我的上级"),
    UserValue("user.report_ids", "user", True, "my direct reports", "我的直接下属"),
    UserValue(
        "user.department_member_ids", "user", True, "the people of my departments", "本部门成员"
    ),
    UserValue(
        "user.department_tree_member_ids",
        "user",
        True,
        "the people of my departments and their sub-departments",
        "本部门及下级部门成员",
    ),
    UserValue("user.main_department_id", "department", False, "my main department", "我的主部门"),
    UserValue("user.department_ids", "department", True, "my departments", "我的部门"),
    UserValue(
        "user.department_and_descendant_ids",
        "department",
        True,
        "my departments and their sub-departments",
        "我的部门及下级部门",
    ),
    UserValue(
        "user.led_department_ids", "department", True, "the departments I lead", "我负责的部门"
    ),
)


def user_value_labels(lang: str) -> dict[str, str]:
    """``$user…`` → its label in ``lang``, for ``describe`` ("Owner equals me")."""
    zh = lang.startswith("zh")
    return {value.var: value.zh if zh else value.en for value in USER_VALUES}
