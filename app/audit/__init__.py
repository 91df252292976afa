"""Who changed which booking, session and outcome, and when."""
