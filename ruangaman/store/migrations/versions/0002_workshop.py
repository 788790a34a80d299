"""Mindful Makers workshop: cohorts, sessions, creators, attendance, quizzes, draft checks, certificates.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "workshop_cohorts",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.String(10), nullable=False),
        sa.Column("ends_on", sa.String(10), nullable=False),
        sa.Column("min_attendance", sa.Float, nullable=False),
        sa.Column("quiz_pass", sa.Float, nullable=False),
        sa.Column("drafts_required", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "workshop_sessions",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("cohort_id", sa.String(16), sa.ForeignKey("workshop_cohorts.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("module", sa.String(40), nullable=False),
        sa.Column("starts_at", sa.String(32), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_workshop_sessions_cohort", "workshop_sessions", ["cohort_id", "starts_at"])
    op.create_table(
        "workshop_creators",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("cohort_id", sa.String(16), sa.ForeignKey("workshop_cohorts.id"), nullable=False),
        sa.Column("handle", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("follower_band", sa.String(10), nullable=False),
        sa.Column("region", sa.String(5), nullable=False),
        sa.Column("enrolled_at", sa.Float, nullable=False),
        sa.UniqueConstraint("cohort_id", "platform", "handle", name="uq_workshop_creators_handle"),
    )
    op.create_table(
        "workshop_attendance",
        sa.Column("session_id", sa.String(16), sa.ForeignKey("workshop_sessions.id"), primary_key=True),
        sa.Column("creator_id", sa.String(16), sa.ForeignKey("workshop_creators.id"), primary_key=True),
        sa.Column("present", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.Column("recorded_by", sa.String(32), nullable=False),
    )
    op.create_table(
        "workshop_quiz_attempts",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("creator_id", sa.String(16), sa.ForeignKey("workshop_creators.id"), nullable=False),
        sa.Column("module", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("taken_at", sa.Float, nullable=False),
    )
    op.create_index("ix_workshop_quiz_creator", "workshop_quiz_attempts", ["creator_id", "module"])
    op.create_table(
        "workshop_drafts",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("creator_id", sa.String(16), sa.ForeignKey("workshop_creators.id"), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("n_flags", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("on_topic", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("checked_at", sa.Float, nullable=False),
    )
    op.create_index("ix_workshop_drafts_creator", "workshop_drafts", ["creator_id", "id"])
    op.create_table(
        "workshop_certificates",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("creator_id", sa.String(16), sa.ForeignKey("workshop_creators.id"), nullable=False, unique=True),
        sa.Column("cohort_id", sa.String(16), sa.ForeignKey("workshop_cohorts.id"), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("issued_at", sa.Float, nullable=False),
        sa.Column("issued_by", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.Float),
        sa.Column("revoked_reason", sa.String(300)),
    )


def downgrade() -> None:
    op.drop_table("workshop_certificates")
    op.drop_index("ix_workshop_drafts_creator", table_name="workshop_drafts")
    op.drop_table("workshop_drafts")
    op.drop_index("ix_workshop_quiz_creator", table_name="workshop_quiz_attempts")
    op.drop_table("workshop_quiz_attempts")
    op.drop_table("workshop_attendance")
    op.drop_table("workshop_creators")
    op.drop_index("ix_workshop_sessions_cohort", table_name="workshop_sessions")
    op.drop_table("workshop_sessions")
    op.drop_table("workshop_cohorts")
