"""Stage 3a: features. Canonical words -> sparse feature strings for the model."""

from ruangaman.features.featurizer import (SURFACES, FeatureIndexer, Featurizer, IndexedBatch, TokenFeatures, default_featurizer,
                                           load_concepts)

__all__ = ["FeatureIndexer", "Featurizer", "IndexedBatch", "SURFACES", "TokenFeatures", "default_featurizer", "load_concepts"]
