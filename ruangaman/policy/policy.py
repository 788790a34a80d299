"""Policy as data: rules that turn an assessment and its context into actions.

A policy is YAML.  Each rule has an ``id``, a ``when`` (conditions on the assessment and
context) and a list of ``actions`` (``{name: {params}}``).  Every matching rule fires, in
order; the first rule to ask for an action sets its parameters (review tiers keep the most
urgent).  A rule with ``final: true`` stops the rules after it when it matches.

Whatever the policy says, two guarantees hold (enforced here, not left to the YAML):
hopeful content (supportive or help-seeking, with no harmful label) is never removed or
limited, and help-seeking always gets a helpline card.

A bad policy file is an error naming the path in the file, never a silent fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

from ruangaman.act.actions import AGE_BANDS, ActionRegistry, Context, default_actions
from ruangaman.features import SURFACES
from ruangaman.model import LABELS, LANGUAGES, LEVELS

__all__ = ["Policy", "PolicyError", "Rule", "default_policy", "load_policy"]

HARMFUL = frozenset({"method", "harassment", "eating_disorder"})
_WHEN_KEYS = {"self_harm", "labels", "surface", "author_age_band", "viewer_age_band", "language", "degraded"}


class PolicyError(ValueError):
    """A policy file that cannot be used; ``errors`` lists every problem with its path."""

    def __init__(self, errors: list[str]):
        super().__init__("policy is invalid:\n  " + "\n  ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Rule:
    id: str
    when: Mapping[str, Any]
    actions: tuple[tuple[str, Mapping[str, Any]], ...]
    final: bool = False
    description: str = ""

    def matches(self, a: Mapping[str, Any], ctx: Context) -> bool:
        w = self.when
        level = LEVELS.index(a["self_harm"])
        sh = w.get("self_harm")
        if sh is not None:
            if "at_least" in sh and level < LEVELS.index(sh["at_least"]):
                return False
            if "at_most" in sh and level > LEVELS.index(sh["at_most"]):
                return False
            if "in" in sh and a["self_harm"] not in sh["in"]:
                return False
        lb = w.get("labels")
        if lb is not None:
            have = set(a["labels"])
            if "any" in lb and not have & set(lb["any"]):
                return False
            if "all" in lb and not set(lb["all"]) <= have:
                return False
            if "none" in lb and have & set(lb["none"]):
                return False
        for key, value in (("surface", ctx.surface), ("author_age_band", ctx.author_age_band),
                           ("viewer_age_band", ctx.viewer_age_band), ("language", a.get("language"))):
            if key in w and value not in w[key]:
                return False
        if "degraded" in w and bool(a.get("degraded")) != w["degraded"]:
            return False
        return True


@dataclass
class Policy:
    name: str
    version: int
    rules: list[Rule]
    registry: ActionRegistry = field(default_factory=default_actions)

    def decide(self, a: Mapping[str, Any], ctx: Context) -> list[dict[str, Any]]:
        """The actions for one assessment (a dict as ``Assessment.to_dict`` gives it) in context."""
        chosen: dict[str, tuple[Rule, Mapping[str, Any]]] = {}
        for rule in self.rules:
            if not rule.matches(a, ctx):
                continue
            for name, params in rule.actions:
                if name not in chosen:
                    chosen[name] = (rule, params)
                elif name == "queue_review" and params.get("tier", "P3") < chosen[name][1].get("tier", "P3"):
                    chosen[name] = (rule, params)
            if rule.final:
                break
        labels = set(a["labels"])
        hopeful = bool(labels & {"supportive", "help_seeking"}) and not labels & HARMFUL
        if hopeful:
            for name in ("remove_or_hold", "limit_reach"):
                chosen.pop(name, None)
        if "help_seeking" in labels and "helpline_card" not in chosen:
            chosen["helpline_card"] = (Rule("guarantee:help-seeking-gets-help", {}, ()), {"tier": "support"})
        out = []
        for name, (rule, params) in chosen.items():
            out.append({"action": name, "params": self.registry[name].build(dict(a), ctx, dict(params), self.registry),
                        "rule": rule.id, "evidence": list(a.get("evidence", []))})
        return out

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


def _check_rule(raw: Any, k: int, registry: ActionRegistry, errors: list[str]) -> Rule | None:
    where = f"rules[{k}]"
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be a mapping. Got {type(raw).__name__} instead.")
        return None
    unknown = set(raw) - {"id", "when", "actions", "final", "description"}
    if unknown:
        errors.append(f"{where}: keys must be among id, when, actions, final, description. Got {sorted(unknown)}.")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        errors.append(f"{where}.id: must be a non-empty string. Got {rid!r} instead.")
    else:
        where = f"rules[{k}] ({rid})"
    when = raw.get("when") or {}
    if not isinstance(when, dict):
        errors.append(f"{where}.when: must be a mapping. Got {type(when).__name__} instead.")
        when = {}
    for key in set(when) - _WHEN_KEYS:
        errors.append(f"{where}.when: condition must be one of {sorted(_WHEN_KEYS)}. Got {key!r} instead.")
    sh = when.get("self_harm")
    if sh is not None:
        if not isinstance(sh, dict) or set(sh) - {"at_least", "at_most", "in"}:
            errors.append(f"{where}.when.self_harm: must use at_least, at_most or in. Got {sh!r} instead.")
        else:
            for op in ("at_least", "at_most"):
                if op in sh and sh[op] not in LEVELS:
                    errors.append(f"{where}.when.self_harm.{op}: must be one of {list(LEVELS)}. Got {sh[op]!r} instead.")
            if "in" in sh and (not isinstance(sh["in"], list) or set(sh["in"]) - set(LEVELS)):
                errors.append(f"{where}.when.self_harm.in: must be a list from {list(LEVELS)}. Got {sh['in']!r}.")
            lo, hi = sh.get("at_least"), sh.get("at_most")
            if lo in LEVELS and hi in LEVELS and LEVELS.index(lo) > LEVELS.index(hi):
                errors.append(f"{where}.when.self_harm: unreachable rule, at_least {lo} is above at_most {hi}.")
    lb = when.get("labels")
    if lb is not None:
        if not isinstance(lb, dict) or set(lb) - {"any", "all", "none"}:
            errors.append(f"{where}.when.labels: must use any, all or none. Got {lb!r} instead.")
        else:
            for op, values in lb.items():
                if not isinstance(values, list) or set(values) - set(LABELS):
                    errors.append(f"{where}.when.labels.{op}: must be a list from {list(LABELS)}. Got {values!r}.")
            if set(lb.get("all", [])) & set(lb.get("none", [])):
                errors.append(f"{where}.when.labels: unreachable rule, a label is both required and excluded.")
    for key, allowed in (("surface", SURFACES), ("author_age_band", AGE_BANDS), ("viewer_age_band", AGE_BANDS),
                         ("language", LANGUAGES)):
        if key in when:
            values = when[key]
            if not isinstance(values, list) or not values or set(values) - set(allowed):
                errors.append(f"{where}.when.{key}: must be a non-empty list from {list(allowed)}. Got {values!r}.")
    if "degraded" in when and not isinstance(when["degraded"], bool):
        errors.append(f"{where}.when.degraded: must be true or false. Got {when['degraded']!r} instead.")
    actions = raw.get("actions")
    parsed: list[tuple[str, Mapping[str, Any]]] = []
    if not isinstance(actions, list) or not actions:
        errors.append(f"{where}.actions: must be a non-empty list. Got {actions!r} instead.")
        actions = []
    for j, item in enumerate(actions):
        at = f"{where}.actions[{j}]"
        if isinstance(item, str):
            item = {item: {}}
        if not isinstance(item, dict) or len(item) != 1:
            errors.append(f"{at}: must be one action name with its parameters. Got {item!r} instead.")
            continue
        (name, params), = item.items()
        params = params or {}
        if name not in registry:
            errors.append(f"{at}: unknown action {name!r}. Must be one of {sorted(registry.actions)}.")
            continue
        if not isinstance(params, dict):
            errors.append(f"{at}.{name}: parameters must be a mapping. Got {params!r} instead.")
            continue
        errors.extend(registry[name].check(params, f"{at}.{name}"))
        parsed.append((name, params))
    if not isinstance(raw.get("final", False), bool):
        errors.append(f"{where}.final: must be true or false. Got {raw.get('final')!r} instead.")
    return Rule(rid or f"rule-{k}", when, tuple(parsed), bool(raw.get("final", False)), str(raw.get("description", "")))


def parse_policy(doc: Any, registry: ActionRegistry | None = None) -> Policy:
    registry = registry or default_actions()
    errors: list[str] = []
    if not isinstance(doc, dict):
        raise PolicyError([f"(top): must be a mapping with name, version and rules. Got {type(doc).__name__}."])
    for key in set(doc) - {"name", "version", "rules", "description"}:
        errors.append(f"(top): key must be one of name, version, rules, description. Got {key!r} instead.")
    if not isinstance(doc.get("name"), str):
        errors.append(f"name: must be a string. Got {doc.get('name')!r} instead.")
    if not isinstance(doc.get("version"), int):
        errors.append(f"version: must be an integer. Got {doc.get('version')!r} instead.")
    rules_raw = doc.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        errors.append(f"rules: must be a non-empty list. Got {rules_raw!r} instead.")
        rules_raw = []
    rules: list[Rule] = []
    ids: set[str] = set()
    catch_all_final: str | None = None
    for k, raw in enumerate(rules_raw):
        rule = _check_rule(raw, k, registry, errors)
        if rule is None:
            continue
        if rule.id in ids:
            errors.append(f"rules[{k}] ({rule.id}).id: must be unique. Got a second {rule.id!r}.")
        ids.add(rule.id)
        if catch_all_final is not None:
            errors.append(f"rules[{k}] ({rule.id}): unreachable rule, {catch_all_final!r} before it matches "
                          f"everything and is final.")
        if rule.final and not rule.when:
            catch_all_final = rule.id
        rules.append(rule)
    if errors:
        raise PolicyError(errors)
    return Policy(doc["name"], doc["version"], rules, registry)


def load_policy(path: Path, registry: ActionRegistry | None = None) -> Policy:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise PolicyError([f"{path}: cannot read the policy file: {e.strerror}."]) from e
    except yaml.YAMLError as e:
        raise PolicyError([f"{path}: must be valid YAML. Got: {e}"]) from e
    return parse_policy(doc, registry)


def default_policy(registry: ActionRegistry | None = None) -> Policy:
    text = resources.files("ruangaman.resources").joinpath("policy/default.yaml").read_text(encoding="utf-8")
    return parse_policy(yaml.safe_load(text), registry)
