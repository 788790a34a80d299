"""Service settings, declared once: name, default, meaning.  The README table is checked against this.

Each setting is read from ``RUANGAMAN_<NAME>`` (or given to :meth:`Settings.load`).  A bad
value is an error naming the setting, never a silent fallback to the default.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

__all__ = ["SETTINGS", "Setting", "Settings", "SettingsError"]


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: type = str
    choices: tuple[str, ...] | None = None
    minimum: int | None = None

    @property
    def env(self) -> str:
        return f"RUANGAMAN_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "ruangaman-data", "Folder for the SQLite database and the generated secret key."),
    Setting("database_url", "", "SQLAlchemy URL of the store; empty means sqlite:///<data_dir>/ruangaman.db. "
            "postgresql://user:pass@host/db switches to PostgreSQL."),
    Setting("secret_key", "", "Secret for keyed hashes of texts and user ids (at least 32 characters). Empty means "
            "a random key generated once in <data_dir>/secret.key. Every server sharing a database must share it."),
    Setting("store_text", "redacted", "What is kept of each text: 'redacted' (identifiers replaced by placeholders) "
            "or 'none' (only a keyed hash).", choices=("redacted", "none")),
    Setting("retention_days", 90, "Days a stored text is kept before `ruangaman purge` removes it.", int, minimum=0),
    Setting("max_body_bytes", 4 * 1024 * 1024, "Largest request body accepted; larger gets 413.", int, minimum=1024),
    Setting("max_batch_items", 1000, "Most items in one batch request; more gets 413.", int, minimum=1),
    Setting("max_text_chars", 20_000, "Longest text accepted, in characters; longer gets 413 (one text) or an "
            "error record for that item (batch).", int, minimum=1),
    Setting("key_cache_seconds", 5, "How long a checked API key is trusted before it is looked up again "
            "(a revoked key stops working within this time).", int, minimum=0),
    Setting("decide_timeout_ms", 500, "Budget for the model in decide; past it the rule safety net answers "
            "and the decision is marked degraded.", int, minimum=1),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: bytes = field(repr=False)
    store_text: str
    retention_days: int
    max_body_bytes: int
    max_batch_items: int
    max_text_chars: int
    key_cache_seconds: int
    decide_timeout_ms: int

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from overrides, then ``RUANGAMAN_*`` variables, then defaults; checked."""
        env = os.environ if env is None else env
        unknown = set(overrides) - set(_BY_NAME)
        if unknown:
            raise SettingsError(f"settings must be among {sorted(_BY_NAME)}. Got unknown {sorted(unknown)} instead.")
        values: dict[str, Any] = {}
        for s in SETTINGS:
            raw = overrides.get(s.name)
            if raw is None:
                raw = env.get(s.env, s.default)
            values[s.name] = _parse(s, raw)
        data_dir = Path(values["data_dir"]).expanduser()
        if not values["database_url"]:
            values["database_url"] = f"sqlite:///{(data_dir / 'ruangaman.db').resolve()}"
        values["data_dir"] = data_dir
        values["secret_key"] = _secret(values["secret_key"], data_dir)
        return cls(**values)


def _parse(s: Setting, raw: Any) -> Any:
    if s.kind is int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{s.env} must be an integer. Got {raw!r} instead.") from None
        if s.minimum is not None and value < s.minimum:
            raise SettingsError(f"{s.env} must be at least {s.minimum}. Got {value} instead.")
        return value
    value = str(raw)
    if s.choices and value not in s.choices:
        raise SettingsError(f"{s.env} must be one of {list(s.choices)}. Got {value!r} instead.")
    return value


def _secret(configured: str, data_dir: Path) -> bytes:
    if configured:
        if len(configured) < 32:
            raise SettingsError(f"RUANGAMAN_SECRET_KEY must be at least 32 characters. Got {len(configured)} instead.")
        return configured.encode()
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    value = path.read_text().strip()
    if len(value) < 32:
        raise SettingsError(f"{path} must hold a secret of at least 32 characters. Got {len(value)} instead.")
    return value.encode()
