"""Storage: the one facade over SQLAlchemy that hands out plain records."""
