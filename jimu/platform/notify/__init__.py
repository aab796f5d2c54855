"""Notifications (docs/notifications.md): the in-app inbox, and external sends (email over
SMTP, signed webhooks, DingTalk / WeCom / Feishu group robots) through the durable delivery
table. Enqueue in the transaction that decides the send; the delivery worker sends after it
commits.
"""

from jimu.platform.notify.away import is_away
from jimu.platform.notify.enqueue import enqueue_email, enqueue_robot, enqueue_webhook
from jimu.platform.notify.inbox import post_inbox

__all__ = ["enqueue_email", "enqueue_robot", "enqueue_webhook", "is_away", "post_inbox"]
