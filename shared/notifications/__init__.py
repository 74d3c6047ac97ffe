"""Notifications context (消息中心): each user's inbox of messages that other
flows deliver (list, unread count, mark read), and the SMS channel port.

- `service.InboxService.deliver(...)` puts a message in a subject's inbox;
  other contexts reach it through their events (`consumers.py`, run by the
  notifications_worker function), never through this context's repository.
- `routes.py` serves `/v1/me/messages...` for the signed-in user only.
- `sms_outbox.py` is the CLI that reads the local SMS outbox (the SMS port itself
  is `shared.platform.sms`, shared with identity).
"""
