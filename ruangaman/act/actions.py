"""Actions a decision can take, registered by name the same way a platform adds its own.

Each action declares the parameters a policy may set (with their allowed values) and
builds its output from the assessment, the context and those parameters.  A policy that
names an unknown action or parameter is refused when it is loaded, not when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ruangaman.act.helplines import HelplineRegistry, default_registry, render_card

__all__ = ["Action", "ActionRegistry", "Context", "default_actions", "AGE_BANDS"]

AGE_BANDS = ("minor", "adult", "unknown")

# Review tiers: what a person must look at, and how fast.
REVIEW_SLA_MINUTES = {"P0": 15, "P1": 60, "P2": 240, "P3": 1440}


@dataclass(frozen=True)
class Context:
    """Where the text is and who is on each side of it."""

    surface: str = "post"
    author_age_band: str = "unknown"
    viewer_age_band: str = "unknown"
    locale: str | None = None  # "id" or "en"; by default the text's language
    region: str | None = None  # BPS province or regency code, e.g. "31" (DKI Jakarta), "32.73"

    def card_lang(self, language: str) -> str:
        if self.locale in ("id", "en"):
            return self.locale
        return "en" if language == "en" else "id"


@dataclass(frozen=True)
class Action:
    """One kind of action: its parameters (name -> allowed values, or a type) and a builder."""

    name: str
    params: Mapping[str, tuple | type]
    build: Callable[[dict[str, Any], Context, dict[str, Any], "ActionRegistry"], dict[str, Any]]
    doc: str = ""

    def check(self, params: Mapping[str, Any], where: str) -> list[str]:
        errors = []
        for key, value in params.items():
            if key not in self.params:
                errors.append(f"{where}: parameter must be one of {sorted(self.params)} for {self.name}. "
                              f"Got {key!r} instead.")
                continue
            allowed = self.params[key]
            if isinstance(allowed, tuple) and value not in allowed:
                errors.append(f"{where}.{key}: must be one of {list(allowed)}. Got {value!r} instead.")
            elif isinstance(allowed, type) and not isinstance(value, allowed):
                errors.append(f"{where}.{key}: must be {allowed.__name__}. Got {value!r} instead.")
        return errors


@dataclass
class ActionRegistry:
    actions: dict[str, Action] = field(default_factory=dict)
    helplines: HelplineRegistry = field(default_factory=default_registry)

    def register(self, action: Action) -> None:
        if action.name in self.actions:
            raise ValueError(f"action name must be unique. Got a second {action.name!r}.")
        self.actions[action.name] = action

    def __contains__(self, name: str) -> bool:
        return name in self.actions

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]


# -- builders --------------------------------------------------------------------------------

def _helpline_card(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    tier = p.get("tier", "support")
    minor = ctx.author_age_band == "minor" or ctx.viewer_age_band == "minor"
    kinds = {"emergency": ["emergency", "crisis"], "crisis": ["crisis", "emergency"],
             "support": ["crisis", "support"]}[tier]
    if minor:
        kinds.append("protection")
    kinds.append("info")
    services = reg.helplines.select(kinds, ctx.region, minor)
    return {"tier": tier, "card": render_card(services, "emergency" if tier == "emergency" else
                                              ("crisis" if tier == "crisis" else "support"),
                                              ctx.card_lang(a["language"]))}


_SEARCH_TEXT = {
    "id": ("Kamu tidak sendirian", "Kalau kamu sedang merasa berat, ada orang yang siap membantu sekarang juga."),
    "en": ("You are not alone", "If things feel heavy right now, there are people ready to help."),
}


def _search_intervention(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    lang = ctx.card_lang(a["language"])
    title, message = _SEARCH_TEXT[lang]
    services = reg.helplines.select(["crisis", "emergency", "info"], ctx.region,
                                    ctx.author_age_band == "minor")
    cards = list(p.get("info_cards", ["where-to-get-help"]))
    if p.get("mode", "precede") == "precede":  # a method-seeking query is never searched, even for cards
        cards += [h.card.id for h in _info_search(a.get("_text", ""), 3) if h.card.id not in cards]
    return {"mode": p.get("mode", "precede"), "show_results": p.get("mode", "precede") != "replace",
            "title": title, "message": message, "services": [s.to_card_entry(lang) for s in services],
            "info_cards": cards[:4]}


def _opt_in_screen(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    lang = ctx.card_lang(a["language"])
    text = {"id": "Konten ini membahas bunuh diri atau menyakiti diri. Lanjutkan kalau kamu merasa siap.",
            "en": "This content talks about suicide or self-harm. Continue if you feel ready."}[lang]
    return {"message": text, "reason": p.get("reason", "distressing_topic")}


def _limit_reach(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    return {"scope": p.get("scope", "recommendations"), "audience": p.get("audience", "minors")}


def _remove_or_hold(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    return {"mode": p.get("mode", "hold"), "reason": p.get("reason", "policy")}


def _queue_review(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    tier = p.get("tier", "P3")
    if ctx.author_age_band == "minor" and p.get("minor_bump", True) and tier != "P0":
        tier = f"P{int(tier[1]) - 1}"  # a minor's crisis is looked at one tier sooner
    return {"queue": p.get("queue", "safety"), "tier": tier, "sla_minutes": REVIEW_SLA_MINUTES[tier],
            "self_harm": a["self_harm"], "labels": list(a["labels"])}


_NUDGE = {
    "harassment": {"id": ("Yakin mau kirim ini?", "Kata-kata seperti ini bisa sangat menyakiti orang yang sedang berjuang.",
                          "Coba sampaikan ketidaksetujuanmu tanpa menyuruh atau mengejek orang untuk menyakiti diri."),
                   "en": ("Sure you want to post this?", "Words like these can deeply hurt someone who is struggling.",
                          "Try saying you disagree without telling or mocking anyone to hurt themselves.")},
    "stigma": {"id": ("Pikirkan lagi sebelum mengirim", "Gangguan jiwa adalah masalah kesehatan, bukan kelemahan atau aib.",
                      "Coba ganti dengan: \"kalau lagi berat, ke psikolog itu langkah yang kuat\"."),
               "en": ("Think again before posting", "Mental illness is a health condition, not weakness or shame.",
                      "Try instead: \"seeing a psychologist when things are hard is a strong step\".")},
}


def _comment_nudge(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    kind = p.get("kind", "harassment" if "harassment" in a["labels"] else "stigma")
    title, message, hint = _NUDGE[kind][ctx.card_lang(a["language"])]
    return {"kind": kind, "title": title, "message": message, "rewrite_hint": hint}


# Stable myth-vs-fact card ids, chosen from what the text leans on (until the info library exists).
_MYTH_CARDS = (
    ({"iman", "faith", "dosa", "sin", "ruqyah", "doa", "pray", "agama", "allah", "tuhan"}, "myth-weak-faith"),
    ({"gila", "crazy", "rsj", "odgj", "psycho", "sinting", "psikolog", "psikiater"}, "myth-therapy-is-for-crazy-people"),
    ({"antidepresan", "antidepressant", "obat", "medication", "pil", "ketagihan", "addictive"}, "fact-medication"),
    ({"ngomongin", "membicarakan", "talking", "bahas", "nanya", "asking"}, "myth-talking-about-suicide"),
    ({"caper", "perhatian", "attention", "drama", "lebay", "alasan", "excuse", "males", "lazy"}, "myth-attention-seeking"),
    ({"remaja", "teen", "teens", "anak", "moody", "labil", "fase", "phase"}, "myth-teens-are-just-moody"),
)


def _info_search(text: str, k: int) -> list[Any]:
    from ruangaman.info import default_index

    return default_index().search(text, k) if text else []


def _counter_info(a: dict[str, Any], ctx: Context, p: dict[str, Any], reg: ActionRegistry) -> dict[str, Any]:
    """The myth-vs-fact cards the text's claim matches best (search), else by its key words."""
    cards = [h.card.id for h in _info_search(a.get("_text", ""), 8) if h.card.topic == "myth"][:2]
    if not cards:
        words = set(a.get("_words", ()))
        cards = [card for keys, card in _MYTH_CARDS if words & keys][:2] or ["fact-mental-health-is-health"]
    return {"cards": cards}


