"""Evaluation: the project's metrics on a labelled JSONL set."""

from ruangaman.evaluate.metrics import Report, score

__all__ = ["Report", "score"]
