"""Privacy: redact personal identifiers before anything is stored, and key every hash."""

from ruangaman.privacy.redact import Entity, Redacted, redact
from ruangaman.privacy.keys import Hasher

__all__ = ["Entity", "Hasher", "Redacted", "redact"]
