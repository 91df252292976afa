"""Outgoing mail, beside the database at the bottom of the layers: the outbox, the worker
that sends it, the claims that keep two workers from sending one message, and the text
helpers that mask what staff read. Features above queue their mail here."""
