"""Provenance of patients pooled from other centres' case bundles: centre, series, bundle file, import time.

A table of its own (one row per imported patient), so no existing table is rebuilt.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_provenance",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("centre", sa.String(length=16), nullable=False),
        sa.Column("series_name", sa.String(length=200), nullable=False),
        sa.Column("source_study_id", sa.String(length=32), nullable=False),
        sa.Column("bundle_file", sa.String(length=255), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),  # UTC
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_provenance_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patient_provenance")),
    )


def downgrade() -> None:
    op.drop_table("patient_provenance")
