"""Creators: the safe-messaging check for drafts (docs/safe-messaging.md)."""

from ruangaman.creators.check import FLAGS, DraftChecker, DraftFlag, DraftReport

__all__ = ["FLAGS", "DraftChecker", "DraftFlag", "DraftReport"]
