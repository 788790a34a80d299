"""The helpline registry: verified Indonesian services, chosen for a person and rendered as cards.

The registry is data (``resources/helplines.yaml``) so program staff can update a number
without a release; loading it checks every entry, and a number known to be out of service
(the old Kemenkes 500-454 line) is refused wherever it appears.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["HelplineError", "HelplineRegistry", "Service", "default_registry"]

KINDS = ("crisis", "support", "emergency", "protection", "info")
AUDIENCES = ("everyone", "children", "women")
CHANNELS = ("phone", "whatsapp", "web", "app")
LANGS = ("id", "en")
_REQUIRED = ("id", "name", "kind", "contacts", "hours", "languages", "audience", "coverage", "priority",
             "verified_from", "verified_on")


class HelplineError(ValueError):
    """The registry file is wrong; the message names the entry and field."""


@dataclass(frozen=True)
class Service:
    id: str
    name: dict[str, str]
    kind: str
    contacts: dict[str, str]
    hours: str
    languages: tuple[str, ...]
    audience: tuple[str, ...]
    coverage: str | tuple[str, ...]
    priority: int
    verified_from: str
    verified_on: str
    note: dict[str, str] | None = None

    def covers(self, region: str | None) -> bool:
        if self.coverage in ("national", "partial", "international"):
            return True
        return region is not None and any(region == c or region.startswith(c + ".") for c in self.coverage)

    def to_card_entry(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name[lang], "contacts": dict(self.contacts),
                               "hours": self.hours}
        if self.note:
            out["note"] = self.note[lang]
        return out


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


class HelplineRegistry:
    def __init__(self, services: list[Service], retired: list[str]):
        self.services = services
        self.retired = retired

    @classmethod
    def from_dict(cls, doc: Any, source: str = "registry") -> "HelplineRegistry":
        if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
            raise HelplineError(f"{source}: must be a mapping with a 'services' list. Got {type(doc).__name__}.")
        retired = [_digits(str(r.get("number", ""))) for r in doc.get("retired", []) or []]
        services, seen = [], set()
        for k, raw in enumerate(doc["services"]):
            where = f"{source}: services[{k}]"
            if not isinstance(raw, dict):
                raise HelplineError(f"{where}: must be a mapping. Got {type(raw).__name__} instead.")
            missing = [f for f in _REQUIRED if f not in raw]
            if missing:
                raise HelplineError(f"{where}: must have {list(_REQUIRED)}. Missing {missing}.")
            where = f"{source}: services[{k}] ({raw['id']})"
            if raw["id"] in seen:
                raise HelplineError(f"{where}: id must be unique. Got a second {raw['id']!r}.")
            seen.add(raw["id"])
            if raw["kind"] not in KINDS:
                raise HelplineError(f"{where}.kind: must be one of {list(KINDS)}. Got {raw['kind']!r} instead.")
            for field in ("name",) + (("note",) if raw.get("note") else ()):
                if not isinstance(raw[field], dict) or set(raw[field]) != set(LANGS):
                    raise HelplineError(f"{where}.{field}: must give both {list(LANGS)}. Got {raw[field]!r} instead.")
            if not raw["contacts"] or set(raw["contacts"]) - set(CHANNELS):
                raise HelplineError(f"{where}.contacts: channels must be among {list(CHANNELS)}. "
                                    f"Got {sorted(raw['contacts'])} instead.")
            for channel in ("phone", "whatsapp"):
                value = str(raw["contacts"].get(channel, ""))
                if value and any(r and _digits(value).endswith(r) for r in retired):
                    raise HelplineError(f"{where}.contacts.{channel}: {value!r} is a retired number; remove it.")
            if set(raw["audience"]) - set(AUDIENCES):
                raise HelplineError(f"{where}.audience: must be among {list(AUDIENCES)}. Got {raw['audience']!r}.")
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(raw["verified_on"])):
                raise HelplineError(f"{where}.verified_on: must be a date YYYY-MM-DD. Got {raw['verified_on']!r}.")
            if not str(raw["verified_from"]).startswith("https://"):
                raise HelplineError(f"{where}.verified_from: must be an https:// source. Got {raw['verified_from']!r}.")
            coverage = raw["coverage"]
            if isinstance(coverage, list):
                coverage = tuple(str(c) for c in coverage)
            elif coverage not in ("national", "partial", "international"):
                raise HelplineError(f"{where}.coverage: must be national, partial, international or a list of "
                                    f"region codes. Got {coverage!r} instead.")
            services.append(Service(raw["id"], dict(raw["name"]), raw["kind"], {c: str(v) for c, v in raw["contacts"].items()},
                                    str(raw["hours"]), tuple(raw["languages"]), tuple(raw["audience"]), coverage,
                                    int(raw["priority"]), str(raw["verified_from"]), str(raw["verified_on"]),
                                    dict(raw["note"]) if raw.get("note") else None))
        return cls(services, retired)

    @classmethod
    def load(cls, path: Path) -> "HelplineRegistry":
        return cls.from_dict(yaml.safe_load(Path(path).read_text(encoding="utf-8")), str(path))

    def get(self, service_id: str) -> Service:
        for s in self.services:
            if s.id == service_id:
                return s
        raise KeyError(f"helpline must be one of {[s.id for s in self.services]}. Got {service_id!r} instead.")

    def select(self, kinds: list[str], region: str | None = None, minor: bool = False) -> list[Service]:
        """Services of the given kinds (in that order) that cover the region; regional ones first."""
        out: list[Service] = []
        for kind in kinds:
            chosen = [s for s in self.services if s.kind == kind and s.covers(region)
                      and ("everyone" in s.audience or (minor and "children" in s.audience))]
            chosen.sort(key=lambda s: (isinstance(s.coverage, str), s.priority, s.id))
            out.extend(chosen)
        return out


_CARD_TEXT = {
    "crisis": {"id": ("Kamu tidak sendirian", "Kalau kamu sedang berpikir untuk menyakiti diri atau mengakhiri hidup, "
                      "bicaralah sekarang dengan orang yang bisa membantu. Layanan ini gratis dan rahasia."),
               "en": ("You are not alone", "If you are thinking about hurting yourself or ending your life, talk to "
                      "someone who can help, now. These services are free and confidential.")},
    "emergency": {"id": ("Butuh bantuan segera?", "Kalau nyawa sedang dalam bahaya sekarang, hubungi layanan darurat."),
                  "en": ("Need help right now?", "If a life is in danger right now, call emergency services.")},
    "support": {"id": ("Ada yang siap mendengarkan", "Cerita ke orang yang kamu percaya atau ke layanan ini bisa membantu."),
                "en": ("Someone is ready to listen", "Talking to someone you trust, or to these services, can help.")},
}


def render_card(services: list[Service], tier: str, lang: str) -> dict[str, Any]:
    """A helpline card: title, message and the services, in Indonesian or English."""
    lang = lang if lang in LANGS else "id"
    title, message = _CARD_TEXT[tier][lang]
    return {"title": title, "message": message, "lang": lang,
            "services": [s.to_card_entry(lang) for s in services]}


_default: HelplineRegistry | None = None


def default_registry() -> HelplineRegistry:
    global _default
    if _default is None:
        text = resources.files("ruangaman.resources").joinpath("helplines.yaml").read_text(encoding="utf-8")
        _default = HelplineRegistry.from_dict(yaml.safe_load(text), "helplines.yaml")
    return _default
