"""Record versions and ids that are never reused (two editors, one series).

Every record an editor may change (patient, course, assessment, adverse event, photo, comparison) gains
``version``, the count of its saves: a save based on an older version is refused (optimistic concurrency).
On SQLite those tables are rebuilt with AUTOINCREMENT, so the id of a deleted record is never given to a
new one (undo re-creates a deleted record with its id), and each table's counter starts above every id the
audit trail has seen, so ids deleted before this upgrade are not handed out again either. PostgreSQL's
sequences never reuse an id; there the columns are only added.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# each table, which is also the audit trail's name for its records
TABLES = ("patient", "medication_course", "assessment", "adverse_event", "photo", "photo_comparison")


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    sqlite = _on_sqlite()
    for table in TABLES:
        rebuild = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": True}} if sqlite else {}
        with op.batch_alter_table(table, **rebuild) as batch_op:  # type: ignore[arg-type]
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    if sqlite:
        _seed_counters()


def _seed_counters() -> None:
    """Start each table's AUTOINCREMENT counter above its highest id, stored or remembered by the audit trail."""
    bind = op.get_bind()
    for table in TABLES:
        high = bind.execute(
            sa.text(
                f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
                "coalesce((SELECT max(record_id) FROM audit_log WHERE entity = :entity), 0))"
            ),
            {"entity": table},
        ).scalar_one()
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :table"), {"table": table})
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :high)"),
            {"table": table, "high": high},
        )


def downgrade() -> None:
    sqlite = _on_sqlite()
    for table in reversed(TABLES):
        rebuild = {"recreate": "always", "table_kwargs": {"sqlite_autoincrement": False}} if sqlite else {}
        with op.batch_alter_table(table, **rebuild) as batch_op:  # type: ignore[arg-type]
            batch_op.drop_column("version")
    if sqlite:
        op.execute(sa.text(f"DELETE FROM sqlite_sequence WHERE name IN {TABLES!r}"))
