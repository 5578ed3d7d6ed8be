"""ruff and mypy are clean on src/ (their settings are in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import mypy_cache_dir

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("mypy")  # with tests/test_typing.py, which reuses the mypy cache


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "--no-cache", "src")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean(mypy_cache: Path) -> None:
    # the cache outside the repository that earlier sessions filled: mypy re-checks what changed
    done = _run("mypy", "--cache-dir", str(mypy_cache), "src/igegraph")
    assert done.returncode == 0, done.stdout + done.stderr


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_mypy_cache_is_a_private_folder_of_the_cache(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IGEGRAPH_NO_CACHE", raising=False)
    assert mypy_cache_dir(tmp_path / "fresh") == tmp_path / "cache" / "mypy"
    assert (_mode(tmp_path / "cache"), _mode(tmp_path / "cache" / "mypy")) == (0o700, 0o700)


@pytest.mark.parametrize("loose", ["cache", "cache/mypy"])
def test_mypy_cache_others_may_write_is_not_used(monkeypatch, tmp_path, loose) -> None:
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IGEGRAPH_NO_CACHE", raising=False)
    (tmp_path / "cache" / "mypy").mkdir(parents=True)
    (tmp_path / loose).chmod(0o777)
    assert mypy_cache_dir(tmp_path / "fresh") == tmp_path / "fresh"


def test_mypy_cache_off_with_the_graph_cache(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("IGEGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IGEGRAPH_NO_CACHE", "1")
    assert mypy_cache_dir(tmp_path / "fresh") == tmp_path / "fresh"
    assert not (tmp_path / "cache").exists()
