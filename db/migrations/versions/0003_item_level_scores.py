"""Item-level scores: the CDASI v2 grid and MMT-8 muscle groups, beside the totals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cdasi_grid", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("mmt8_groups", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("mmt8_groups")
        batch_op.drop_column("cdasi_grid")
