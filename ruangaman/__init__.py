"""Ruang Aman: a mental-health safety engine for social and short-video platforms.

    >>> from ruangaman import assess
    >>> assess("aku capek banget, pengen tidur dan ga bangun lagi").self_harm
    'ideation'
"""

from ruangaman.assess import Assessment, AssessmentEngine, Evidence, InputError
from ruangaman.info import search_info
from ruangaman.model import ModelError
from ruangaman.pipeline import assess, assess_batch, decide, default_engine

__all__ = ["Assessment", "AssessmentEngine", "Evidence", "InputError", "ModelError", "assess", "assess_batch",
           "decide", "default_engine", "search_info"]
__version__ = "0.1.0"
