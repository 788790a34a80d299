"""Stage 3c: detect. Lexicon concepts and the rule safety net (evidence, degraded mode)."""

from ruangaman.detect.rules import Recognizer, RuleHit, SafetyNet, default_safety_net

__all__ = ["Recognizer", "RuleHit", "SafetyNet", "default_safety_net"]
