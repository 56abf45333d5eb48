"""Messaging on FastStream's KafkaBroker: one broker factory, typed handlers, dead letters, outbox."""
