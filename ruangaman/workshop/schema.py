"""The workshop's tables, on the store's own ``metadata`` (one database, one migration history).

Creators are public figures and are kept by handle.  Their drafts are not kept: only what
the check said (flag names, counts, score) and a keyed hash, so that three passing drafts
are three different drafts.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Float, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from ruangaman.store.schema import metadata

__all__ = ["cohorts", "sessions", "creators", "attendance", "quiz_attempts", "drafts", "certificates"]

_ID = BigInteger().with_variant(Integer, "sqlite")

cohorts = Table(
    "workshop_cohorts", metadata,
    Column("id", String(16), primary_key=True),  # co-<10 hex>
    Column("name", String(200), nullable=False),
    Column("starts_on", String(10), nullable=False),  # ISO dates
    Column("ends_on", String(10), nullable=False),
    Column("min_attendance", Float, nullable=False),  # share of the sessions a creator must attend
    Column("quiz_pass", Float, nullable=False),  # score that passes a module quiz
    Column("drafts_required", Integer, nullable=False),  # distinct drafts that pass the check
    Column("created_at", Float, nullable=False),
)

sessions = Table(
    "workshop_sessions", metadata,
    Column("id", String(16), primary_key=True),  # se-<10 hex>
    Column("cohort_id", String(16), ForeignKey("workshop_cohorts.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("module", String(40), nullable=False),  # the quiz module the session teaches
    Column("starts_at", String(32), nullable=False),  # ISO date-time
    Column("created_at", Float, nullable=False),
)
Index("ix_workshop_sessions_cohort", sessions.c.cohort_id, sessions.c.starts_at)

creators = Table(
    "workshop_creators", metadata,
    Column("id", String(16), primary_key=True),  # cr-<10 hex>; a creator key's client
    Column("cohort_id", String(16), ForeignKey("workshop_cohorts.id"), nullable=False),
    Column("handle", String(64), nullable=False),  # lower case, without '@'
    Column("platform", String(20), nullable=False),
    Column("follower_band", String(10), nullable=False),
    Column("region", String(5), nullable=False),  # BPS code
    Column("enrolled_at", Float, nullable=False),
    UniqueConstraint("cohort_id", "platform", "handle", name="uq_workshop_creators_handle"),
)

attendance = Table(
    "workshop_attendance", metadata,
    Column("session_id", String(16), ForeignKey("workshop_sessions.id"), primary_key=True),
    Column("creator_id", String(16), ForeignKey("workshop_creators.id"), primary_key=True),
    Column("present", Integer, nullable=False),
    Column("recorded_at", Float, nullable=False),
    Column("recorded_by", String(32), nullable=False),  # key id
)

quiz_attempts = Table(
    "workshop_quiz_attempts", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("creator_id", String(16), ForeignKey("workshop_creators.id"), nullable=False),
    Column("module", String(40), nullable=False),
    Column("lang", String(2), nullable=False),
    Column("answers", JSON, nullable=False),  # {question id: option letter}
    Column("correct", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("taken_at", Float, nullable=False),
)
Index("ix_workshop_quiz_creator", quiz_attempts.c.creator_id, quiz_attempts.c.module)

drafts = Table(
    "workshop_drafts", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("creator_id", String(16), ForeignKey("workshop_creators.id"), nullable=False),
    Column("text_hash", String(64), nullable=False),  # keyed: tells drafts apart, cannot be read back
    Column("surface", String(20), nullable=False),
    Column("language", String(5), nullable=False),
    Column("flags", JSON, nullable=False),  # flag names only; never the text or its spans
    Column("n_flags", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("on_topic", Integer, nullable=False),  # about suicide, self-harm or mental health
    Column("passed", Integer, nullable=False),
    Column("checked_at", Float, nullable=False),
)
Index("ix_workshop_drafts_creator", drafts.c.creator_id, drafts.c.id)

certificates = Table(
    "workshop_certificates", metadata,
    Column("code", String(32), primary_key=True),  # MM-XXXX-XXXX-XXXX-XXXX, 80 random bits
    Column("creator_id", String(16), ForeignKey("workshop_creators.id"), nullable=False, unique=True),
    Column("cohort_id", String(16), ForeignKey("workshop_cohorts.id"), nullable=False),
    Column("details", JSON, nullable=False),  # what was certified, as it stood when issued
    Column("issued_at", Float, nullable=False),
    Column("issued_by", String(32), nullable=False),
    Column("revoked_at", Float),
    Column("revoked_reason", String(300)),
)
