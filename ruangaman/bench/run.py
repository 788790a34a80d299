"""Measure the assessment path against a practical-limit baseline in the same process.

Batch: JSONL bytes in -> JSONL records out (parse, validate, normalize, features, model,
decisions, evidence, serialize), texts per second on one core.  Single: ``assess(text)``
latency per call, p50/p99.  Baseline: ``json.loads`` + normalization alone, which is the
least any assessment must do.  Both run warm (the token cache filled by a first pass),
as they would in a long-running service.  Each batch figure is the best of five alternating
runs, the one least disturbed by whatever else the machine was doing.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import numpy as np

__all__ = ["run_bench", "DEFAULT_CORPUS"]

DEFAULT_CORPUS = Path("data/bench/corpus.jsonl")
BEST_OF = 5


def _pct(samples_ns: list[int], q: float) -> float:
    return float(np.percentile(np.asarray(samples_ns), q)) / 1000.0  # microseconds


def run_bench(corpus: Path | None, n: int, single: int, model: Path | None) -> dict:
    from rich.console import Console
    from rich.table import Table

    from ruangaman.assess import AssessmentEngine, tune_collector
    from ruangaman.assess.stream import assess_lines, dumps
    from ruangaman.model import LinearModel
    from ruangaman.assess.engine import default_model_dir
    from ruangaman.normalize import default_normalizer

    path = corpus or DEFAULT_CORPUS
    if not path.exists():
        raise SystemExit(f"error: bench corpus must exist. Got {path} instead (run from the repository root).")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    lines = [json.dumps({"id": str(i), "text": texts[i % len(texts)]}, ensure_ascii=False).encode()
             for i in range(n)]

    t0 = time.perf_counter()
    LinearModel.load(model or default_model_dir())
    model_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine = AssessmentEngine(model)
    engine_load = time.perf_counter() - t0
    norm = default_normalizer()

    def baseline_batch() -> float:
        t = time.perf_counter()
        for line in lines:
            norm.words(json.loads(line)["text"])
        return time.perf_counter() - t

    def engine_batch() -> float:
        t = time.perf_counter()
        for rec in assess_lines(engine, lines):
            dumps(rec)
        return time.perf_counter() - t

    for line in lines[: len(texts)]:  # warm the token cache once, for both paths
        norm.words(json.loads(line)["text"])
    tune_collector()  # as `ruangaman assess` and `ruangaman serve` do after loading
    base_s, eng_s = baseline_batch(), engine_batch()
    for _ in range(BEST_OF - 1):  # alternate, and keep each path's best run: the least disturbed by a busy machine
        base_s, eng_s = min(base_s, baseline_batch()), min(eng_s, engine_batch())

    sample = [texts[i % len(texts)] for i in range(single)]
    base_lat, eng_lat = [], []
    for text in sample:
        raw = json.dumps({"text": text})
        t = time.perf_counter_ns()
        norm.words(json.loads(raw)["text"])
        base_lat.append(time.perf_counter_ns() - t)
    for text in sample:
        t = time.perf_counter_ns()
        engine.assess(text)
        eng_lat.append(time.perf_counter_ns() - t)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result = {
        "corpus": str(path), "distinct_texts": len(texts), "batch_texts": n, "single_texts": single,
        "engine": {"texts_per_s": n / eng_s, "p50_us": _pct(eng_lat, 50), "p99_us": _pct(eng_lat, 99)},
        "baseline": {"texts_per_s": n / base_s, "p50_us": _pct(base_lat, 50), "p99_us": _pct(base_lat, 99)},
        "model_load_s": model_load, "engine_load_s": engine_load, "peak_rss_mb": peak_mb,
    }
    c = Console()
    t = Table(title=f"ruangaman bench: {path} ({len(texts)} distinct texts, {n} batch, {single} single)")
    for col in ("path", "texts/s (batch)", "p50 single (us)", "p99 single (us)"):
        t.add_column(col, justify="right")
    for name in ("engine", "baseline"):
        r = result[name]
        t.add_row(name, f"{r['texts_per_s']:,.0f}", f"{r['p50_us']:.1f}", f"{r['p99_us']:.1f}")
    e, b = result["engine"], result["baseline"]
    t.add_row("engine / baseline", f"{e['texts_per_s'] / b['texts_per_s']:.2f}x",
              f"{e['p50_us'] / b['p50_us']:.1f}x", f"{e['p99_us'] / b['p99_us']:.1f}x")
    c.print(t)
    c.print(f"model load {model_load * 1000:.0f} ms, engine ready {engine_load * 1000:.0f} ms, "
            f"peak RSS {peak_mb:.0f} MB")
    return result
