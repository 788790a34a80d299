"""Keys, items and the append-only audit log.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(32), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float),
    )
    op.create_table(
        "items",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("evidence", sa.JSON),
        sa.Column("surface", sa.String(20), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("self_harm", sa.String(20), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("review_priority", sa.String(4)),
        sa.Column("degraded", sa.Integer, nullable=False),
        sa.Column("subject_hash", sa.String(64)),
        sa.Column("author_age_band", sa.String(10), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("purged_at", sa.Float),
        sa.UniqueConstraint("client", "kind", "item_id", name="uq_items_client_kind_item"),
    )
    op.create_index("ix_items_subject", "items", ["subject_hash"])
    op.create_index("ix_items_created", "items", ["created_at"])
    op.create_index("ix_items_review", "items", ["review_priority", "created_at"])
    op.create_table(
        "audit_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.String(300)),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_audit_at", "audit_events", ["at"])
    # The audit log is append-only in the database itself, not only in the code.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION ruangaman_audit_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                      FOR EACH ROW EXECUTE FUNCTION ruangaman_audit_append_only()""")
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_events_no_{what.lower()} BEFORE {what} ON audit_events
                           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS ruangaman_audit_append_only()")
    op.drop_table("audit_events")
    op.drop_table("items")
    op.drop_table("api_keys")
