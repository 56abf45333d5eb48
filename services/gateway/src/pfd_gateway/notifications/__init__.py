"""The gateway's side of notifications: read models projected from the notifier's facts, and the requests
(command events through the outbox) that the pages and the API send to the notifier."""
