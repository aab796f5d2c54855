"""Group-robot messages in each platform's documented JSON format.

- DingTalk (钉钉) custom robot: ``{"msgtype": "text", "text": {"content": ...}}``, or
  ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``.
- WeCom (企业微信) group robot: ``{"msgtype": "text", "text": {"content": ...}}``, or
  ``{"msgtype": "markdown", "markdown": {"content": ...}}``.
- Feishu (飞书) custom bot: ``{"msg_type": "text", "content": {"text": ...}}``; Feishu has no
  markdown message of that form, so a title goes on the first line of the text.
"""

from __future__ import annotations

from typing import Any, Literal

RobotKind = Literal["dingtalk", "wecom", "feishu"]
ROBOT_KINDS: tuple[RobotKind, ...] = ("dingtalk", "wecom", "feishu")


def robot_message(kind: RobotKind, text: str, title: str | None = None) -> dict[str, Any]:
    """The JSON body a ``kind`` robot expects for ``text`` (as markdown under ``title``)."""
    if kind == "dingtalk":
        if title:
            return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        return {"msgtype": "text", "text": {"content": text}}
    if kind == "wecom":
        if title:
            return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
        return {"msgtype": "text", "text": {"content": text}}
    content = f"{title}\n{text}" if title else text
    return {"msg_type": "text", "content": {"text": content}}
