"""The audit trail compacted: one row per changed record with its changed fields as JSON, not one row per field.

The rows one write produced (consecutive ids; the same user, action, record and patient; written within the
same second, the time the trail shows; no field twice) become one row whose ``changes`` holds
``{field: [old, new]}`` in the order they were written, with the first row's time. The rows are numbered
again from 1 in the same order. The downgrade writes one row per field again (each with its row's time).
Both read and write in chunks, so memory stays flat however long the trail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 20_000
# what the rows of one write share, besides the time
WRITE = ("os_user", "action", "entity", "record_id", "patient_id")
WRITTEN_BY = attrgetter(*WRITE)
LOG = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime()),
    *(sa.column(name, sa.Integer() if name.endswith("_id") else sa.String()) for name in WRITE),
    sa.column("field", sa.String()),
    sa.column("old_value", sa.Text()),
    sa.column("new_value", sa.Text()),
    sa.column("changes", sa.Text()),
)


def _audit_log(*columns: sa.Column[Any]) -> sa.Table:
    """The table as it stands (batch mode copies it from this, without reflecting it)."""
    return sa.Table(
        "audit_log",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("os_user", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        *columns,
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.Index("ix_audit_log_at", "at"),
        sa.Index("ix_audit_log_patient_id", "patient_id"),
    )


def _per_field(field_nullable: bool) -> list[sa.Column[Any]]:
    return [
        sa.Column("field", sa.String(length=64), nullable=field_nullable),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.Text(), nullable=True))
    rows = ("id", "at", *WRITE, "field", "old_value", "new_value")
    _rewrite(lambda top: _compacted(_grouped(_read(rows, top)), top), {"field": ""})
    table = _audit_log(*_per_field(False), sa.Column("changes", sa.Text(), nullable=True))
    with op.batch_alter_table("audit_log", schema=None, copy_from=table) as batch_op:
        batch_op.drop_column("new_value")
        batch_op.drop_column("old_value")
        batch_op.drop_column("field")
        batch_op.alter_column("changes", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("field", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("old_value", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("new_value", sa.Text(), nullable=True))
    _rewrite(lambda top: _expanded(_read(("id", "at", *WRITE, "changes"), top), top), {"changes": ""})
    table = _audit_log(sa.Column("changes", sa.Text(), nullable=False), *_per_field(True))
    with op.batch_alter_table("audit_log", schema=None, copy_from=table) as batch_op:
        batch_op.drop_column("changes")
        batch_op.alter_column("field", existing_type=sa.String(length=64), nullable=False)


def _rewrite(rewritten: Any, placeholder: dict[str, str]) -> None:
    """Every row replaced by ``rewritten(top)``'s rows: written above the highest id ``top`` (the column about
    to go given ``placeholder``), then the old rows deleted and the new ones numbered 1, 2, … in order."""
    connection = op.get_bind()
    top = connection.scalar(sa.select(sa.func.max(LOG.c.id))) or 0
    chunk: list[dict[str, Any]] = []
    for row in rewritten(top):
        chunk.append({**row, **placeholder})
        if len(chunk) == CHUNK:
            connection.execute(sa.insert(LOG), chunk)
            chunk = []
    if chunk:
        connection.execute(sa.insert(LOG), chunk)
    connection.execute(sa.delete(LOG).where(LOG.c.id <= top))
    # down to 1, 2, … by way of -1, -2, …: no id is ever taken twice, whatever order the rows are moved in
    connection.execute(sa.update(LOG).values(id=top - LOG.c.id))
    connection.execute(sa.update(LOG).values(id=-LOG.c.id))
    if connection.dialect.name == "postgresql":  # ids written by hand: the next one follows them
        connection.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), coalesce(max(id), 0) + 1, false) "
            "FROM audit_log"
        )


def _read(columns: Sequence[str], top: int) -> Iterator[Any]:
    """The rows up to id ``top``, in id order, a chunk at a time (no cursor stays open between chunks)."""
    last = 0
    while True:
        query = sa.select(*(LOG.c[name] for name in columns)).where(LOG.c.id > last, LOG.c.id <= top)
        page = op.get_bind().execute(query.order_by(LOG.c.id).limit(CHUNK)).all()
        if not page:
            return
        yield from page
        last = page[-1].id


def _grouped(rows: Iterable[Any]) -> Iterator[list[Any]]:
    """The per-field rows, one list for each write that produced them."""
    group: list[Any] = []
    write: tuple[Any, ...] = ()
    names: set[str] = set()
    for row in rows:
        key = (*WRITTEN_BY(row), row.at.replace(microsecond=0))
        if group and (row.id != group[-1].id + 1 or key != write or row.field in names):
            yield group
            group = []
        if not group:
            write, names = key, set()
        group.append(row)
        names.add(row.field)
    if group:
        yield group


def _compacted(groups: Iterable[list[Any]], top: int) -> Iterator[dict[str, Any]]:
    for number, group in enumerate(groups, start=top + 1):
        changes = {row.field: [row.old_value, row.new_value] for row in group}
        first = group[0]
        yield {
            "id": number,
            "at": first.at,
            **{name: getattr(first, name) for name in WRITE},
            "changes": json.dumps(changes, ensure_ascii=False),
        }


def _expanded(rows: Iterable[Any], top: int) -> Iterator[dict[str, Any]]:
    number = top
    for row in rows:
        for field, (old, new) in json.loads(row.changes).items():
            number += 1
            yield {
                "id": number,
                "at": row.at,
                **{name: getattr(row, name) for name in WRITE},
                "field": field,
                "old_value": old,
                "new_value": new,
            }
