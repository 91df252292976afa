"""Calendar invites by mail (iTIP/iMIP), the outbox that sends them, and feeds."""
