"""Mindful Makers: the workshop that trains creators in safe messaging about suicide and mental health.

Cohorts with a schedule of sessions, enrolled creators (by public handle), attendance, module
quizzes from a bilingual question bank, draft checks over time, and certificates that anyone
can verify by code.  Stored in the service's own database (tables in
:mod:`ruangaman.workshop.schema`, migration 0002).
"""

from ruangaman.workshop.quiz import QuizBank, QuizBankError, default_bank, load_bank
from ruangaman.workshop.service import (FOLLOWER_BANDS, PLATFORMS, Conflict, NotComplete, NotFound, Workshop,
                                        WorkshopError)

__all__ = ["FOLLOWER_BANDS", "PLATFORMS", "Conflict", "NotComplete", "NotFound", "QuizBank", "QuizBankError",
           "Workshop", "WorkshopError", "default_bank", "load_bank"]
