"""Find (or drop) corpus lines that are near-copies of validation texts.

Similarity is the larger of word-set overlap (Jaccard) and difflib's character ratio on
lower-cased words.  The validation set must measure texts the model never saw, so a new
slice is filtered before it goes in:

    python scripts/near_validation.py data/corpus/NEW.jsonl            # report
    python scripts/near_validation.py --drop 0.6 data/corpus/NEW.jsonl # remove, in place
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
from pathlib import Path

VALIDATION = Path(__file__).resolve().parent.parent / "data" / "validation" / "assess-dev.jsonl"


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def nearest(texts: list[str], validation: list[str] | None = None) -> list[tuple[float, str]]:
    """For each text, (similarity, validation text) of its nearest validation text."""
    val = validation if validation is not None else [json.loads(l)["text"] for l in VALIDATION.read_text().splitlines() if l.strip()]
    vn = [(_norm(v), set(_norm(v).split()), v) for v in val]
    out = []
    for t in texts:
        n = _norm(t)
        words = set(n.split())
        best = (0.0, "")
        for v, vw, orig in vn:
            jac = len(words & vw) / max(1, len(words | vw))
            if jac < 0.25:
                continue
            score = max(jac, difflib.SequenceMatcher(None, n, v).ratio())
            if score > best[0]:
                best = (score, orig)
        out.append(best)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--drop", type=float, default=None, help="remove lines at or above this similarity")
    ap.add_argument("--show", type=float, default=0.6, help="report lines at or above this similarity")
    args = ap.parse_args()
    for path in args.files:
        lines = [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        scores = nearest([json.loads(l)["text"] for l in lines])
        for l, (s, v) in zip(lines, scores):
            if s >= args.show:
                print(f"{s:.2f}  {json.loads(l)['id']}: {json.loads(l)['text'][:70]!r}  ~  {v[:70]!r}")
        if args.drop is not None:
            kept = [l for l, (s, _) in zip(lines, scores) if s < args.drop]
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
            print(f"{path}: kept {len(kept)}, dropped {len(lines) - len(kept)}")


if __name__ == "__main__":
    main()
