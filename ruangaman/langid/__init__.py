"""Stage 2: language identification (id, en, jv, su, ms, mixed) from the model's language head."""

from ruangaman.langid.decide import decide_language, decide_languages

__all__ = ["decide_language", "decide_languages"]
