"""Notifications context (消息中心): each user's inbox of messages that other
flows deliver (list, unread count, mark read), and the SMS channel port.

- `service.InboxService.deliver(...)` puts a message in a subject's inbox;
  other contexts reach it through their events (`consumers.py`, run by the
  notifications_worker function), never through this context's repository.
- `routes.py` serves `/v1/me/messages...` for the signed-in user only.
- `sms.py` is the SMS port (the local adapter writes an outbox bucket) and
  `sms_outbox.py` the CLI that reads that outbox.
"""
