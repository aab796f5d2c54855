"""The organisation: the department tree, memberships, managers, the ``$user`` context and
the DingTalk/WeCom-shaped import (see docs/org.md)."""
