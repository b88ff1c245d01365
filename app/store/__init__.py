"""Storage: the one facade over SQLAlchemy that hands out plain records."""

SERIES_SUFFIXES = (".myocase", ".sqlite", ".db")  # a case-series database file ends in one of these
BUNDLE_SUFFIX = ".myocase-bundle"  # a case bundle of patients for pooling: a zip, never a series database
