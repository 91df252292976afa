"""The web pages: one blueprint module per feature, above every feature they show."""
