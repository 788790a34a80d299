"""Inform: sourced mental-health cards in Indonesian and English, found by search."""

from ruangaman.info.cards import Card, CardError, default_cards, load_cards
from ruangaman.info.search import InfoIndex, SearchHit, default_index, evaluate

__all__ = ["Card", "CardError", "InfoIndex", "SearchHit", "default_cards", "default_index", "evaluate",
           "load_cards", "search_info"]


def search_info(query: str, lang: str = "id", k: int = 3) -> list[dict]:
    """The best cards for a query, rendered in ``lang`` ("id" or "en")."""
    if lang not in ("id", "en"):
        raise ValueError(f"lang must be 'id' or 'en'. Got {lang!r} instead.")
    return [h.to_dict(lang) for h in default_index().search(query, k)]
