"""Check-in, attendance, outcomes per competence area and the statement (intyg)."""
