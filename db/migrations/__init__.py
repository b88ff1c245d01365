"""Alembic migrations of MyoCase's database: installed as the package ``myocase.migrations``."""
