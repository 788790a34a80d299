"""Tables, declared once (SQLAlchemy Core) for SQLite and PostgreSQL alike.

What is kept is the minimum a platform needs to prove what was decided: the redacted text
(or nothing, with ``store_text=none``), a keyed hash of the text for idempotency, the
assessment and decision, and a keyed subject hash so a data-subject request can find a
user's items.  Raw text and raw user ids are never stored.
"""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

__all__ = ["metadata", "api_keys", "items", "audit_events"]

metadata = MetaData()

api_keys = Table(
    "api_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_id", String(32), nullable=False, unique=True),  # public part, shown in lists and the audit log
    Column("secret_hash", String(64), nullable=False),  # SHA-256 of the whole key; the key itself is never stored
    Column("name", String(200), nullable=False),
    Column("client", String(200), nullable=False),  # whose items: keys of one client share idempotency ids
    Column("role", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

items = Table(
    "items", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("client", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # assess | decide
    Column("item_id", String(200), nullable=False),  # the client's own id
    Column("text_hash", String(64), nullable=False),
    Column("text", Text),  # redacted text; NULL with store_text=none or after purge
    Column("evidence", JSON),  # evidence spans in the redacted text's coordinates
    Column("surface", String(20), nullable=False),
    Column("language", String(10), nullable=False),
    Column("self_harm", String(20), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("result", JSON, nullable=False),  # exactly what the client was answered
    Column("review_priority", String(4)),  # P0..P3 when the decision asks people to look
    Column("degraded", Integer, nullable=False, default=0),
    Column("subject_hash", String(64)),
    Column("author_age_band", String(10), nullable=False, default="unknown"),
    Column("key_id", String(32), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("purged_at", Float),
    UniqueConstraint("client", "kind", "item_id", name="uq_items_client_kind_item"),
)
Index("ix_items_subject", items.c.subject_hash)
Index("ix_items_created", items.c.created_at)
Index("ix_items_review", items.c.review_priority, items.c.created_at)

audit_events = Table(
    "audit_events", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("key_id", String(32), nullable=False),  # who: an API key, or "cli:<user>" for commands
    Column("role", String(20), nullable=False),
    Column("action", String(60), nullable=False),  # what: items.create, items.read, subject.erase, ...
    Column("target", String(300)),  # which: never a text, never a raw user id
    Column("detail", JSON),
)
Index("ix_audit_at", audit_events.c.at)
