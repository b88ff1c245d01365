"""Entry forms for each kind of record."""
