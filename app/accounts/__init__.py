"""People, their roles and the companies they work for."""
