"""Stage 7: store. Items, API keys and the append-only audit log, in SQLite or PostgreSQL."""

from ruangaman.store.store import (ROLES, ApiKey, ItemRecord, Store, StoreError, Stored, cli_actor,
                                   connect, current_revision, head_revision, upgrade)

__all__ = ["ROLES", "ApiKey", "ItemRecord", "Store", "StoreError", "Stored", "cli_actor", "connect",
           "current_revision", "head_revision", "upgrade"]
