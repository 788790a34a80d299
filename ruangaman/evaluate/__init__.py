"""Evaluation: the project's metrics on a labelled JSONL set."""

from ruangaman.evaluate.metrics import Report, score, score_drafts

__all__ = ["Report", "score", "score_drafts"]
