"""Webhooks for HR systems: signed events about bookings and results, sent from an outbox."""
