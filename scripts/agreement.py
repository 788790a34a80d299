"""How far a blind second reading of corpus lines agrees with the corpus's own labels.

    .venv/bin/python scripts/agreement.py [data/agreement/second-reading.jsonl]

The second reading (see data/agreement/README.md) labels a random sample of corpus lines by id,
from the text, surface and the labelling guide alone.  Printed: level agreement and Cohen's
kappa, agreement on the two lines that matter most (crisis: ideation or above; urgent: plan or
above), per-label kappa, language agreement and the level confusion matrix.  With no argument it also
reports the blind re-reads of ``method``: ``data/agreement/method-reread.jsonl`` (plan and imminent lines) and
``data/agreement/method-reread-ideation.jsonl`` (ideation and mention lines).
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from ruangaman.model import LABELS, LEVELS


def kappa(a: list, b: list) -> float:
    """Cohen's kappa of two readings of the same items."""
    observed = sum(x == y for x, y in zip(a, b)) / len(a)
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(a) | set(b)) / len(a) ** 2
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(second: Path, corpus: dict[str, dict]) -> None:
    b = read_jsonl(second)
    missing = [r["id"] for r in b if r["id"] not in corpus]
    if missing:
        raise SystemExit(f"error: second-reading ids must be corpus ids. Got unknown {missing[:5]} instead.")
    a = [corpus[r["id"]] for r in b]
    lv_a, lv_b = [LEVELS.index(r["self_harm"]) for r in a], [LEVELS.index(r["self_harm"]) for r in b]
    n = len(b)
    print(f"{n} lines read twice")
    print(f"level: agreement {sum(x == y for x, y in zip(lv_a, lv_b)) / n:.3f}, kappa {kappa(lv_a, lv_b):.3f}")
    for name, k in (("crisis (ideation or above)", 3), ("urgent (plan or above)", 4)):
        xa, xb = [x >= k for x in lv_a], [x >= k for x in lv_b]
        print(f"{name}: agreement {sum(x == y for x, y in zip(xa, xb)) / n:.3f}, kappa {kappa(xa, xb):.3f}")
    print(f"language: agreement {sum(x['language'] == y['language'] for x, y in zip(a, b)) / n:.3f}")
    for lb in LABELS:
        xa, xb = [lb in r["labels"] for r in a], [lb in r["labels"] for r in b]
        print(f"label {lb:16s} corpus {sum(xa):3d}  second {sum(xb):3d}  kappa {kappa(xa, xb):.3f}")
    cm = Counter(zip(lv_a, lv_b))
    print("level confusion (rows: corpus, columns: second reading)")
    print(" " * 10 + "".join(f"{lv[:8]:>10s}" for lv in LEVELS))
    for i, lv in enumerate(LEVELS):
        print(f"{lv[:10]:10s}" + "".join(f"{cm[(i, j)]:10d}" for j in range(len(LEVELS))))


def method_reread(path: Path, lines: str, corpus: dict[str, dict]) -> None:
    """A blind re-read of ``method`` on some corpus ``lines``, against the corpus labels it replaced."""
    rows = read_jsonl(path)
    cm = Counter((r["corpus_before"], r["method"]) for r in rows)
    print(f"method on {lines} lines, re-read blind ({len(rows)} lines):")
    for have in (True, False):
        n = cm[(have, True)] + cm[(have, False)]
        print(f"  corpus had it {'on' if have else 'off'}: {n}, re-read agrees on {cm[(have, have)]}")
    print(f"  kappa {kappa([r['corpus_before'] for r in rows], [r['method'] for r in rows]):.3f}")
    follows = sum(("method" in corpus[r["id"]]["labels"]) == r["method"] for r in rows)
    print(f"  corpus now follows the re-read on {follows} of {len(rows)}")


if __name__ == "__main__":
    corpus = {r["id"]: r for f in sorted(Path("data/corpus").glob("*.jsonl")) for r in read_jsonl(f)}
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/agreement/second-reading.jsonl"), corpus)
    if len(sys.argv) == 1:
        method_reread(Path("data/agreement/method-reread.jsonl"), "plan/imminent", corpus)
        method_reread(Path("data/agreement/method-reread-ideation.jsonl"), "ideation/mention", corpus)
