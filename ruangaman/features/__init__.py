"""Stage 3a: features. Canonical words -> sparse feature strings for the model."""

from ruangaman.features.featurizer import SURFACES, Featurizer, Positioned, default_featurizer, load_concepts

__all__ = ["Featurizer", "Positioned", "SURFACES", "default_featurizer", "load_concepts"]
