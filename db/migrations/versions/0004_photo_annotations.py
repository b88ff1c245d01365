"""Photo annotations and crops (vector, relative to the image) and saved photo comparisons.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("annotations", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("crop", sa.JSON(), nullable=True))
    op.create_table(
        "photo_comparison",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("photo_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_photo_comparison_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_comparison")),
    )
    with op.batch_alter_table("photo_comparison", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photo_comparison_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("photo_comparison", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photo_comparison_patient_id"))
    op.drop_table("photo_comparison")
    with op.batch_alter_table("photo", schema=None) as batch_op:
        batch_op.drop_column("crop")
        batch_op.drop_column("annotations")
