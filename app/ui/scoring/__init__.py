"""Score entry widgets: the CDASI v2 site grid, MMT-8 muscle groups, and totals-or-items entry."""
