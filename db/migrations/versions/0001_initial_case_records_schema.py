"""Initial case records schema: patients, identifiers, antibodies, courses,
assessments, adverse events, settings and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("os_user", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("age_at_onset", sa.Integer(), nullable=True),
        sa.Column("subtype", sa.String(length=16), nullable=False),
        sa.Column("diagnosis_date", sa.Date(), nullable=True),
        sa.Column("diagnosis_precision", sa.String(length=8), nullable=True),
        sa.Column("ild", sa.String(length=8), nullable=False),
        sa.Column("malignancy", sa.String(length=8), nullable=False),
        sa.Column("vignette", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("study_id", name=op.f("uq_patient_study_id")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "adverse_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=False),
        sa.Column("resolution_date", sa.Date(), nullable=True),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("suspected_drug", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 5", name=op.f("ck_adverse_event_grade_range")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_adverse_event_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_event")),
    )
    with op.batch_alter_table("adverse_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adverse_event_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "antibody_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("antibody", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tested_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_antibody_result_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_antibody_result")),
        sa.UniqueConstraint("patient_id", "antibody", name="uq_antibody_result_patient_antibody"),
    )
    with op.batch_alter_table("antibody_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_antibody_result_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("cdasi_activity", sa.Integer(), nullable=True),
        sa.Column("cdasi_damage", sa.Integer(), nullable=True),
        sa.Column("mmt8_total", sa.Integer(), nullable=True),
        sa.Column("mmt8_max", sa.Integer(), nullable=True),
        sa.Column("ck", sa.Float(), nullable=True),
        sa.Column("ck_uln", sa.Float(), nullable=True),
        sa.Column("aldolase", sa.Float(), nullable=True),
        sa.Column("aldolase_uln", sa.Float(), nullable=True),
        sa.Column("alt", sa.Float(), nullable=True),
        sa.Column("alt_uln", sa.Float(), nullable=True),
        sa.Column("ast", sa.Float(), nullable=True),
        sa.Column("ast_uln", sa.Float(), nullable=True),
        sa.Column("ldh", sa.Float(), nullable=True),
        sa.Column("ldh_uln", sa.Float(), nullable=True),
        sa.Column("physician_global", sa.Float(), nullable=True),
        sa.Column("patient_global", sa.Float(), nullable=True),
        sa.Column("extramuscular_global", sa.Float(), nullable=True),
        sa.Column("haq", sa.Float(), nullable=True),
        sa.Column("pruritus", sa.Float(), nullable=True),
        sa.Column("prednisone_mg", sa.Float(), nullable=True),
        sa.Column("fvc_pct", sa.Float(), nullable=True),
        sa.Column("dlco_pct", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_assessment_patient_id_patient"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "medication_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("drug", sa.String(length=80), nullable=False),
        sa.Column("drug_class", sa.String(length=40), nullable=False),
        sa.Column("dose", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("frequency", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("start_precision", sa.String(length=8), nullable=False),
        sa.Column("stop_date", sa.Date(), nullable=True),
        sa.Column("stop_precision", sa.String(length=8), nullable=True),
        sa.Column("stop_reason", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_medication_course_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_course")),
    )
    with op.batch_alter_table("medication_course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_medication_course_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_identifier",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("mrn", sa.String(length=64), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_identifier_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patient_identifier")),
    )


def downgrade() -> None:
    op.drop_table("patient_identifier")
    with op.batch_alter_table("medication_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medication_course_patient_id"))

    op.drop_table("medication_course")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_patient_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("antibody_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_antibody_result_patient_id"))

    op.drop_table("antibody_result")
    with op.batch_alter_table("adverse_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adverse_event_patient_id"))

    op.drop_table("adverse_event")
    op.drop_table("setting")
    op.drop_table("patient")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_patient_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
