"""Benchmarks: `ruangaman bench`."""

from ruangaman.bench.run import run_bench

__all__ = ["run_bench"]
