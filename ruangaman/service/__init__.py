"""The HTTP service: FastAPI over the engine, the policy and the store."""

from ruangaman.service.app import app_from_env, create_app
from ruangaman.service.settings import SETTINGS, Setting, Settings, SettingsError

__all__ = ["SETTINGS", "Setting", "Settings", "SettingsError", "app_from_env", "create_app"]
