"""Keyed hashes: identifiers that can be matched again but not read back or guessed.

A plain SHA-256 of a short text or a user id can be reversed by trying candidates; an
HMAC under the deployment's secret cannot without the secret.  Each purpose gets its own
domain so a text hash never equals a subject hash.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["Hasher"]


class Hasher:
    """HMAC-SHA256 under one secret; ``secret`` must be at least 16 bytes."""

    def __init__(self, secret: bytes):
        if not isinstance(secret, bytes) or len(secret) < 16:
            raise ValueError(f"secret must be at least 16 bytes. Got {len(secret) if isinstance(secret, bytes) else type(secret).__name__} instead.")
        self._keyed = hmac.new(secret, digestmod=hashlib.sha256)  # keyed once; copied per value

    def _mac(self, domain: str, value: str) -> str:
        mac = self._keyed.copy()
        mac.update(f"{domain}\x00{value}".encode("utf-8", "surrogatepass"))
        return mac.hexdigest()

    def text(self, text: str) -> str:
        """Same text, same hash: how a repeated id is checked without keeping the text."""
        return self._mac("text", text)

    def subject(self, client: str, author_id: str) -> str:
        """A platform user, pseudonymous and scoped to the client that knows them."""
        return self._mac("subject", f"{client}\x00{author_id}")
