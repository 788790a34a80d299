"""Stage 1: normalize. Informal, obfuscated text -> canonical words with an offset map."""

from ruangaman.normalize.normalizer import Normalizer, Token, default_normalizer

__all__ = ["Normalizer", "Token", "default_normalizer"]
