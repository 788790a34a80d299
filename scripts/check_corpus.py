"""Validate labelled JSONL files against docs/labels.md (fields, values, unique ids).

Usage: python scripts/check_corpus.py FILE.jsonl [...]
"""
import json
import sys
from collections import Counter

LEVELS = ["none", "mention", "distress", "ideation", "plan", "imminent"]
LABELS = ["method", "harassment", "eating_disorder", "stigma", "misinformation", "help_seeking", "supportive"]
LANGS = ["id", "en", "jv", "su", "ms", "mixed"]
SURFACES = ["post", "comment", "search", "caption", "transcript", "message"]
FIELDS = {"id", "text", "surface", "language", "self_harm", "labels", "note"}


def check(path: str) -> int:
    errors = 0
    ids, texts = set(), set()
    lv, lb, lg, sf = Counter(), Counter(), Counter(), Counter()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}:{n}: bad JSON: {e}"); errors += 1; continue
            problems = []
            if set(r) - FIELDS or {"id", "text", "self_harm", "labels", "language"} - set(r):
                problems.append(f"fields must be {sorted(FIELDS)}. Got {sorted(r)} instead")
            if r.get("id") in ids:
                problems.append(f"duplicate id {r.get('id')}")
            ids.add(r.get("id"))
            t = r.get("text", "")
            if not isinstance(t, str) or not t.strip():
                problems.append("empty text")
            elif t.strip().lower() in texts:
                problems.append("duplicate text")
            texts.add(str(t).strip().lower())
            if r.get("self_harm") not in LEVELS:
                problems.append(f"self_harm must be one of {LEVELS}. Got {r.get('self_harm')!r} instead")
            if not isinstance(r.get("labels"), list) or any(x not in LABELS for x in r.get("labels", [])):
                problems.append(f"labels must be a list from {LABELS}. Got {r.get('labels')!r} instead")
            if r.get("language") not in LANGS:
                problems.append(f"language must be one of {LANGS}. Got {r.get('language')!r} instead")
            if r.get("surface", "post") not in SURFACES:
                problems.append(f"surface must be one of {SURFACES}. Got {r.get('surface')!r} instead")
            for p in problems:
                print(f"{path}:{n}: {p}"); errors += 1
            lv[r.get("self_harm")] += 1; lg[r.get("language")] += 1; sf[r.get("surface", "post")] += 1
            for x in r.get("labels", []) or []:
                lb[x] += 1
    print(f"{path}: {len(ids)} rows, {errors} errors")
    print("  self_harm:", dict(lv)); print("  labels:", dict(lb)); print("  language:", dict(lg)); print("  surface:", dict(sf))
    return errors


if __name__ == "__main__":
    sys.exit(1 if sum(check(p) for p in sys.argv[1:]) else 0)
