"""Shared fixtures: one engine on the bundled model for the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).with_name("ruangaman"))]


@pytest.fixture(scope="session")
def engine():
    from ruangaman import AssessmentEngine

    return AssessmentEngine()


def run_cli(*args: str, input: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `ruangaman` command in a subprocess from the repository root."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(CLI + list(args), input=input, capture_output=True, cwd=ROOT, env=env, timeout=timeout)
