"""Stage 4: assess. Model probabilities + the guide's decision rules -> an Assessment."""

from ruangaman.assess.engine import (MAX_TEXT_CHARS, Assessment, AssessmentEngine, Evidence, InputError,
                                     default_model_dir, tune_collector)

__all__ = ["Assessment", "AssessmentEngine", "Evidence", "InputError", "MAX_TEXT_CHARS", "default_model_dir", "tune_collector"]
