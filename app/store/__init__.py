"""Storage: the one facade over SQLAlchemy that hands out plain records."""

SERIES_SUFFIXES = (".myocase", ".sqlite", ".db")  # a case-series database file ends in one of these
