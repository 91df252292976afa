"""Calendar invites by mail (iTIP/iMIP), queued in the mail outbox (app.mail), and feeds."""
