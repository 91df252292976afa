"""Counties and municipalities: the two counties the project covers."""
