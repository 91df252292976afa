"""Validation models, testledare authorisations and validation sessions."""
