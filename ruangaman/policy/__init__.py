"""Stage 5: policy. An assessment in its context -> actions, by rules kept as data."""

from ruangaman.policy.decider import Decider, make_context
from ruangaman.policy.policy import Policy, PolicyError, Rule, default_policy, load_policy

__all__ = ["Decider", "Policy", "PolicyError", "Rule", "default_policy", "load_policy", "make_context"]