def default_actions(helplines: HelplineRegistry | None = None) -> ActionRegistry:
    reg = ActionRegistry(helplines=helplines or default_registry())
    for action in (
        Action("helpline_card", {"tier": ("support", "crisis", "emergency")}, _helpline_card,
               "localized helpline card; crisis lines first for ideation and above"),
        Action("search_intervention", {"mode": ("precede", "replace"), "info_cards": list}, _search_intervention,
               "help before (or instead of) search results"),
        Action("opt_in_screen", {"reason": str}, _opt_in_screen, "warning screen before distressing, allowed content"),
        Action("limit_reach", {"scope": ("recommendations", "search", "all"), "audience": ("minors", "everyone")},
               _limit_reach, "keep allowed but risky content out of recommendations"),
        Action("remove_or_hold", {"mode": ("hold", "remove"), "reason": str}, _remove_or_hold,
               "take down or hold for review"),
        Action("queue_review", {"tier": tuple(REVIEW_SLA_MINUTES), "queue": str, "minor_bump": bool}, _queue_review,
               "send to trained reviewers with a priority tier and an SLA"),
        Action("comment_nudge", {"kind": ("harassment", "stigma")}, _comment_nudge,
               "ask the writer to reconsider, with a kinder rewrite hint"),
        Action("counter_info", {}, _counter_info, "myth-vs-fact information card"),
    ):
        reg.register(action)
    return reg
