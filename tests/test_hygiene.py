"""ruff and mypy are clean on src/ (their settings are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("mypy")  # with tests/test_typing.py, which reuses the mypy cache


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "--no-cache", "src")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean(mypy_cache: Path) -> None:
    # a fresh cache outside the repository: nothing is left behind, nothing stale is trusted
    done = _run("mypy", "--cache-dir", str(mypy_cache), "src/igegraph")
    assert done.returncode == 0, done.stdout + done.stderr
