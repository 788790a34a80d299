"""Stage 6: act. The actions a decision can take and the helpline registry they draw on."""

from ruangaman.act.actions import AGE_BANDS, Action, ActionRegistry, Context, default_actions
from ruangaman.act.helplines import HelplineError, HelplineRegistry, Service, default_registry

__all__ = ["AGE_BANDS", "Action", "ActionRegistry", "Context", "HelplineError", "HelplineRegistry", "Service",
           "default_actions", "default_registry"]
