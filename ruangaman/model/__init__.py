"""Stage 3b: the trained, calibrated linear model and the script that builds it."""

from ruangaman.model.data import LABELS, LANGUAGES, LEVELS, Example, read_labelled
from ruangaman.model.linear import Head, LinearModel, ModelError

__all__ = ["Example", "Head", "LABELS", "LANGUAGES", "LEVELS", "LinearModel", "ModelError", "read_labelled"]
